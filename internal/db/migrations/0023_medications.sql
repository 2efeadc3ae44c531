-- +goose Up
-- A patient's medications and the doses they are due (owned by
-- internal/medications). Stopped, never deleted.
CREATE TABLE medications (
    id                    TEXT PRIMARY KEY,
    patient_id            TEXT NOT NULL REFERENCES users(id),
    name                  TEXT NOT NULL,
    dose                  TEXT NOT NULL,     -- as prescribed, e.g. "500 mg"
    instructions          TEXT NOT NULL DEFAULT '',
    times                 TEXT NOT NULL,     -- local times of day, "08:00,20:00"
    weekdays              INTEGER NOT NULL,  -- bit i = weekday i (0 Sunday); 0 = every day
    window_minutes        INTEGER NOT NULL,  -- a dose not recorded this long after its time is missed
    reminder_lead_minutes INTEGER NOT NULL,  -- remind this long before the time; -1 = never
    effective_from        BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    created_by            TEXT NOT NULL REFERENCES users(id),
    updated_at            BIGINT NOT NULL,
    updated_by            TEXT NOT NULL REFERENCES users(id),
    stopped_at            BIGINT,
    stopped_by            TEXT REFERENCES users(id)
);
CREATE INDEX medications_patient ON medications (patient_id);

-- The dose journal: taken or skipped as the patient (or a carer) records
-- it, missed when the window closed without either.
CREATE TABLE medication_doses (
    medication_id TEXT NOT NULL REFERENCES medications(id),
    due_at        BIGINT NOT NULL,
    patient_id    TEXT NOT NULL REFERENCES users(id),
    status        TEXT NOT NULL,   -- taken, skipped, missed
    taken_at      BIGINT,          -- when taken, as recorded
    note          TEXT NOT NULL DEFAULT '',
    recorded_at   BIGINT NOT NULL,
    recorded_by   TEXT REFERENCES users(id),  -- null for missed (the system)
    PRIMARY KEY (medication_id, due_at)
);
CREATE INDEX medication_doses_patient ON medication_doses (patient_id, due_at);

-- One row per running medication: the dose it waits on and when to act.
CREATE TABLE medication_deadlines (
    medication_id TEXT PRIMARY KEY REFERENCES medications(id),
    patient_id    TEXT NOT NULL REFERENCES users(id),
    due_at        BIGINT NOT NULL,
    stage         TEXT NOT NULL,  -- remind, close
    next_at       BIGINT NOT NULL
);
CREATE INDEX medication_deadlines_next ON medication_deadlines (next_at);

-- +goose Down
DROP TABLE medication_deadlines;
DROP TABLE medication_doses;
DROP TABLE medications;
