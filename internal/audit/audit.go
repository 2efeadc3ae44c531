// Package audit keeps the append-only record of who did what to whose data,
// when, from where, and how it ended (HIPAA 45 CFR 164.312(b)).
//
// The doors put the actor and the request's origin into the context once;
// services and doors then record events with only what is particular to
// them. The table refuses updates and deletes.
package audit

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

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
//
// Record commits events in groups: the first caller to find no commit under
// way commits its own event at once; callers arriving meanwhile gather into
// the next batch, which the first of them commits, in one transaction, as
// soon as the commit before it ends. Every caller returns only after its
// own event is committed, or with the error that kept it out.
type Log struct {
	db    *db.DB
	clock clock.Clock

	mu       sync.Mutex
	next     *batch // gathering while another batch commits; nil when none
	busy     bool   // a batch is committing
	inflight int    // Record calls under way
	closed   bool
	idle     *sync.Cond // signalled when inflight falls to zero

	stmtMu sync.Mutex
	stmts  map[int]*sql.Stmt // multi-row INSERT by row count

	commits, events atomic.Int64
}

// batch is the events one transaction stores.
type batch struct {
	rows []eventRow
	errs []error       // per row, once done is closed
	done chan struct{} // closed after the commit (or its failure)
	lead chan struct{} // closed when the batch's first caller is to commit it
}

// eventRow is an event with its actor, origin and time resolved.
type eventRow struct {
	id, actorID, actorKind, action, patientID, resource, outcome string
	ip, userAgent, requestID, detail                             string
	at                                                           int64
}

const eventColumns = `id, at, actor_id, actor_kind, action, patient_id, resource, outcome, ip, user_agent, request_id, detail`

const eventWidth = 12 // columns in eventColumns

// maxChunk is the most rows one INSERT statement takes; a larger batch is
// cut into chunks of maxChunk and then powers of two, so that at most eight
// statement shapes are ever prepared.
const maxChunk = 128

// ErrClosed is returned by Record after Close.
var ErrClosed = &errs.Error{Kind: errs.Internal, Message: "the server is shutting down; try again shortly",
	Err: errors.New("audit: the log is closed")}

// New returns a Log over d.
func New(d *db.DB, c clock.Clock) *Log {
	l := &Log{db: d, clock: c, stmts: map[int]*sql.Stmt{}}
	l.idle = sync.NewCond(&l.mu)
	return l
}

// Prepared is an event with its actor, origin, time and id resolved, ready
// to be written in another service's transaction (see WriteTx).
type Prepared struct{ r eventRow }

// Prepare resolves e in ctx as Record would.
func (l *Log) Prepare(ctx context.Context, e Event) Prepared {
	a, o := ActorFrom(ctx), OriginFrom(ctx)
	if e.ActorID != "" {
		a.ID = e.ActorID
		if a.Kind == "anonymous" {
			a.Kind = "user"
		}
	}
	return Prepared{eventRow{id: uuid.Must(uuid.NewV7()).String(), at: db.Millis(l.clock.Now()), actorID: clean(a.ID, 200),
		actorKind: clean(a.Kind, 50), action: clean(e.Action, 200), patientID: clean(e.PatientID, 200),
		resource: clean(e.Resource, 500), outcome: clean(e.Outcome, 50), ip: clean(o.IP, 100),
		userAgent: clean(o.UserAgent, 300), requestID: clean(o.RequestID, 200), detail: clean(e.Detail, 500)}}
}

// WriteTx writes events in tx, so that they commit (or not) with what tx
// holds: a service storing a patient's data records who did it in the same
// transaction, at no extra commit. Call Warm before the transaction begins.
// After an error, roll tx back: the events may be written in part.
func (l *Log) WriteTx(ctx context.Context, tx *sql.Tx, events []Prepared) error {
	rows := make([]eventRow, len(events))
	for i, p := range events {
		rows[i] = p.r
	}
	return l.insert(ctx, tx, rows)
}

