package notify_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

func TestEmailArrives(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.svc.NewDeliverer(notify.DelivererConfig{})
		r := e.send(t, alertFor(e.nurse.ID, e.patient.ID))
		// Info is below the default rule's threshold: in-app only.
		info := e.send(t, notify.Notification{RecipientID: e.nurse.ID, Kind: "reminder.measurement", Title: "Time to measure"})
		if ds := e.deliveries(t, info.ID); len(ds) != 0 {
			t.Errorf("an info notification is emailed by default: %+v", ds)
		}
		if st := e.deliver(t, w); st.Delivered != 1 {
			t.Fatalf("stats %+v, want one delivered", st)
		}
		mails := e.smtp.received()
		if len(mails) != 1 {
			t.Fatalf("the SMTP server received %d messages, want 1", len(mails))
		}
		m := mails[0]
		if len(m.To) != 1 || m.To[0] != "nurse.garcia@clinic.example" || m.From != "no-reply@clinic.example" {
			t.Errorf("envelope from %q to %v", m.From, m.To)
		}
		p := parseMail(t, m.Data)
		if !strings.Contains(p.To, "Ana Garcia") || !strings.Contains(p.To, "<nurse.garcia@clinic.example>") {
			t.Errorf("To: %q", p.To)
		}
		if p.Subj != "Blood pressure alert for Margaret Hill" {
			t.Errorf("Subject: %q", p.Subj)
		}
		link := "https://tend.clinic.example/patients/" + e.patient.ID + "/alerts"
		if !strings.Contains(p.Text, "A reading is above the limit set for this patient.") || !strings.Contains(p.Text, link) ||
			!strings.Contains(p.Text, "Replies are not read") {
			t.Errorf("text part:\n%s", p.Text)
		}
		if !strings.Contains(p.HTML, "<p>Please review it in Tend.</p>") || !strings.Contains(p.HTML, `href="`+link+`"`) {
			t.Errorf("HTML part:\n%s", p.HTML)
		}
		h := p.Header
		if !strings.Contains(h.Get("Reply-To"), "<no-reply@clinic.example>") || h.Get("Auto-Submitted") != "auto-generated" ||
			h.Get("X-Auto-Response-Suppress") != "All" || h.Get("Message-Id") == "" {
			t.Errorf("headers: %v", h)
		}
		if ds := e.deliveries(t, r.ID); len(ds) != 1 || ds[0].Status != notify.Delivered || ds[0].Attempts != 1 || ds[0].Channel != notify.ChannelEmail {
			t.Errorf("deliveries %+v", ds)
		}
		// Never twice: later passes find nothing to do.
		e.clock.Advance(24 * time.Hour)
		if st := e.deliver(t, w); st != (notify.Stats{}) {
			t.Errorf("a later pass did %+v", st)
		}
		if n := len(e.smtp.received()); n != 1 {
			t.Errorf("%d messages after a later pass, want 1", n)
		}
	})
}

func TestEmailRetriedWithBackoffThenDeliveredOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.svc.NewDeliverer(notify.DelivererConfig{})
		e.smtp.refuseNext(2)
		r := e.send(t, alertFor(e.nurse.ID, e.patient.ID))

		if st := e.deliver(t, w); st.Retrying != 1 {
			t.Fatalf("first attempt: %+v, want a retry", st)
		}
		ds := e.deliveries(t, r.ID)
		if ds[0].Status != notify.Pending || ds[0].Attempts != 1 || !ds[0].DueAt.Equal(e.clock.Now().Add(30*time.Second)) ||
			!strings.Contains(ds[0].LastError, "451") {
			t.Fatalf("after the first failure: %+v", ds[0])
		}
		e.clock.Advance(29 * time.Second)
		if st := e.deliver(t, w); st != (notify.Stats{}) {
			t.Fatalf("tried before the backoff ended: %+v", st)
		}
		e.clock.Advance(time.Second)
		if st := e.deliver(t, w); st.Retrying != 1 {
			t.Fatalf("second attempt: %+v, want a retry", st)
		}
		if ds := e.deliveries(t, r.ID); ds[0].Attempts != 2 || !ds[0].DueAt.Equal(e.clock.Now().Add(time.Minute)) {
			t.Fatalf("the second wait is not doubled: %+v", ds[0])
		}
		e.clock.Advance(time.Minute)
		if st := e.deliver(t, w); st.Delivered != 1 {
			t.Fatalf("third attempt: %+v, want delivered", st)
		}
		for range 3 {
			e.clock.Advance(time.Hour)
			e.deliver(t, w)
		}
		if n := len(e.smtp.received()); n != 1 {
			t.Errorf("the SMTP server received %d messages, want exactly 1", n)
		}
		if ds := e.deliveries(t, r.ID); ds[0].Status != notify.Delivered || ds[0].Attempts != 3 || ds[0].LastError != "" {
			t.Errorf("at the end: %+v", ds[0])
		}
	})
}

