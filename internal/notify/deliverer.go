package notify

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Channel is a way out of Tend. In-app needs no delivery: the inbox reads
// the notification itself.
type Channel string

// The outbound channels.
const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
)

const (
	channelEmail   = string(ChannelEmail)
	channelWebhook = string(ChannelWebhook)
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The delivery statuses.
const (
	Pending   DeliveryStatus = "pending"   // waiting for its time, being tried, or to be retried
	Delivered DeliveryStatus = "delivered" // the server or receiver accepted it; never sent again
	Failed    DeliveryStatus = "failed"    // every attempt failed; RetryDelivery queues it again
	Skipped   DeliveryStatus = "skipped"   // no longer wanted (email turned off, user disabled, webhook removed)
)

// Delivery is one notification going out over one channel.
type Delivery struct {
	ID             string         `json:"id"`
	NotificationID string         `json:"notificationId"`
	Channel        Channel        `json:"channel"`
	Target         string         `json:"target,omitempty" doc:"The webhook's id"`
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	// DueAt is when the next attempt may be made, while pending.
	DueAt     time.Time `json:"dueAt"`
	LastError string    `json:"lastError,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	DoneAt    time.Time `json:"doneAt,omitzero"`
}

// DelivererConfig tunes a Deliverer; the zero value is sensible.
type DelivererConfig struct {
	// Tick wakes the worker; nil means a ticker every Interval. Send also
	// wakes the Deliverers of its own process at once.
	Tick <-chan time.Time
	// Interval is the polling period without Tick (default 5s).
	Interval time.Duration
	// Batch is how many deliveries are claimed at a time (default 32).
	Batch int
	// Workers is how many deliveries are made at once (default 4).
	Workers int
	// Lease is how long a claimed delivery stays with this worker before
	// another may take it, should this one die (default 5m). It must be
	// longer than the slowest send (SMTP and webhook timeouts).
	Lease time.Duration
}

// Deliverer takes due deliveries out of the outbox and makes them. Any
// number may run, in one process or on several nodes sharing a PostgreSQL
// database: a delivery is claimed by one of them at a time.
type Deliverer struct {
	s   *Service
	cfg DelivererConfig
}

// NewDeliverer returns a Deliverer for s's outbox.
func (s *Service) NewDeliverer(cfg DelivererConfig) *Deliverer {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 32
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	return &Deliverer{s: s, cfg: cfg}
}

// Run delivers what is due at every tick, and whenever Send queues
// something in this process, until ctx ends; then it returns nil. Once an
// hour it also forgets dedupe keys whose window has ended.
func (d *Deliverer) Run(ctx context.Context) error {
	tick := d.cfg.Tick
	if tick == nil {
		t := time.NewTicker(d.cfg.Interval)
		defer t.Stop()
		tick = t.C
	}
	var pruned time.Time
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.s.log.Warn("notify: delivering", "err", err)
		}
		if now := d.s.clock.Now(); now.Sub(pruned) >= time.Hour {
			if err := d.s.pruneDedupe(ctx, now); err != nil && ctx.Err() == nil {
				d.s.log.Warn("notify: pruning dedupe keys", "err", err)
			}
			pruned = now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		case <-d.s.wake:
		}
	}
}

// pruneDedupe forgets dedupe keys whose window has ended.
func (s *Service) pruneDedupe(ctx context.Context, now time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM notification_dedupe WHERE expires_at <= $1`, db.Millis(now))
	return err
}

// Stats counts what one DeliverDue did.
type Stats struct {
	Delivered int // accepted by the mail server or webhook receiver
	Retrying  int // failed, to be tried again later
	Failed    int // failed for the last time
	Held      int // put back until the recipient's quiet hours end
	Skipped   int // no longer wanted
}

func (s *Stats) add(o Stats) {
	s.Delivered += o.Delivered
	s.Retrying += o.Retrying
	s.Failed += o.Failed
	s.Held += o.Held
	s.Skipped += o.Skipped
}

// DeliverDue makes every delivery due now, batch by batch, and returns
// when none is left.
func (d *Deliverer) DeliverDue(ctx context.Context) (Stats, error) {
	var total Stats
	for ctx.Err() == nil {
		claimed, err := d.claim(ctx)
		if err != nil || len(claimed) == 0 {
			return total, err
		}
		total.add(d.deliverAll(ctx, claimed))
		if len(claimed) < d.cfg.Batch {
			break
		}
	}
	return total, ctx.Err()
}

