package access

import (
	"context"
	"strings"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// idsPerQuery bounds the ids one statement names, well under both
// databases' limits on parameters.
const idsPerQuery = 500

// Visible returns those of patientIDs whose data viewer may see within
// scope, in no particular order: the check of Check, for many patients in
// one statement per 500 of them. Services that read several patients at
// once filter their ids through it.
func (s *Service) Visible(ctx context.Context, viewer people.Principal, patientIDs []string, scope Scope) ([]string, error) {
	out := []string{}
	now := s.clock.Now()
	for start := 0; start < len(patientIDs); start += idsPerQuery {
		chunk := patientIDs[start:min(start+idsPerQuery, len(patientIDs))]
		var args db.Args
		ph := make([]string, len(chunk))
		for i, id := range chunk {
			ph[i] = args.Add(id)
		}
		rows, err := s.db.R.QueryContext(ctx, `SELECT u.id FROM users u WHERE u.id IN (`+strings.Join(ph, ", ")+`) AND `+
			Where(&args, "u.id", viewer.UserID, scope, now), args...)
		if err != nil {
			return nil, errs.Wrap(err, "checking access")
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "checking access")
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "checking access")
		}
	}
	return out, nil
}
