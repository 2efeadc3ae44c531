package ws_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/ws"
)

func all() map[string]any { return map[string]any{"all": true} }

func patients(ids ...string) map[string]any {
	return map[string]any{"patients": append([]string{}, ids...)}
}

// TestEventsReachOnlyThoseAllowed is the property that matters most: an
// event goes to exactly the people who may see that patient's data in the
// event's scope.
func TestEventsReachOnlyThoseAllowed(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, nil)
		A, B := e.id("patA"), e.id("patB")

		type watcher struct {
			key  string
			sub  map[string]any
			sees []string // patients watched after subscribing
			errs int      // refusals while subscribing
			want []string // event ids received
		}
		watchers := []*watcher{
			{key: "patA", sub: patients(A), sees: []string{A}, want: []string{"readA", "alertA", "journalA", "medA"}},
			{key: "nurseCare", sub: all(), sees: []string{A}, want: []string{"readA", "alertA", "journalA", "medA"}},
			{key: "family", sub: patients(A), sees: []string{A}, want: []string{"readA"}},
			{key: "family", sub: all(), sees: []string{A}, want: []string{"readA"}},
			{key: "stranger", sub: patients(A, B), sees: []string{}, errs: 2},
			{key: "stranger", sub: all(), sees: []string{}},
			{key: "admin", sub: patients(A), sees: []string{}, errs: 1},
			{key: "admin", sub: all(), sees: []string{}},
			{key: "patB", sub: patients(B, A), sees: []string{B}, errs: 1, want: []string{"readB"}},
		}
		clients := make([]*client, len(watchers))
		for i, w := range watchers {
			clients[i] = e.dial(w.key)
			sees, refusals := clients[i].subscribe(w.sub)
			if !slices.Equal(sees, w.sees) || len(refusals) != w.errs {
				t.Fatalf("%s subscribing to %v: watches %v with refusals %q; want %v with %d",
					w.key, w.sub, sees, refusals, w.sees, w.errs)
			}
			for _, r := range refusals {
				if !strings.Contains(r, "no access") {
					t.Errorf("refusal %q does not read as one", r)
				}
			}
		}

		// Each subscription is in the audit log, refusals too.
		entries, err := e.audit.List(context.Background(), audit.Query{PatientID: A})
		if err != nil {
			t.Fatal(err)
		}
		var granted, denied int
		for _, en := range entries {
			if en.Action == "live.subscribe" {
				switch en.Outcome {
				case audit.Success:
					granted++
				case audit.Denied:
					denied++
				}
			}
		}
		if granted != 4 || denied != 3 {
			t.Errorf("audit log has %d granted and %d refused subscriptions to patA, want 4 and 3", granted, denied)
		}

		e.publish(events.ReadingCreated, "patA", access.Vitals, "readA")
		e.publish(events.AlertOpened, "patA", access.Alerts, "alertA")
		e.publish(events.JournalCreated, "patA", access.Journal, "journalA")
		e.publish(events.MedicationChanged, "patA", access.Medications, "medA")
		e.publish(events.ReadingCreated, "patB", access.Vitals, "readB")
		// Once patA has this, every event before it has been routed.
		e.publish("test.end", "patA", access.Vitals, "end")
		got := clients[0].until(func(f frame) bool { return f.Type == "event" && f.Event.ID == "end" })
		if !slices.Equal(got, watchers[0].want) {
			t.Fatalf("patA got %v, want %v", got, watchers[0].want)
		}
		for i, w := range watchers[1:] {
			got := clients[i+1].barrier(w.sub)
			got = slices.DeleteFunc(got, func(id string) bool { return id == "end" })
			if !slices.Equal(got, w.want) {
				t.Errorf("%s subscribed to %v got %v, want %v", w.key, w.sub, got, w.want)
			}
		}

		// The event as the client sees it.
		fam := clients[2]
		e.publish(events.ReadingCreated, "patA", access.Vitals, "shape")
		f := fam.must(5 * time.Second)
		if f.Type != "event" || f.Event.ID != "shape" || f.Event.Kind != events.ReadingCreated ||
			f.Event.PatientID != A || f.Event.Scope != access.Vitals || string(f.Event.Data) != `{"value":1}` || f.Event.At.IsZero() {
			t.Fatalf("family got %+v", f)
		}

	})
}

