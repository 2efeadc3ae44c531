package events

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mathrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tend-health/tend/internal/db"
)

// PostgresConfig says how the Postgres bus reaches its database.
type PostgresConfig struct {
	// URL is the database's URL. The bus opens one connection of its own
	// with it to LISTEN on, since a pooled connection cannot keep one.
	URL string
	// Channel is the NOTIFY channel. Every node of one Tend uses the same
	// one; the default is "tend_events". Channels belong to a database, not
	// to a schema, so tests sharing a database use a channel each.
	Channel string
	// Log receives the bus's own troubles (never event data).
	Log *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between attempts to get the
	// listening connection back: 100 ms doubling up to 5 s by default.
	MinBackoff, MaxBackoff time.Duration
}

// DefaultChannel is the NOTIFY channel used when none is configured.
const DefaultChannel = "tend_events"

// maxNotify is the largest NOTIFY payload sent. PostgreSQL refuses payloads
// of 8000 bytes or more. Events published close together share one
// notification up to this size; an event too large to fit alone goes into
// events_outbox and only its id is notified.
const maxNotify = 7900

// outboxKeep is how long a large event's row is kept for the nodes to read.
const outboxKeep = 10 * time.Minute

// Postgres is the bus shared by every tend node on one PostgreSQL database,
// over LISTEN/NOTIFY. It is safe for concurrent use.
type Postgres struct {
	db      *db.DB
	cfg     PostgresConfig
	listen  string // the LISTEN statement
	node    string // this bus's id, to recognise its own notifications
	fan     *fanout
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	out     chan outgoing
	sent    chan struct{} // closed when the sender has stopped
	swept   atomic.Int64  // unix ms of the last outbox sweep
	closing sync.Once
}

// wire is a notification's payload: one or more events, or the id of one
// event's row in events_outbox when it is too large for a notification.
type wire struct {
	Node   string            `json:"n"`
	Events []json.RawMessage `json:"e,omitempty"`
	Ref    string            `json:"r,omitempty"`
}

// outgoing is an event waiting for the sender, and the publisher waiting
// to hear how it went.
type outgoing struct {
	id, kind string
	body     []byte // the event as JSON
	done     chan error
}

// NewPostgres connects the listening connection and returns a bus that
// publishes through d, which must be the PostgreSQL database named by
// cfg.URL. Once it returns, events published on any node reach it.
func NewPostgres(ctx context.Context, d *db.DB, cfg PostgresConfig) (*Postgres, error) {
	if d.Dialect != db.Postgres {
		return nil, errors.New("events: the Postgres bus needs a PostgreSQL database")
	}
	if cfg.Channel == "" {
		cfg.Channel = DefaultChannel
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Second, cfg.MinBackoff)
	}
	node := make([]byte, 8)
	rand.Read(node)
	b := &Postgres{db: d, cfg: cfg, listen: "LISTEN " + pgx.Identifier{cfg.Channel}.Sanitize(),
		node: hex.EncodeToString(node), fan: newFanout(), done: make(chan struct{}),
		out: make(chan outgoing, 1024), sent: make(chan struct{})}
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.run(conn)
	go b.send()
	return b, nil
}

// connect opens the listening connection and starts listening.
func (b *Postgres) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, b.cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("events: connecting to listen: %w", err)
	}
	if _, err := conn.Exec(ctx, b.listen); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("events: listening on %s: %w", b.cfg.Channel, err)
	}
	return conn, nil
}

// run receives notifications until the bus closes, getting the connection
// back whenever it is lost.
func (b *Postgres) run(conn *pgx.Conn) {
	defer close(b.done)
	for {
		n, err := conn.WaitForNotification(b.ctx)
		if err == nil {
			b.receive(n.Payload)
			continue
		}
		conn.Close(context.Background())
		if b.ctx.Err() != nil {
			return
		}
		b.cfg.Log.Warn("event listener lost its database connection; reconnecting", "channel", b.cfg.Channel, "err", err)
		if conn = b.reconnect(); conn == nil {
			return
		}
		// Whatever other nodes published in the meantime is lost: tell every
		// subscriber, now that listening again makes subscribing again safe.
		b.fan.endAll(ErrLagged)
		b.cfg.Log.Info("event listener reconnected", "channel", b.cfg.Channel)
	}
}

// reconnect tries with growing, jittered waits until it has a listening
// connection, or the bus closes (nil).
func (b *Postgres) reconnect() *pgx.Conn {
	wait := b.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		jittered := wait/2 + mathrand.N(wait/2+1)
		select {
		case <-b.ctx.Done():
			return nil
		case <-time.After(jittered):
		}
		conn, err := b.connect(b.ctx)
		if err == nil {
			return conn
		}
		if b.ctx.Err() != nil {
			return nil
		}
		b.cfg.Log.Warn("event listener could not reconnect", "channel", b.cfg.Channel, "attempt", attempt, "err", err)
		wait = min(wait*2, b.cfg.MaxBackoff)
	}
}

