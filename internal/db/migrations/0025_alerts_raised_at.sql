-- +goose Up
-- When a repeat last raised an alert's severity: the upsert that counts a
-- repeat returns it, so monitoring knows to tell people again without
-- reading the alert first.
ALTER TABLE alerts ADD COLUMN raised_at BIGINT;

-- +goose Down
ALTER TABLE alerts DROP COLUMN raised_at;
