-- +goose Up
-- Nothing on SQLite: its foreign key checks use the primary key's index
-- (see the PostgreSQL version of this migration for why it drops one).
SELECT 1;

-- +goose Down
SELECT 1;