// TestRevokedGrantStopsTheFlow: a published grant change stops events at
// once; without one, the cached answer lasts at most the TTL.
func TestRevokedGrantStopsTheFlow(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, nil)
		A := e.id("patA")
		// patB shares too, so that an event of patB's can mark the end of a
		// round without changing what the family member watches.
		if _, err := e.access.Share(context.Background(), e.principal("patB"), e.id("patB"),
			access.NewShare{GranteeEmail: "family@example.org", Scopes: []access.Scope{access.Vitals}}); err != nil {
			t.Fatal(err)
		}
		family := e.dial("family")
		if sees, _ := family.subscribe(patients(A, e.id("patB"))); len(sees) != 2 {
			t.Fatalf("family watches %v", sees)
		}
		sync := func() []string {
			e.publish(events.ReadingCreated, "patB", access.Vitals, "end")
			var ids []string
			family.until(func(f frame) bool {
				if f.Type == "event" && f.Event.Kind != events.GrantChanged && f.Event.ID != "end" {
					ids = append(ids, f.Event.ID)
				}
				return f.Type == "event" && f.Event.ID == "end"
			})
			return ids
		}

		e.publish(events.ReadingCreated, "patA", access.Vitals, "r1")
		if got := sync(); !slices.Equal(got, []string{"r1"}) {
			t.Fatalf("family before revocation got %v", got)
		}

		// Revoked and published: the very next reading is withheld.
		e.revokeShare("family")
		if err := bus.Publish(context.Background(), events.NewGrantChanged(A, e.id("family"))); err != nil {
			t.Fatal(err)
		}
		e.publish(events.ReadingCreated, "patA", access.Vitals, "r2")
		if got := sync(); len(got) != 0 {
			t.Fatalf("family after revocation got %v", got)
		}

		// Shared again, with the change published: events flow again.
		e.share("family", access.Vitals)
		bus.Publish(context.Background(), events.NewGrantChanged(A, e.id("family")))
		e.publish(events.ReadingCreated, "patA", access.Vitals, "r3")
		if got := sync(); !slices.Equal(got, []string{"r3"}) {
			t.Fatalf("family after sharing again got %v", got)
		}

		// Revoked with nobody publishing the change: the cached answer holds
		// until the TTL runs out, and not a moment after.
		e.revokeShare("family")
		e.publish(events.ReadingCreated, "patA", access.Vitals, "r4")
		if got := sync(); !slices.Equal(got, []string{"r4"}) {
			t.Fatalf("family within the TTL got %v", got)
		}
		e.clock.Advance(31 * time.Second)
		e.publish(events.ReadingCreated, "patA", access.Vitals, "r5")
		if got := sync(); len(got) != 0 {
			t.Fatalf("family after the TTL got %v", got)
		}
	})
}

// TestAllFollowsGrants: an "all" subscription grows when a grant is made
// and shrinks when it is revoked.
func TestAllFollowsGrants(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, nil)
		A := e.id("patA")
		doctor := e.dial("doctor")
		if sees, _ := doctor.subscribe(all()); len(sees) != 0 {
			t.Fatalf("doctor without grants watches %v", sees)
		}
		ctx := context.Background()
		g, err := e.access.AssignCare(ctx, e.principal("admin"), A, e.id("doctor"))
		if err != nil {
			t.Fatal(err)
		}
		bus.Publish(ctx, events.NewGrantChanged(A, e.id("doctor")))
		f := doctor.must(5 * time.Second)
		if f.Type != "subscribed" || !f.All || !slices.Equal(f.Patients, []string{A}) {
			t.Fatalf("after the care assignment the doctor got %+v", f)
		}
		if f := doctor.must(5 * time.Second); f.Type != "event" || f.Event.Kind != events.GrantChanged {
			t.Fatalf("the doctor was not told of the grant: %+v", f)
		}
		e.publish(events.AlertOpened, "patA", access.Alerts, "a1")
		if f := doctor.must(5 * time.Second); f.Type != "event" || f.Event.ID != "a1" {
			t.Fatalf("doctor got %+v", f)
		}

		if err := e.access.Revoke(ctx, e.principal("admin"), A, g.ID); err != nil {
			t.Fatal(err)
		}
		bus.Publish(ctx, events.NewGrantChanged(A, e.id("doctor")))
		if f := doctor.must(5 * time.Second); f.Type != "subscribed" || len(f.Patients) != 0 {
			t.Fatalf("after revocation the doctor got %+v", f)
		}
		e.publish(events.AlertOpened, "patA", access.Alerts, "a2")
		if got := doctor.barrier(all()); len(got) != 0 {
			t.Fatalf("doctor after revocation got %v", got)
		}
	})
}

