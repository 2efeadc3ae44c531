package appointments_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

const racers = 50

// crowd makes n patients of the doctor, each about to book.
func (w *world) crowd(t *testing.T, n int) []people.Principal {
	t.Helper()
	ps := make([]people.Principal, n)
	for i := range ps {
		ps[i] = w.user(t, fmt.Sprintf("racer%02d@example.org", i), fmt.Sprintf("Racer %02d", i), nil, people.Patient)
		w.care(t, ps[i], w.doctor)
	}
	return ps
}

// race lets every patient book at once (after a common start signal) and
// returns the errors, nil for the winners.
func (w *world) race(patients []people.Principal, start func(i int) time.Time) []error {
	var wg sync.WaitGroup
	go1 := make(chan struct{})
	out := make([]error, len(patients))
	for i, p := range patients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-go1
			_, out[i] = w.svc.Book(ctx, p, appointments.NewBooking{PatientID: p.UserID, ProfessionalID: w.doctor.UserID,
				Start: start(i), Reason: "race"})
		}()
	}
	close(go1)
	wg.Wait()
	return out
}

// warm opens a connection per racer before the race, so that all of them
// start at once instead of one connection set-up apart (PostgreSQL; SQLite
// has one writer connection by design).
func warm(t *testing.T, d *db.DB) {
	t.Helper()
	if d.Dialect != db.Postgres {
		return
	}
	d.W.SetMaxOpenConns(racers + 4)
	d.W.SetMaxIdleConns(racers + 4)
	var wg sync.WaitGroup
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.W.Exec(`SELECT pg_sleep(0.05)`); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func countBooked(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT COUNT(*) FROM appointments WHERE status = 'booked'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func judge(t *testing.T, errsOut []error) {
	t.Helper()
	wins := 0
	for i, err := range errsOut {
		switch {
		case err == nil:
			wins++
		case !errs.Is(err, errs.Conflict) || err.Error() != "that time was just booked by someone else; pick another slot":
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d racers got the time, want exactly 1", wins, len(errsOut))
	}
}

func TestFiftyRacersOneSlot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		patients := w.crowd(t, racers)
		warm(t, d)
		judge(t, w.race(patients, func(int) time.Time { return oslo(2026, 3, 2, 9, 0) }))
		if n := countBooked(t, d); n != 1 {
			t.Errorf("%d active bookings, want 1", n)
		}
	})
}

