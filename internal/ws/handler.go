package ws

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
)

// SessionCookie is the cookie that carries a browser's session.
const SessionCookie = "tend_session"

// Application close codes (4000–4999 are the application's to define).
const (
	CloseSessionEnded websocket.StatusCode = 4001
	CloseLagged       websocket.StatusCode = 4002
)

// Authenticator tells who holds a session cookie or an API token;
// *people.Service is one.
type Authenticator interface {
	SessionPrincipal(ctx context.Context, cookie string) (people.Principal, error)
	// CheckSession answers as SessionPrincipal without counting as use of
	// the session, so that an open tab does not keep an idle session alive.
	CheckSession(ctx context.Context, cookie string) (people.Principal, error)
	TokenPrincipal(ctx context.Context, token string) (people.Principal, error)
}

// Access decides who may see which patient; *access.Service is one.
type Access interface {
	Check(ctx context.Context, viewer people.Principal, patientID string, scope access.Scope) error
	Patients(ctx context.Context, viewer people.Principal) ([]access.Patient, error)
}

// Deps are what the live door needs. Bus, People and Access are required.
type Deps struct {
	Bus    events.Bus
	People Authenticator
	Access Access
	// Audit records each subscription to a patient; nil records nothing.
	Audit *audit.Log
	Log   *slog.Logger
	// Clock times the access cache; the wall clock by default.
	Clock clock.Clock
	// OriginPatterns are further hosts (path.Match patterns, e.g.
	// "app.example.org") whose pages may open a socket, besides the host
	// the request was sent to. Needed behind a proxy that rewrites Host.
	OriginPatterns []string

	// Tuning; zero means the default in brackets.
	PingInterval     time.Duration // between WebSocket pings [25 s]
	SessionCheck     time.Duration // between checks of the session [1 min]
	AccessTTL        time.Duration // how long an access answer is kept [30 s]
	SendQueue        int           // frames waiting to be sent per connection [256]
	MaxPatients      int           // patients in one subscribe [1000]
	HubBuffer        int           // events waiting to be routed [4096]
	WriteTimeout     time.Duration // for one frame to be written [10 s]
	MaxMessageLength int64         // of a client's message [128 KiB]
}

// Handler serves GET /api/v1/live. Make it with New, and Close it when the
// server shuts down: sockets are hijacked connections, which
// http.Server.Shutdown does not wait for or close.
type Handler struct {
	d      Deps
	hub    *hub
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	conns  sync.WaitGroup
	once   sync.Once
}

