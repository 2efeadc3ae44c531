-- +goose Up
-- What a patient should measure and when, in the patient's wall-clock time
-- (owned by internal/monitoring). Schedules are stopped, never deleted, so
-- the history of what was asked stays readable.
CREATE TABLE measurement_schedules (
    id                    TEXT PRIMARY KEY,
    patient_id            TEXT NOT NULL REFERENCES users(id),
    type_key              TEXT NOT NULL,     -- measurement type, e.g. blood_pressure
    times                 TEXT NOT NULL,     -- local times of day, "08:00,20:00"
    weekdays              INTEGER NOT NULL,  -- bit i = weekday i (0 Sunday); 0 = every day
    every_hours           INTEGER NOT NULL DEFAULT 0, -- set when times were made from "every N hours"
    early_minutes         INTEGER NOT NULL,  -- a reading this long before the due time counts
    grace_minutes         INTEGER NOT NULL,  -- the window closes this long after the due time
    reminder_lead_minutes INTEGER NOT NULL,  -- remind the patient this long before the close; 0 = never
    note                  TEXT NOT NULL DEFAULT '',
    effective_from        BIGINT NOT NULL,   -- occurrences whose window closed before this do not count
    created_at            BIGINT NOT NULL,
    created_by            TEXT NOT NULL REFERENCES users(id),
    updated_at            BIGINT NOT NULL,
    updated_by            TEXT NOT NULL REFERENCES users(id),
    stopped_at            BIGINT,
    stopped_by            TEXT REFERENCES users(id)
);
CREATE INDEX measurement_schedules_patient ON measurement_schedules (patient_id, type_key);

-- A reading that fell inside an occurrence's window: the occurrence is done.
CREATE TABLE schedule_fulfilments (
    schedule_id TEXT NOT NULL REFERENCES measurement_schedules(id),
    due_at      BIGINT NOT NULL,
    reading_id  TEXT NOT NULL,
    taken_at    BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (schedule_id, due_at)
);

-- One row per running schedule: the occurrence it is waiting on and when the
-- scheduler must act next (remind the patient, or close the window). The
-- scheduler reads only rows whose next_at has come, so its work grows with
-- the deadlines falling due, not with the number of patients.
CREATE TABLE schedule_deadlines (
    schedule_id TEXT PRIMARY KEY REFERENCES measurement_schedules(id),
    patient_id  TEXT NOT NULL REFERENCES users(id),
    due_at      BIGINT NOT NULL,
    stage       TEXT NOT NULL,   -- remind, close
    next_at     BIGINT NOT NULL
);
CREATE INDEX schedule_deadlines_next ON schedule_deadlines (next_at);

-- +goose Down
DROP TABLE schedule_deadlines;
DROP TABLE schedule_fulfilments;
DROP TABLE measurement_schedules;
