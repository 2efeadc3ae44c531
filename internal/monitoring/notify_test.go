package monitoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
)

// With the real notify service: alerts land in the right inboxes once, and
// the events reach a bus subscriber.
func TestWithNotifyAndTheBus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		ns, err := notify.New(d, w.clock, w.people, notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		bus := events.NewLocal()
		defer bus.Close()
		sub := bus.Subscribe(64)
		defer sub.Close()
		w.mon = monitoring.New(d, w.clock, w.acc, monitoring.Deps{Notify: ns, Events: bus})
		w.read(w.patient.UserID, "heart_rate", 142, w.clock.Now())
		select {
		case e := <-sub.Events():
			if e.Kind != events.AlertOpened || e.PatientID != w.patient.UserID || e.Scope != "alerts" {
				t.Errorf("event %+v", e)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no alert.opened event")
		}
		inbox, err := ns.Inbox(ctx, w.nurse.UserID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox) != 1 || inbox[0].Kind != "alert.opened" || inbox[0].Severity != notify.Critical || inbox[0].PatientID != w.patient.UserID {
			t.Fatalf("nurse's inbox %+v", inbox)
		}
		if other, _ := ns.Inbox(ctx, w.doctor.UserID, 10); len(other) != 0 {
			t.Errorf("the doctor was told before the nurse had her chance: %+v", other)
		}
		// A drain that finds the rows again (a second node after a crash)
		// changes nothing in notify.
		if _, err := d.W.ExecContext(ctx, `INSERT INTO monitoring_outbox (id, kind, payload, created_at, next_at)
			VALUES ($1, 'notification', $2, 0, 0)`, inbox[0].ID, `{"notification":{"id":"`+inbox[0].ID+`","recipientId":"`+
			w.nurse.UserID+`","kind":"alert.opened","severity":"critical","title":"x","body":"y"}}`); err != nil {
			t.Fatal(err)
		}
		w.tick()
		if inbox, _ = ns.Inbox(ctx, w.nurse.UserID, 10); len(inbox) != 1 {
			t.Errorf("a redelivered notification doubled: %+v", inbox)
		}
		w.clock.Advance(15 * time.Minute)
		w.tick()
		if got, _ := ns.Inbox(ctx, w.doctor.UserID, 10); len(got) != 1 || got[0].Kind != monitoring.AlertEscalated {
			t.Errorf("doctor's inbox after escalation: %+v", got)
		}
	})
}
