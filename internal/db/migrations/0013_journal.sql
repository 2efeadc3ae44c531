-- +goose Up
-- What a patient ate, took, felt or wants to note, entered by the patient or
-- someone caring for them. Corrections mark an entry entered-in-error.
CREATE TABLE journal_entries (
    id           TEXT PRIMARY KEY,
    patient_id   TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,               -- food, medication, symptom, note
    occurred_at  BIGINT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',    -- the food, medication or symptom
    amount       TEXT NOT NULL DEFAULT '',    -- portion or dose, as written
    carbs_grams  DOUBLE PRECISION,            -- food
    severity     INTEGER,                     -- symptom, 0 (none) to 10 (worst)
    note         TEXT NOT NULL DEFAULT '',
    entered_by   TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    external_id  TEXT,
    status       TEXT NOT NULL DEFAULT 'final',
    error_at     BIGINT,
    error_by     TEXT,
    error_reason TEXT
);
CREATE INDEX journal_entries_patient ON journal_entries (patient_id, occurred_at);
CREATE UNIQUE INDEX journal_entries_external ON journal_entries (entered_by, external_id);

-- +goose Down
DROP TABLE journal_entries;
