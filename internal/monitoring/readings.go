package monitoring

import (
	"context"
	"database/sql"

	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/readings"
)

// FromReadings turns stored readings into what OnReadings takes, leaving
// out any marked entered-in-error. The ingest path (or whoever wires it)
// calls
//
//	mon.OnReadings(ctx, monitoring.FromReadings(stored))
//
// once per committed batch, in the process that committed it. Subscribing
// to reading.created on the event bus instead would run the rules once on
// every node that shares a PostgreSQL bus, and not at all for events a
// lagging subscriber lost.
func FromReadings(rs []readings.Reading) []Reading {
	out := make([]Reading, 0, len(rs))
	for _, r := range rs {
		if r.Status == readings.StatusEnteredInError {
			continue
		}
		m := Reading{ID: r.ID, PatientID: r.PatientID, Type: r.Type, TakenAt: r.TakenAt, DeviceID: r.DeviceID, Flags: r.Flags}
		if r.Value != nil {
			m.Value = *r.Value
		}
		if len(r.Components) > 0 {
			m.Components = make(map[string]float64, len(r.Components))
			for _, c := range r.Components {
				m.Components[c.Key] = c.Value
			}
		}
		out = append(out, m)
	}
	return out
}

// OnReadingCorrected forgets what monitoring kept of a reading marked
// entered-in-error: it no longer counts as the latest NEWS2 input (the
// score is partial for that parameter until the next reading) nor as the
// reading that fulfilled a scheduled measurement. Alerts it raised stay
// for a person to resolve, with the correction in the reading's record.
func (s *Service) OnReadingCorrected(ctx context.Context, patientID, readingID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM vital_latest WHERE patient_id = $1 AND reading_id = $2`, patientID, readingID); err != nil {
			return errs.Wrap(err, "forgetting a corrected reading")
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM schedule_fulfilments WHERE reading_id = $1
			AND schedule_id IN (SELECT id FROM measurement_schedules WHERE patient_id = $2)`, readingID, patientID)
		return errs.Wrap(err, "forgetting a corrected reading")
	})
}