// After a change of slot length two offered slots can overlap without
// sharing a start: 09:00–10:00 in person (weekly hours) and 09:30–10:00 by
// video (extra hours that day). Half the racers take each; one wins.
func TestFiftyRacersOverlappingSlots(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		if _, err := w.svc.SetAvailability(ctx, w.doctor, w.doctor.UserID, appointments.NewAvailability{TimeZone: "Europe/Oslo",
			SlotMinutes: 60, Weekly: []appointments.WeeklyHours{{Weekday: "monday", Start: "09:00", End: "12:00", Kind: appointments.InPerson}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddException(ctx, w.doctor, w.doctor.UserID, appointments.NewException{Kind: appointments.Extra,
			From: "2026-03-02", Start: "09:30", End: "10:00", SlotMinutes: 30, VisitKind: appointments.Video}); err != nil {
			t.Fatal(err)
		}
		slots, _ := w.svc.OpenSlots(ctx, w.doctor, w.doctor.UserID, oslo(2026, 3, 2, 9, 0), oslo(2026, 3, 2, 10, 0))
		if len(slots) != 2 {
			t.Fatalf("want two overlapping slots, got %v", slots)
		}
		patients := w.crowd(t, racers)
		warm(t, d)
		judge(t, w.race(patients, func(i int) time.Time { return oslo(2026, 3, 2, 9, 30*(i%2)) }))
		if n := countBooked(t, d); n != 1 {
			t.Errorf("%d active bookings, want 1", n)
		}
		// Once one is taken, the other is no longer offered.
		slots, _ = w.svc.OpenSlots(ctx, w.doctor, w.doctor.UserID, oslo(2026, 3, 2, 9, 0), oslo(2026, 3, 2, 10, 0))
		if len(slots) != 0 {
			t.Errorf("still open: %v", slots)
		}
	})
}

// The slot length changes after a booking: the longer slot that would
// overlap it is not offered, and cannot be booked.
func TestSlotLengthChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		w.book(t, w.other, w.other, oslo(2026, 3, 2, 9, 30))
		if _, err := w.svc.SetAvailability(ctx, w.doctor, w.doctor.UserID, appointments.NewAvailability{TimeZone: "Europe/Oslo",
			SlotMinutes: 60, Weekly: []appointments.WeeklyHours{{Weekday: "monday", Start: "09:00", End: "12:00", Kind: appointments.InPerson}}}); err != nil {
			t.Fatal(err)
		}
		slots, _ := w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, oslo(2026, 3, 2, 0, 0), oslo(2026, 3, 3, 0, 0))
		if len(slots) != 2 || slots[0].ProfessionalTime.StartClock != "10:00" {
			t.Errorf("open after the change: %v", slots)
		}
		_, err := w.svc.Book(ctx, w.patient, appointments.NewBooking{PatientID: w.patient.UserID, ProfessionalID: w.doctor.UserID,
			Start: oslo(2026, 3, 2, 9, 0), Reason: "x"})
		wantKind(t, err, errs.Conflict, "booking 09:00–10:00 over 09:30–10:00")
	})
}

// Whatever code writes bookings, the database itself refuses overlaps: 50
// transactions insert rows directly, each an hour long and starting a
// minute after the one before, with no lock and no check of their own.
func TestDatabaseRefusesOverlaps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		base := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		insert := func(start time.Time, status string) error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec(`INSERT INTO appointments (id, professional_id, patient_id, starts_at, ends_at, kind, status, reason,
					booked_by, booked_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'in_person', $6, 'x', $3, 0, 0)`,
					uuid.Must(uuid.NewV7()).String(), w.doctor.UserID, w.patient.UserID, db.Millis(start), db.Millis(start.Add(time.Hour)), status)
				if err == nil && d.Dialect == db.Postgres {
					// Stay open a while, so that the others run their
					// checks before this commits unless a lock queues them.
					_, err = tx.Exec(`SELECT pg_sleep(0.02)`)
				}
				return err
			})
		}
		warm(t, d)
		var wg sync.WaitGroup
		go1 := make(chan struct{})
		results := make([]error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-go1
				results[i] = insert(base.Add(time.Duration(i)*time.Minute), "booked")
			}()
		}
		close(go1)
		wg.Wait()
		wins := 0
		for i, err := range results {
			if err == nil {
				wins++
			} else if !strings.Contains(err.Error(), "overlaps another booking") {
				t.Errorf("insert %d: %v", i, err)
			}
		}
		if wins != 1 || countBooked(t, d) != 1 {
			t.Errorf("%d direct inserts succeeded, want 1", wins)
		}
		// Cancelled rows may overlap anything; back-to-back bookings are fine.
		if err := insert(base, "cancelled"); err != nil {
			t.Errorf("a cancelled overlapping row: %v", err)
		}
		var start int64
		d.R.QueryRow(`SELECT starts_at FROM appointments WHERE status = 'booked'`).Scan(&start)
		if err := insert(db.Time(start).Add(time.Hour), "booked"); err != nil {
			t.Errorf("a booking right after: %v", err)
		}
		// Bringing a cancelled booking back over a live one is refused too.
		_, err := d.W.Exec(`UPDATE appointments SET status = 'booked' WHERE status = 'cancelled'`)
		if err == nil || !strings.Contains(err.Error(), "overlaps another booking") {
			t.Errorf("reviving an overlapping booking: %v", err)
		}
	})
}
