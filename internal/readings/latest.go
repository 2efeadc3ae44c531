package readings

import (
	"context"
	"strings"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
)

// patientsPerQuery bounds the patients one overview statement names.
const patientsPerQuery = 250

// valuesList returns "(VALUES ($1), ($2), …) AS name" for vs: a table of
// one column, column1, on SQLite and PostgreSQL alike.
func valuesList(args *db.Args, vs []string, name string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = "(" + args.Add(v) + ")"
	}
	return "(VALUES " + strings.Join(ph, ", ") + ") AS " + name
}

// Latest returns, for each of patientIDs whose vitals viewer may see, the
// newest final reading of every measurement type the patient has, newest
// type first. Patients the viewer may not see, or without readings, are
// absent from the map.
//
// Each (patient, type) pair is one step back along the measurements_series
// index from its newest end, so the cost grows with patients × types, not
// with how many readings a patient has: a year of minute-level heart rate
// costs what one reading does.
func (s *Service) Latest(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string][]Reading, error) {
	out := map[string][]Reading{}
	keys := make([]string, 0, len(types))
	for _, t := range measure.Types() {
		keys = append(keys, t.Key)
	}
	now := s.clock.Now()
	for start := 0; start < len(patientIDs); start += patientsPerQuery {
		chunk := patientIDs[start:min(start+patientsPerQuery, len(patientIDs))]
		var args db.Args
		q := `SELECT ` + readingColumns + ` FROM measurements m WHERE m.id IN (
			SELECT (SELECT x.id FROM measurements x WHERE x.patient_id = p.column1 AND x.type_key = t.column1
				AND x.status = 'final' ORDER BY x.taken_at DESC LIMIT 1)
			FROM ` + valuesList(&args, chunk, "p") + ` CROSS JOIN ` + valuesList(&args, keys, "t") + `)
			AND ` + access.Where(&args, "m.patient_id", viewer.UserID, access.Vitals, now) + `
			ORDER BY m.patient_id, m.taken_at DESC, m.type_key`
		rows, err := s.db.R.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading latest readings")
		}
		for rows.Next() {
			r, err := scanReading(rows)
			if err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading latest readings")
			}
			out[r.PatientID] = append(out[r.PatientID], r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading latest readings")
		}
	}
	return out, nil
}

// LatestOf returns the newest final reading of every type one patient has,
// newest first: what a patient's page opens with, in one query instead of
// one per type. A patient the viewer may not see is errs.NotFound (or
// errs.Forbidden), as for List.
func (s *Service) LatestOf(ctx context.Context, viewer people.Principal, patientID string) ([]Reading, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Vitals); err != nil {
		return nil, err
	}
	byPatient, err := s.Latest(ctx, viewer, []string{patientID})
	if err != nil {
		return nil, err
	}
	if rs := byPatient[patientID]; rs != nil {
		return rs, nil
	}
	return []Reading{}, nil
}

// LatestEntries returns, for each of patientIDs whose journal viewer may
// see, the newest final journal entry. Patients the viewer may not see, or
// with an empty journal, are absent from the map.
func (s *Service) LatestEntries(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string]Entry, error) {
	out := map[string]Entry{}
	now := s.clock.Now()
	for start := 0; start < len(patientIDs); start += patientsPerQuery {
		chunk := patientIDs[start:min(start+patientsPerQuery, len(patientIDs))]
		var args db.Args
		q := `SELECT ` + entryColumns + ` FROM journal_entries j WHERE j.id IN (
			SELECT (SELECT x.id FROM journal_entries x WHERE x.patient_id = p.column1 AND x.status = 'final'
				ORDER BY x.occurred_at DESC LIMIT 1)
			FROM ` + valuesList(&args, chunk, "p") + `)
			AND ` + access.Where(&args, "j.patient_id", viewer.UserID, access.Journal, now)
		rows, err := s.db.R.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading latest journal entries")
		}
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading latest journal entries")
			}
			out[e.PatientID] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading latest journal entries")
		}
	}
	return out, nil
}