func TestEmailFailsForGoodAndIsVisible(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, func(c *notify.Config) { c.MaxAttempts = 3; c.RetryFirst = time.Minute; c.RetryMax = 90 * time.Second })
		ctx := context.Background()
		w := e.svc.NewDeliverer(notify.DelivererConfig{})
		e.smtp.refuseNext(1000)
		r := e.send(t, alertFor(e.nurse.ID, e.patient.ID))
		var total notify.Stats
		for range 10 {
			st := e.deliver(t, w)
			total.Retrying += st.Retrying
			total.Failed += st.Failed
			e.clock.Advance(90 * time.Second)
		}
		if total.Retrying != 2 || total.Failed != 1 {
			t.Fatalf("over ten passes: %+v, want 2 retries then failed", total)
		}
		failed, err := e.svc.FailedDeliveries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 || failed[0].NotificationID != r.ID || failed[0].Attempts != 3 || failed[0].LastError == "" || failed[0].DoneAt.IsZero() {
			t.Fatalf("failed deliveries: %+v", failed)
		}
		// An administrator fixes the mail server and tries again.
		e.smtp.refuseNext(0)
		if err := e.svc.RetryDelivery(ctx, failed[0].ID); err != nil {
			t.Fatal(err)
		}
		if st := e.deliver(t, w); st.Delivered != 1 {
			t.Fatalf("after RetryDelivery: %+v", st)
		}
		if err := e.svc.RetryDelivery(ctx, failed[0].ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("retrying a delivered delivery: %v, want Conflict", err)
		}
		if n := len(e.smtp.received()); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}

		// An address the server refuses for good fails at once, without retries.
		gone, err := e.people.Create(ctx, people.NewUser{Email: "left@gone.example", Name: "Former Nurse", Roles: []people.Role{people.Nurse}})
		if err != nil {
			t.Fatal(err)
		}
		r = e.send(t, alertFor(gone.ID, e.patient.ID))
		if st := e.deliver(t, w); st.Failed != 1 {
			t.Errorf("a refused address: %+v, want failed at once", st)
		}
		if ds := e.deliveries(t, r.ID); ds[0].Status != notify.Failed || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "550") {
			t.Errorf("a refused address: %+v", ds[0])
		}
	})
}

func TestEmailOverTLSWithAuth(t *testing.T) {
	d := dbtest.SQLite(t)
	for _, mode := range []notify.TLSMode{notify.TLSStartTLS, notify.TLSImplicit} {
		t.Run(string(mode), func(t *testing.T) {
			srv := newSMTPServer(t, smtpOptions{startTLS: mode == notify.TLSStartTLS, implicit: mode == notify.TLSImplicit,
				user: "tend", pass: "s3cret-pass"})
			for _, pass := range []string{"wrong", "s3cret-pass"} {
				e := setup(t, dbtest.SQLite(t), func(c *notify.Config) {
					c.SMTP = &notify.SMTPConfig{Host: "127.0.0.1", Port: srv.port(), TLS: mode, Username: "tend", Password: pass,
						From: "no-reply@clinic.example", TLSConfig: &tls.Config{RootCAs: srv.roots(t)}, Timeout: 5 * time.Second}
				})
				e.send(t, alertFor(e.nurse.ID, e.patient.ID))
				st := e.deliver(t, e.svc.NewDeliverer(notify.DelivererConfig{}))
				if pass == "wrong" && st.Retrying != 1 {
					t.Errorf("a wrong password: %+v, want a retry", st)
				}
				if pass != "wrong" && st.Delivered != 1 {
					t.Errorf("the right password: %+v, want delivered", st)
				}
			}
			mails := srv.received()
			if len(mails) != 1 || !mails[0].TLS || mails[0].Auth != "tend" {
				t.Errorf("received %+v, want one message over TLS from the authenticated user", mails)
			}
		})
	}

	// Configurations that must be refused, with a reason.
	bad := []notify.SMTPConfig{
		{Host: "", From: "a@b.example"},
		{Host: "mail.example", From: "not an address"},
		{Host: "mail.example", From: "a@b.example", TLS: "ssl3"},
		{Host: "mail.example", From: "a@b.example", TLS: notify.TLSNone, Username: "u", Password: "p"},
		{Host: "mail.example", From: "a@b.example", Port: 70000},
	}
	for _, c := range bad {
		if _, err := notify.New(d, nil, nil, notify.Config{SMTP: &c}); err == nil {
			t.Errorf("SMTP config %v accepted", c)
		}
	}
	if s := (notify.SMTPConfig{Host: "h", Username: "u", Password: "hunter2"}).String(); strings.Contains(s, "hunter2") {
		t.Errorf("the password shows in %q", s)
	}
}
