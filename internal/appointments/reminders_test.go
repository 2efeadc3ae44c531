package appointments_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
)

func describe(rs []appointments.Reminder) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s/%d", r.RecipientID[len(r.RecipientID)-4:], r.OffsetMinutes))
	}
	sort.Strings(out)
	return out
}

func TestReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		start := oslo(2026, 3, 6, 9, 0) // a Friday: video
		a := w.book(t, w.patient, w.patient, start)
		due := func(at time.Time) []appointments.Reminder {
			t.Helper()
			rs, err := w.svc.DueReminders(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return rs
		}
		if rs := due(start.Add(-25 * time.Hour)); len(rs) != 0 {
			t.Errorf("25 hours before: %v", rs)
		}
		rs := due(start.Add(-24 * time.Hour))
		if len(rs) != 2 || rs[0].OffsetMinutes != 24*60 || rs[0].JoinPath != appointments.JoinPath(a.ID) {
			t.Fatalf("24 hours before: %+v", rs)
		}
		for _, r := range rs {
			want := "Reminder: video visit with Ola Nordmann on Fri 6 Mar 2026 03:00–03:30 EST."
			if r.RecipientID == w.doctor.UserID {
				want = "Reminder: video visit with " + patientName + " on Fri 6 Mar 2026 09:00–09:30 CET."
			}
			if r.Text != want {
				t.Errorf("reminder text %q, want %q", r.Text, want)
			}
		}
		// Two nodes claim each reminder at once: one claim wins.
		var wg sync.WaitGroup
		results := make([]error, 2*len(rs))
		for i := range results {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = w.svc.MarkReminderSent(ctx, rs[i%len(rs)]) }()
		}
		wg.Wait()
		claimed := 0
		for _, err := range results {
			if err == nil {
				claimed++
			} else if !errs.Is(err, errs.Conflict) {
				t.Error(err)
			}
		}
		if claimed != 2 {
			t.Errorf("%d claims won, want 2 (one per recipient)", claimed)
		}
		if rs := due(start.Add(-23 * time.Hour)); len(rs) != 0 {
			t.Errorf("after sending, still due: %v", rs)
		}
		rs = due(start.Add(-time.Hour))
		if len(rs) != 2 || rs[0].OffsetMinutes != 60 {
			t.Errorf("1 hour before: %+v", rs)
		}
		if rs := due(start); len(rs) != 0 {
			t.Errorf("at the start: %v", rs)
		}

		// A cancelled appointment sends none, and cannot be claimed.
		b := w.book(t, w.patient, w.patient, oslo(2026, 3, 9, 10, 0))
		if rs := due(oslo(2026, 3, 8, 10, 0)); len(rs) != 2 {
			t.Errorf("before cancelling: %v", rs)
		}
		rs = due(oslo(2026, 3, 8, 10, 0))
		if _, err := w.svc.Cancel(ctx, w.doctor, b.ID, "away"); err != nil {
			t.Fatal(err)
		}
		if rs := due(oslo(2026, 3, 8, 10, 0)); len(rs) != 0 {
			t.Errorf("after cancelling: %v", rs)
		}
		wantKind(t, w.svc.MarkReminderSent(ctx, rs[0]), errs.Conflict, "claiming a cancelled appointment's reminder")

		// Booked three hours ahead: no 24-hour reminder, the 1-hour one comes.
		w.clock.Set(oslo(2026, 3, 10, 8, 0))
		c := w.book(t, w.patient, w.patient, oslo(2026, 3, 10, 11, 0))
		if rs := due(oslo(2026, 3, 10, 8, 0)); len(rs) != 0 {
			t.Errorf("booked late, at once: %v", describe(rs))
		}
		if rs := due(oslo(2026, 3, 10, 10, 0)); len(rs) != 2 || rs[0].AppointmentID != c.ID || rs[0].OffsetMinutes != 60 {
			t.Errorf("booked late, an hour before: %v", describe(rs))
		}

		// The job was down for a day: only the nearest reminder goes out,
		// and the 24-hour one never follows it.
		w.clock.Set(oslo(2026, 3, 10, 8, 0))
		e := w.book(t, w.patient, w.patient, oslo(2026, 3, 12, 9, 0))
		late := oslo(2026, 3, 12, 8, 30)
		rs = due(late)
		if len(rs) != 2 || rs[0].AppointmentID != e.ID || rs[0].OffsetMinutes != 60 {
			t.Fatalf("after an outage: %v", describe(rs))
		}
		for _, r := range rs {
			if err := w.svc.MarkReminderSent(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if rs := due(late.Add(time.Minute)); len(rs) != 0 {
			t.Errorf("after the outage, also due: %v", describe(rs))
		}

		// Offsets are configurable.
		w.svc.ReminderOffsets = []time.Duration{15 * time.Minute}
		if rs := due(oslo(2026, 3, 12, 8, 50)); len(rs) != 2 || rs[0].OffsetMinutes != 15 {
			t.Errorf("15-minute reminders: %v", describe(rs))
		}
	})
}
