package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// The "done when", from the simulator: an out-of-range reading, a
// missed measurement and a NEWS2 of 7 each raise the right alert, which
// reaches the care-team nurse (live, and in the notifications), escalates
// to the doctor when nobody acknowledges it, and is acknowledged and
// resolved through the API — on SQLite and on PostgreSQL.
func TestScenariosFromTheSimulator(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			store := []string{"--data-dir", dir}
			if name == "postgres" {
				store = append(store, "--database", dbtest.SchemaURL(t))
			}
			const wait = 3 * time.Second
			url, _ := started(t, nil, append([]string{"--addr", "127.0.0.1:0", "--demo", "--escalation-wait", wait.String()}, store...)...)
			token := runJSON(t, "", append([]string{"admin", "token", "create", "--email", "admin@demo.tend.example", "--label", "scenarios"}, store...)...)["token"].(string)
			nurse := demoLogin(t, url, "nurse.garcia@demo.tend.example")
			doctor := demoLogin(t, url, "dr.okafor@demo.tend.example")
			var nurseMe, doctorMe map[string]any
			apiCall(t, nurse, "GET", url+"/api/v1/me", "", &nurseMe)
			apiCall(t, doctor, "GET", url+"/api/v1/me", "", &doctorMe)
			live := watchLive(t, url, nurse)

			var out strings.Builder
			err := run(context.Background(), []string{"simulate", "--url", url, "--token", token, "--scenario", "all"},
				func(string) string { return "" }, nil, &out, io.Discard)
			if err != nil {
				t.Fatalf("tend simulate --scenario all: %v\n%s", err, out.String())
			}
			patients := map[string]string{} // rule key → patient id
			for rule, email := range map[string]string{"bp_crisis": "scenario-out-of-range@sim.tend.example",
				"news2": "scenario-news2@sim.tend.example", "missed:blood_pressure": "scenario-missed@sim.tend.example"} {
				if !strings.Contains(out.String(), email) {
					t.Fatalf("the simulator does not name %s:\n%s", email, out.String())
				}
				patients[rule] = userID(t, url, token, email)
			}

			// The reading-driven alerts reach the nurse live and, unacknowledged,
			// escalate on tend serve's own clock.
			for _, rule := range []string{"bp_crisis", "news2"} {
				live.await(t, "alert.opened", patients[rule], rule)
			}
			for _, rule := range []string{"bp_crisis", "news2"} {
				live.await(t, "alert.escalated", patients[rule], rule)
			}

			// The missed measurement: the window closes within four
			// minutes; rather than wait, a scheduler over the same
			// database runs at a clock past it, as tend serve's would then.
			d, err := db.Open(context.Background(), db.Config{URL: storeURL(store), DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			later := clock.NewFake(time.Now().Add(5 * time.Minute))
			ps := people.NewService(d, later)
			acc := access.New(d, later, ps)
			notices, err := notify.New(d, later, ps, notify.Config{})
			if err != nil {
				t.Fatal(err)
			}
			mon := monitoring.New(d, later, acc, monitoring.Deps{Notify: notices})
			mon.EscalationWait = wait
			if _, err := mon.Tick(context.Background(), later.Now()); err != nil {
				t.Fatal(err)
			}

			// Each alert is the right one, for the nurse first.
			alerts := map[string]map[string]any{}
			for rule, pid := range patients {
				var inbox struct{ Alerts []map[string]any }
				apiCall(t, nurse, "GET", url+"/api/v1/alerts?patientId="+pid, "", &inbox)
				if len(inbox.Alerts) != 1 || inbox.Alerts[0]["ruleKey"] != rule {
					t.Fatalf("%s's alerts for the nurse: %v", rule, inbox.Alerts)
				}
				alerts[rule] = inbox.Alerts[0]
			}
			if a := alerts["news2"]; a["severity"] != "critical" || !strings.HasPrefix(a["detail"].(string), "NEWS2 7 ") {
				t.Errorf("the NEWS2 alert does not say 7: %v", a)
			}
			var score monitoring.NEWS2
			apiCall(t, nurse, "GET", url+"/api/v1/patients/"+patients["news2"]+"/news2", "", &score)
			if score.Total != 7 || score.Partial || score.SingleThree {
				t.Errorf("the scenario's NEWS2: %+v", score)
			}
			if a := alerts["bp_crisis"]; a["severity"] != "critical" {
				t.Errorf("the hypertensive crisis is not critical: %v", a)
			}
			for rule, pid := range patients {
				if !notified(t, url, nurse, pid) {
					t.Errorf("the nurse has no notification of the %s alert", rule)
				}
			}

			// Nobody acknowledges: after the wait the doctor is told.
			later.Advance(wait + time.Second)
			if _, err := mon.Tick(context.Background(), later.Now()); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for rule, pid := range patients {
				for !notified(t, url, doctor, pid) {
					if time.Now().After(deadline) {
						t.Fatalf("the %s alert did not escalate to the doctor", rule)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}

			// The nurse acknowledges and resolves each; the history says who.
			for rule, a := range alerts {
				id := a["id"].(string)
				apiCall(t, nurse, "POST", url+"/api/v1/alerts/"+id+"/acknowledge", `{"comment":"calling the patient"}`, nil)
				apiCall(t, nurse, "POST", url+"/api/v1/alerts/"+id+"/resolve", `{"comment":"seen; plan agreed with the doctor"}`, nil)
				var got map[string]any
				apiCall(t, doctor, "GET", url+"/api/v1/patients/"+patients[rule]+"/alerts/"+id, "", &got)
				if got["status"] != "resolved" || got["acknowledgedBy"] != nurseMe["id"] || got["resolvedBy"] != nurseMe["id"] {
					t.Errorf("%s after acknowledge and resolve: %v", rule, got)
				}
				opened, _ := time.Parse(time.RFC3339Nano, got["openedAt"].(string))
				var escalated time.Time
				for _, h := range got["history"].([]any) {
					if e := h.(map[string]any); e["action"] == "escalated" {
						escalated, _ = time.Parse(time.RFC3339Nano, e["at"].(string))
					}
				}
				if escalated.Sub(opened) < wait {
					t.Errorf("%s escalated at %v, opened at %v: not after the wait of %v (history %v)", rule, escalated, opened, wait, got["history"])
				}
			}
		})
	}
}

func userID(t testing.TB, url, token, email string) string {
	t.Helper()
	var out struct{ Users []struct{ ID, Email string } }
	apiCall(t, tokenSession(token), "GET", url+"/api/v1/users?q="+email, "", &out)
	for _, u := range out.Users {
		if u.Email == email {
			return u.ID
		}
	}
	t.Fatalf("no user %s", email)
	return ""
}

// tokenSession calls the API with an API token instead of a session.
func tokenSession(token string) demoSession {
	return demoSession{client: &http.Client{Transport: bearer{token}}}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func storeURL(store []string) string {
	for i, a := range store {
		if a == "--database" {
			return store[i+1]
		}
	}
	return ""
}

// notified tells whether s has a notification about the patient.
func notified(t *testing.T, url string, s demoSession, patientID string) bool {
	t.Helper()
	var inbox struct{ Notifications []notify.Notification }
	apiCall(t, s, "GET", url+"/api/v1/me/notifications?limit=100", "", &inbox)
	for _, n := range inbox.Notifications {
		if n.PatientID == patientID && strings.HasPrefix(n.Kind, "alert.") {
			return true
		}
	}
	return false
}

// liveWatch is a person's live connection, watching every patient they may
// see, and the events it has received.
type liveWatch struct {
	mu   sync.Mutex
	seen []liveEvent
	more chan struct{}
}

type liveEvent struct {
	Kind      string `json:"kind"`
	PatientID string `json:"patientId"`
	Data      struct {
		ID        string `json:"id"`
		RuleKey   string `json:"ruleKey"`
		ReadingID string `json:"readingId"`
	} `json:"data"`
	At time.Time `json:"-"` // when the client read it
}

func watchLive(t testing.TB, url string, s demoSession) *liveWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := http.Header{}
	for _, c := range s.client.Jar.Cookies(nil) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	sock, _, err := websocket.Dial(ctx, strings.Replace(url, "http", "ws", 1)+"/api/v1/live", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	sock.SetReadLimit(1 << 20)
	if err := sock.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","all":true}`)); err != nil {
		t.Fatal(err)
	}
	w := &liveWatch{more: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, b, err := sock.Read(ctx)
			if err != nil {
				return
			}
			at := time.Now()
			var f struct {
				Type  string     `json:"type"`
				Event *liveEvent `json:"event"`
			}
			if json.Unmarshal(b, &f) != nil || f.Event == nil {
				continue
			}
			f.Event.At = at
			w.mu.Lock()
			w.seen = append(w.seen, *f.Event)
			w.mu.Unlock()
			select {
			case w.more <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		sock.CloseNow()
		<-done
	})
	return w
}

// forget drops the events received so far.
func (w *liveWatch) forget() {
	w.mu.Lock()
	w.seen = nil
	w.mu.Unlock()
}

// await waits for an event of kind about the patient's alert of the rule.
func (w *liveWatch) await(t testing.TB, kind, patientID, rule string) {
	t.Helper()
	w.find(t, 20*time.Second, func(e liveEvent) bool { return e.Kind == kind && e.PatientID == patientID && e.Data.RuleKey == rule })
}

// find waits for the first event that matches and takes it from the list.
func (w *liveWatch) find(t testing.TB, within time.Duration, match func(liveEvent) bool) liveEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		w.mu.Lock()
		for i, e := range w.seen {
			if match(e) {
				w.seen = append(w.seen[:i:i], w.seen[i+1:]...)
				w.mu.Unlock()
				return e
			}
		}
		w.mu.Unlock()
		select {
		case <-w.more:
		case <-deadline:
			t.Fatalf("no matching live event within %v", within)
		}
	}
}
