-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,      -- stored lower-case
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',  -- argon2id, PHC string; empty = cannot log in with a password
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- A patient's clinical profile hangs off the user.
CREATE TABLE patient_profiles (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    birth_date TEXT,   -- YYYY-MM-DD
    sex        TEXT,   -- female, male, other, unknown
    time_zone  TEXT,   -- IANA name
    mrn        TEXT    -- medical record number, unique where given
);
CREATE UNIQUE INDEX patient_profiles_mrn ON patient_profiles (mrn);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,  -- SHA-256 of the cookie value
    user_id      TEXT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,  -- SHA-256 of the token
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed logins, counted per account and per address, for throttling.
CREATE TABLE login_failures (
    key        TEXT PRIMARY KEY,  -- "email:…" or "ip:…"
    count      INTEGER NOT NULL,
    first_at   BIGINT NOT NULL,
    last_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE patient_profiles;
DROP TABLE user_roles;
DROP TABLE users;
