-- +goose Up
-- An index that starts with status made SQLite read every open alert when
-- it looked up a few patients' active alerts. Listings order by opening
-- time: index that instead, with a smaller one for the active alerts an
-- inbox shows.
DROP INDEX alerts_status;
CREATE INDEX alerts_opened ON alerts (opened_at);
CREATE INDEX alerts_active_opened ON alerts (opened_at) WHERE status IN ('open', 'acknowledged');

-- +goose Down
DROP INDEX alerts_active_opened;
DROP INDEX alerts_opened;
CREATE INDEX alerts_status ON alerts (status, opened_at);
