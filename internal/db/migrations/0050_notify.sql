-- +goose Up
-- Notifications (owned by internal/notify). A row is both the in-app inbox
-- entry of its recipient and the source of its outbound deliveries.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,                -- UUIDv7 unless the caller chose one
    recipient_id TEXT REFERENCES users(id),       -- NULL: an event for integrations only
    kind         TEXT NOT NULL,                   -- e.g. alert.opened
    severity     TEXT NOT NULL,                   -- info, warning, critical
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,                   -- plain text, no more health detail than needed
    link         TEXT NOT NULL DEFAULT '',        -- path in the web app
    patient_id   TEXT REFERENCES users(id),
    event_id     TEXT NOT NULL,                   -- what happened; shared by the notifications of one event
    dedupe_key   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    read_at      BIGINT
);
CREATE INDEX notifications_inbox ON notifications (recipient_id, created_at);
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;

-- One row per recipient (or '' for integration events) and dedupe key: a
-- second notification with the same key before expires_at is dropped.
CREATE TABLE notification_dedupe (
    recipient_key   TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (recipient_key, dedupe_key)
);

-- The outbox: one row per notification and outbound channel. A worker
-- claims a pending row by writing its claim token and pushing due_at one
-- lease ahead; a row whose worker died becomes due again when that lease ends.
CREATE TABLE notification_deliveries (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,         -- email:<notification> or webhook:<webhook>:<event>
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    channel         TEXT NOT NULL,                -- email, webhook
    target          TEXT NOT NULL DEFAULT '',     -- the webhook's id; '' for email
    status          TEXT NOT NULL,                -- pending, delivered, failed, skipped
    attempts        INTEGER NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL,
    claim           TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    done_at         BIGINT
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (due_at) WHERE status = 'pending';
CREATE INDEX notification_deliveries_notification ON notification_deliveries (notification_id);
CREATE INDEX notification_deliveries_failed ON notification_deliveries (updated_at) WHERE status = 'failed';

-- Each user's choices: JSON of notify.Preferences.
CREATE TABLE notification_preferences (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    prefs      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Signed webhooks for integrations. The secret is kept in clear because
-- every delivery is signed with it.
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    kinds       TEXT NOT NULL,                    -- JSON array of kind patterns
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    removed_at  BIGINT
);

-- +goose Down
DROP TABLE webhooks;
DROP TABLE notification_preferences;
DROP TABLE notification_deliveries;
DROP TABLE notification_dedupe;
DROP TABLE notifications;
