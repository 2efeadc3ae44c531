// Package outbox hands monitoring's notifications and events to notify and
// the event bus.
//
// A change that must tell someone (an alert opened, a reminder due) writes
// its notifications into the monitoring_outbox table inside its own
// transaction. After the commit the same process hands them to notify at
// once and deletes them; whatever a crash or a failing notify leaves behind
// is handed over by Drain on a later scheduler tick, from any node. Delivery
// is therefore at least once, and made exactly once where it counts: each
// notification goes to notify.Send with the outbox row's id as its
// notification id, and notify ignores a second Send with an id it has seen.
//
// Events are notices, not the record (package events): they are published
// after the commit without a row of their own, and a dashboard that missed
// one because the process died in between reloads from the database.
//
// Nothing is sent inside the transaction: on SQLite the single writer
// connection is held by it, and notify needs that connection to record.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/notify"
)

// Notifier records a notification for delivery; *notify.Service is one.
type Notifier interface {
	Send(ctx context.Context, n notify.Notification) (notify.Receipt, error)
}

// Publisher publishes an event; every events.Bus is one.
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Item is one thing to hand over: a notification or an event.
type Item struct {
	Notification *notify.Notification `json:"notification,omitempty"`
	Event        *events.Event        `json:"event,omitempty"`
}

// Notify returns an item carrying n.
func Notify(n notify.Notification) Item { return Item{Notification: &n} }

// Event returns an item carrying an event of kind about patientID in
// scope, with data marshalled to JSON.
func Event(kind, patientID string, scope access.Scope, data any) Item {
	raw, err := json.Marshal(data)
	if err != nil {
		raw = []byte("null") // only our own types come here; they marshal
	}
	return Item{Event: &events.Event{Kind: kind, PatientID: patientID, Scope: scope, Data: raw}}
}

// Box is the outbox of one database.
type Box struct {
	db        *db.DB
	clock     clock.Clock
	notifier  Notifier
	publisher Publisher
	// Lease is how long a drained row is left to the node that took it
	// before another may try; also the delay after which Drain takes rows
	// that their own process has not delivered (default 30s).
	Lease time.Duration
}

// New returns a Box; a nil notifier or publisher drops what would go to it.
func New(d *db.DB, c clock.Clock, n Notifier, p Publisher) *Box {
	return &Box{db: d, clock: c, notifier: n, publisher: p, Lease: 30 * time.Second}
}