// TestGrantChangesReachOnlyPatientAndGrantee: who else has access to a
// patient is not everyone's business.
func TestGrantChangesReachOnlyPatientAndGrantee(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, nil)
		A := e.id("patA")
		pat, nurse, family := e.dial("patA"), e.dial("nurseCare"), e.dial("family")
		for _, c := range []*client{pat, nurse, family} {
			c.subscribe(patients(A))
		}
		bus.Publish(context.Background(), events.NewGrantChanged(A, e.id("family")))
		e.publish("test.end", "patA", access.Any, "end")
		for name, c := range map[string]*client{"patA": pat, "family": family, "nurse": nurse} {
			var kinds []string
			c.until(func(f frame) bool {
				if f.Type == "event" && f.Event.ID != "end" {
					kinds = append(kinds, f.Event.Kind)
				}
				return f.Type == "event" && f.Event.ID == "end"
			})
			want := []string{events.GrantChanged}
			if name == "nurse" {
				want = nil
			}
			if !slices.Equal(kinds, want) {
				t.Errorf("%s got %v, want %v", name, kinds, want)
			}
		}
	})
}

// TestNoticesForOneUserReachOnlyThem: a notice addressed to a user (a new
// notification) reaches that user's connections, even one watching no
// patient, and no one else's, whatever they watch.
func TestNoticesForOneUserReachOnlyThem(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, nil)
		A := e.id("patA")
		idle, watching, other := e.dial("nurseCare"), e.dial("nurseCare"), e.dial("family")
		idle.subscribe(patients())
		watching.subscribe(patients(A))
		other.subscribe(patients(A))
		err := bus.Publish(context.Background(), events.Event{ID: "n1", Kind: events.NotificationSent,
			UserID: e.id("nurseCare"), Data: json.RawMessage(`{"id":"x","kind":"alert.opened","severity":"critical"}`)})
		if err != nil {
			t.Fatal(err)
		}
		e.publish("test.end", "patA", access.Any, "end")
		for name, c := range map[string]*client{"idle": idle, "watching": watching} {
			got := c.until(func(f frame) bool { return f.Type == "event" && f.Event.Kind == events.NotificationSent })
			if len(got) != 0 {
				t.Errorf("%s heard %v before its notice", name, got)
			}
		}
		if got := other.until(func(f frame) bool { return f.Type == "event" && f.Event.ID == "end" }); len(got) != 0 {
			t.Errorf("another user heard %v", got)
		}
	})
}

func TestSignInRules(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), events.NewLocal(), nil)
	cookie := http.Header{"Cookie": {ws.SessionCookie + "=" + e.login("nurseCare").Token}}
	tok, err := e.people.CreateToken(context.Background(), e.id("nurseCare"), "script")
	if err != nil {
		t.Fatal(err)
	}
	with := func(h http.Header, kv ...string) http.Header {
		h = h.Clone()
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		query  string
		status int // 0: the socket opens
	}{
		{"cookie, same origin", with(cookie, "Origin", e.srv.URL), "", 0},
		{"cookie, no origin (not a browser)", cookie, "", 0},
		{"cookie, another site's page", with(cookie, "Origin", "https://evil.example"), "", http.StatusForbidden},
		{"cookie, origin with another port", with(cookie, "Origin", "http://127.0.0.1:1"), "", http.StatusForbidden},
		{"bearer token", http.Header{"Authorization": {"Bearer " + tok.Token}}, "", 0},
		{"token in the URL", nil, "?access_token=" + tok.Token, http.StatusBadRequest},
		{"token in the URL beside a cookie", cookie, "?access_token=" + tok.Token, http.StatusBadRequest},
		{"unknown token", http.Header{"Authorization": {"Bearer nope"}}, "", http.StatusUnauthorized},
		{"not a bearer", http.Header{"Authorization": {"Basic abc"}}, "", http.StatusUnauthorized},
		{"unknown cookie", http.Header{"Cookie": {ws.SessionCookie + "=nope"}}, "", http.StatusUnauthorized},
		{"nothing", nil, "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, res, err := e.dialWith(tc.header, tc.query)
			switch {
			case tc.status == 0 && err != nil:
				t.Fatalf("refused (%d): %v", status(res), err)
			case tc.status == 0:
				if sees, _ := c.subscribe(all()); !slices.Equal(sees, []string{e.id("patA")}) {
					t.Fatalf("nurse watches %v", sees)
				}
			case err == nil:
				t.Fatal("the socket opened")
			case res.StatusCode != tc.status:
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			case !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json"):
				t.Fatalf("refusal is %q, not problem+json", res.Header.Get("Content-Type"))
			}
		})
	}
}

