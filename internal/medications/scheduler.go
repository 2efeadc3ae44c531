package medications

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/notify"
)

// TickStats counts what one Tick did.
type TickStats struct {
	Deadlines int // deadline rows acted on
	Reminders int // patients reminded of a dose
	Missed    int // doses recorded missed
}

// Run calls Tick every TickEvery until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	every := s.TickEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	clock.Every(ctx, every, func(ctx context.Context) {
		if _, err := s.Tick(ctx, s.clock.Now()); err != nil && ctx.Err() == nil {
			slog.Error("medications tick failed", "err", err)
		}
	})
	return nil
}

// Tick reminds patients of doses and records unrecorded ones missed, for
// every deadline fallen due by now, claiming a batch at a time until none
// is left.
func (s *Service) Tick(ctx context.Context, now time.Time) (TickStats, error) {
	var st TickStats
	if _, err := s.outbox.Drain(ctx, s.batch()); err != nil {
		return st, err
	}
	for {
		n, err := s.tick(ctx, now, &st)
		if err != nil {
			return st, err
		}
		if n == 0 {
			return st, nil
		}
	}
}

func (s *Service) batch() int {
	if s.Batch <= 0 {
		return 500
	}
	return s.Batch
}

func (s *Service) tick(ctx context.Context, now time.Time, st *TickStats) (int, error) {
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	var claimed int
	var local TickStats
	err := s.write(ctx, func(tx *sql.Tx, out *[]outbox.Item) error {
		claimed, local = 0, TickStats{}
		rows, err := tx.QueryContext(ctx, `SELECT d.due_at, d.stage, x.status, `+columns+`
			FROM medication_deadlines d JOIN medications m ON m.id = d.medication_id
			LEFT JOIN patient_profiles pp ON pp.user_id = m.patient_id
			LEFT JOIN medication_doses x ON x.medication_id = d.medication_id AND x.due_at = d.due_at
			WHERE d.next_at <= $1 ORDER BY d.next_at LIMIT $2`+lock, db.Millis(now), s.batch())
		if err != nil {
			return errs.Wrap(err, "claiming medication deadlines")
		}
		type row struct {
			p        plan
			due      time.Time
			stage    string
			recorded bool
		}
		var claim []row
		for rows.Next() {
			var r row
			var due int64
			var status sql.NullString
			_, p, err := scan(rows, &due, &r.stage, &status)
			if err != nil {
				rows.Close()
				return err
			}
			r.p, r.due, r.recorded = p, db.Time(due), status.Valid
			claim = append(claim, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "claiming medication deadlines")
		}
		claimed = len(claim)
		for _, r := range claim {
			p := r.p
			_, close := p.dueWindow(r.due, s.Early)
			next, stage, at := r.due, "close", close
			if r.stage == "remind" {
				if !r.recorded && close.After(now) {
					local.Reminders++
					*out = append(*out, reminder(p, r.due))
				}
				if r.recorded {
					next = p.pattern.Next(r.due, p.loc)
					stage, at = p.stage(next, now)
				}
			} else {
				if !r.recorded {
					local.Missed++
					if _, err := tx.ExecContext(ctx, `INSERT INTO medication_doses (medication_id, due_at, patient_id, status, recorded_at)
						VALUES ($1, $2, $3, 'missed', $4) ON CONFLICT (medication_id, due_at) DO NOTHING`,
						p.id, db.Millis(r.due), p.patientID, db.Millis(now)); err != nil {
						return errs.Wrap(err, "recording a missed dose")
					}
					*out = append(*out, outbox.Event(DoseMissed, p.patientID, access.Medications, map[string]any{
						"medicationId": p.id, "dueAt": r.due}))
				}
				next = p.pattern.Next(r.due, p.loc)
				stage, at = p.stage(next, now)
			}
			if next.IsZero() {
				if _, err := tx.ExecContext(ctx, `DELETE FROM medication_deadlines WHERE medication_id = $1`, p.id); err != nil {
					return errs.Wrap(err, "dropping a medication deadline")
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE medication_deadlines SET due_at = $1, stage = $2, next_at = $3 WHERE medication_id = $4`,
				db.Millis(next), stage, db.Millis(at), p.id); err != nil {
				return errs.Wrap(err, "moving a medication deadline on")
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	st.Deadlines += claimed
	st.Reminders += local.Reminders
	st.Missed += local.Missed
	return claimed, nil
}

func reminder(p plan, due time.Time) outbox.Item {
	return outbox.Notify(notify.Notification{
		RecipientID: p.patientID, Kind: "reminder.medication", Severity: notify.Info,
		Title: "Medicine reminder", // a subject line others may see: the medicine is named in the body only
		Body: fmt.Sprintf("Your %s (%s) is due at %s. Record it in Tend once taken.", p.name, p.dose,
			due.In(p.loc).Format("15:04")),
		Link: "/medications", PatientID: p.patientID,
		DedupeKey: fmt.Sprintf("reminder:medication:%s:%d", p.id, db.Millis(due)),
	})
}
