package monitoring

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/notify"
)

// TickStats counts what one Tick did.
type TickStats struct {
	Deadlines     int // deadline rows acted on (reminders, closes, skips)
	Reminders     int // patients reminded of a measurement
	Missed        int // missed measurements alerted
	Escalated     int // alerts moved to the next step of their chain
	SilentDevices int // devices found silent
	Drained       int // outbox rows delivered late (after a crash or failure)
}

// Run calls Tick every TickEvery until ctx ends. Any number of nodes may
// run it against one PostgreSQL database: each claims different rows.
func (s *Service) Run(ctx context.Context) error {
	every := s.TickEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	clock.Every(ctx, every, func(ctx context.Context) {
		if _, err := s.Tick(ctx, s.clock.Now()); err != nil && ctx.Err() == nil {
			slog.Error("monitoring tick failed", "err", err)
		}
	})
	return nil
}

// Tick does everything that has fallen due by now: it delivers what the
// outbox still holds, reminds patients and raises missed-measurement
// alerts, escalates unacknowledged alerts, and raises silent-device
// alerts. Each part claims due rows a batch at a time until none is left,
// so after downtime every past deadline is caught up in order. The work
// grows with the rows falling due, never with the number of patients.
func (s *Service) Tick(ctx context.Context, now time.Time) (TickStats, error) {
	var st TickStats
	var err error
	if st.Drained, err = s.drain(ctx); err != nil {
		return st, err
	}
	// A step may leave a row due again at once (a reminder whose window
	// has closed meanwhile, several escalation steps missed in downtime),
	// so each part claims until nothing is due. On PostgreSQL several
	// workers claim deadlines side by side, each its own rows.
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range s.workers() {
		wg.Go(func() {
			for {
				var mine TickStats
				claimed, err := s.deadlines(ctx, now, &mine)
				mu.Lock()
				st.Deadlines += mine.Deadlines
				st.Reminders += mine.Reminders
				st.Missed += mine.Missed
				if err != nil && firstErr == nil {
					firstErr = err
				}
				stop := firstErr != nil
				mu.Unlock()
				if claimed == 0 || stop {
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return st, firstErr
	}
	for {
		claimed, moved, err := s.escalate(ctx, now)
		st.Escalated += moved
		if err != nil {
			return st, err
		}
		if claimed == 0 {
			break
		}
	}
	for {
		claimed, err := s.silentDevices(ctx, now, &st)
		if err != nil {
			return st, err
		}
		if claimed == 0 {
			break
		}
	}
	return st, nil
}

func (s *Service) workers() int {
	if s.db.Dialect == db.SQLite {
		return 1 // one writer: more would only queue
	}
	return max(s.Workers, 1)
}

func (s *Service) drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.outbox.Drain(ctx, s.batch())
		total += n
		if err != nil || n < s.batch() {
			return total, err
		}
	}
}

func (s *Service) skipLocked(of string) string {
	if s.db.Dialect == db.Postgres {
		return " FOR UPDATE OF " + of + " SKIP LOCKED"
	}
	return ""
}

// deadlines claims one batch of due schedule deadlines and acts on them:
// at the reminder stage the patient is reminded if no reading has come;
// at the close an unfulfilled occurrence raises a missed-measurement
// alert; then the row moves on to the next stage or occurrence. Alerts,
// notifications and the row's new position commit together, so a crash
// repeats the whole step or none of it.
func (s *Service) deadlines(ctx context.Context, now time.Time, st *TickStats) (int, error) {
	var claimed int
	var local TickStats
	err := s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		claimed, local = 0, TickStats{}
		rows, err := tx.QueryContext(ctx, `SELECT d.due_at, d.stage, f.reading_id, pu.name, `+scheduleColumns+`
			FROM schedule_deadlines d JOIN measurement_schedules s ON s.id = d.schedule_id JOIN users pu ON pu.id = s.patient_id
			LEFT JOIN patient_profiles p ON p.user_id = s.patient_id
			LEFT JOIN schedule_fulfilments f ON f.schedule_id = d.schedule_id AND f.due_at = d.due_at
			WHERE d.next_at <= $1 ORDER BY d.next_at LIMIT $2`+s.skipLocked("d"), db.Millis(now), s.batch())
		if err != nil {
			return errs.Wrap(err, "claiming deadlines")
		}
		type row struct {
			sc        sched
			name      string
			typeName  string
			due       time.Time
			stage     string
			fulfilled bool
		}
		var claim []row
		for rows.Next() {
			var r row
			var due int64
			var reading sql.NullString
			pub, sc, err := scanSchedule(rows, &due, &r.stage, &reading, &r.name)
			if err != nil {
				rows.Close()
				return err
			}
			r.sc, r.typeName, r.due, r.fulfilled = sc, pub.TypeName, db.Time(due), reading.Valid
			claim = append(claim, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "claiming deadlines")
		}
		claimed = len(claim)
		if claimed == 0 {
			return nil
		}
		var missedPatients []string
		for _, r := range claim {
			if r.stage == "close" && !r.fulfilled && !slices.Contains(missedPatients, r.sc.patientID) {
				missedPatients = append(missedPatients, r.sc.patientID)
			}
		}
		rules := map[string]Rule{}
		if len(missedPatients) > 0 {
			ov, err := loadOverrides(ctx, tx, missedPatients)
			if err != nil {
				return err
			}
			for _, pid := range missedPatients {
				for _, r := range s.effectiveRules(ov[pid], 1) {
					if r.Key == RuleMissedMeasurement {
						rules[pid] = r
					}
				}
			}
		}
		var hits []hit
		var moves [][]any
		var drop []string
		for _, r := range claim {
			sc := r.sc
			open, close := sc.window(r.due)
			next, nextStage, nextAt := r.due, "close", close
			switch r.stage {
			case "remind":
				if !r.fulfilled && close.After(now) {
					local.Reminders++
					*out = append(*out, s.reminder(sc, r.typeName, r.due, close))
				}
				if r.fulfilled {
					next = sc.pattern.Next(r.due, sc.loc)
					nextStage, nextAt = sc.stage(next, now)
				}
			default: // close
				if !r.fulfilled {
					if rule := rules[sc.patientID]; rule.Enabled {
						local.Missed++
						h := missedHit(sc, r.typeName, rule.Severity, r.due, open, close)
						h.patientName = r.name
						hits = append(hits, h)
					}
				}
				next = sc.pattern.Next(r.due, sc.loc)
				nextStage, nextAt = sc.stage(next, now)
			}
			if next.IsZero() {
				drop = append(drop, sc.id)
				continue
			}
			moves = append(moves, []any{sc.id, sc.patientID, db.Millis(next), nextStage, db.Millis(nextAt)})
		}
		if err := upsertRows(ctx, tx, `INSERT INTO schedule_deadlines (schedule_id, patient_id, due_at, stage, next_at) VALUES `,
			` ON CONFLICT (schedule_id) DO UPDATE SET due_at = excluded.due_at, stage = excluded.stage, next_at = excluded.next_at`,
			moves); err != nil {
			return errs.Wrap(err, "moving deadlines on")
		}
		for _, id := range drop {
			if _, err := tx.ExecContext(ctx, `DELETE FROM schedule_deadlines WHERE schedule_id = $1`, id); err != nil {
				return errs.Wrap(err, "dropping a deadline")
			}
		}
		return s.raise(ctx, tx, hits, now, out)
	})
	if err != nil {
		return 0, err
	}
	st.Deadlines += claimed
	st.Reminders += local.Reminders
	st.Missed += local.Missed
	return claimed, nil
}

