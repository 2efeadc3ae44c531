package audit

import (
	"context"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
)

// RecordEach appends e once for each of patientIDs, as that patient's
// event, in one transaction: for a read that shows many patients at once (a
// dashboard), so that each patient's access log shows it. It returns once
// the events are committed.
func (l *Log) RecordEach(ctx context.Context, e Event, patientIDs []string) error {
	if len(patientIDs) == 0 {
		return nil
	}
	a, o := ActorFrom(ctx), OriginFrom(ctx)
	if e.ActorID != "" {
		a.ID = e.ActorID
		if a.Kind == "anonymous" {
			a.Kind = "user"
		}
	}
	at := db.Millis(l.clock.Now())
	rows := make([]eventRow, len(patientIDs))
	for i, pid := range patientIDs {
		rows[i] = eventRow{id: uuid.Must(uuid.NewV7()).String(), at: at, actorID: clean(a.ID, 200),
			actorKind: clean(a.Kind, 50), action: clean(e.Action, 200), patientID: clean(pid, 200),
			resource: clean(e.Resource, 500), outcome: clean(e.Outcome, 50), ip: clean(o.IP, 100),
			userAgent: clean(o.UserAgent, 300), requestID: clean(o.RequestID, 200), detail: clean(e.Detail, 500)}
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.inflight++
	l.mu.Unlock()
	err := l.commit(rows)
	l.mu.Lock()
	l.inflight--
	if l.inflight == 0 {
		l.idle.Broadcast()
	}
	l.mu.Unlock()
	return err
}