// claimed is a delivery this worker holds, with its notification.
type claimed struct {
	id, token, channel, target string
	attempts                   int
	n                          Notification
}

// claim takes up to a batch of due deliveries. The claim is one statement:
// on PostgreSQL its FOR UPDATE SKIP LOCKED lets concurrent workers pass
// over each other's rows instead of waiting, and a row claimed by another
// worker no longer qualifies once that worker commits (its due_at moved a
// lease ahead). On SQLite the single writer runs claims one after another.
func (d *Deliverer) claim(ctx context.Context) ([]claimed, error) {
	s := d.s
	now := s.clock.Now()
	token := uuid.Must(uuid.NewV7()).String()
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := s.db.W.QueryContext(ctx, `UPDATE notification_deliveries
		SET claim = $1, due_at = $2, attempts = attempts + 1, updated_at = $3
		WHERE id IN (SELECT id FROM notification_deliveries
			WHERE status = 'pending' AND due_at <= $3 ORDER BY due_at LIMIT $4`+lock+`)
		RETURNING id, notification_id, channel, target, attempts`,
		token, db.Millis(now.Add(d.cfg.Lease)), db.Millis(now), d.cfg.Batch)
	if err != nil {
		return nil, errs.Wrap(err, "claiming deliveries")
	}
	var out []claimed
	notificationIDs := map[string][]int{}
	for rows.Next() {
		var c claimed
		var nid string
		if err := rows.Scan(&c.id, &nid, &c.channel, &c.target, &c.attempts); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "claiming deliveries")
		}
		c.token = token
		notificationIDs[nid] = append(notificationIDs[nid], len(out))
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "claiming deliveries")
	}
	if len(out) == 0 {
		return nil, nil
	}
	var args db.Args
	marks := make([]string, 0, len(notificationIDs))
	for nid := range notificationIDs {
		marks = append(marks, args.Add(nid))
	}
	nrows, err := s.db.W.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id IN (`+strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading claimed notifications")
	}
	defer nrows.Close()
	for nrows.Next() {
		n, err := scanNotification(nrows)
		if err != nil {
			return nil, errs.Wrap(err, "reading claimed notifications")
		}
		for _, i := range notificationIDs[n.ID] {
			out[i].n = n
		}
	}
	return out, errs.Wrap(nrows.Err(), "reading claimed notifications")
}

// outcome is what became of one attempt.
type outcome struct {
	err     error     // failed: retry or give up
	holdTil time.Time // put back, not counted as an attempt
	skip    string    // no longer wanted, and why
}

func (d *Deliverer) deliverAll(ctx context.Context, batch []claimed) Stats {
	var mu sync.Mutex
	var st Stats
	sem := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	for _, c := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			o := d.deliver(ctx, c)
			one := d.finish(ctx, c, o)
			mu.Lock()
			st.add(one)
			mu.Unlock()
		})
	}
	wg.Wait()
	return st
}

// deliver makes one attempt. It checks again what the recipient wants now:
// preferences and quiet hours may have changed since Send.
func (d *Deliverer) deliver(ctx context.Context, c claimed) outcome {
	s := d.s
	now := s.clock.Now()
	switch c.channel {
	case channelEmail:
		if s.cfg.SMTP == nil {
			return outcome{skip: "email is not configured"}
		}
		u, err := s.users.Get(ctx, c.n.RecipientID)
		if errs.Is(err, errs.NotFound) {
			return outcome{skip: "the recipient no longer exists"}
		}
		if err != nil {
			return outcome{err: err}
		}
		if u.Disabled || u.Email == "" {
			return outcome{skip: "the recipient is disabled or has no email address"}
		}
		p, err := s.Preferences(ctx, u.ID)
		if err != nil {
			return outcome{err: err}
		}
		if !s.wantsEmail(p, c.n.Kind, c.n.Severity) {
			return outcome{skip: "the recipient turned email off for this kind"}
		}
		if until, quiet := p.heldUntil(now, c.n.Severity, location(p, u)); quiet {
			return outcome{holdTil: until}
		}
		e, err := s.composeEmail(c.id, c.n, u.Name, u.Email, now)
		if err != nil {
			return outcome{err: err}
		}
		return outcome{err: s.sendEmail(ctx, e)}
	case channelWebhook:
		w, removed, err := s.webhook(ctx, c.target)
		if errors.Is(err, sql.ErrNoRows) || removed {
			return outcome{skip: "the webhook was removed"}
		}
		if err != nil {
			return outcome{err: err}
		}
		return outcome{err: s.postWebhook(ctx, w, c.n, now)}
	}
	return outcome{skip: "unknown channel " + c.channel}
}

// finish records an attempt's outcome, if this worker still holds the
// delivery. Marking a delivery done matters more than the caller's
// context: a sent message that stays pending would be sent again.
func (d *Deliverer) finish(ctx context.Context, c claimed, o outcome) Stats {
	s := d.s
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := db.Millis(s.clock.Now())
	var st Stats
	var query string
	var args []any
	switch {
	case o.skip != "":
		st.Skipped = 1
		query = `UPDATE notification_deliveries SET status = 'skipped', last_error = $3, done_at = $4, updated_at = $4, claim = NULL`
		args = []any{o.skip, now}
	case !o.holdTil.IsZero():
		st.Held = 1
		query = `UPDATE notification_deliveries SET due_at = $3, attempts = attempts - 1, updated_at = $4, claim = NULL`
		args = []any{db.Millis(o.holdTil), now}
	case o.err == nil:
		st.Delivered = 1
		query = `UPDATE notification_deliveries SET status = 'delivered', last_error = '', done_at = $3, updated_at = $3, claim = NULL`
		args = []any{now}
	case c.attempts >= s.cfg.MaxAttempts || errors.As(o.err, new(permanent)):
		st.Failed = 1
		query = `UPDATE notification_deliveries SET status = 'failed', last_error = $3, done_at = $4, updated_at = $4, claim = NULL`
		args = []any{errText(o.err), now}
		s.log.Warn("notify: delivery failed for good", "delivery", c.id, "channel", c.channel, "attempts", c.attempts, "err", o.err)
	default:
		st.Retrying = 1
		next := s.clock.Now().Add(s.backoff(c.attempts))
		query = `UPDATE notification_deliveries SET due_at = $3, last_error = $4, updated_at = $5, claim = NULL`
		args = []any{db.Millis(next), errText(o.err), now}
		s.log.Info("notify: delivery failed, will retry", "delivery", c.id, "channel", c.channel, "attempts", c.attempts, "next", next, "err", o.err)
	}
	query += ` WHERE id = $1 AND claim = $2 AND status = 'pending'`
	var err error
	for try := range 3 {
		var res sql.Result
		res, err = s.db.W.ExecContext(ctx, query, append([]any{c.id, c.token}, args...)...)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				s.log.Warn("notify: delivery was taken over by another worker (lease too short?)", "delivery", c.id)
				return Stats{}
			}
			return st
		}
		time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
	}
	s.log.Error("notify: recording a delivery's outcome", "delivery", c.id, "err", err)
	return st
}

// permanent marks an error that no retry can mend.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

func errText(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

const deliveryColumns = `id, notification_id, channel, target, status, attempts, due_at, last_error, created_at, done_at`

func scanDelivery(row scanner) (Delivery, error) {
	var d Delivery
	var due, created int64
	var done sql.NullInt64
	err := row.Scan(&d.ID, &d.NotificationID, &d.Channel, &d.Target, &d.Status, &d.Attempts, &due, &d.LastError, &created, &done)
	d.DueAt, d.CreatedAt, d.DoneAt = db.Time(due), db.Time(created), db.NullTime(done)
	return d, err
}

func (s *Service) deliveries(ctx context.Context, where string, args ...any) ([]Delivery, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM notification_deliveries WHERE `+where, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading deliveries")
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, errs.Wrap(err, "reading deliveries")
		}
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "reading deliveries")
}

// Deliveries tells how a notification is going out, channel by channel.
func (s *Service) Deliveries(ctx context.Context, notificationID string) ([]Delivery, error) {
	return s.deliveries(ctx, `notification_id = $1 ORDER BY channel, target`, notificationID)
}

// FailedDeliveries lists the deliveries that failed for good, latest
// first, for an administrator to look into.
func (s *Service) FailedDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.deliveries(ctx, `status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT $1`, limit)
}

// RetryDelivery queues a failed delivery again, with a fresh count of attempts.
func (s *Service) RetryDelivery(ctx context.Context, id string) error {
	now := db.Millis(s.clock.Now())
	res, err := s.db.W.ExecContext(ctx, `UPDATE notification_deliveries
		SET status = 'pending', attempts = 0, due_at = $1, done_at = NULL, updated_at = $1
		WHERE id = $2 AND status = 'failed'`, now, id)
	if err != nil {
		return errs.Wrap(err, "queueing delivery again")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.Conflictf("only a failed delivery can be tried again")
	}
	s.nudge()
	return nil
}
