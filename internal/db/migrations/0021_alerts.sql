-- +goose Up
-- Alerts raised by monitoring: out-of-range readings, NEWS2, missed
-- measurements and device trouble (owned by internal/monitoring).
CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES users(id),
    rule_key        TEXT NOT NULL,   -- bp_crisis, news2, missed:blood_pressure, device_battery:<device id>
    kind            TEXT NOT NULL,   -- vital, news2, missed, device
    severity        TEXT NOT NULL,   -- low, medium, high, critical
    title           TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    reading_id      TEXT,            -- the reading that opened it or repeated it last
    device_id       TEXT,
    status          TEXT NOT NULL,   -- open, acknowledged, resolved
    count           INTEGER NOT NULL,-- how many times the condition was seen while the alert was active
    first_at        BIGINT NOT NULL, -- when the condition was first seen
    last_at         BIGINT NOT NULL, -- when it was seen last
    opened_at       BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT REFERENCES users(id),
    ack_comment     TEXT NOT NULL DEFAULT '',
    resolved_at     BIGINT,
    resolved_by     TEXT REFERENCES users(id),  -- null with resolved_at: resolved by the system
    resolve_comment TEXT NOT NULL DEFAULT '',
    cleared_at      BIGINT,          -- the condition went away (hysteresis cleared); the alert stays for a person to resolve
    escalation_step INTEGER NOT NULL DEFAULT 0,
    escalate_at     BIGINT,          -- when an unacknowledged alert goes to the next step; null = never
    updated_at      BIGINT NOT NULL
);
-- Exactly one active (open or acknowledged) alert per patient and rule:
-- repeats count on it instead of piling up.
CREATE UNIQUE INDEX alerts_one_active ON alerts (patient_id, rule_key) WHERE status IN ('open', 'acknowledged');
CREATE INDEX alerts_patient ON alerts (patient_id, opened_at);
CREATE INDEX alerts_status ON alerts (status, opened_at);
CREATE INDEX alerts_escalate ON alerts (escalate_at) WHERE escalate_at IS NOT NULL;

-- What happened to an alert after it opened: notifications, escalations,
-- acknowledgement, comments, resolution.
CREATE TABLE alert_log (
    id       TEXT PRIMARY KEY,  -- UUIDv7: orders by time
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    at       BIGINT NOT NULL,
    actor_id TEXT REFERENCES users(id),  -- null: the system
    action   TEXT NOT NULL,     -- notified, escalated, acknowledged, commented, resolved, cleared, severity
    step     INTEGER,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_log_alert ON alert_log (alert_id, at);

-- A professional's per-patient change to a default rule.
CREATE TABLE alert_rule_overrides (
    patient_id TEXT NOT NULL REFERENCES users(id),
    rule_key   TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    settings   TEXT NOT NULL,   -- JSON: conditions, consecutive readings, severity
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (patient_id, rule_key)
);

-- Where each rule stands for a patient: breaches in a row, and whether the
-- rule is active (fired and not yet cleared past its clear threshold).
CREATE TABLE alert_rule_state (
    patient_id  TEXT NOT NULL REFERENCES users(id),
    rule_key    TEXT NOT NULL,
    consecutive INTEGER NOT NULL,
    active      INTEGER NOT NULL,
    last_at     BIGINT NOT NULL,  -- time of the last reading evaluated
    PRIMARY KEY (patient_id, rule_key)
);

-- A patient's own escalation chain; without rows the chain comes from the
-- care team (nurses, then doctors).
CREATE TABLE escalation_steps (
    patient_id   TEXT NOT NULL REFERENCES users(id),
    step         INTEGER NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id),
    wait_minutes INTEGER NOT NULL,  -- unacknowledged this long, the alert goes to the next step
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (patient_id, step, user_id)
);

-- +goose Down
DROP TABLE escalation_steps;
DROP TABLE alert_rule_state;
DROP TABLE alert_rule_overrides;
DROP TABLE alert_log;
DROP TABLE alerts;
