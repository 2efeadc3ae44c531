package notify_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// env is a Tend with two users, a notify service and an SMTP server.
type env struct {
	d       *db.DB
	clock   *clock.Fake
	people  *people.Service
	svc     *notify.Service
	smtp    *smtpServer
	nurse   people.User
	patient people.User
}

// start is a Monday morning in Oslo.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func setup(t *testing.T, d *db.DB, tune ...func(*notify.Config)) *env {
	t.Helper()
	e := &env{d: d, clock: clock.NewFake(start)}
	e.people = people.NewService(d, e.clock)
	ctx := context.Background()
	var err error
	e.nurse, err = e.people.Create(ctx, people.NewUser{Email: "nurse.garcia@clinic.example", Name: "Ana Garcia", Roles: []people.Role{people.Nurse}})
	if err != nil {
		t.Fatal(err)
	}
	e.patient, err = e.people.Create(ctx, people.NewUser{Email: "margaret@home.example", Name: "Margaret Hill",
		Roles: []people.Role{people.Patient}, Profile: &people.Profile{TimeZone: "Europe/Oslo"}})
	if err != nil {
		t.Fatal(err)
	}
	e.smtp = newSMTPServer(t, smtpOptions{})
	cfg := notify.Config{
		Logger:  slog.New(slog.DiscardHandler),
		BaseURL: "https://tend.clinic.example/",
		SMTP: &notify.SMTPConfig{Host: "127.0.0.1", Port: e.smtp.port(), TLS: notify.TLSNone,
			From: "Tend <no-reply@clinic.example>", Timeout: 5 * time.Second},
	}
	for _, f := range tune {
		f(&cfg)
	}
	e.svc, err = notify.New(d, e.clock, e.people, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) send(t *testing.T, n notify.Notification) notify.Receipt {
	t.Helper()
	r, err := e.svc.Send(context.Background(), n)
	if err != nil {
		t.Fatalf("Send(%+v): %v", n, err)
	}
	return r
}

func (e *env) deliver(t *testing.T, d *notify.Deliverer) notify.Stats {
	t.Helper()
	st, err := d.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return st
}

