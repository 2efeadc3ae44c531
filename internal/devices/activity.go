package devices

import (
	"cmp"
	"context"
	"database/sql"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Report is what a device said about itself with a reading.
type Report struct {
	At             time.Time // when it was heard from
	BatteryPercent *int      // 0–100, when it reported one
	Status         string    // e.g. "battery-low", when it reported one
}

// activity is what was learnt about one device since the last flush.
type activity struct {
	seen     time.Time
	battery  *int
	status   string
	statusAt time.Time
	refusals map[string]*refusalDelta
}

type refusalDelta struct {
	n           int64
	first, last time.Time
}

// Seen notes that a device was heard from, with its battery level or status
// when it sent one. It only touches memory; the background writer stores it.
func (s *Service) Seen(deviceID string, r Report) {
	if r.At.IsZero() {
		r.At = s.clock.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.activityOf(deviceID)
	if r.At.After(a.seen) {
		a.seen = r.At
	}
	if r.BatteryPercent != nil {
		b := min(max(*r.BatteryPercent, 0), 100)
		a.battery = &b
	}
	if r.Status != "" && !r.At.Before(a.statusAt) {
		a.status, a.statusAt = clip(r.Status, 100), r.At
	}
}

// Refused counts n readings refused from a device for a reason (a short
// stable word such as "disabled" or "implausible"). It only touches memory.
func (s *Service) Refused(deviceID, reason string, n int) {
	if n <= 0 || deviceID == "" {
		return
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.activityOf(deviceID)
	if a.refusals == nil {
		a.refusals = map[string]*refusalDelta{}
	}
	reason = clip(reason, 50)
	d := a.refusals[reason]
	if d == nil {
		d = &refusalDelta{first: now}
		a.refusals[reason] = d
	}
	d.n += int64(n)
	d.last = now
}

func (s *Service) activityOf(id string) *activity {
	a := s.pending[id]
	if a == nil {
		a = &activity{}
		s.pending[id] = a
	}
	return a
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// overlay adds what this node learnt but has not yet written.
func (s *Service) overlay(d *Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.pending[d.ID]
	if a == nil {
		return
	}
	if !a.seen.IsZero() && (d.LastSeenAt == nil || a.seen.After(*d.LastSeenAt)) {
		t := a.seen.UTC().Truncate(time.Millisecond)
		d.LastSeenAt = &t
	}
	if a.battery != nil {
		b := *a.battery
		d.BatteryPercent = &b
	}
	if a.status != "" {
		t := a.statusAt.UTC().Truncate(time.Millisecond)
		d.Status, d.StatusAt = a.status, &t
	}
}

func (s *Service) overlayRefusals(d *Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.pending[d.ID]
	if a == nil {
		return
	}
	for reason, delta := range a.refusals {
		i := slices.IndexFunc(d.Refusals, func(r Refusal) bool { return r.Reason == reason })
		if i < 0 {
			d.Refusals = append(d.Refusals, Refusal{Reason: reason, FirstAt: delta.first.UTC().Truncate(time.Millisecond)})
			i = len(d.Refusals) - 1
		}
		d.Refusals[i].Count += delta.n
		d.Refusals[i].LastAt = delta.last.UTC().Truncate(time.Millisecond)
	}
	slices.SortFunc(d.Refusals, func(a, b Refusal) int { return cmp.Compare(a.Reason, b.Reason) })
}

func (s *Service) flushLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), every*2)
			if err := s.Flush(ctx); err != nil {
				slog.Error("writing device activity", "err", err)
			}
			cancel()
		}
	}
}

// Flush writes the device activity gathered since the last flush, in one
// transaction. The background writer calls it every FlushInterval; tests
// and shutdown call it directly.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	batch := s.pending
	s.pending = map[string]*activity{}
	s.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(batch)) // a fixed order, so that nodes never deadlock on PostgreSQL
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			a := batch[id]
			if !a.seen.IsZero() {
				if _, err := tx.ExecContext(ctx, `UPDATE devices SET last_seen_at = $1
					WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $1)`, db.Millis(a.seen), id); err != nil {
					return errs.Wrap(err, "recording last seen")
				}
			}
			if a.battery != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE devices SET battery_percent = $1 WHERE id = $2`, *a.battery, id); err != nil {
					return errs.Wrap(err, "recording battery")
				}
			}
			if a.status != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE devices SET status = $1, status_at = $2
					WHERE id = $3 AND (status_at IS NULL OR status_at <= $2)`, a.status, db.Millis(a.statusAt), id); err != nil {
					return errs.Wrap(err, "recording status")
				}
			}
			for _, reason := range slices.Sorted(maps.Keys(a.refusals)) {
				d := a.refusals[reason]
				// A refusal for an id that is not a device (it may come
				// from a door that did not check) is dropped by the
				// WHERE EXISTS rather than failing the whole flush.
				if _, err := tx.ExecContext(ctx, `INSERT INTO device_refusals (device_id, reason, count, first_at, last_at)
					SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS BIGINT), CAST($4 AS BIGINT), CAST($5 AS BIGINT)
					WHERE EXISTS (SELECT 1 FROM devices WHERE id = $1)
					ON CONFLICT (device_id, reason) DO UPDATE SET count = device_refusals.count + excluded.count,
						last_at = excluded.last_at`,
					id, reason, d.n, db.Millis(d.first), db.Millis(d.last)); err != nil {
					return errs.Wrap(err, "counting refusals")
				}
			}
		}
		return nil
	})
	if err != nil {
		s.restore(batch)
	}
	return err
}

// restore puts back activity that could not be written, under anything
// learnt since, so that the next flush tries again.
func (s *Service) restore(batch map[string]*activity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, old := range batch {
		cur := s.pending[id]
		if cur == nil {
			s.pending[id] = old
			continue
		}
		if old.seen.After(cur.seen) {
			cur.seen = old.seen
		}
		if cur.battery == nil {
			cur.battery = old.battery
		}
		if cur.status == "" {
			cur.status, cur.statusAt = old.status, old.statusAt
		}
		for reason, d := range old.refusals {
			if cur.refusals == nil {
				cur.refusals = map[string]*refusalDelta{}
			}
			if c := cur.refusals[reason]; c != nil {
				c.n += d.n
				c.first = d.first
			} else {
				cur.refusals[reason] = d
			}
		}
	}
}
