-- +goose Up
-- Events too large for a NOTIFY payload (8000 bytes) wait here for the
-- other tend nodes to read them; only the id travels in the notification.
-- Rows are swept after ten minutes. PostgreSQL only: on SQLite events stay
-- inside the one process.
CREATE TABLE events_outbox (
    id          TEXT PRIMARY KEY,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX events_outbox_created ON events_outbox (created_at);

-- +goose Down
DROP TABLE events_outbox;