// reminder is the patient's nudge that a measurement's window will close.
func (s *Service) reminder(sc sched, name string, due, close time.Time) outbox.Item {
	lower := strings.ToLower(name)
	return outbox.Notify(notify.Notification{
		RecipientID: sc.patientID, Kind: "reminder.measurement", Severity: notify.Info,
		Title: "Time to measure: " + lower,
		Body: fmt.Sprintf("Your %s measurement was due at %s. Please take it before %s so your care team sees it.",
			lower, due.In(sc.loc).Format("15:04"), close.In(sc.loc).Format("15:04")),
		Link: "/today", PatientID: sc.patientID,
		DedupeKey: fmt.Sprintf("reminder:%s:%d", sc.id, db.Millis(due)),
	})
}

func missedHit(sc sched, name string, sev Severity, due, open, close time.Time) hit {
	zoneName := sc.loc.String()
	return hit{
		patientID: sc.patientID, ruleKey: "missed:" + sc.typeKey, kind: KindMissed, severity: sev,
		title: "Missed measurement: " + strings.ToLower(name),
		detail: fmt.Sprintf("No %s reading between %s and %s (%s) for the measurement due at %s.", strings.ToLower(name),
			open.In(sc.loc).Format("15:04"), close.In(sc.loc).Format("15:04"), zoneName, due.In(sc.loc).Format("2006-01-02 15:04")),
		at: close,
	}
}