func (e *env) deliveries(t *testing.T, notificationID string) []notify.Delivery {
	t.Helper()
	ds, err := e.svc.Deliveries(context.Background(), notificationID)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func alertFor(recipient, patient string) notify.Notification {
	return notify.Notification{
		RecipientID: recipient, Kind: "alert.opened", Severity: notify.Warning,
		Title: "Blood pressure alert for Margaret Hill", Body: "A reading is above the limit set for this patient.\n\nPlease review it in Tend.",
		Link: "/patients/" + patient + "/alerts", PatientID: patient,
	}
}

func TestSendInboxAndMarkRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var sent []notify.Notification
		e := setup(t, d, func(c *notify.Config) { c.Sent = func(n notify.Notification) { sent = append(sent, n) } })
		ctx := context.Background()
		first := e.send(t, alertFor(e.nurse.ID, e.patient.ID))
		e.clock.Advance(time.Minute)
		second := e.send(t, notify.Notification{RecipientID: e.nurse.ID, Kind: "appointment.booked", Title: "New appointment", Body: "Tomorrow 10:00."})
		if first.Duplicate || second.Duplicate || first.ID == second.ID {
			t.Fatalf("receipts %+v %+v", first, second)
		}
		inbox, err := e.svc.Inbox(ctx, e.nurse.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox) != 2 || inbox[0].ID != second.ID || inbox[1].ID != first.ID {
			t.Fatalf("inbox = %+v, want newest first", inbox)
		}
		if len(sent) != 2 || sent[0].ID != first.ID || sent[0].CreatedAt.IsZero() {
			t.Errorf("the Sent hook saw %+v", sent)
		}
		if inbox[0].Severity != notify.Info || !inbox[1].ReadAt.IsZero() || inbox[1].PatientID != e.patient.ID || inbox[1].Link == "" {
			t.Errorf("inbox entries read back wrong: %+v", inbox)
		}
		if other, _ := e.svc.Inbox(ctx, e.patient.ID, 10); len(other) != 0 {
			t.Errorf("the patient sees the nurse's notifications: %+v", other)
		}
		if err := e.svc.MarkRead(ctx, e.patient.ID, first.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("marking someone else's notification read: %v, want NotFound", err)
		}
		if err := e.svc.MarkRead(ctx, e.nurse.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.svc.Unread(ctx, e.nurse.ID); n != 1 {
			t.Errorf("unread = %d, want 1", n)
		}
		if err := e.svc.MarkAllRead(ctx, e.nurse.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.svc.Unread(ctx, e.nurse.ID); n != 0 {
			t.Errorf("unread = %d after MarkAllRead", n)
		}

		// A retried Send with the caller's own id records nothing new.
		n := alertFor(e.nurse.ID, e.patient.ID)
		n.ID = "alert-42-for-nurse"
		if r := e.send(t, n); r.Duplicate {
			t.Fatal("first send with an own id reported a duplicate")
		}
		if r := e.send(t, n); !r.Duplicate || r.ID != n.ID {
			t.Errorf("second send with the same id: %+v, want a duplicate", r)
		}

		bad := []notify.Notification{
			{RecipientID: e.nurse.ID, Kind: "Alert Opened", Title: "x"},
			{RecipientID: e.nurse.ID, Kind: "alert.opened", Title: "x", Severity: "urgent"},
			{RecipientID: e.nurse.ID, Kind: "alert.opened", Title: " "},
			{RecipientID: e.nurse.ID, Kind: "alert.opened", Title: "two\nlines"},
			{RecipientID: e.nurse.ID, Kind: "alert.opened", Title: "x", Link: "https://evil.example/"},
			{RecipientID: e.nurse.ID, Kind: "alert.opened", Title: "x", Link: "//evil.example/"},
			{RecipientID: e.nurse.ID, Kind: "alert.opened", Title: "x", Link: "patients/1"},
			{RecipientID: "no-such-user", Kind: "alert.opened", Title: "x"},
		}
		for _, b := range bad {
			_, err := e.svc.Send(ctx, b)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("Send(%+v) = %v, want Invalid", b, err)
				continue
			}
			if msg := err.(*errs.Error).Message; msg == "" || strings.Contains(msg, "sql") {
				t.Errorf("message for people: %q", msg)
			}
		}
	})
}

