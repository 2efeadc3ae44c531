package readings

import (
	"context"
	"database/sql"

	"github.com/tend-health/tend/internal/errs"
)

// RebuildSummaries recomputes a patient's hourly summaries of one type from
// the stored readings. Ingest and corrections keep the summaries up to date
// by themselves; this is for readings written by other means (a bulk load
// in SQL, a restore) and for checking.
func (s *Service) RebuildSummaries(ctx context.Context, patientID, typeKey string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM measurement_hours WHERE patient_id = $1 AND type_key = $2`,
			patientID, typeKey); err != nil {
			return errs.Wrap(err, "rebuilding summaries")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO measurement_hours (`+hourColumns+`)
			SELECT patient_id, type_key, taken_at - taken_at % 3600000, `+hourAggregates+`
			FROM measurements WHERE patient_id = $1 AND type_key = $2 AND status = 'final'
			GROUP BY patient_id, type_key, taken_at - taken_at % 3600000`, patientID, typeKey)
		return errs.Wrap(err, "rebuilding summaries")
	})
}
