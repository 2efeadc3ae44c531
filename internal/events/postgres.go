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

// maxNotify is the largest NOTIFY payload sent as is. PostgreSQL refuses
// payloads of 8000 bytes or more; a larger event goes into events_outbox and
// only its id is notified.
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
	swept   atomic.Int64 // unix ms of the last outbox sweep
	closing sync.Once
}

// wire is a notification's payload: the event itself, or the id of its row
// in events_outbox when it is too large.
type wire struct {
	Node  string `json:"n"`
	Event *Event `json:"e,omitempty"`
	Ref   string `json:"r,omitempty"`
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
		node: hex.EncodeToString(node), fan: newFanout(), done: make(chan struct{})}
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.run(conn)
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
		w.Event = &e
	}
	if w.Event == nil || w.Event.PatientID == "" || w.Event.Kind == "" {
		b.cfg.Log.Warn("event notification without an event; ignored", "channel", b.cfg.Channel)
		return
	}
	b.fan.deliver(*w.Event)
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
// other nodes. An error means the other nodes may not have heard of it;
// this node's subscribers have.
func (b *Postgres) Publish(ctx context.Context, e Event) error {
	if err := prepare(&e); err != nil {
		return err
	}
	if b.fan.isClosed() {
		return ErrClosed
	}
	b.fan.deliver(e)
	msg, err := json.Marshal(wire{Node: b.node, Event: &e})
	if err != nil {
		return fmt.Errorf("events: encoding %s event: %w", e.Kind, err)
	}
	if len(msg) > maxNotify {
		body, _ := json.Marshal(e)
		if _, err := b.db.W.ExecContext(ctx, `INSERT INTO events_outbox (id, payload, created_at) VALUES ($1, $2, $3)`,
			e.ID, string(body), db.Millis(time.Now())); err != nil {
			return fmt.Errorf("events: storing large %s event: %w", e.Kind, err)
		}
		msg, _ = json.Marshal(wire{Node: b.node, Ref: e.ID})
		b.sweep()
	}
	if _, err := b.db.W.ExecContext(ctx, `SELECT pg_notify($1, $2)`, b.cfg.Channel, string(msg)); err != nil {
		return fmt.Errorf("events: notifying %s event: %w", e.Kind, err)
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
	})
	return nil
}

var _ Bus = (*Postgres)(nil)
