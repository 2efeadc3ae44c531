package appointments_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// crashAfterSend sends for real and then fails, as a process that stops
// between sending a notification and marking it delivered.
type crashAfterSend struct{ to appointments.Sender }

func (c crashAfterSend) Send(ctx context.Context, n notify.Notification) (notify.Receipt, error) {
	if _, err := c.to.Send(ctx, n); err != nil {
		return notify.Receipt{}, err
	}
	return notify.Receipt{}, errors.New("the process stopped")
}

func TestDeliverHandsTheOutboxAndRemindersToNotifyOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		n, err := notify.New(d, w.clock, w.people, notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		inbox := func(p people.Principal, kind string) []notify.Notification {
			t.Helper()
			all, err := n.Inbox(ctx, p.UserID, 500)
			if err != nil {
				t.Fatal(err)
			}
			var out []notify.Notification
			for _, x := range all {
				if x.Kind == kind {
					out = append(out, x)
				}
			}
			return out
		}
		deliver := func(to appointments.Sender) appointments.Handover {
			t.Helper()
			h, err := w.svc.Deliver(ctx, to)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}

		start := oslo(2026, 3, 6, 9, 0) // a Friday: video
		a := w.book(t, w.dad, w.patient, start)
		if h := deliver(n); h.Notifications != 2 || h.Reminders != 0 {
			t.Fatalf("first round: %+v", h)
		}
		if h := deliver(n); h != (appointments.Handover{}) {
			t.Errorf("a second round found more: %+v", h)
		}
		outbox, _ := w.svc.Notifications(ctx, w.patient.UserID)
		for _, p := range []people.Principal{w.patient, w.doctor} {
			got := inbox(p, "appointment.booked")
			if len(got) != 1 {
				t.Fatalf("%s has %d booking notifications", p.Name, len(got))
			}
			x := got[0]
			if x.Title != "Video visit booked" || x.Link != "/appointments/"+a.ID || x.Severity != notify.Info ||
				!strings.Contains(x.Body, "booked by Dad Berg") || strings.Contains(x.Body, "blood pressure") {
				t.Errorf("%s's notification: %+v", p.Name, x)
			}
			if id, err := uuid.Parse(x.ID); err != nil || id.Version() != 7 || !time.Unix(id.Time().UnixTime()).Equal(outbox[0].CreatedAt.Truncate(time.Second)) {
				t.Errorf("the notification's id %s is not a UUIDv7 of when the booking was made (%s)", x.ID, outbox[0].CreatedAt)
			}
			if p.UserID == w.patient.UserID && x.Body != outbox[0].Text {
				t.Errorf("the inbox says %q, the appointment outbox %q", x.Body, outbox[0].Text)
			}
		}
		if pending, _ := w.svc.PendingNotifications(ctx, 10); len(pending) != 0 {
			t.Errorf("still pending: %+v", pending)
		}

		// A reschedule by the doctor; the process stops after sending the
		// first notification, before marking it. The next round sends both,
		// and the first arrives once.
		moved, err := w.svc.Reschedule(ctx, w.doctor, a.ID, appointments.NewTime{Start: start.Add(30 * time.Minute), Reason: "running late"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Deliver(ctx, crashAfterSend{n}); err == nil {
			t.Fatal("the crashed round reported no error")
		}
		if pending, _ := w.svc.PendingNotifications(ctx, 10); len(pending) != 2 {
			t.Fatalf("after the crash, %d pending, want 2", len(pending))
		}
		if h := deliver(n); h.Notifications != 2 {
			t.Fatalf("after the crash: %+v", h)
		}
		for _, p := range []people.Principal{w.patient, w.doctor} {
			got := inbox(p, "appointment.rescheduled")
			if len(got) != 1 {
				t.Fatalf("%s has %d notifications of the move", p.Name, len(got))
			}
			want := notify.Warning // the doctor moved the patient's time
			if p.UserID == w.doctor.UserID {
				want = notify.Info // the doctor did it
			}
			if got[0].Severity != want || got[0].Link != "/appointments/"+moved.ID || got[0].PatientID != w.patient.UserID {
				t.Errorf("%s: %+v", p.Name, got[0])
			}
		}

		// Reminders: 24 hours before, both sides; a crash between sending
		// and marking sends nothing twice; the 1-hour one follows.
		w.clock.Set(moved.Start.Add(-24 * time.Hour))
		if _, err := w.svc.Deliver(ctx, crashAfterSend{n}); err == nil {
			t.Fatal("the crashed round reported no error")
		}
		if h := deliver(n); h.Reminders != 2 {
			t.Fatalf("24 hours before: %+v", h)
		}
		if h := deliver(n); h.Reminders != 0 {
			t.Errorf("the 24-hour reminder again: %+v", h)
		}
		w.clock.Set(moved.Start.Add(-time.Hour))
		if h := deliver(n); h.Reminders != 2 {
			t.Fatalf("1 hour before: %+v", h)
		}
		for _, p := range []people.Principal{w.patient, w.doctor} {
			got := inbox(p, "appointment.reminder")
			if len(got) != 2 || got[0].Title != "Video visit reminder" || !strings.HasPrefix(got[0].Body, "Reminder: video visit with ") {
				t.Errorf("%s's reminders: %+v", p.Name, got)
			}
		}

		// Two nodes deliver at once: each notification arrives once, and
		// no round fails for losing a race to mark.
		other := w.book(t, w.other, w.other, start.Add(72*time.Hour)) // the next Monday
		if _, err := w.svc.Cancel(ctx, w.other, other.ID, "feeling better"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = w.svc.Deliver(ctx, n) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("a concurrent round: %v", err)
			}
		}
		if got := inbox(w.other, "appointment.cancelled"); len(got) != 1 || got[0].Severity != notify.Info {
			t.Errorf("the patient who cancelled: %+v", got)
		}
		if got := inbox(w.doctor, "appointment.cancelled"); len(got) != 1 || got[0].Severity != notify.Warning {
			t.Errorf("the doctor, whose patient cancelled: %+v", got)
		}
		if got := inbox(w.other, "appointment.booked"); len(got) != 1 {
			t.Errorf("the booking reached the patient %d times", len(got))
		}
	})
}

func TestRunDeliveryWorksOnEveryTickUntilStopped(t *testing.T) {
	d := dbtest.SQLite(t)
	w := newWorld(t, d)
	w.publish(t)
	n, err := notify.New(d, w.clock, w.people, notify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	tick := make(chan time.Time)
	done := make(chan error)
	go func() { done <- w.svc.RunDelivery(runCtx, tick, n, nil) }()
	w.book(t, w.patient, w.patient, oslo(2026, 3, 2, 10, 0))
	tick <- time.Now() // the first round may have run before the booking; this one follows it
	tick <- time.Now() // and this one waits for the round above to finish
	if got, _ := n.Inbox(ctx, w.doctor.UserID, 10); len(got) != 1 {
		t.Errorf("the doctor's inbox after two ticks: %+v", got)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunDelivery: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunDelivery did not stop")
	}
}