func TestEndedSessionClosesTheSocket(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, nil)
		s := e.login("nurseCare")
		c, _, err := e.dialWith(http.Header{"Cookie": {ws.SessionCookie + "=" + s.Token}}, "")
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe(all())
		p, err := e.people.SessionPrincipal(context.Background(), s.Token)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.people.Logout(context.Background(), p.SessionID); err != nil {
			t.Fatal(err)
		}
		f := c.must(5 * time.Second)
		if f.Type != "error" || !strings.Contains(f.Detail, "session") {
			t.Fatalf("after logout got %+v", f)
		}
		if st := c.closeStatus(); st != ws.CloseSessionEnded {
			t.Fatalf("closed with %d, want %d", st, ws.CloseSessionEnded)
		}
	})
}

func TestSubscribeChecksTheSession(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), events.NewLocal(), func(d *ws.Deps) { d.SessionCheck = time.Hour })
	s := e.login("nurseCare")
	c, _, err := e.dialWith(http.Header{"Cookie": {ws.SessionCookie + "=" + s.Token}}, "")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.people.SessionPrincipal(context.Background(), s.Token)
	e.people.Logout(context.Background(), p.SessionID)
	c.send(map[string]any{"type": "subscribe", "all": true})
	if f := c.must(5 * time.Second); f.Type != "error" {
		t.Fatalf("subscribing after logout got %+v", f)
	}
	if st := c.closeStatus(); st != ws.CloseSessionEnded {
		t.Fatalf("closed with %d", st)
	}
}

func TestSlowConnectionIsToldItLaggedAndClosed(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB, bus events.Bus) {
		e := newEnv(t, d, bus, func(d *ws.Deps) { d.SendQueue = 64 })
		A := e.id("patA")
		// The slow client reads nothing, with a small receive buffer so that
		// the server's writes soon block. The nurse reads along and must not
		// be held up.
		tok, _ := e.people.CreateToken(context.Background(), e.id("patA"), "slow")
		slow, _, err := e.dialOpts(&websocket.DialOptions{
			HTTPHeader: http.Header{"Authorization": {"Bearer " + tok.Token}},
			HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err == nil {
					conn.(*net.TCPConn).SetReadBuffer(128 << 10)
				}
				return conn, err
			}}},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		nurse := e.dial("nurseCare")
		slow.subscribe(patients(A))
		nurse.subscribe(patients(A))
		big := `{"note":"` + strings.Repeat("x", 16<<10) + `"}`
		done := make(chan int)
		go func() {
			n := 0
			for n < 500 {
				f, err := nurse.recv(10 * time.Second)
				if err != nil || f.Type != "event" {
					t.Logf("the nurse's connection: %+v, %v", f, err)
					break
				}
				n++
			}
			done <- n
		}()
		for range 500 {
			if err := bus.Publish(context.Background(), events.Event{Kind: events.JournalCreated, PatientID: A,
				Scope: access.Journal, Data: []byte(big)}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Microsecond)
		}
		if n := <-done; n != 500 {
			t.Fatalf("the nurse got %d of 500 events while another connection lagged", n)
		}
		var events int
		for {
			f, err := slow.recv(10 * time.Second)
			if err != nil {
				if st := websocket.CloseStatus(err); st != ws.CloseLagged {
					t.Fatalf("slow connection ended with %v (status %d), want %d", err, st, ws.CloseLagged)
				}
				t.Fatalf("slow connection closed without a lagged message after %d events", events)
			}
			if f.Type == "lagged" {
				break
			}
			events++
		}
		if events >= 500 {
			t.Fatalf("the slow connection got all %d events: it never lagged", events)
		}
		if st := slow.closeStatus(); st != ws.CloseLagged {
			t.Fatalf("closed with %d, want %d", st, ws.CloseLagged)
		}
	})
}

