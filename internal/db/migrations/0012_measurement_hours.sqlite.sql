-- +goose Up
-- Hourly summaries of final readings per patient and type (UTC hours), kept
-- up to date in the same transaction as the readings, so that a chart over a
-- year reads 8,760 rows instead of half a million. nK, minK, maxK, sumK
-- summarise component K (see measurements.v1..v3).
CREATE TABLE measurement_hours (
    patient_id TEXT NOT NULL,
    type_key   TEXT NOT NULL,
    hour       BIGINT NOT NULL,  -- unix ms at the start of the hour
    n1 BIGINT NOT NULL DEFAULT 0, min1 DOUBLE PRECISION, max1 DOUBLE PRECISION, sum1 DOUBLE PRECISION NOT NULL DEFAULT 0,
    n2 BIGINT NOT NULL DEFAULT 0, min2 DOUBLE PRECISION, max2 DOUBLE PRECISION, sum2 DOUBLE PRECISION NOT NULL DEFAULT 0,
    n3 BIGINT NOT NULL DEFAULT 0, min3 DOUBLE PRECISION, max3 DOUBLE PRECISION, sum3 DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (patient_id, type_key, hour)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE measurement_hours;
