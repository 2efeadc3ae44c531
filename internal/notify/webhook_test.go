package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/notify"
)

// receiver is an integration's endpoint that checks signatures as the
// package documentation tells receivers to.
type receiver struct {
	t      *testing.T
	clock  clock.Clock
	secret string

	mu       sync.Mutex
	failNext int
	events   []notify.WebhookEvent
	ids      map[string]int // Tend-Event-Id → requests seen
	bodies   [][]byte
	headers  []http.Header
	rejected int
}

func newReceiver(t *testing.T, c clock.Clock) (*receiver, *httptest.Server) {
	r := &receiver{t: t, clock: c, ids: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids[req.Header.Get(notify.EventIDHeader)]++
	r.bodies = append(r.bodies, body)
	r.headers = append(r.headers, req.Header.Clone())
	if r.failNext > 0 {
		r.failNext--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if err := notify.VerifySignature(r.secret, req.Header.Get(notify.SignatureHeader), body, r.clock.Now(), 5*time.Minute); err != nil {
		r.rejected++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev notify.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.events = append(r.events, ev)
	w.WriteHeader(http.StatusNoContent)
}

func TestWebhookSignedDeliveredOncePerEvent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		rcv, srv := newReceiver(t, e.clock)
		hook, err := e.svc.AddWebhook(ctx, notify.Webhook{URL: srv.URL + "/tend/events", Kinds: []string{"alert.*"}, Description: "EHR bridge"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hook.Secret, "whsec_") || len(hook.Secret) < 40 {
			t.Fatalf("made secret %q", hook.Secret)
		}
		rcv.secret = hook.Secret
		listed, _ := e.svc.Webhooks(ctx)
		if len(listed) != 1 || listed[0].Secret != "" || listed[0].URL != hook.URL {
			t.Errorf("Webhooks() = %+v, want the hook without its secret", listed)
		}
		w := e.svc.NewDeliverer(notify.DelivererConfig{})

		// One alert told to the nurse and the patient: one event for the integration.
		a := alertFor(e.nurse.ID, e.patient.ID)
		a.EventID = "alert-7"
		a.Severity = notify.Critical
		e.send(t, a)
		a.RecipientID = e.patient.ID
		e.send(t, a)
		// A kind the webhook did not ask for.
		e.send(t, notify.Notification{RecipientID: e.nurse.ID, Kind: "appointment.booked", Title: "New appointment"})
		// An event for integrations only, with no person to tell.
		sys := e.send(t, notify.Notification{Kind: "alert.resolved", Title: "Alert resolved", PatientID: e.patient.ID})

		rcv.failNext = 1 // the first request fails and is retried
		st := e.deliver(t, w)
		if st.Retrying != 1 {
			t.Fatalf("first pass %+v, want one webhook retry", st)
		}
		e.clock.Advance(30 * time.Second)
		e.deliver(t, w)
		e.clock.Advance(time.Hour)
		e.deliver(t, w)

		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if len(rcv.events) != 2 || rcv.rejected != 0 {
			t.Fatalf("received %d verified events (%d rejected), want 2: %+v", len(rcv.events), rcv.rejected, rcv.events)
		}
		if rcv.ids["alert-7"] == 0 || rcv.ids[sys.ID] == 0 || len(rcv.ids) != 2 {
			t.Errorf("event ids %v", rcv.ids)
		}
		var first notify.WebhookEvent
		for _, ev := range rcv.events {
			if ev.ID == "alert-7" {
				first = ev
			}
		}
		if first.Kind != "alert.opened" || first.Severity != notify.Critical || first.PatientID != e.patient.ID ||
			first.Link != "https://tend.clinic.example/patients/"+e.patient.ID+"/alerts" {
			t.Errorf("event %+v", first)
		}
		h := rcv.headers[0]
		if h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get(notify.SignatureHeader), "t=") {
			t.Errorf("headers %v", h)
		}

		// Verification refuses what it should.
		body, header := rcv.bodies[len(rcv.bodies)-1], rcv.headers[len(rcv.headers)-1].Get(notify.SignatureHeader)
		ts, err := strconv.ParseInt(strings.TrimPrefix(strings.Split(header, ",")[0], "t="), 10, 64)
		if err != nil {
			t.Fatalf("header %q", header)
		}
		now := time.Unix(ts, 0).Add(10 * time.Second) // the receiver's clock, a little later
		if err := notify.VerifySignature(hook.Secret, header, body, now, 0); err != nil {
			t.Errorf("the genuine request fails verification: %v", err)
		}
		tampered := []byte(strings.Replace(string(body), "alert", "alarm", 1))
		checks := []struct {
			name           string
			secret, header string
			body           []byte
			now            time.Time
			want           error
		}{
			{"tampered body", hook.Secret, header, tampered, now, notify.ErrSignatureMismatch},
			{"wrong secret", "whsec_someone-else-entirely", header, body, now, notify.ErrSignatureMismatch},
			{"replayed later", hook.Secret, header, body, now.Add(6 * time.Minute), notify.ErrSignatureExpired},
			{"no header", hook.Secret, "", body, now, notify.ErrSignatureMalformed},
			{"no v1", hook.Secret, "t=" + strings.Split(header, ",")[0][2:], body, now, notify.ErrSignatureMalformed},
			{"bad hex", hook.Secret, "t=1,v1=zz", body, now, notify.ErrSignatureMalformed},
		}
		for _, c := range checks {
			if err := notify.VerifySignature(c.secret, c.header, c.body, c.now, 5*time.Minute); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		// A second signature (during a secret rotation) is accepted.
		newSecret := "whsec_the-new-secret-of-this-hook"
		rotated := header + "," + strings.Split(notify.Sign(newSecret, body, time.Unix(ts, 0)), ",")[1]
		for _, secret := range []string{hook.Secret, newSecret} {
			if err := notify.VerifySignature(secret, rotated, body, now, 0); err != nil {
				t.Errorf("two v1 signatures: %v", err)
			}
		}
	})
}

func TestWebhookRegistration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		bad := []notify.Webhook{
			{URL: "ftp://files.example/in", Kinds: []string{"*"}},
			{URL: "file:///etc/passwd", Kinds: []string{"*"}},
			{URL: "javascript:alert(1)", Kinds: []string{"*"}},
			{URL: "https://", Kinds: []string{"*"}},
			{URL: "hooks.example/in", Kinds: []string{"*"}},
			{URL: "https://user:pw@hooks.example/in", Kinds: []string{"*"}},
			{URL: "https://hooks.example/in"},
			{URL: "https://hooks.example/in", Kinds: []string{"Alerts"}},
			{URL: "https://hooks.example/in", Kinds: []string{"*"}, Secret: "short"},
		}
		for _, w := range bad {
			if _, err := e.svc.AddWebhook(ctx, w); !errs.Is(err, errs.Invalid) {
				t.Errorf("AddWebhook(%+v) = %v, want Invalid", w, err)
			}
		}
		// A removed webhook's pending deliveries are skipped, not sent.
		rcv, srv := newReceiver(t, e.clock)
		hook, err := e.svc.AddWebhook(ctx, notify.Webhook{URL: srv.URL, Kinds: []string{"*"}, Secret: "a-secret-of-twenty-four-chars"})
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = hook.Secret
		r := e.send(t, notify.Notification{Kind: "device.silent", Title: "A device went quiet"})
		if err := e.svc.RemoveWebhook(ctx, hook.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveWebhook(ctx, hook.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("removing twice: %v", err)
		}
		if st := e.deliver(t, e.svc.NewDeliverer(notify.DelivererConfig{})); st.Skipped != 1 {
			t.Errorf("stats %+v, want one skipped", st)
		}
		if ds := e.deliveries(t, r.ID); len(ds) != 1 || ds[0].Status != notify.Skipped {
			t.Errorf("deliveries %+v", ds)
		}
		if len(rcv.ids) != 0 {
			t.Errorf("a removed webhook received %v", rcv.ids)
		}
	})
}
