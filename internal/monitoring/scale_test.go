package monitoring_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// countingNotify counts what it is handed, as cheaply as it can.
type countingNotify struct{ n atomic.Int64 }

func (c *countingNotify) Send(_ context.Context, n notify.Notification) (notify.Receipt, error) {
	c.n.Add(1)
	return notify.Receipt{ID: n.ID}, nil
}

// TestSchedulerScale measures the missed-measurement scheduler with 100,000
// patients, each with a daily blood pressure schedule and a care team
// (one of 1,000 nurses and one of 200 doctors). For each N it puts N
// deadlines at their window's close, the rest later in the day, and times
// the tick that alerts the N misses. Run it with TEND_SCALE=1 (and
// TEND_SCALE_PATIENTS to change the head count):
//
//	TEND_SCALE=1 ./scripts/with-postgres.sh go test -run TestSchedulerScale -v ./internal/monitoring/
func TestSchedulerScale(t *testing.T) {
	if os.Getenv("TEND_SCALE") == "" {
		t.Skip("set TEND_SCALE=1 to run the 100,000-patient scheduler measurement")
	}
	patients := 100_000
	if v, err := strconv.Atoi(os.Getenv("TEND_SCALE_PATIENTS")); err == nil && v > 0 {
		patients = v
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		T := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC) // 10:00 in Oslo: the 08:00 windows close
		c := clock.NewFake(T.Add(-time.Hour))
		began := time.Now()
		ids := seedScale(t, d, patients, T)
		t.Logf("%s: seeded %d patients with schedules and care teams in %s", d.Dialect, patients, time.Since(began).Round(time.Millisecond))
		ps := people.NewService(d, c)
		notes := &countingNotify{}
		mon := monitoring.New(d, c, access.New(d, c, ps), monitoring.Deps{Notify: notes, Events: &nopBus{}})
		c.Set(T)

		// Nothing due: the tick reads an index and stops (the first tick
		// also warms the caches).
		for range 2 {
			start := time.Now()
			st, err := mon.Tick(ctx, T.Add(-time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: tick with no deadline due among %d: %s (%+v)", d.Dialect, patients, time.Since(start).Round(time.Microsecond), st)
		}

		done := 0
		for _, n := range []int{100, 1_000, 10_000, patients - 11_100} {
			if n <= 0 || done+n > len(ids) {
				continue
			}
			due := ids[done : done+n]
			done += n
			if _, err := d.W.ExecContext(ctx, `UPDATE schedule_deadlines SET stage = 'close', next_at = $1
				WHERE schedule_id IN (SELECT id FROM measurement_schedules WHERE patient_id >= $2 AND patient_id <= $3)`,
				db.Millis(T), due[0], due[len(due)-1]); err != nil {
				t.Fatal(err)
			}
			before := notes.n.Load()
			start := time.Now()
			st, err := mon.Tick(ctx, T)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if st.Missed != n {
				t.Fatalf("N=%d: tick alerted %d", n, st.Missed)
			}
			// Every alert of the tick was written by the end of it; with a
			// tick every TickEvery the last is at most TickEvery + took late.
			worst := mon.TickEvery + took
			t.Logf("%s: N=%6d due of %d: tick %8s (%6.0f µs per deadline, %d notifications); worst delay after deadline %s",
				d.Dialect, n, patients, took.Round(time.Millisecond), float64(took.Microseconds())/float64(n),
				notes.n.Load()-before, worst.Round(time.Millisecond))
			if worst > time.Minute {
				t.Errorf("N=%d: a missed measurement could wait %s to be alerted", n, worst)
			}
		}
		var open int
		d.R.QueryRow(`SELECT COUNT(*) FROM alerts WHERE status = 'open'`).Scan(&open)
		if open != done {
			t.Errorf("%d open alerts for %d misses", open, done)
		}
	})
}

type nopBus struct{}

func (nopBus) Publish(context.Context, events.Event) error { return nil }

// seedScale writes patients, their care teams, schedules and deadlines
// straight into the tables, returning the patient ids in sorted order.
func seedScale(t testing.TB, d *db.DB, patients int, T time.Time) []string {
	t.Helper()
	ctx := context.Background()
	now := db.Millis(T.Add(-48 * time.Hour))
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	admin := newID()
	var nurses, doctors []string
	for range 1000 {
		nurses = append(nurses, newID())
	}
	for range 200 {
		doctors = append(doctors, newID())
	}
	ids := make([]string, patients)
	for i := range ids {
		ids[i] = newID()
	}
	slices.Sort(ids)
	insert := func(table, cols string, rows [][]any) {
		t.Helper()
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for start := 0; start < len(rows); start += 500 {
				var sb strings.Builder
				var args []any
				fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", table, cols)
				for i, r := range rows[start:min(start+500, len(rows))] {
					if i > 0 {
						sb.WriteString(", ")
					}
					sb.WriteByte('(')
					for j := range r {
						if j > 0 {
							sb.WriteString(", ")
						}
						if d.Dialect == db.SQLite {
							sb.WriteByte('?') // see monitoring's positional
						} else {
							fmt.Fprintf(&sb, "$%d", len(args)+j+1)
						}
					}
					sb.WriteByte(')')
					args = append(args, r...)
				}
				if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("seeding %s: %v", table, err)
		}
	}
	var users, roles, profiles, grants, schedules, deadlines [][]any
	user := func(id, role string, n int) {
		users = append(users, []any{id, fmt.Sprintf("%s%d@example.org", role, n), fmt.Sprintf("%s %d", role, n), now, now})
		roles = append(roles, []any{id, role})
	}
	user(admin, "admin", 0)
	for i, id := range nurses {
		user(id, "nurse", i)
	}
	for i, id := range doctors {
		user(id, "doctor", i)
	}
	for i, id := range ids {
		user(id, "patient", i)
		profiles = append(profiles, []any{id, "Europe/Oslo"})
		for _, g := range []string{nurses[i%len(nurses)], doctors[i%len(doctors)]} {
			grants = append(grants, []any{newID(), id, g, "care", ",vitals,journal,medications,messages,alerts,appointments,", now, admin})
		}
		sid := newID()
		schedules = append(schedules, []any{sid, id, "blood_pressure", "08:00", 0, 30, 120, 30, now, now, admin, now, admin})
		// Tomorrow's reminder, until the test moves it to today's close.
		deadlines = append(deadlines, []any{sid, id, db.Millis(T.Add(22 * time.Hour)), "remind", db.Millis(T.Add(23*time.Hour + 30*time.Minute))})
	}
	insert("users", "id, email, name, created_at, updated_at", users)
	insert("user_roles", "user_id, role", roles)
	insert("patient_profiles", "user_id, time_zone", profiles)
	insert("grants", "id, patient_id, grantee_id, kind, scopes, created_at, created_by", grants)
	insert("measurement_schedules", "id, patient_id, type_key, times, weekdays, early_minutes, grace_minutes, reminder_lead_minutes, effective_from, created_at, created_by, updated_at, updated_by", schedules)
	// The deadlines of the first patients (sorted ids) fall due in turn.
	for i := range deadlines {
		deadlines[i][2] = db.Millis(T.Add(-2 * time.Hour)) // today's 08:00
	}
	insert("schedule_deadlines", "schedule_id, patient_id, due_at, stage, next_at", deadlines)
	if d.Dialect == db.Postgres {
		d.W.ExecContext(ctx, "ANALYZE")
	}
	return ids
}
