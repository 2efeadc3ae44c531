package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

func TestQuietHoursHoldUntilMorningAcrossDST(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		// The patient lives in Oslo (from her profile) and wants quiet from 22:00 to 07:00.
		if _, err := e.svc.SetPreferences(ctx, e.patient.ID, notify.Preferences{
			Rules:      []notify.Rule{{Kind: "*", Email: notify.EmailAll}},
			QuietHours: &notify.QuietHours{Start: "22:00", End: "07:00"},
		}); err != nil {
			t.Fatal(err)
		}
		w := e.svc.NewDeliverer(notify.DelivererConfig{})
		// Saturday 28 March 2026, 23:30 in Oslo (CET, UTC+1); at 02:00 the clocks go to 03:00 CEST.
		e.clock.Set(time.Date(2026, 3, 28, 22, 30, 0, 0, time.UTC))
		reminder := e.send(t, notify.Notification{RecipientID: e.patient.ID, Kind: "reminder.measurement", Severity: notify.Warning,
			Title: "Time to measure your blood pressure", Link: "/today"})
		critical := e.send(t, notify.Notification{RecipientID: e.patient.ID, Kind: "alert.opened", Severity: notify.Critical,
			Title: "Please call the clinic", Link: "/alerts"})

		morning := time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC) // 07:00 CEST: one hour earlier in UTC than a naive 9 hours
		if ds := e.deliveries(t, reminder.ID); len(ds) != 1 || !ds[0].DueAt.Equal(morning) {
			t.Fatalf("the reminder is due at %v, want %v", ds[0].DueAt, morning)
		}
		// In the app at once, whatever the hour.
		if inbox, _ := e.svc.Inbox(ctx, e.patient.ID, 10); len(inbox) != 2 {
			t.Errorf("inbox has %d notifications during quiet hours, want 2", len(inbox))
		}
		st := e.deliver(t, w)
		if st.Delivered != 1 {
			t.Fatalf("during quiet hours: %+v, want only the critical one delivered", st)
		}
		if ms := e.smtp.received(); len(ms) != 1 || parseMail(t, ms[0].Data).Subj != "Please call the clinic" {
			t.Fatalf("during quiet hours the server got %d messages", len(ms))
		}
		if ds := e.deliveries(t, critical.ID); ds[0].Status != notify.Delivered {
			t.Errorf("critical: %+v", ds[0])
		}
		e.clock.Set(morning.Add(-time.Minute))
		if st := e.deliver(t, w); st != (notify.Stats{}) {
			t.Fatalf("at 06:59 CEST: %+v, want nothing", st)
		}
		e.clock.Set(morning)
		if st := e.deliver(t, w); st.Delivered != 1 {
			t.Fatalf("at 07:00 CEST: %+v, want the reminder", st)
		}
		if ds := e.deliveries(t, reminder.ID); ds[0].Attempts != 1 {
			t.Errorf("holding counted as an attempt: %+v", ds[0])
		}

		// A retry that falls into quiet hours waits for the morning too, and
		// quiet hours set after Send still apply.
		e.clock.Set(time.Date(2026, 3, 30, 19, 59, 0, 0, time.UTC)) // 21:59 CEST
		if _, err := e.svc.SetPreferences(ctx, e.patient.ID, notify.Preferences{
			Rules: []notify.Rule{{Kind: "*", Email: notify.EmailAll}},
		}); err != nil {
			t.Fatal(err)
		}
		e.smtp.refuseNext(1)
		late := e.send(t, notify.Notification{RecipientID: e.patient.ID, Kind: "reminder.measurement", Title: "Evening reading"})
		if st := e.deliver(t, w); st.Retrying != 1 {
			t.Fatalf("%+v, want a retry", st)
		}
		if _, err := e.svc.SetPreferences(ctx, e.patient.ID, notify.Preferences{
			Rules:      []notify.Rule{{Kind: "*", Email: notify.EmailAll}},
			QuietHours: &notify.QuietHours{Start: "22:00", End: "07:00"},
		}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(90 * time.Second) // the retry is due at 21:59:30; it is now 22:00:30
		if st := e.deliver(t, w); st.Held != 1 {
			t.Fatalf("%+v, want the retry held", st)
		}
		if ds := e.deliveries(t, late.ID); !ds[0].DueAt.Equal(time.Date(2026, 3, 31, 5, 0, 0, 0, time.UTC)) {
			t.Errorf("held until %v", ds[0].DueAt)
		}

		// Turning email off skips what is still waiting, when its time comes.
		if _, err := e.svc.SetPreferences(ctx, e.patient.ID, notify.Preferences{
			Rules: []notify.Rule{{Kind: "*", Email: notify.EmailOff}},
		}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 31, 5, 0, 0, 0, time.UTC))
		if st := e.deliver(t, w); st.Skipped != 1 {
			t.Errorf("%+v, want the waiting email skipped", st)
		}
	})
}

