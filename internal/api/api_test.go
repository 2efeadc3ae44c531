package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/api"
	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
	"github.com/tend-health/tend/internal/summaries"
)

const password = "a long enough password"

// env is a running API over a real database, with one user per caller.
type env struct {
	t        testing.TB
	srv      *httptest.Server
	api      *api.Server
	people   *people.Service
	access   *access.Service
	audit    *audit.Log
	devices  *devices.Service
	readings *readings.Service
	bus      *events.Local
	users    map[string]people.User
	tokens   map[string]string
	counter  atomic.Int64
}

// The callers of the route table. patA is the patient the routes are about.
var callers = []string{"anon", "patA", "patB", "nurseCare", "nurseNone", "family", "admin"}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	c := clock.Real{}
	ps := people.NewService(d, c)
	e := &env{t: t, people: ps, access: access.New(d, c, ps), audit: audit.New(d, c),
		users: map[string]people.User{}, tokens: map[string]string{}, bus: events.NewLocal()}
	e.devices = devices.New(d, c, ps, e.access)
	notices, err := notify.New(d, c, ps, notify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mon := monitoring.New(d, c, e.access, monitoring.Deps{Notify: notices, Events: e.bus, Audit: e.audit})
	// Alert rules and schedules see every committed batch, as tend serve wires them.
	e.readings = readings.New(d, c, e.access, e.devices, readings.Options{Events: e.bus, Audit: e.audit,
		AfterCommit: func(ctx context.Context, _ string, stored []readings.Reading) {
			if err := mon.OnReadings(ctx, monitoring.FromReadings(stored)); err != nil {
				t.Errorf("alert rules could not look at stored readings: %v", err)
			}
		},
		AfterCorrect: func(ctx context.Context, r readings.Reading) {
			if err := mon.OnReadingCorrected(ctx, r.PatientID, r.ID); err != nil {
				t.Errorf("monitoring could not forget a corrected reading: %v", err)
			}
		}})
	t.Cleanup(func() { e.readings.Close(); e.devices.Close(); e.bus.Close() })
	e.api = api.New(api.Deps{DB: d, People: ps, Access: e.access, Audit: e.audit, Devices: e.devices, Readings: e.readings,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Appointments: appointments.New(d, c, e.access, e.audit),
		Monitoring: mon, Medications: medications.New(d, c, e.access, mon.Outbox(), e.audit), Notify: notices,
		Summaries: summaries.New(e.readings, e.access, ps, e.devices, c)})
	e.srv = httptest.NewServer(e.api.Handler())
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	add := func(key, name string, profile *people.Profile, roles ...people.Role) {
		u, err := ps.Create(ctx, people.NewUser{Email: key + "@example.org", Name: name, Roles: roles, Password: password, Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		e.users[key] = u
		tok, err := ps.CreateToken(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[key] = tok.Token
	}
	add("patA", "Agnes Patient", &people.Profile{MRN: "MRN-AAA-111", TimeZone: "Europe/Oslo"}, people.Patient)
	add("patB", "Bertil Hidden", &people.Profile{MRN: "MRN-BBB-222"}, people.Patient)
	add("nurseCare", "Nina Care", nil, people.Nurse)
	add("nurseNone", "Ned Stranger", nil, people.Nurse)
	add("family", "Fay Family", nil, people.Family)
	add("admin", "Ada Admin", nil, people.Admin)
	add("doctorX", "Dora Extra", nil, people.Doctor)
	adminP := e.principal("admin")
	if _, err := e.access.AssignCare(ctx, adminP, e.users["patA"].ID, e.users["nurseCare"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.access.Share(ctx, e.principal("patA"), e.users["patA"].ID,
		access.NewShare{GranteeEmail: "family@example.org", Scopes: []access.Scope{access.Vitals}}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) principal(key string) people.Principal {
	u := e.users[key]
	return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
}

// do sends a request as caller (by API token) and returns status and body.
func (e *env) do(caller, method, path string, body any) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := e.tokens[caller]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		e.t.Errorf("%s %s as %s: error %d is not problem+json but %q", method, path, caller, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return res.StatusCode, string(b)
}

// row is one route's expectations: how to call it, and the status per caller.
type row struct {
	method, path string
	body         func(e *env) any
	// prepare may make what the call needs and returns path replacements.
	prepare func(e *env) map[string]string
	want    map[string]int // caller → status; callers not named get other
	other   int
}

// call makes the request a row describes, as caller, filling in the ids
// that stand in its path and body as {patA}, {patB} and what prepare makes.
func (e *env) call(caller string, r row) (int, string) {
	e.t.Helper()
	repl := map[string]string{"{patA}": e.users["patA"].ID, "{patB}": e.users["patB"].ID}
	if r.prepare != nil {
		for k, v := range r.prepare(e) {
			repl[k] = v
		}
	}
	fill := func(s string) string {
		for k, v := range repl {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	var body any
	if r.body != nil {
		b, _ := json.Marshal(r.body(e))
		json.Unmarshal([]byte(fill(string(b))), &body)
	}
	return e.do(caller, r.method, fill(r.path), body)
}

func signedIn(status int) map[string]int {
	m := map[string]int{"anon": 401}
	for _, c := range callers[1:] {
		m[c] = status
	}
	return m
}

func only(status int, others int, who ...string) (map[string]int, int) {
	m := map[string]int{"anon": 401}
	for _, w := range who {
		m[w] = status
	}
	return m, others
}

// domainRows holds the rows that each domain's test file adds with addRows,
// so that every route, wherever it is tested, has a row in one table.
var domainRows = map[string]row{}

func addRows(rows map[string]row) {
	for id, r := range rows {
		if _, dup := domainRows[id]; dup {
			panic("two rows for route " + id)
		}
		domainRows[id] = r
	}
}

func table() map[string]row {
	rows := map[string]row{
		"auth.login": {method: "POST", path: "/api/v1/auth/login",
			body: func(e *env) any {
				return map[string]string{"email": fmt.Sprintf("nobody%d@example.org", e.counter.Add(1)), "password": "wrong password here"}
			},
			want: map[string]int{}, other: 401},
		"auth.logout": {method: "POST", path: "/api/v1/auth/logout", want: signedIn(204)},
		"me.read":     {method: "GET", path: "/api/v1/me", want: signedIn(200)},
		"me.password": {method: "POST", path: "/api/v1/me/password", body: func(*env) any {
			return map[string]string{"currentPassword": "wrong", "newPassword": "something long enough"}
		}, want: signedIn(422)},
		"tokens.list":   {method: "GET", path: "/api/v1/me/tokens", want: signedIn(200)},
		"tokens.create": {method: "POST", path: "/api/v1/me/tokens", body: func(*env) any { return map[string]string{"label": "x"} }, want: signedIn(201)},
		"tokens.revoke": {method: "DELETE", path: "/api/v1/me/tokens/no-such-token", want: signedIn(404)},
		"patients.list": {method: "GET", path: "/api/v1/patients", want: signedIn(200)},
	}
	adminRow := func(method, path string, status int, body func(e *env) any) row {
		w, o := only(status, 403, "admin")
		return row{method: method, path: path, body: body, want: w, other: o}
	}
	rows["users.list"] = adminRow("GET", "/api/v1/users", 200, nil)
	rows["users.create"] = adminRow("POST", "/api/v1/users", 201, func(e *env) any {
		return map[string]any{"email": fmt.Sprintf("new%d@example.org", e.counter.Add(1)), "name": "New Person", "roles": []string{"nurse"}}
	})
	rows["users.read"] = adminRow("GET", "/api/v1/users/{patA}", 200, nil)
	rows["users.update"] = adminRow("PATCH", "/api/v1/users/{patB}", 200, func(*env) any { return map[string]any{"name": "Bertil Hidden"} })
	rows["audit.list"] = adminRow("GET", "/api/v1/audit", 200, nil)

	w, o := only(200, 404, "patA", "nurseCare", "family")
	rows["patients.read"] = row{method: "GET", path: "/api/v1/patients/{patA}", want: w, other: o}
	rows["patients.overview"] = row{method: "GET", path: "/api/v1/patients/{patA}/overview?chart=heart_rate&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", want: w, other: o}
	w, o = only(200, 404, "patA", "admin")
	rows["grants.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/grants", want: w, other: o}
	w, o = only(201, 404, "patA")
	w["admin"] = 403
	rows["grants.create"] = row{method: "POST", path: "/api/v1/patients/{patA}/grants", want: w, other: o,
		body: func(*env) any {
			return map[string]any{"granteeEmail": "doctorX@example.org", "scopes": []string{"vitals"}}
		}}
	w, o = only(204, 404, "patA")
	w["admin"] = 403
	rows["grants.revoke"] = row{method: "DELETE", path: "/api/v1/patients/{patA}/grants/{grant}", want: w, other: o,
		prepare: func(e *env) map[string]string {
			g, err := e.access.Share(context.Background(), e.principal("patA"), e.users["patA"].ID,
				access.NewShare{GranteeEmail: "doctorX@example.org", Scopes: []access.Scope{access.Vitals}})
			if err != nil {
				e.t.Fatal(err)
			}
			return map[string]string{"{grant}": g.ID}
		}}
	w, o = only(201, 403, "admin")
	rows["careteam.assign"] = row{method: "POST", path: "/api/v1/patients/{patA}/care-team", want: w, other: o,
		prepare: func(e *env) map[string]string {
			u, err := e.people.Create(context.Background(), people.NewUser{Email: fmt.Sprintf("doc%d@example.org", e.counter.Add(1)),
				Name: "Another Doctor", Roles: []people.Role{people.Doctor}})
			if err != nil {
				e.t.Fatal(err)
			}
			return map[string]string{"{doctor}": u.ID}
		},
		body: func(e *env) any { return map[string]string{"userId": "{doctor}"} }}
	w, o = only(200, 404, "patA")
	rows["accesslog.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/access-log", want: w, other: o}
	for id, r := range domainRows {
		rows[id] = r
	}
	return rows
}

// seesPatient tells which callers may see each patient's data at all.
var seesPatient = map[string][]string{
	"patA": {"patA", "nurseCare", "family", "admin"}, // admin: in users listings, not clinical data
	"patB": {"patB", "admin"},
}

func TestEveryRouteForEveryRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rows := table()
		for _, r := range e.api.Routes() {
			if _, ok := rows[r.OperationID]; !ok {
				t.Errorf("route %s %s (%s) has no row in the role table: add one", r.Method, r.Path, r.OperationID)
			}
		}
		for id, r := range rows {
			for _, caller := range callers {
				want, ok := r.want[caller]
				if !ok {
					want = r.other
				}
				got, text := e.call(caller, r)
				if got != want {
					t.Errorf("%s %s as %s: status %d, want %d: %s", id, r.method, caller, got, want, text)
				}
				// No patient's data reaches a caller who may not see that patient.
				for pat, allowed := range seesPatient {
					if contains(allowed, caller) {
						continue
					}
					u := e.users[pat]
					for _, secret := range []string{u.Name, u.Email, u.Profile.MRN} {
						if strings.Contains(text, secret) {
							t.Errorf("%s as %s: the body shows %s's %q: %s", id, caller, pat, secret, text)
						}
					}
				}
			}
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestHiddenPatientIs404AndAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		target := e.users["patA"].ID
		for _, path := range []string{"/api/v1/patients/" + target, "/api/v1/patients/" + target + "/grants", "/api/v1/patients/" + target + "/access-log"} {
			status, body := e.do("nurseNone", "GET", path, nil)
			if status != 404 {
				t.Errorf("GET %s as a stranger: %d %s", path, status, body)
			}
		}
		events, err := e.audit.List(context.Background(), audit.Query{PatientID: target, ActorID: e.users["nurseNone"].ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 3 {
			t.Fatalf("want 3 audited denials, got %d: %+v", len(events), events)
		}
		for _, ev := range events {
			if ev.Outcome != audit.Denied || ev.IP == "" || ev.RequestID == "" {
				t.Errorf("denial recorded as %+v", ev)
			}
		}
		// A patient that does not exist looks the same as a hidden one.
		status, body := e.do("nurseNone", "GET", "/api/v1/patients/0190aaaa-0000-7000-8000-000000000000", nil)
		if status != 404 || !strings.Contains(body, "no access") {
			t.Errorf("missing patient: %d %s", status, body)
		}
		// And the patient sees the stranger's attempts in their access log.
		_, log := e.do("patA", "GET", "/api/v1/patients/"+target+"/access-log", nil)
		if !strings.Contains(log, "Ned Stranger") || !strings.Contains(log, `"denied"`) {
			t.Errorf("the patient's access log does not show the denied attempts: %s", log)
		}
	})
}

// Every route that touches a patient's data is marked so, and writes an
// audit event whether it is allowed or denied.
func TestEveryPatientRouteIsAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rows := table()
		for _, r := range e.api.Routes() {
			if strings.Contains(r.Path, "{patientId}") && !r.Patient {
				t.Errorf("route %s %s touches a patient but is not marked as patient data", r.Method, r.Path)
			}
			if !r.Patient {
				continue
			}
			rw := rows[r.OperationID]
			for _, caller := range []string{"patA", "admin", "nurseNone"} {
				before, _ := e.audit.List(context.Background(), audit.Query{PatientID: e.users["patA"].ID, Limit: 1000})
				status, _ := e.call(caller, rw)
				after, _ := e.audit.List(context.Background(), audit.Query{PatientID: e.users["patA"].ID, Limit: 1000})
				if len(after) != len(before)+1 {
					t.Errorf("%s as %s (status %d) wrote %d audit events, want 1", r.OperationID, caller, status, len(after)-len(before))
					continue
				}
				ev := after[0]
				wantOutcome := audit.Success
				if status == 404 || status == 403 {
					wantOutcome = audit.Denied
				}
				if ev.Action != r.OperationID || ev.Outcome != wantOutcome || ev.ActorID != e.users[caller].ID {
					t.Errorf("%s as %s: audit event %+v", r.OperationID, caller, ev)
				}
			}
		}
	})
}

func TestCookieSessionNeedsCSRFAndLogoutEndsIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		post := func(path, csrf string, body any) *http.Response {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", e.srv.URL+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		res := post("/api/v1/auth/login", "", map[string]string{"email": "patA@example.org", "password": password})
		if res.StatusCode != 200 {
			t.Fatalf("login: %d", res.StatusCode)
		}
		var csrf string
		for _, c := range res.Cookies() {
			switch c.Name {
			case "tend_session":
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie flags: %+v", c)
				}
			case "tend_csrf":
				csrf = c.Value
			}
		}
		if csrf == "" {
			t.Fatal("no CSRF cookie")
		}
		if r := post("/api/v1/me/tokens", "", map[string]string{"label": "x"}); r.StatusCode != 403 {
			t.Errorf("a change without the CSRF token: %d", r.StatusCode)
		}
		if r := post("/api/v1/me/tokens", "forged", map[string]string{"label": "x"}); r.StatusCode != 403 {
			t.Errorf("a change with a wrong CSRF token: %d", r.StatusCode)
		}
		if r := post("/api/v1/me/tokens", csrf, map[string]string{"label": "x"}); r.StatusCode != 201 {
			t.Errorf("a change with the CSRF token: %d", r.StatusCode)
		}
		// Keep the cookie value, log out, and try to use it again.
		u, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
		cookies := jar.Cookies(u.URL)
		if r := post("/api/v1/auth/logout", csrf, nil); r.StatusCode != 204 {
			t.Errorf("logout: %d", r.StatusCode)
		}
		for _, c := range cookies {
			u.AddCookie(c)
		}
		r, _ := http.DefaultClient.Do(u)
		if r.StatusCode != 401 {
			t.Errorf("the old session cookie still works after logout: %d", r.StatusCode)
		}
	})
}

func TestHealthOpenAPIAndUnknownRoutes(t *testing.T) {
	d := dbtest.SQLite(t)
	e := newEnv(t, d)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/api/v1/openapi.json": 200, "/api/v1/nothing": 404} {
		res, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		if path == "/api/v1/openapi.json" && !strings.Contains(string(b), `"openapi":"3.1.0"`) {
			t.Errorf("OpenAPI document: %.200s", b)
		}
		if want == 404 && res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("unknown route answers %q", res.Header.Get("Content-Type"))
		}
	}
	status, body := e.do("anon", "POST", "/api/v1/auth/login", map[string]any{"email": 5})
	if status != 422 || !strings.Contains(body, "email") {
		t.Errorf("bad body: %d %s", status, body)
	}
	_ = time.Second
}