// receive delivers a notification from another node to local subscribers.
func (b *Postgres) receive(payload string) {
	var w wire
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		b.cfg.Log.Warn("event notification not understood; ignored", "channel", b.cfg.Channel, "bytes", len(payload))
		return
	}
	if w.Node == b.node {
		return // delivered locally when published
	}
	if w.Ref != "" {
		e, err := b.fetch(w.Ref)
		if err != nil {
			b.cfg.Log.Error("large event could not be read; subscribers told they lag", "event_id", w.Ref, "err", err)
			b.fan.endAll(ErrLagged)
			return
		}
		b.fan.deliver(e)
		return
	}
	for _, raw := range w.Events {
		var e Event
		if err := json.Unmarshal(raw, &e); err != nil || (e.PatientID == "" && e.UserID == "") || e.Kind == "" {
			b.cfg.Log.Warn("event in a notification not understood; ignored", "channel", b.cfg.Channel)
			continue
		}
		b.fan.deliver(e)
	}
}

func (b *Postgres) fetch(id string) (Event, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	var payload string
	err := b.db.R.QueryRowContext(ctx, `SELECT payload FROM events_outbox WHERE id = $1`, id).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, errors.New("no longer in events_outbox")
	}
	if err != nil {
		return Event{}, err
	}
	var e Event
	return e, json.Unmarshal([]byte(payload), &e)
}

// Publish delivers e to this node's subscribers at once, then notifies the
// other nodes and waits until PostgreSQL has taken the notification. An
// error means the other nodes may not have heard of it; this node's
// subscribers have.
func (b *Postgres) Publish(ctx context.Context, e Event) error {
	if err := prepare(&e); err != nil {
		return err
	}
	if b.fan.isClosed() {
		return ErrClosed
	}
	b.fan.deliver(e)
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("events: encoding %s event: %w", e.Kind, err)
	}
	o := outgoing{id: e.ID, kind: e.Kind, body: body, done: make(chan error, 1)}
	select {
	case b.out <- o:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.sent:
		return ErrClosed
	}
	select {
	case err := <-o.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send notifies the other nodes, one notification at a time, each
// carrying as many waiting events as fit: when events come faster than
// PostgreSQL takes notifications, they go in fewer, fuller ones, and when
// they come slowly, each goes at once.
func (b *Postgres) send() {
	defer close(b.sent)
	var carry *outgoing
	for {
		var first outgoing
		if carry != nil {
			first, carry = *carry, nil
		} else {
			select {
			case first = <-b.out:
			case <-b.ctx.Done():
				b.failWaiting()
				return
			}
		}
		batch := []outgoing{first}
		size := len(first.body)
	fill:
		for size < maxNotify {
			select {
			case o := <-b.out:
				if size+len(o.body)+64 > maxNotify {
					carry = &o
					break fill
				}
				batch = append(batch, o)
				size += len(o.body) + 1
			default:
				break fill
			}
		}
		err := b.notify(batch)
		for _, o := range batch {
			o.done <- err
		}
	}
}

// failWaiting answers the publishers still waiting when the bus closes.
func (b *Postgres) failWaiting() {
	for {
		select {
		case o := <-b.out:
			o.done <- ErrClosed
		default:
			return
		}
	}
}

// notify sends one notification with the batch's events, or, for one
// event too large for a notification, stores it and notifies its id.
func (b *Postgres) notify(batch []outgoing) error {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	w := wire{Node: b.node}
	for _, o := range batch {
		w.Events = append(w.Events, o.body)
	}
	msg, _ := json.Marshal(w)
	if len(msg) > maxNotify {
		o := batch[0] // a batch only overflows when it is one large event
		if _, err := b.db.W.ExecContext(ctx, `INSERT INTO events_outbox (id, payload, created_at) VALUES ($1, $2, $3)`,
			o.id, string(o.body), db.Millis(time.Now())); err != nil {
			return fmt.Errorf("events: storing large %s event: %w", o.kind, err)
		}
		msg, _ = json.Marshal(wire{Node: b.node, Ref: o.id})
		b.sweep()
	}
	if _, err := b.db.W.ExecContext(ctx, `SELECT pg_notify($1, $2)`, b.cfg.Channel, string(msg)); err != nil {
		return fmt.Errorf("events: notifying %d events: %w", len(batch), err)
	}
	return nil
}

// sweep deletes old large events, at most once a minute per node.
func (b *Postgres) sweep() {
	now := time.Now()
	last := b.swept.Load()
	if now.UnixMilli()-last < time.Minute.Milliseconds() || !b.swept.CompareAndSwap(last, now.UnixMilli()) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		defer cancel()
		if _, err := b.db.W.ExecContext(ctx, `DELETE FROM events_outbox WHERE created_at < $1`,
			db.Millis(now.Add(-outboxKeep))); err != nil && ctx.Err() == nil {
			b.cfg.Log.Warn("sweeping events_outbox failed", "err", err)
		}
	}()
}

// Subscribe starts a subscription; see Bus.
func (b *Postgres) Subscribe(buffer int) *Subscription { return b.fan.subscribe(buffer) }

// Close stops listening and ends every subscription with ErrClosed.
func (b *Postgres) Close() error {
	b.closing.Do(func() {
		b.fan.endAll(ErrClosed)
		b.cancel()
		<-b.done
		<-b.sent
	})
	return nil
}

var _ Bus = (*Postgres)(nil)
