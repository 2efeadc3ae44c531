-- +goose Up
-- The database itself refuses two active bookings of one professional whose
-- times overlap, whatever code writes them. SQLite has a single writer, so
-- the check and the write cannot interleave with another booking.
-- +goose StatementBegin
CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.status = 'booked' AND EXISTS (
    SELECT 1 FROM appointments a
    WHERE a.professional_id = NEW.professional_id AND a.status = 'booked'
      AND a.starts_at < NEW.ends_at AND a.ends_at > NEW.starts_at)
BEGIN
    SELECT RAISE(ABORT, 'appointment overlaps another booking of the same professional');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER appointments_no_overlap_update BEFORE UPDATE OF status, starts_at, ends_at, professional_id ON appointments
WHEN NEW.status = 'booked' AND EXISTS (
    SELECT 1 FROM appointments a
    WHERE a.professional_id = NEW.professional_id AND a.status = 'booked' AND a.id <> NEW.id
      AND a.starts_at < NEW.ends_at AND a.ends_at > NEW.starts_at)
BEGIN
    SELECT RAISE(ABORT, 'appointment overlaps another booking of the same professional');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER appointments_no_overlap_insert;
DROP TRIGGER appointments_no_overlap_update;
