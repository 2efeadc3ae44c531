package monitoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/people"
)

// Deps are the services monitoring talks to. Any may be nil: nothing is
// then notified, published, or asked about devices.
type Deps struct {
	// Notify records notifications for delivery (*notify.Service).
	Notify outbox.Notifier
	// Events publishes changes for live dashboards (an events.Bus).
	Events outbox.Publisher
	// Devices tells how often a device is expected to report.
	Devices DeviceIntervals
	// Audit records who changed what (schedules, rules, alerts).
	Audit *audit.Log
}

// Service runs monitoring: schedules and their deadlines, alert rules,
// NEWS2, alerts and their escalation.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	access  *access.Service
	deps    Deps
	outbox  *outbox.Box
	defRule []Rule

	// TickEvery is how often Run calls Tick (default 5s). A deadline is
	// acted on at most this long (plus the tick's own time) after it falls
	// due.
	TickEvery time.Duration
	// Batch is how many due rows one claim takes (default 500).
	Batch int
	// Workers is how many deadline claims one Tick runs side by side on
	// PostgreSQL (default 2; more pays on a server with more cores); SQLite,
	// with its one writer, uses one.
	Workers int
	// EscalationWait is how long a step of the default escalation chain
	// has to acknowledge before the alert goes to the next (default 15m).
	EscalationWait time.Duration
	// EscalateFrom is the least severity that escalates (default Warning);
	// less severe alerts go to the first step only.
	EscalateFrom Severity
	// NEWS2Window is how old a vital sign may be and still count towards
	// NEWS2 (default 4h).
	NEWS2Window time.Duration
	// DeviceSilentAfter is how long a device may stay silent before an
	// alert, when the devices service does not say (default 48h; 0 turns
	// silence alerts off for such devices).
	DeviceSilentAfter time.Duration
	// Default schedule settings, used when a schedule does not set them.
	DefaultGrace, DefaultEarly, DefaultReminderLead time.Duration
}

// New returns a Service.
func New(d *db.DB, c clock.Clock, acc *access.Service, deps Deps) *Service {
	return &Service{
		db: d, clock: c, access: acc, deps: deps,
		outbox:              outbox.New(d, c, deps.Notify, deps.Events),
		defRule:             DefaultRules(),
		TickEvery:           5 * time.Second,
		Batch:               500,
		Workers:             2,
		EscalationWait:      15 * time.Minute,
		EscalateFrom:        Warning,
		NEWS2Window:         4 * time.Hour,
		DeviceSilentAfter:   48 * time.Hour,
		DefaultGrace:        2 * time.Hour,
		DefaultEarly:        30 * time.Minute,
		DefaultReminderLead: 30 * time.Minute,
	}
}

// Outbox returns the service's outbox, which medications shares.
func (s *Service) Outbox() *outbox.Box { return s.outbox }

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Service) record(ctx context.Context, e audit.Event) {
	if s.deps.Audit != nil {
		s.deps.Audit.Record(ctx, e)
	}
}

// write runs fn in a transaction whose outbox items are delivered once it
// has committed.
func (s *Service) write(ctx context.Context, fn func(tx querier, out *[]outbox.Item) error) error {
	var items []outbox.Item
	var added []outbox.Item
	err := s.db.Tx(ctx, func(sqlTx *sql.Tx) error {
		items = items[:0]
		tx := stmts{sqlTx, s.db.Dialect == db.SQLite}
		if err := fn(tx, &items); err != nil {
			return err
		}
		var err error
		added, err = s.outbox.Add(ctx, tx, items)
		return err
	})
	if err != nil {
		return err
	}
	s.outbox.Deliver(context.WithoutCancel(ctx), added) // what fails waits for the next tick's drain
	return nil
}

// mayChange checks that viewer is a nurse or doctor who may see the
// patient's data in scope: the people who set schedules, rules and chains.
func (s *Service) mayChange(ctx context.Context, viewer people.Principal, patientID string, scope access.Scope) error {
	if err := s.access.Check(ctx, viewer, patientID, scope); err != nil {
		return err
	}
	if !viewer.HasAny(people.Nurse, people.Doctor) {
		return errs.Forbiddenf("only a nurse or doctor caring for the patient can change this")
	}
	return nil
}

