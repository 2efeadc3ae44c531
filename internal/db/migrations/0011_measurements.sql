-- +goose Up
-- One row per reading, whatever its type. A panel keeps its components side
-- by side in v1, v2, v3, in the catalogue's component order (blood pressure:
-- systolic, diastolic, mean); a single-valued type uses v1 only.
--
-- Why not one row per component: a blood pressure is one act of measuring,
-- corrected, de-duplicated and shown as one; one row keeps it whole without
-- pivoting, costs one index entry instead of three, and lets a chart query
-- take min/max/mean of every component in a single pass over one index range.
-- Why not JSON: per-type range queries and downsampling run on plain numeric
-- columns in SQL, on SQLite and PostgreSQL alike.
--
-- Values are in the type's canonical UCUM unit (unit); o1..o3 and orig_unit
-- keep what was sent when it arrived in another unit, and stay NULL otherwise.
--
-- There are no foreign keys on this table on purpose: it takes tens of
-- thousands of rows a second, ingest checks the patient and the device before
-- writing, and users and devices are disabled, never deleted.
CREATE TABLE measurements (
    id           TEXT PRIMARY KEY,             -- UUIDv7
    patient_id   TEXT NOT NULL,
    type_key     TEXT NOT NULL,                -- measure catalogue key, e.g. heart_rate
    loinc        TEXT NOT NULL,                -- the code sent, or the type's own code
    v1           DOUBLE PRECISION NOT NULL,
    v2           DOUBLE PRECISION,
    v3           DOUBLE PRECISION,
    unit         TEXT NOT NULL,                -- canonical UCUM unit
    o1           DOUBLE PRECISION,
    o2           DOUBLE PRECISION,
    o3           DOUBLE PRECISION,
    orig_unit    TEXT,                         -- UCUM unit it was sent in, when not canonical
    taken_at     BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    source       TEXT NOT NULL,                -- device, manual, import
    door         TEXT NOT NULL,                -- http, fhir, mqtt, mllp, gatt, web
    device_id    TEXT,
    entered_by   TEXT,                         -- user id for manual entry and imports
    flags        TEXT NOT NULL DEFAULT '',     -- device status flags, comma-separated
    external_id  TEXT,                         -- the sender's own id, for idempotency
    status       TEXT NOT NULL DEFAULT 'final',  -- final or entered-in-error
    error_at     BIGINT,
    error_by     TEXT,
    error_reason TEXT
);
-- A patient's series of one type over time: listing, charts, rules.
CREATE INDEX measurements_series ON measurements (patient_id, type_key, taken_at);
-- A retry never duplicates: the sender's id is unique per source, the device
-- when there is one, else the user who entered it.
CREATE UNIQUE INDEX measurements_external ON measurements (COALESCE(device_id, entered_by), external_id);

-- +goose Down
DROP TABLE measurements;
