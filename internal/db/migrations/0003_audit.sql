-- +goose Up
-- Who did what to which patient's data, when, from where, and how it ended.
CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,      -- UUIDv7: orders by time
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',   -- user or device id; empty when unknown
    actor_kind  TEXT NOT NULL,              -- user, device, system, anonymous
    action      TEXT NOT NULL,              -- e.g. patient.read, auth.login
    patient_id  TEXT NOT NULL DEFAULT '',
    resource    TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,              -- success, failure, denied
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_patient ON audit_events (patient_id, at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);
CREATE INDEX audit_events_at ON audit_events (at);

-- +goose Down
DROP TABLE audit_events;