// Warm prepares the statements WriteTx uses. On SQLite it must run outside
// any transaction: the transaction holds the only writer connection.
func (l *Log) Warm(ctx context.Context) error {
	for _, k := range db.Shapes(maxChunk) {
		if _, err := l.stmt(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// Record appends an event and returns once it is committed. The context's
// cancellation does not stop the write: an action that happened is
// recorded.
func (l *Log) Record(ctx context.Context, e Event) error {
	r := l.Prepare(ctx, e).r

	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.inflight++
	b, first := l.next, false
	if b == nil {
		b = &batch{done: make(chan struct{}), lead: make(chan struct{})}
		l.next, first = b, true
	}
	i := len(b.rows)
	b.rows = append(b.rows, r)
	switch {
	case first && !l.busy:
		// Nothing is committing: commit this event now.
		l.busy, l.next = true, nil
		l.mu.Unlock()
		l.flush(b)
	case first:
		// Lead the next batch once the commit under way hands over.
		l.mu.Unlock()
		<-b.lead
		l.flush(b)
	default:
		l.mu.Unlock()
		<-b.done
	}
	err := b.errs[i]
	l.mu.Lock()
	l.inflight--
	if l.inflight == 0 {
		l.idle.Broadcast()
	}
	l.mu.Unlock()
	return err
}

// flush commits b, answers its callers, and hands the commit over to the
// batch gathered meanwhile, if any.
func (l *Log) flush(b *batch) {
	b.errs = make([]error, len(b.rows))
	if err := l.commit(b.rows); err != nil {
		if len(b.rows) == 1 {
			b.errs[0] = err
		} else {
			// One event must not fail the others: try each alone.
			for i := range b.rows {
				b.errs[i] = l.commit(b.rows[i : i+1])
			}
		}
	}
	close(b.done)
	l.mu.Lock()
	if n := l.next; n != nil {
		l.next = nil
		close(n.lead)
	} else {
		l.busy = false
	}
	l.mu.Unlock()
}

// commit stores rows in one transaction.
func (l *Log) commit(rows []eventRow) (err error) {
	ctx, cancel := l.db.WriterContext()
	defer cancel()
	// Prepare before the transaction: on SQLite it holds the only writer
	// connection, and preparing on the pool inside it would wait forever.
	for _, k := range db.Chunks(len(rows), maxChunk) {
		if _, err := l.stmt(ctx, k); err != nil {
			return err
		}
	}
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return errs.Wrap(err, "writing audit events")
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = l.insert(ctx, tx, rows); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return errs.Wrap(err, "committing audit events")
	}
	l.commits.Add(1)
	l.events.Add(int64(len(rows)))
	return nil
}

// insert writes rows in tx with the prepared multi-row statements, or
// with the statement's text where a shape is not prepared yet.
func (l *Log) insert(ctx context.Context, tx *sql.Tx, rows []eventRow) error {
	var args []any
	at := 0
	for _, k := range db.Chunks(len(rows), maxChunk) {
		args = args[:0]
		for _, r := range rows[at : at+k] {
			args = append(args, r.id, r.at, r.actorID, r.actorKind, r.action, r.patientID, r.resource, r.outcome,
				r.ip, r.userAgent, r.requestID, r.detail)
		}
		at += k
		var err error
		l.stmtMu.Lock()
		st := l.stmts[k]
		l.stmtMu.Unlock()
		if st != nil {
			_, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, l.insertSQL(k), args...)
		}
		if err != nil {
			return errs.Wrap(err, "writing audit events")
		}
	}
	return nil
}

// stmt returns the INSERT of n rows, prepared once.
func (l *Log) stmt(ctx context.Context, n int) (*sql.Stmt, error) {
	l.stmtMu.Lock()
	defer l.stmtMu.Unlock()
	if st := l.stmts[n]; st != nil {
		return st, nil
	}
	st, err := l.db.W.PrepareContext(ctx, l.insertSQL(n))
	if err != nil {
		return nil, errs.Wrap(err, "preparing to write audit events")
	}
	l.stmts[n] = st
	return st, nil
}

func (l *Log) insertSQL(n int) string {
	var b strings.Builder
	if l.db.Dialect == db.SQLite {
		// OR FAIL rather than the default ABORT: events are only ever written
		// inside a transaction that is rolled back whole on any error, so
		// SQLite need not journal the statement to undo it alone.
		b.WriteString("INSERT OR FAIL INTO audit_events (" + eventColumns + ") VALUES ")
	} else {
		b.WriteString("INSERT INTO audit_events (" + eventColumns + ") VALUES ")
	}
	db.Values(&b, l.db.Dialect, n, eventWidth)
	return b.String()
}

// Stats says how many events were committed in how many transactions.
func (l *Log) Stats() (events, commits int64) { return l.events.Load(), l.commits.Load() }

// Close waits for the events under way to be committed; Record then
// answers ErrClosed. Close it after everything that records, before the
// database.
func (l *Log) Close() {
	l.mu.Lock()
	l.closed = true
	for l.inflight > 0 {
		l.idle.Wait()
	}
	l.mu.Unlock()
	l.stmtMu.Lock()
	defer l.stmtMu.Unlock()
	for n, st := range l.stmts {
		st.Close()
		delete(l.stmts, n)
	}
}

// clean cuts s to at most n bytes without splitting a character, and
// drops what PostgreSQL's text refuses (invalid UTF-8 and NUL), so that no
// odd header or note keeps an event out of the log.
func clean(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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
