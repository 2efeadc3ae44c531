-- +goose Up
-- The database itself refuses two active bookings of one professional whose
-- times overlap, whatever code writes them and on whichever node. The
-- trigger first takes the professional's row in appointment_locks, so a
-- concurrent booking of the same professional waits for this transaction
-- to end; the overlap query then runs on a fresh snapshot (READ COMMITTED)
-- and sees what the other transaction committed.
-- +goose StatementBegin
CREATE FUNCTION appointments_no_overlap() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'booked' THEN
        INSERT INTO appointment_locks (professional_id, version) VALUES (NEW.professional_id, 1)
            ON CONFLICT (professional_id) DO UPDATE SET version = appointment_locks.version + 1;
        IF EXISTS (SELECT 1 FROM appointments a
                   WHERE a.professional_id = NEW.professional_id AND a.status = 'booked' AND a.id <> NEW.id
                     AND a.starts_at < NEW.ends_at AND a.ends_at > NEW.starts_at) THEN
            RAISE EXCEPTION 'appointment overlaps another booking of the same professional'
                USING ERRCODE = 'exclusion_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER appointments_no_overlap BEFORE INSERT OR UPDATE OF status, starts_at, ends_at, professional_id
    ON appointments FOR EACH ROW EXECUTE FUNCTION appointments_no_overlap();

-- +goose Down
DROP TRIGGER appointments_no_overlap ON appointments;
DROP FUNCTION appointments_no_overlap();
