package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/notify"
)

type notes struct {
	fail bool
	got  []notify.Notification
}

func (n *notes) Send(_ context.Context, x notify.Notification) (notify.Receipt, error) {
	if n.fail {
		return notify.Receipt{}, errors.New("down")
	}
	n.got = append(n.got, x)
	return notify.Receipt{ID: x.ID}, nil
}

type bus struct{ got []events.Event }

func (b *bus) Publish(_ context.Context, e events.Event) error {
	b.got = append(b.got, e)
	return nil
}

func TestDeliverAndDrain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		n, b := &notes{}, &bus{}
		box := outbox.New(d, c, n, b)
		add := func(items ...outbox.Item) []outbox.Item {
			var out []outbox.Item
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				out, err = box.Add(ctx, tx, items)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		items := add(outbox.Notify(notify.Notification{RecipientID: "u1", Kind: "alert.opened", Title: "t", DedupeKey: "k1", EventID: "e1"}),
			outbox.Event("alert.opened", "p1", access.Alerts, map[string]int{"n": 1}))
		if items[0].Notification.ID == "" || items[1].Event.ID == "" || items[1].Event.At.IsZero() {
			t.Fatalf("ids not set: %+v", items)
		}
		if k, _ := box.Pending(ctx); k != 1 {
			t.Errorf("%d rows pending; only the notification is stored", k)
		}
		// notify is down: the notification stays, the event goes.
		n.fail = true
		if _, err := box.Deliver(ctx, items); err == nil {
			t.Error("no error from a failed delivery")
		}
		if len(b.got) != 1 {
			t.Errorf("events %d", len(b.got))
		}
		// Not yet: the row is left to its own process for the lease.
		n.fail = false
		if got, _ := box.Drain(ctx, 10); got != 0 {
			t.Errorf("drained %d inside the lease", got)
		}
		c.Advance(31 * time.Second)
		if got, err := box.Drain(ctx, 10); got != 1 || err != nil {
			t.Fatalf("drained %d %v", got, err)
		}
		x := n.got[0]
		if x.ID != items[0].Notification.ID || x.DedupeKey != "k1" || x.EventID != "e1" || x.RecipientID != "u1" {
			t.Errorf("after the round trip: %+v", x)
		}
		if k, _ := box.Pending(ctx); k != 0 {
			t.Errorf("%d rows left", k)
		}
		// A failing drain backs off.
		add(outbox.Notify(notify.Notification{RecipientID: "u2", Kind: "k", Title: "t"}))
		n.fail = true
		c.Advance(31 * time.Second)
		box.Drain(ctx, 10)
		n.fail = false
		if got, _ := box.Drain(ctx, 10); got != 0 {
			t.Errorf("retried at once: %d", got)
		}
		c.Advance(time.Minute)
		if got, _ := box.Drain(ctx, 10); got != 1 {
			t.Errorf("not retried after the back-off: %d", got)
		}
	})
}