func TestProtocolErrorsAreAnsweredNotFatal(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), events.NewLocal(), nil)
	c := e.dial("nurseCare")
	for _, msg := range []string{
		`not json`,
		`{"type":"unsubscribe"}`,
		`{"type":"subscribe"}`,
		`{"type":"subscribe","all":true,"patients":["x"]}`,
		`{"type":"subscribe","patients":[""]}`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.sock.Write(ctx, websocket.MessageText, []byte(msg))
		cancel()
		if f := c.must(5 * time.Second); f.Type != "error" || f.Detail == "" {
			t.Errorf("%s: got %+v", msg, f)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	c.sock.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3})
	cancel()
	if f := c.must(5 * time.Second); f.Type != "error" {
		t.Errorf("binary frame: got %+v", f)
	}
	if sees, _ := c.subscribe(all()); !slices.Equal(sees, []string{e.id("patA")}) {
		t.Fatalf("after the errors the nurse watches %v", sees)
	}
	// Subscribing to nothing stops the flow.
	if sees, _ := c.subscribe(patients()); len(sees) != 0 {
		t.Fatalf("empty subscribe watches %v", sees)
	}
	e.publish(events.ReadingCreated, "patA", access.Vitals, "r1")
	if got := c.barrier(patients()); len(got) != 0 {
		t.Fatalf("after unsubscribing got %v", got)
	}
}

func TestCloseSaysGoingAway(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), events.NewLocal(), nil)
	c := e.dial("patA")
	c.subscribe(all())
	go e.live.Close()
	if st := c.closeStatus(); st != websocket.StatusGoingAway {
		t.Fatalf("closed with %d, want 1001", st)
	}
}

func TestPingsKeepTheSocketChecked(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), events.NewLocal(), func(d *ws.Deps) { d.PingInterval = 50 * time.Millisecond })
	// A client that reads answers pings, and stays connected across many.
	alive := e.dial("patA")
	alive.subscribe(all())
	go func() {
		time.Sleep(400 * time.Millisecond)
		e.bus.Publish(context.Background(), events.Event{ID: "late", Kind: events.ReadingCreated, PatientID: e.id("patA"), Scope: access.Vitals})
	}()
	if f := alive.must(5 * time.Second); f.Type != "event" || f.Event.ID != "late" {
		t.Fatalf("got %+v", f)
	}
	// A client that answers nothing is dropped.
	dead := e.dial("patA")
	dead.subscribe(all())
	time.Sleep(400 * time.Millisecond)
	if _, err := dead.recv(5 * time.Second); err == nil {
		t.Fatal("a peer that answered no ping is still connected")
	}
}

// TestListenerOutageTellsClientsToReload: when the node's listening
// connection to PostgreSQL is lost, events of other nodes may have been
// missed, so every client is told to reload; once listening again, new
// sockets hear other nodes' events.
func TestListenerOutageTellsClientsToReload(t *testing.T) {
	d, bus, another, channel := postgresNodes(t)
	e := newEnv(t, d, bus, nil)
	other := another()
	c := e.dial("patA")
	c.subscribe(all())
	if _, err := d.W.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`,
		`LISTEN "`+channel+`"`); err != nil {
		t.Fatal(err)
	}
	if f := c.must(10 * time.Second); f.Type != "lagged" {
		t.Fatalf("after the outage got %+v", f)
	}
	if st := c.closeStatus(); st != ws.CloseLagged {
		t.Fatalf("closed with %d, want %d", st, ws.CloseLagged)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; ; n++ {
		c := e.dial("patA")
		c.subscribe(all())
		other.Publish(context.Background(), events.Event{ID: "probe", Kind: events.ReadingCreated, PatientID: e.id("patA"), Scope: access.Vitals})
		f, err := c.recv(2 * time.Second)
		if err == nil && f.Type == "event" && f.Event.ID == "probe" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event from the other node after the outage: %+v, %v", f, err)
		}
	}
}
