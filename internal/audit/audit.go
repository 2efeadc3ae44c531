// Package audit keeps the append-only record of who did what to whose data,
// when, from where, and how it ended (HIPAA 45 CFR 164.312(b)).
//
// The doors put the actor and the request's origin into the context once;
// services and doors then record events with only what is particular to
// them. The table refuses updates and deletes.
package audit

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Outcomes of an audited action.
const (
	Success = "success" // done
	Failure = "failure" // tried and failed (bad input, a fault, a wrong password)
	Denied  = "denied"  // refused for want of access
)

// Actor is who acts: a user, a device, the system, or an anonymous caller.
type Actor struct {
	ID   string
	Kind string // user, device, system, anonymous
}

// Origin is where a request came from.
type Origin struct {
	IP        string
	UserAgent string
	RequestID string
}

type actorKey struct{}
type originKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// WithOrigin returns ctx carrying the request's origin.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// ActorFrom returns the actor in ctx; anonymous when none.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: "anonymous"}
}

// OriginFrom returns the origin in ctx.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// Event is what a caller records; actor and origin come from the context.
type Event struct {
	Action    string // e.g. "patient.read", "grant.create", "auth.login"
	PatientID string // whose data, when it is a patient's
	Resource  string // what, e.g. "grants/0193…"
	Outcome   string // Success, Failure or Denied
	Detail    string // a short note without health data
	// ActorID overrides the context's actor, e.g. for a login by email.
	ActorID string
}

// Entry is a recorded event.
type Entry struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	ActorID   string    `json:"actorId"`
	ActorKind string    `json:"actorKind"`
	ActorName string    `json:"actorName"`
	Action    string    `json:"action"`
	PatientID string    `json:"patientId,omitempty"`
	Resource  string    `json:"resource"`
	Outcome   string    `json:"outcome"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"userAgent,omitempty"`
	RequestID string    `json:"requestId,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// Log writes and reads audit events.
type Log struct {
	db    *db.DB
	clock clock.Clock
}

// New returns a Log over d.
func New(d *db.DB, c clock.Clock) *Log { return &Log{db: d, clock: c} }

// Record appends an event.
func (l *Log) Record(ctx context.Context, e Event) error {
	a, o := ActorFrom(ctx), OriginFrom(ctx)
	if e.ActorID != "" {
		a.ID = e.ActorID
		if a.Kind == "anonymous" {
			a.Kind = "user"
		}
	}
	_, err := l.db.W.ExecContext(context.WithoutCancel(ctx), `INSERT INTO audit_events
		(id, at, actor_id, actor_kind, action, patient_id, resource, outcome, ip, user_agent, request_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		uuid.Must(uuid.NewV7()).String(), db.Millis(l.clock.Now()), a.ID, a.Kind, e.Action, e.PatientID,
		e.Resource, e.Outcome, o.IP, clip(o.UserAgent, 300), o.RequestID, clip(e.Detail, 500))
	return errs.Wrap(err, "writing audit event")
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Query narrows a listing of events.
type Query struct {
	PatientID string
	ActorID   string
	Action    string
	Before    time.Time // only events before this time (for paging)
	Limit     int       // at most this many, newest first; default 100, at most 1000
}

// List returns events matching q, newest first.
func (l *Log) List(ctx context.Context, q Query) ([]Entry, error) {
	var args db.Args
	where := []string{"1 = 1"}
	if q.PatientID != "" {
		where = append(where, "e.patient_id = "+args.Add(q.PatientID))
	}
	if q.ActorID != "" {
		where = append(where, "e.actor_id = "+args.Add(q.ActorID))
	}
	if q.Action != "" {
		where = append(where, "e.action = "+args.Add(q.Action))
	}
	if !q.Before.IsZero() {
		where = append(where, "e.at < "+args.Add(db.Millis(q.Before)))
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 1000)
	rows, err := l.db.R.QueryContext(ctx, `SELECT e.id, e.at, e.actor_id, e.actor_kind, COALESCE(u.name, ''), e.action,
		e.patient_id, e.resource, e.outcome, e.ip, e.user_agent, e.request_id, e.detail
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY e.at DESC, e.id DESC LIMIT `+args.Add(q.Limit), args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing audit events")
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorKind, &e.ActorName, &e.Action, &e.PatientID,
			&e.Resource, &e.Outcome, &e.IP, &e.UserAgent, &e.RequestID, &e.Detail); err != nil {
			return nil, errs.Wrap(err, "listing audit events")
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, errs.Wrap(rows.Err(), "listing audit events")
}
