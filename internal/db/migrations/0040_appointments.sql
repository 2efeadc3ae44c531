-- +goose Up
-- A professional's bookable time: the zone their hours are written in and
-- the default slot length (owned by internal/appointments).
CREATE TABLE availability (
    professional_id TEXT PRIMARY KEY REFERENCES users(id),
    time_zone       TEXT NOT NULL,     -- IANA name
    slot_minutes    INTEGER NOT NULL,
    updated_at      BIGINT NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users(id)
);

-- Weekly recurring hours, in the professional's local wall-clock time.
CREATE TABLE availability_hours (
    id              TEXT PRIMARY KEY,
    professional_id TEXT NOT NULL REFERENCES users(id),
    weekday         INTEGER NOT NULL,  -- 0 Sunday … 6 Saturday
    start_minute    INTEGER NOT NULL,  -- minutes after local midnight
    end_minute      INTEGER NOT NULL,  -- up to 1440 (24:00)
    slot_minutes    INTEGER NOT NULL,
    kind            TEXT NOT NULL      -- in_person, video
);
CREATE INDEX availability_hours_professional ON availability_hours (professional_id);

-- Exceptions: "off" is a range of local dates without weekly hours;
-- "extra" is one local date with hours on top of the weekly ones.
CREATE TABLE availability_exceptions (
    id              TEXT PRIMARY KEY,
    professional_id TEXT NOT NULL REFERENCES users(id),
    kind            TEXT NOT NULL,     -- off, extra
    first_day       TEXT NOT NULL,     -- YYYY-MM-DD, local
    last_day        TEXT NOT NULL,     -- YYYY-MM-DD, local, inclusive
    start_minute    INTEGER,           -- extra only
    end_minute      INTEGER,
    slot_minutes    INTEGER,
    visit_kind      TEXT,
    note            TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX availability_exceptions_professional ON availability_exceptions (professional_id, last_day);

-- One row per professional, written first by every transaction that books
-- or moves their time: on PostgreSQL the row lock queues such transactions
-- one after another across all nodes (SQLite's single writer already does).
CREATE TABLE appointment_locks (
    professional_id TEXT PRIMARY KEY REFERENCES users(id),
    version         BIGINT NOT NULL
);

CREATE TABLE appointments (
    id               TEXT PRIMARY KEY,
    professional_id  TEXT NOT NULL REFERENCES users(id),
    patient_id       TEXT NOT NULL REFERENCES users(id),
    starts_at        BIGINT NOT NULL,
    ends_at          BIGINT NOT NULL,
    kind             TEXT NOT NULL,    -- in_person, video
    status           TEXT NOT NULL,    -- booked, cancelled, done
    reason           TEXT NOT NULL,
    booked_by        TEXT NOT NULL REFERENCES users(id),
    booked_at        BIGINT NOT NULL,
    cancelled_by     TEXT REFERENCES users(id),
    cancelled_at     BIGINT,
    cancel_reason    TEXT NOT NULL DEFAULT '',
    done_at          BIGINT,
    rescheduled_from TEXT REFERENCES appointments(id),
    rescheduled_to   TEXT,             -- the booking that replaced this one
    updated_at       BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX appointments_professional ON appointments (professional_id, starts_at);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);
-- Two active bookings of one professional never start at the same instant.
-- Overlaps of different starts are refused by the triggers of 0041.
CREATE UNIQUE INDEX appointments_one_per_start ON appointments (professional_id, starts_at) WHERE status = 'booked';

-- Outbox: one row per recipient and change, for in-app lists and delivery.
CREATE TABLE appointment_notifications (
    id             TEXT PRIMARY KEY,   -- UUIDv7: orders by time
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    recipient_id   TEXT NOT NULL REFERENCES users(id),
    event          TEXT NOT NULL,      -- booked, cancelled, rescheduled
    actor_id       TEXT NOT NULL REFERENCES users(id),
    body           TEXT NOT NULL,      -- rendered in the recipient's zone, no health details
    created_at     BIGINT NOT NULL,
    read_at        BIGINT,
    delivered_at   BIGINT
);
CREATE INDEX appointment_notifications_recipient ON appointment_notifications (recipient_id, created_at);
CREATE INDEX appointment_notifications_undelivered ON appointment_notifications (created_at) WHERE delivered_at IS NULL;

-- Reminders sent: the key makes "at most once" hold across nodes.
CREATE TABLE appointment_reminders (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    offset_minutes INTEGER NOT NULL,
    recipient_id   TEXT NOT NULL REFERENCES users(id),
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (appointment_id, offset_minutes, recipient_id)
);

-- A private iCalendar feed per user: only the SHA-256 of its secret is kept.
CREATE TABLE calendar_feeds (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE calendar_feeds;
DROP TABLE appointment_reminders;
DROP TABLE appointment_notifications;
DROP TABLE appointments;
DROP TABLE appointment_locks;
DROP TABLE availability_exceptions;
DROP TABLE availability_hours;
DROP TABLE availability;