func TestDedupe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, func(c *notify.Config) { c.DedupeWindow = 10 * time.Minute })
		ctx := context.Background()
		n := alertFor(e.nurse.ID, e.patient.ID)
		n.DedupeKey = "alert:bp:" + e.patient.ID
		first := e.send(t, n)
		e.clock.Advance(9 * time.Minute)
		again := e.send(t, n)
		if !again.Duplicate || again.ID != first.ID {
			t.Errorf("same key within the window: %+v, want a duplicate of %s", again, first.ID)
		}
		// Another recipient with the same key is told.
		other := n
		other.RecipientID = e.patient.ID
		if r := e.send(t, other); r.Duplicate {
			t.Error("the same key for another recipient was dropped")
		}
		e.clock.Advance(2 * time.Minute)
		later := e.send(t, n)
		if later.Duplicate || later.ID == first.ID {
			t.Errorf("after the window: %+v, want a new notification", later)
		}
		inbox, _ := e.svc.Inbox(ctx, e.nurse.ID, 10)
		if len(inbox) != 2 {
			t.Errorf("inbox has %d notifications, want 2", len(inbox))
		}
		// Only the first of a window's duplicates is emailed.
		if len(e.deliveries(t, first.ID)) != 1 || len(e.deliveries(t, again.ID)) != 1 {
			t.Error("deliveries of the deduplicated notification")
		}

		// Racing senders with one key: exactly one notification.
		n.DedupeKey = "race"
		var wg sync.WaitGroup
		var mu sync.Mutex
		fresh := 0
		for range 20 {
			wg.Go(func() {
				r, err := e.svc.Send(ctx, n)
				if err != nil {
					t.Error(err)
					return
				}
				if !r.Duplicate {
					mu.Lock()
					fresh++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if fresh != 1 {
			t.Errorf("20 concurrent sends with one key made %d notifications, want 1", fresh)
		}
	})
}

func TestPreferences(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		p, err := e.svc.Preferences(ctx, e.nurse.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rules) != 1 || p.Rules[0] != (notify.Rule{Kind: "*", Email: notify.EmailWarning}) || p.QuietHours != nil {
			t.Errorf("default preferences = %+v", p)
		}
		bad := []struct {
			p     notify.Preferences
			field string
		}{
			{notify.Preferences{TimeZone: "Mars/Olympus"}, "timeZone"},
			{notify.Preferences{Rules: []notify.Rule{{Kind: "Alert!", Email: notify.EmailAll}}}, "rules[0].kind"},
			{notify.Preferences{Rules: []notify.Rule{{Kind: "alert.**", Email: notify.EmailAll}}}, "rules[0].kind"},
			{notify.Preferences{Rules: []notify.Rule{{Kind: "alert.*", Email: "sometimes"}}}, "rules[0].email"},
			{notify.Preferences{Rules: []notify.Rule{{Kind: "*", Email: notify.EmailAll}, {Kind: "*", Email: notify.EmailOff}}}, "rules[1].kind"},
			{notify.Preferences{QuietHours: &notify.QuietHours{Start: "25:00", End: "07:00"}}, "quietHours.start"},
			{notify.Preferences{QuietHours: &notify.QuietHours{Start: "22:00", End: "7pm"}}, "quietHours.end"},
			{notify.Preferences{QuietHours: &notify.QuietHours{Start: "22:00", End: "22:00"}}, "quietHours"},
		}
		for _, b := range bad {
			_, err := e.svc.SetPreferences(ctx, e.nurse.ID, b.p)
			var fe *errs.Error
			if !errs.Is(err, errs.Invalid) || !asErr(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != b.field {
				t.Errorf("SetPreferences(%+v) = %v, want an error on %s", b.p, err, b.field)
			} else if !strings.Contains(fe.Message, " ") {
				t.Errorf("message %q does not read as a sentence", fe.Message)
			}
		}
		want := notify.Preferences{
			TimeZone: "America/New_York",
			Rules: []notify.Rule{
				{Kind: "*", Email: notify.EmailOff},
				{Kind: "alert.*", Email: notify.EmailAll},
				{Kind: "alert.opened", Email: notify.EmailCritical},
			},
			QuietHours: &notify.QuietHours{Start: "22:30", End: "6:45"},
		}
		if _, err := e.svc.SetPreferences(ctx, e.nurse.ID, want); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Preferences(ctx, e.nurse.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TimeZone != want.TimeZone || len(got.Rules) != 3 || got.QuietHours == nil || got.QuietHours.End != "06:45" {
			t.Errorf("read back %+v", got)
		}
		// The most specific rule decides: an email delivery exists or not.
		e.clock.Set(time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)) // noon in New York, outside quiet hours
		cases := []struct {
			kind  string
			sev   notify.Severity
			email bool
		}{
			{"alert.opened", notify.Warning, false},        // exact rule: critical only
			{"alert.opened", notify.Critical, true},        //
			{"alert.escalated", notify.Info, true},         // alert.*: all
			{"appointment.booked", notify.Critical, false}, // *: off
		}
		for _, c := range cases {
			r := e.send(t, notify.Notification{RecipientID: e.nurse.ID, Kind: c.kind, Severity: c.sev, Title: "t"})
			if got := len(e.deliveries(t, r.ID)) == 1; got != c.email {
				t.Errorf("%s %s: email %v, want %v", c.kind, c.sev, got, c.email)
			}
		}
	})
}

func asErr(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}
