-- +goose Up
-- Per patient: the NEWS2 settings, and a row every evaluation of the
-- patient's readings updates first, so that on PostgreSQL two nodes
-- evaluating the same patient queue one after the other.
CREATE TABLE monitoring_patients (
    patient_id  TEXT PRIMARY KEY REFERENCES users(id),
    version     BIGINT NOT NULL,
    spo2_scale  INTEGER NOT NULL DEFAULT 1,  -- NEWS2 SpO2 scale, 2 only when prescribed
    on_oxygen   INTEGER,                     -- 1 on supplemental oxygen, 0 on air, null unknown
    updated_at  BIGINT,
    updated_by  TEXT REFERENCES users(id)
);

-- The latest value of each NEWS2 parameter per patient, kept as readings
-- arrive, so that a score is one small read.
CREATE TABLE vital_latest (
    patient_id  TEXT NOT NULL REFERENCES users(id),
    param       TEXT NOT NULL,   -- respiratory_rate, spo2, systolic, pulse, temperature, consciousness, on_oxygen
    value       DOUBLE PRECISION NOT NULL,
    taken_at    BIGINT NOT NULL,
    reading_id  TEXT NOT NULL DEFAULT '',
    recorded_by TEXT REFERENCES users(id),
    PRIMARY KEY (patient_id, param)
);

-- Devices that reported for a patient, and when they count as silent.
CREATE TABLE device_watch (
    device_id    TEXT PRIMARY KEY,
    patient_id   TEXT NOT NULL REFERENCES users(id),
    last_seen_at BIGINT NOT NULL,
    silent_at    BIGINT NOT NULL,
    alerted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX device_watch_silent ON device_watch (silent_at) WHERE alerted = 0;

-- Notifications and events written in the same transaction as the change
-- that causes them, handed to notify and the event bus after the commit,
-- and retried from here after a crash (their dedupe keys make that safe).
CREATE TABLE monitoring_outbox (
    id         TEXT PRIMARY KEY,  -- UUIDv7: orders by time
    kind       TEXT NOT NULL,     -- notification, event
    payload    TEXT NOT NULL,     -- JSON
    created_at BIGINT NOT NULL,
    next_at    BIGINT NOT NULL,   -- when a drain may try it (again)
    attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitoring_outbox_next ON monitoring_outbox (next_at);

-- +goose Down
DROP TABLE monitoring_outbox;
DROP TABLE device_watch;
DROP TABLE vital_latest;
DROP TABLE monitoring_patients;