// lockPatients takes each patient's monitoring row, so that evaluations of
// one patient on several PostgreSQL nodes run one after another (SQLite's
// single writer already does). IDs are locked in sorted order, which keeps
// two batches from waiting on each other.
func lockPatients(ctx context.Context, tx querier, ids []string) error {
	for start := 0; start < len(ids); start += rowsPerInsert {
		chunk := ids[start:min(start+rowsPerInsert, len(ids))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO monitoring_patients (patient_id, version) VALUES `)
		args := make([]any, len(chunk))
		for i, id := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "($%d, 1)", i+1)
			args[i] = id
		}
		sb.WriteString(` ON CONFLICT (patient_id) DO UPDATE SET version = monitoring_patients.version + 1`)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return errs.Wrap(err, "locking patients for evaluation")
		}
	}
	return nil
}

// patientZone returns the patient's time zone (UTC when none is set), and
// NotFound when there is no such patient.
func patientZone(ctx context.Context, q querier, patientID string) (*time.Location, error) {
	var tz sql.NullString
	err := q.QueryRowContext(ctx, `SELECT p.time_zone FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'patient'
		LEFT JOIN patient_profiles p ON p.user_id = u.id WHERE u.id = $1`, patientID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("no patient %s, or you have no access to their data", patientID)
	}
	if err != nil {
		return nil, errs.Wrap(err, "reading the patient's time zone")
	}
	return zone(tz.String), nil
}

// zone loads an IANA zone, UTC when empty or unknown.
func zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Statements are built for many rows at once.
const (
	rowsPerInsert = 500
	idsPerQuery   = 500
)

// stmts runs a transaction's statements, rewriting on SQLite the $1, $2, …
// of a statement that uses each once and in order as anonymous ? markers:
// SQLite looks $n parameters up by name, at a cost that grows with their
// number, so a 500-row INSERT binds some fifty times faster this way.
// Statements that reuse or reorder parameters are passed as written.
type stmts struct {
	tx   *sql.Tx
	lite bool
}

func (t stmts) q(query string) string {
	if t.lite {
		return positional(query)
	}
	return query
}

func (t stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.q(query), args...)
}

func (t stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.q(query), args...)
}

func (t stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.q(query), args...)
}

// positional returns query with $1 … $n as ?, when they appear in that
// order, once each; otherwise query unchanged. Tend's SQL has no $ in its
// string literals.
func positional(query string) string {
	if !strings.Contains(query, "$") {
		return query
	}
	var sb strings.Builder
	sb.Grow(len(query))
	next := 1
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c != '$' || i+1 >= len(query) || query[i+1] < '0' || query[i+1] > '9' {
			sb.WriteByte(c)
			continue
		}
		j, n := i+1, 0
		for ; j < len(query) && query[j] >= '0' && query[j] <= '9'; j++ {
			n = n*10 + int(query[j]-'0')
		}
		if n != next {
			return query
		}
		next++
		sb.WriteByte('?')
		i = j - 1
	}
	return sb.String()
}

// placeholders returns "$n, $n+1, …" for vs, added to args.
func placeholders(args *db.Args, vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = args.Add(v)
	}
	return strings.Join(ph, ", ")
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// upsertRows writes rows with one statement per rowsPerInsert of them:
// head is the INSERT up to VALUES, tail what follows the value lists.
func upsertRows(ctx context.Context, tx querier, head, tail string, rows [][]any) error {
	for start := 0; start < len(rows); start += rowsPerInsert {
		var sb strings.Builder
		var args db.Args
		sb.WriteString(head)
		for i, r := range rows[start:min(start+rowsPerInsert, len(rows))] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(args.Add(v))
			}
			sb.WriteByte(')')
		}
		sb.WriteString(tail)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
