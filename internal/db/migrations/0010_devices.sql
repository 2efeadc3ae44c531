-- +goose Up
-- A device sends readings with its own credential. It is assigned to at most
-- one patient at a time (patient_id here, with the history in
-- device_assignments), and can be disabled without losing its history.
CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,              -- blood_pressure_monitor, thermometer, …
    maker           TEXT NOT NULL,
    model           TEXT NOT NULL DEFAULT '',
    serial          TEXT NOT NULL,
    eui64           TEXT,                       -- 16 upper-case hex digits, unique where given
    protocol        TEXT NOT NULL DEFAULT '',   -- how it usually talks: http, fhir, mqtt, mllp, gatt
    label           TEXT NOT NULL DEFAULT '',
    secret_hash     TEXT NOT NULL,              -- SHA-256 of the credential, hex
    secret_set_at   BIGINT NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1,
    patient_id      TEXT REFERENCES users(id),  -- current assignment, NULL when unassigned
    assigned_at     BIGINT,
    last_seen_at    BIGINT,                     -- updated by ingest, coalesced (not once per reading)
    battery_percent INTEGER,                    -- last battery level the device reported
    status          TEXT NOT NULL DEFAULT '',   -- last status the device reported, e.g. battery-low
    status_at       BIGINT,
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',   -- user id, or empty for the shell
    updated_at      BIGINT NOT NULL
);
-- Makers spell their own name inconsistently; serials are compared as given.
CREATE UNIQUE INDEX devices_maker_serial ON devices (LOWER(maker), serial);
CREATE UNIQUE INDEX devices_eui64 ON devices (eui64);
CREATE INDEX devices_patient ON devices (patient_id);

-- Who had the device when: one row per assignment, closed by to_at.
CREATE TABLE device_assignments (
    id            TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL REFERENCES devices(id),
    patient_id    TEXT NOT NULL REFERENCES users(id),
    from_at       BIGINT NOT NULL,
    to_at         BIGINT,
    assigned_by   TEXT NOT NULL DEFAULT '',   -- actor id (user), empty for the shell
    unassigned_by TEXT
);
CREATE INDEX device_assignments_device ON device_assignments (device_id, from_at);
CREATE INDEX device_assignments_patient ON device_assignments (patient_id, from_at);
-- At most one open assignment per device, whatever the application does.
CREATE UNIQUE INDEX device_assignments_open ON device_assignments (device_id) WHERE to_at IS NULL;

-- Readings refused per device and reason (disabled, unassigned, implausible…),
-- so that an administrator sees a device that keeps sending what Tend drops.
CREATE TABLE device_refusals (
    device_id TEXT NOT NULL REFERENCES devices(id),
    reason    TEXT NOT NULL,
    count     BIGINT NOT NULL,
    first_at  BIGINT NOT NULL,
    last_at   BIGINT NOT NULL,
    PRIMARY KEY (device_id, reason)
);

-- +goose Down
DROP TABLE device_refusals;
DROP TABLE device_assignments;
DROP TABLE devices;
