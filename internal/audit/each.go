package audit

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// RecordEach appends e once for each of patientIDs, as that patient's
// event, in one statement per 200 patients: for a read that shows many
// patients at once (a dashboard), so that each patient's access log shows
// it.
func (l *Log) RecordEach(ctx context.Context, e Event, patientIDs []string) error {
	a, o := ActorFrom(ctx), OriginFrom(ctx)
	if e.ActorID != "" {
		a.ID = e.ActorID
		if a.Kind == "anonymous" {
			a.Kind = "user"
		}
	}
	at := db.Millis(l.clock.Now())
	const perStatement = 200
	for start := 0; start < len(patientIDs); start += perStatement {
		var args db.Args
		var rows []string
		for _, pid := range patientIDs[start:min(start+perStatement, len(patientIDs))] {
			vals := []any{uuid.Must(uuid.NewV7()).String(), at, a.ID, a.Kind, e.Action, pid,
				e.Resource, e.Outcome, o.IP, clip(o.UserAgent, 300), o.RequestID, clip(e.Detail, 500)}
			ph := make([]string, len(vals))
			for i, v := range vals {
				ph[i] = args.Add(v)
			}
			rows = append(rows, "("+strings.Join(ph, ", ")+")")
		}
		_, err := l.db.W.ExecContext(context.WithoutCancel(ctx), `INSERT INTO audit_events
			(id, at, actor_id, actor_kind, action, patient_id, resource, outcome, ip, user_agent, request_id, detail)
			VALUES `+strings.Join(rows, ", "), args...)
		if err != nil {
			return errs.Wrap(err, "writing audit events")
		}
	}
	return nil
}