// New returns the live door's handler and starts routing events from the bus.
func New(d Deps) *Handler {
	if d.Bus == nil || d.People == nil || d.Access == nil {
		panic("ws.New: Bus, People and Access are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	setDefault(&d.PingInterval, 25*time.Second)
	setDefault(&d.SessionCheck, time.Minute)
	setDefault(&d.AccessTTL, 30*time.Second)
	setDefault(&d.SendQueue, 256)
	setDefault(&d.MaxPatients, 1000)
	setDefault(&d.HubBuffer, 4096)
	setDefault(&d.WriteTimeout, 10*time.Second)
	setDefault(&d.MaxMessageLength, 128<<10)
	h := &Handler{d: d, hub: newHub(), done: make(chan struct{})}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	go h.route()
	return h
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Close stops routing events and closes every socket, telling clients the
// server is going away. It waits for the connections to end.
func (h *Handler) Close() error {
	h.once.Do(func() {
		h.cancel()
		<-h.done
		h.conns.Wait()
	})
	return nil
}

// route feeds the bus's events to the hub until the handler or bus closes.
// When the hub itself falls behind, every connection is told it lagged.
func (h *Handler) route() {
	defer close(h.done)
	for {
		sub := h.d.Bus.Subscribe(h.d.HubBuffer)
		stop := context.AfterFunc(h.ctx, sub.Close)
		for e := range sub.Events() {
			h.hub.route(e)
		}
		stop()
		if !errors.Is(sub.Err(), events.ErrLagged) || h.ctx.Err() != nil {
			h.cancel() // no events any more: refuse new sockets too
			h.hub.endAll(ending{code: websocket.StatusGoingAway, reason: "server shutting down"})
			return
		}
		h.d.Log.Warn("live door fell behind the event bus; every connection told to reload")
		h.hub.endAll(lagged)
	}
}

// ServeHTTP checks the origin and the caller, then upgrades to a WebSocket
// and serves it until it ends.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := checkOrigin(r, h.d.OriginPatterns); err != nil {
		problem(w, http.StatusForbidden, err.Error())
		return
	}
	if q := r.URL.Query(); q.Has("access_token") || q.Has("token") {
		problem(w, http.StatusBadRequest, "a token in the URL ends up in logs and browser history: "+
			"send it in an Authorization: Bearer header, or sign in for a session cookie")
		return
	}
	cred, viewer, err := h.authenticate(r)
	if err != nil {
		status := http.StatusUnauthorized
		if errs.KindOf(err) == errs.Internal {
			h.d.Log.ErrorContext(r.Context(), "live door could not check the caller", "err", err)
			status = http.StatusServiceUnavailable
		} else if cred.token != "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tend"`)
		}
		problem(w, status, publicMessage(err))
		return
	}
	if h.ctx.Err() != nil {
		problem(w, http.StatusServiceUnavailable, "the server is shutting down: reconnect shortly")
		return
	}
	sock, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: h.d.OriginPatterns})
	if err != nil {
		return // Accept has answered the request
	}
	sock.SetReadLimit(h.d.MaxMessageLength)

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(h.ctx, cancel)
	defer stop()
	ctx = audit.WithActor(ctx, audit.Actor{ID: viewer.UserID, Kind: "user"})
	if audit.OriginFrom(ctx).IP == "" {
		ctx = audit.WithOrigin(ctx, audit.Origin{IP: remoteIP(r), UserAgent: r.UserAgent()})
	}

	c := newConn(h, sock, cred, viewer)
	h.conns.Add(1)
	defer h.conns.Done()
	h.hub.add(c)
	defer h.hub.remove(c)
	c.serve(ctx)
}

// credential is what the caller signed in with, to check it again later.
type credential struct{ cookie, token string }

func (h *Handler) authenticate(r *http.Request) (credential, people.Principal, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return credential{}, people.Principal{}, errs.Unauthorizedf("the Authorization header must be 'Bearer <token>'")
		}
		cred := credential{token: strings.TrimSpace(token)}
		p, err := h.d.People.TokenPrincipal(r.Context(), cred.token)
		return cred, p, err
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		cred := credential{cookie: c.Value}
		p, err := h.d.People.SessionPrincipal(r.Context(), cred.cookie)
		return cred, p, err
	}
	return credential{}, people.Principal{}, errs.Unauthorizedf("sign in first: live updates need your session cookie or an API token")
}

// check asks again who holds the credential; for a session it does not
// count as use, so the session's idle timeout still runs.
func (h *Handler) check(ctx context.Context, cred credential) (people.Principal, error) {
	if cred.token != "" {
		return h.d.People.TokenPrincipal(ctx, cred.token)
	}
	return h.d.People.CheckSession(ctx, cred.cookie)
}

// checkOrigin refuses a page of another site opening a socket with the
// user's cookie. Browsers always send Origin on a WebSocket handshake;
// programs that are not browsers need not.
func checkOrigin(r *http.Request, patterns []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return errors.New("the Origin header is not a valid origin")
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return nil
		}
	}
	return errors.New("live updates are only served to pages of this site")
}

// publicMessage is what a client may read of err.
func publicMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		return e.Message
	}
	return "something went wrong on our side: try again shortly"
}

// problem answers with an RFC 9457 problem document.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": detail})
}

func remoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
