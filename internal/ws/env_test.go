package ws_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/ws"
)

const password = "a long enough password"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// each runs fn on SQLite with the in-process bus, and on PostgreSQL with
// the LISTEN/NOTIFY bus.
func each(t *testing.T, fn func(t *testing.T, d *db.DB, bus events.Bus)) {
	t.Run("sqlite", func(t *testing.T) {
		d := dbtest.SQLite(t)
		bus := events.NewLocal()
		t.Cleanup(func() { bus.Close() })
		fn(t, d, bus)
	})
	t.Run("postgres", func(t *testing.T) {
		d, bus := postgres(t)
		fn(t, d, bus)
	})
}

func postgres(t testing.TB) (*db.DB, events.Bus) {
	d, bus, _, _ := postgresNodes(t)
	return d, bus
}

// postgresNodes returns a migrated schema and its bus, a way to start the
// bus of another tend node sharing them, and their NOTIFY channel.
func postgresNodes(t testing.TB) (*db.DB, events.Bus, func() events.Bus, string) {
	t.Helper()
	u := dbtest.SchemaURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	channel := "tend_test_" + hex.EncodeToString(b)
	open := func() *db.DB {
		d, err := db.Open(context.Background(), db.Config{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	node := func(d *db.DB) events.Bus {
		bus, err := events.NewPostgres(context.Background(), d, events.PostgresConfig{URL: u, Channel: channel, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bus.Close() })
		return bus
	}
	d := open()
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, node(d), func() events.Bus { return node(open()) }, channel
}

// env is a live door over a real database, with these people:
//
//	patA, patB   patients
//	nurseCare    on patA's care team (every scope)
//	family       patA shared vitals only
//	stranger     a nurse with no grants
//	admin        an administrator
//	doctor       a doctor with no grants yet
type env struct {
	t      testing.TB
	bus    events.Bus
	clock  *clock.Fake
	people *people.Service
	access *access.Service
	audit  *audit.Log
	live   *ws.Handler
	srv    *httptest.Server
	users  map[string]people.User
}

func newEnv(t testing.TB, d *db.DB, bus events.Bus, tune func(*ws.Deps)) *env {
	t.Helper()
	c := clock.NewFake(time.Now())
	ps := people.NewService(d, c)
	e := &env{t: t, bus: bus, clock: c, people: ps, access: access.New(d, c, ps), audit: audit.New(d, c),
		users: map[string]people.User{}}
	deps := ws.Deps{Bus: bus, People: ps, Access: e.access, Audit: e.audit, Log: quiet, Clock: c,
		SessionCheck: 100 * time.Millisecond}
	if tune != nil {
		tune(&deps)
	}
	e.live = ws.New(deps)
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/live", e.live)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		e.live.Close()
		e.srv.Close()
	})
	ctx := context.Background()
	for _, u := range []struct {
		key   string
		roles []people.Role
	}{
		{"patA", []people.Role{people.Patient}}, {"patB", []people.Role{people.Patient}},
		{"nurseCare", []people.Role{people.Nurse}}, {"family", []people.Role{people.Family}},
		{"stranger", []people.Role{people.Nurse}}, {"admin", []people.Role{people.Admin}},
		{"doctor", []people.Role{people.Doctor}},
	} {
		pw := ""
		if u.key == "nurseCare" { // argon2 is slow under -race: one password is enough
			pw = password
		}
		user, err := ps.Create(ctx, people.NewUser{Email: u.key + "@example.org", Name: u.key, Roles: u.roles, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		e.users[u.key] = user
	}
	if _, err := e.access.AssignCare(ctx, e.principal("admin"), e.id("patA"), e.id("nurseCare")); err != nil {
		t.Fatal(err)
	}
	e.share("family", access.Vitals)
	return e
}

func (e *env) id(key string) string { return e.users[key].ID }

func (e *env) principal(key string) people.Principal {
	u := e.users[key]
	return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
}

// share has patA share scopes with the user key.
func (e *env) share(key string, scopes ...access.Scope) {
	e.t.Helper()
	if _, err := e.access.Share(context.Background(), e.principal("patA"), e.id("patA"),
		access.NewShare{GranteeEmail: key + "@example.org", Scopes: scopes}); err != nil {
		e.t.Fatal(err)
	}
}

// revokeShare has patA revoke what they shared with key.
func (e *env) revokeShare(key string) {
	e.t.Helper()
	ctx := context.Background()
	gs, err := e.access.Grants(ctx, e.principal("patA"), e.id("patA"))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, g := range gs {
		if g.GranteeID == e.id(key) {
			if err := e.access.Revoke(ctx, e.principal("patA"), e.id("patA"), g.ID); err != nil {
				e.t.Fatal(err)
			}
			return
		}
	}
	e.t.Fatalf("patA has no grant to %s", key)
}

func (e *env) login(key string) people.Session {
	e.t.Helper()
	s, err := e.people.Login(context.Background(), key+"@example.org", password, "127.0.0.1", "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) publish(kind, patientKey string, scope access.Scope, id string) {
	e.t.Helper()
	err := e.bus.Publish(context.Background(), events.Event{ID: id, Kind: kind, PatientID: e.id(patientKey), Scope: scope,
		Data: json.RawMessage(`{"value":1}`)})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) url() string { return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/live" }

// dial opens a socket as a program would, with an API token.
func (e *env) dial(key string) *client {
	e.t.Helper()
	if key == "nurseCare" {
		return e.dialBrowser(key)
	}
	tok, err := e.people.CreateToken(context.Background(), e.id(key), "test")
	if err != nil {
		e.t.Fatal(err)
	}
	c, res, err := e.dialWith(http.Header{"Authorization": {"Bearer " + tok.Token}}, "")
	if err != nil {
		e.t.Fatalf("dial as %s: %v (status %d)", key, err, status(res))
	}
	return c
}

// dialBrowser opens a socket as a browser would: the session cookie, and
// the page's own origin. Only nurseCare has a password to sign in with.
func (e *env) dialBrowser(key string) *client {
	e.t.Helper()
	s := e.login(key)
	c, res, err := e.dialWith(http.Header{"Cookie": {ws.SessionCookie + "=" + s.Token}, "Origin": {e.srv.URL}}, "")
	if err != nil {
		e.t.Fatalf("dial as %s: %v (status %d)", key, err, status(res))
	}
	return c
}

func (e *env) dialWith(h http.Header, query string) (*client, *http.Response, error) {
	return e.dialOpts(&websocket.DialOptions{HTTPHeader: h}, query)
}

func (e *env) dialOpts(opts *websocket.DialOptions, query string) (*client, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sock, res, err := websocket.Dial(ctx, e.url()+query, opts)
	if err != nil {
		return nil, res, err
	}
	sock.SetReadLimit(1 << 20)
	c := &client{t: e.t, sock: sock}
	e.t.Cleanup(func() { sock.CloseNow() })
	return c, res, nil
}

func status(res *http.Response) int {
	if res == nil {
		return 0
	}
	return res.StatusCode
}

// frame is any message the server sends.
type frame struct {
	Type     string        `json:"type"`
	Event    *events.Event `json:"event"`
	All      bool          `json:"all"`
	Patients []string      `json:"patients"`
	Detail   string        `json:"detail"`
}

type client struct {
	t    testing.TB
	sock *websocket.Conn
}

func (c *client) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.sock.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads the next frame; a read error (such as the socket closing) is
// returned as err.
func (c *client) recv(timeout time.Duration) (frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, b, err := c.sock.Read(ctx)
	if err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.t.Fatalf("server sent %q: %v", b, err)
	}
	return f, nil
}

func (c *client) must(timeout time.Duration) frame {
	c.t.Helper()
	f, err := c.recv(timeout)
	if err != nil {
		c.t.Fatalf("reading: %v", err)
	}
	return f
}

// subscribe sends a subscribe and returns the patients watched and the
// errors sent before the answer, failing on any event in between.
func (c *client) subscribe(msg map[string]any) (watched []string, errors []string) {
	c.t.Helper()
	msg["type"] = "subscribe"
	c.send(msg)
	for {
		f := c.must(5 * time.Second)
		switch f.Type {
		case "subscribed":
			return f.Patients, errors
		case "error":
			errors = append(errors, f.Detail)
		default:
			c.t.Fatalf("unexpected %s frame while subscribing", f.Type)
		}
	}
}

// until reads frames until one satisfies stop, returning the event ids
// seen before it (not counting it).
func (c *client) until(stop func(frame) bool) []string {
	c.t.Helper()
	var ids []string
	for {
		f := c.must(5 * time.Second)
		if stop(f) {
			return ids
		}
		if f.Type == "event" {
			ids = append(ids, f.Event.ID)
		}
	}
}

// barrier returns the ids of the events the server sent this client
// before it answered a fresh subscribe (to the same patients): every event
// routed to the connection before then has been sent or dropped.
func (c *client) barrier(msg map[string]any) []string {
	c.t.Helper()
	msg["type"] = "subscribe"
	c.send(msg)
	return c.until(func(f frame) bool { return f.Type == "subscribed" })
}

// closeStatus waits for the socket to close and returns its status.
func (c *client) closeStatus() websocket.StatusCode {
	c.t.Helper()
	for {
		_, err := c.recv(10 * time.Second)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				c.t.Fatal("the socket stayed open")
			}
			return websocket.CloseStatus(err)
		}
	}
}