// Execer is what Add writes with: a transaction, usually.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Add writes the notifications among items in tx and returns all items
// with their ids set (the notification's ID, the event's ID). Deliver them
// after the commit.
func (b *Box) Add(ctx context.Context, tx Execer, items []Item) ([]Item, error) {
	if len(items) == 0 {
		return nil, nil
	}
	now := b.clock.Now()
	out := make([]Item, len(items))
	const perRow = 6
	const maxRows = 500
	for start := 0; start < len(items); start += maxRows {
		end := min(start+maxRows, len(items))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO monitoring_outbox (id, kind, payload, created_at, next_at, attempts) VALUES `)
		args := make([]any, 0, (end-start)*perRow)
		for i := start; i < end; i++ {
			it := items[i]
			id := uuid.Must(uuid.NewV7()).String()
			if it.Event != nil {
				e := *it.Event
				e.ID = id
				if e.At.IsZero() {
					e.At = now
				}
				it.Event = &e
				out[i] = it
				continue
			}
			n := *it.Notification
			n.ID = id
			if n.EventID == "" {
				n.EventID = id
			}
			it.Notification = &n
			out[i] = it
			payload, err := json.Marshal(wire{it, it.notificationExtras()})
			if err != nil {
				return nil, errs.Wrap(err, "writing the outbox")
			}
			if len(args) > 0 {
				sb.WriteByte(',')
			}
			p := len(args)
			fmt.Fprintf(&sb, "(%s, %s, %s, %s, %s, 0)", b.mark(p+1), b.mark(p+2), b.mark(p+3), b.mark(p+4), b.mark(p+5))
			args = append(args, id, "notification", string(payload), db.Millis(now), db.Millis(now.Add(b.lease())))
		}
		if len(args) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return nil, errs.Wrap(err, "writing the outbox")
		}
	}
	return out, nil
}

// wire is an item as stored: notify.Notification hides DedupeKey and
// EventID from JSON, so they travel beside it.
type wire struct {
	Item
	Extras *extras `json:"extras,omitempty"`
}

type extras struct {
	DedupeKey string `json:"dedupeKey,omitempty"`
	EventID   string `json:"eventId,omitempty"`
}

func (it Item) notificationExtras() *extras {
	if it.Notification == nil {
		return nil
	}
	return &extras{DedupeKey: it.Notification.DedupeKey, EventID: it.Notification.EventID}
}

// mark is the n-th parameter marker of a statement built here: ? on
// SQLite, whose $n markers are looked up by name at a cost that grows with
// their number, $n on PostgreSQL.
func (b *Box) mark(n int) string {
	if b.db.Dialect == db.SQLite {
		return "?"
	}
	return fmt.Sprintf("$%d", n)
}

func (b *Box) lease() time.Duration {
	if b.Lease <= 0 {
		return 30 * time.Second
	}
	return b.Lease
}

// Deliver hands items (as Add returned them, after the commit) to notify
// and the bus, and deletes the notifications that went; those that fail
// stay for Drain. An event the bus refuses is dropped (see the package
// documentation).
func (b *Box) Deliver(ctx context.Context, items []Item) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	var done []string
	var firstErr error
	for _, it := range items {
		if err := b.send(ctx, it); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if it.Notification != nil {
			done = append(done, it.id())
		}
	}
	if err := b.remove(ctx, done); err != nil && firstErr == nil {
		firstErr = err
	}
	return len(done), firstErr
}

func (it Item) id() string {
	if it.Notification != nil {
		return it.Notification.ID
	}
	return it.Event.ID
}

func (b *Box) send(ctx context.Context, it Item) error {
	switch {
	case it.Notification != nil:
		if b.notifier == nil {
			return nil
		}
		_, err := b.notifier.Send(ctx, *it.Notification)
		return err
	case it.Event != nil:
		if b.publisher == nil {
			return nil
		}
		return b.publisher.Publish(ctx, *it.Event)
	}
	return nil
}

func (b *Box) remove(ctx context.Context, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		ph := make([]string, len(chunk))
		for i, id := range chunk {
			ph[i], args[i] = b.mark(i+1), id
		}
		if _, err := b.db.W.ExecContext(context.WithoutCancel(ctx),
			`DELETE FROM monitoring_outbox WHERE id IN (`+strings.Join(ph, ",")+`)`, args...); err != nil {
			return errs.Wrap(err, "clearing the outbox")
		}
	}
	return nil
}

// Drain delivers rows whose time has come (left by a crash, a failure, or
// a process that has not yet delivered its own), at most limit of them, and
// returns how many went. A row that fails again is retried later, backing
// off up to ten minutes.
func (b *Box) Drain(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = 500
	}
	now := b.clock.Now()
	lock := ""
	if b.db.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := b.db.W.QueryContext(ctx, `UPDATE monitoring_outbox SET attempts = attempts + 1, next_at = $1
		WHERE id IN (SELECT id FROM monitoring_outbox WHERE next_at <= $2 ORDER BY next_at LIMIT $3`+lock+`)
		RETURNING id, payload, attempts`, db.Millis(now.Add(b.lease())), db.Millis(now), limit)
	if err != nil {
		return 0, errs.Wrap(err, "claiming the outbox")
	}
	type claimed struct {
		item     Item
		attempts int
	}
	var got []claimed
	for rows.Next() {
		var id, payload string
		var attempts int
		if err := rows.Scan(&id, &payload, &attempts); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "claiming the outbox")
		}
		var w wire
		if err := json.Unmarshal([]byte(payload), &w); err != nil {
			slog.Error("monitoring outbox: unreadable row dropped", "id", id, "err", err)
			continue
		}
		if w.Notification != nil && w.Extras != nil {
			w.Notification.DedupeKey = w.Extras.DedupeKey
			w.Notification.EventID = w.Extras.EventID
		}
		got = append(got, claimed{w.Item, attempts})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap(err, "claiming the outbox")
	}
	var done []string
	for _, c := range got {
		if err := b.send(ctx, c.item); err != nil {
			backoff := min(time.Duration(1<<min(c.attempts, 10))*time.Second, 10*time.Minute)
			b.db.W.ExecContext(context.WithoutCancel(ctx), `UPDATE monitoring_outbox SET next_at = $1 WHERE id = $2`,
				db.Millis(now.Add(backoff)), c.item.id())
			slog.Warn("monitoring outbox: delivery failed, will retry", "id", c.item.id(), "attempts", c.attempts, "err", err)
			continue
		}
		done = append(done, c.item.id())
	}
	return len(done), b.remove(ctx, done)
}

// Pending counts the rows waiting in the outbox.
func (b *Box) Pending(ctx context.Context) (int, error) {
	var n int
	err := b.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM monitoring_outbox`).Scan(&n)
	return n, errs.Wrap(err, "counting the outbox")
}