// Two Deliverers on two connection pools (as two nodes would have) share
// one outbox; every email and every webhook event arrives exactly once.
func TestTwoDeliverersNeverDeliverTwice(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.SchemaURL(t)
		open := func() *db.DB {
			d, err := db.Open(context.Background(), db.Config{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
		a, b := open(), open()
		if err := a.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		twoDeliverers(t, a, b)
	})
	t.Run("sqlite", func(t *testing.T) {
		d := dbtest.SQLite(t)
		twoDeliverers(t, d, d)
	})
}

func twoDeliverers(t *testing.T, a, b *db.DB) {
	e := setup(t, a)
	ctx := context.Background()
	other, err := notify.New(b, e.clock, people.NewService(b, e.clock), notify.Config{Logger: slog.New(slog.DiscardHandler), SMTP: &notify.SMTPConfig{
		Host: "127.0.0.1", Port: e.smtp.port(), TLS: notify.TLSNone, From: "no-reply@clinic.example"}})
	if err != nil {
		t.Fatal(err)
	}
	rcv, srv := newReceiver(t, e.clock)
	hook, err := e.svc.AddWebhook(ctx, notify.Webhook{URL: srv.URL, Kinds: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = hook.Secret
	const n = 60
	for i := range n {
		e.send(t, notify.Notification{RecipientID: e.nurse.ID, Kind: "alert.opened", Severity: notify.Critical,
			Title: fmt.Sprintf("Alert %d", i)})
	}
	// Small batches and several workers each, so the two interleave a lot.
	workers := []*notify.Deliverer{
		e.svc.NewDeliverer(notify.DelivererConfig{Batch: 3, Workers: 3}),
		other.NewDeliverer(notify.DelivererConfig{Batch: 3, Workers: 3}),
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total notify.Stats
	for _, w := range workers {
		wg.Go(func() {
			for range 5 {
				st, err := w.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total.Delivered += st.Delivered
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if total.Delivered != 2*n {
		t.Errorf("the deliverers report %d deliveries, want %d", total.Delivered, 2*n)
	}
	subjects := map[string]int{}
	for _, m := range e.smtp.received() {
		subjects[parseMail(t, m.Data).Subj]++
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(subjects) != n || len(rcv.ids) != n {
		t.Errorf("%d distinct emails and %d distinct events arrived, want %d of each", len(subjects), len(rcv.ids), n)
	}
	for s, c := range subjects {
		if c != 1 {
			t.Errorf("email %q arrived %d times", s, c)
		}
	}
	for id, c := range rcv.ids {
		if c != 1 {
			t.Errorf("event %s arrived %d times", id, c)
		}
	}
}

func TestRunDeliversOnTickAndOnSend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		// A dedupe key whose window ended before the worker starts is forgotten.
		old := alertFor(e.patient.ID, e.patient.ID)
		old.Severity, old.DedupeKey = notify.Info, "old"
		e.send(t, old)
		e.clock.Advance(time.Hour)
		tick := make(chan time.Time)
		w := e.svc.NewDeliverer(notify.DelivererConfig{Tick: tick})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		waitFor := func(what string, n int) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for len(e.smtp.received()) < n {
				if time.Now().After(deadline) {
					t.Fatalf("%s: %d messages after 10s, want %d", what, len(e.smtp.received()), n)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		// Send wakes the worker without waiting for a tick.
		e.send(t, alertFor(e.nurse.ID, e.patient.ID))
		waitFor("woken by Send", 1)
		// A retry becomes due as the clock moves, and is made at the next tick.
		e.smtp.refuseNext(1)
		e.send(t, alertFor(e.patient.ID, e.patient.ID))
		deadline := time.Now().Add(10 * time.Second)
		for {
			var pending bool
			inbox, _ := e.svc.Inbox(ctx, e.patient.ID, 1)
			for _, dl := range e.deliveries(t, inbox[0].ID) {
				pending = dl.Attempts == 1 && strings.Contains(dl.LastError, "451")
			}
			if pending {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first attempt was not made")
			}
			time.Sleep(10 * time.Millisecond)
		}
		e.clock.Advance(time.Minute)
		tick <- e.clock.Now()
		waitFor("at the tick", 2)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
		var keys int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM notification_dedupe`).Scan(&keys); err != nil || keys != 0 {
			t.Errorf("%d dedupe keys left (%v), want the expired one pruned", keys, err)
		}
	})
}

// A worker that hangs past its lease loses the delivery to another; when
// it comes back, it cannot overwrite what the other recorded.
func TestLeaseRunsOutAndAnotherWorkerTakesOver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		release := make(chan struct{})
		var mu sync.Mutex
		requests := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests++
			first := requests == 1
			mu.Unlock()
			if first {
				<-release // the first worker's request hangs
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		defer close(release)
		if _, err := e.svc.AddWebhook(ctx, notify.Webhook{URL: srv.URL, Kinds: []string{"*"}}); err != nil {
			t.Fatal(err)
		}
		r := e.send(t, notify.Notification{Kind: "device.silent", Title: "A device went quiet"})
		slow := e.svc.NewDeliverer(notify.DelivererConfig{Lease: time.Minute})
		slowDone := make(chan notify.Stats, 1)
		go func() {
			st, _ := slow.DeliverDue(ctx)
			slowDone <- st
		}()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := requests
			mu.Unlock()
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first worker never sent")
			}
		}
		// Within the lease nobody else touches it.
		other := e.svc.NewDeliverer(notify.DelivererConfig{})
		if st := e.deliver(t, other); st != (notify.Stats{}) {
			t.Fatalf("within the lease: %+v", st)
		}
		e.clock.Advance(61 * time.Second)
		if st := e.deliver(t, other); st.Delivered != 1 {
			t.Fatalf("after the lease: %+v, want the other worker to deliver", st)
		}
		release <- struct{}{}
		if st := <-slowDone; st != (notify.Stats{}) {
			t.Errorf("the worker that lost its lease recorded %+v", st)
		}
		if ds := e.deliveries(t, r.ID); ds[0].Status != notify.Delivered || ds[0].Attempts != 2 {
			t.Errorf("deliveries %+v", ds)
		}
	})
}
