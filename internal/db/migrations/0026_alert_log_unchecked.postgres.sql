-- +goose Up
-- PostgreSQL checks a foreign key with a plan each connection makes once
-- and keeps. Made while the alerts table was still small, that plan reads
-- the whole table, and it keeps doing so as the table grows until
-- autovacuum next analyses it: in a burst of missed measurements every log
-- row cost a scan of all alerts. Only monitoring writes alert_log, always
-- in the transaction that just wrote the alert, so the check is dropped.
ALTER TABLE alert_log DROP CONSTRAINT alert_log_alert_id_fkey;

-- +goose Down
ALTER TABLE alert_log ADD CONSTRAINT alert_log_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES alerts(id);
