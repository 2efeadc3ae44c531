-- +goose Up
-- A medicine dose recorded taken or skipped is also a journal entry (written
-- by internal/medications in the transaction that records the dose). These
-- columns name the dose; at most one entry per dose is in force, so
-- recording the same dose again is idempotent, and recording it differently
-- marks the earlier entry entered-in-error.
ALTER TABLE journal_entries ADD COLUMN medication_id TEXT;
ALTER TABLE journal_entries ADD COLUMN dose_due_at BIGINT;
ALTER TABLE journal_entries ADD COLUMN dose_status TEXT;
CREATE UNIQUE INDEX journal_entries_dose ON journal_entries (medication_id, dose_due_at)
    WHERE medication_id IS NOT NULL AND status = 'final';

-- Missed doses across a care team's patients, newest first.
CREATE INDEX medication_doses_missed ON medication_doses (status, due_at);

-- +goose Down
DROP INDEX medication_doses_missed;
DROP INDEX journal_entries_dose;
ALTER TABLE journal_entries DROP COLUMN dose_status;
ALTER TABLE journal_entries DROP COLUMN dose_due_at;
ALTER TABLE journal_entries DROP COLUMN medication_id;
