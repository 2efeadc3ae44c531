package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

const (
	sessionCookie = "tend_session"
	csrfCookie    = "tend_csrf"
	csrfHeader    = "X-CSRF-Token"
)

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe gives each request an id, recovers from panics, and logs one
// line per request: method, path, status, time. Never bodies or queries,
// which may carry health data.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = audit.WithOrigin(ctx, audit.Origin{IP: s.clientIP(r), UserAgent: r.UserAgent(), RequestID: id})
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // a streamed answer cut on purpose: let net/http drop the connection
				}
				s.Log.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(v))
				if rec.status == 0 {
					writeRefusal(rec, r, http.StatusInternalServerError, "something went wrong on our side; request id "+id)
				}
			}
			if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
				s.Log.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", loggedPath(r.URL.Path),
					"status", rec.status, "ms", time.Since(start).Milliseconds())
			}
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// loggedPath is a request path as logs may show it: a path that is itself
// a secret (a private calendar feed's URL) is cut to its prefix.
func loggedPath(p string) string {
	if strings.HasPrefix(p, "/calendar/") {
		return "/calendar/…"
	}
	return p
}

// secureHeaders sets headers that keep browsers careful, and keeps answers
// that may carry health data out of caches.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "+
			"connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		if s.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/fhir") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

type deviceKey struct{}

// deviceFrom returns the device that signed the request in, if one did.
func deviceFrom(ctx context.Context) (devices.Device, bool) {
	d, ok := ctx.Value(deviceKey{}).(devices.Device)
	return d, ok
}

// authenticate finds who is behind a request: a person by bearer API token
// or session cookie, or a device by HTTP Basic with its id and credential.
// A bad token or device credential is refused at once; a stale cookie is
// treated as no sign-in, so that the sign-in page still works.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var p people.Principal
		var err error
		if id, secret, ok := r.BasicAuth(); ok {
			d, err := s.Devices.Authenticate(ctx, id, secret)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Basic realm="tend devices"`)
				status := statusOf[errs.KindOf(err)]
				if status == http.StatusInternalServerError {
					s.Log.ErrorContext(ctx, "device check failed", "err", err)
				}
				writeRefusal(w, r, status, err.Error())
				return
			}
			ctx = context.WithValue(ctx, deviceKey{}, d)
			ctx = audit.WithActor(ctx, audit.Actor{ID: d.ID, Kind: "device"})
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				writeRefusal(w, r, http.StatusUnauthorized, "the Authorization header must be 'Bearer <token>' for people, or Basic with a device's id and credential")
				return
			}
			if p, err = s.People.TokenPrincipal(ctx, strings.TrimSpace(token)); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tend"`)
				status := statusOf[errs.KindOf(err)]
				if status == http.StatusInternalServerError {
					s.Log.ErrorContext(ctx, "token check failed", "err", err)
				}
				writeRefusal(w, r, status, err.Error())
				return
			}
		} else if c, cerr := r.Cookie(sessionCookie); cerr == nil && c.Value != "" {
			if p, err = s.People.SessionPrincipal(ctx, c.Value); err != nil {
				p = people.Principal{}
			}
		}
		if p.UserID != "" {
			ctx = people.WithPrincipal(ctx, p)
			ctx = audit.WithActor(ctx, audit.Actor{ID: p.UserID, Kind: "user"})
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// enforce applies each route's rule: sign-in, role, CSRF for cookie
// sessions, and an audit event for every route that touches a patient's
// data or is administrative — allowed, refused or failed.
func (s *Server) enforce(ctx huma.Context, next func(huma.Context)) {
	rl, _ := ctx.Operation().Metadata["rule"].(rule)
	if rl.patient || rl.audit {
		defer s.auditRoute(ctx, rl)
	}
	if _, isDevice := deviceFrom(ctx.Context()); isDevice && !rl.public {
		if !rl.device {
			huma.WriteErr(s.api, ctx, http.StatusForbidden, "devices may only send readings; sign in as a person for this")
			return
		}
		next(ctx)
		return
	}
	p, signedIn := people.FromContext(ctx.Context())
	if !rl.public {
		if !signedIn {
			huma.WriteErr(s.api, ctx, http.StatusUnauthorized, "sign in first: your session has ended or you are not signed in")
			return
		}
		if len(rl.roles) > 0 && !p.HasAny(rl.roles...) {
			huma.WriteErr(s.api, ctx, http.StatusForbidden, "this needs the role "+rolesText(rl.roles))
			return
		}
		unsafe := !slices.Contains([]string{"GET", "HEAD", "OPTIONS"}, ctx.Method())
		if unsafe && p.SessionID != "" && !people.CheckCSRF(p, ctx.Header(csrfHeader)) {
			huma.WriteErr(s.api, ctx, http.StatusForbidden, "the request lacks the CSRF token of your session: reload the page and try again")
			return
		}
	}
	next(ctx)
}

// auditRoute records the outcome of a call to an audited route.
func (s *Server) auditRoute(ctx huma.Context, rl rule) {
	outcome := audit.Success
	switch st := ctx.Status(); {
	case st == http.StatusUnauthorized || st == http.StatusNotFound || st == http.StatusForbidden:
		outcome = audit.Denied
	case st >= 400:
		outcome = audit.Failure
	}
	patientID := ""
	if rl.patient {
		patientID = ctx.Param("patientId")
	}
	err := s.Audit.Record(ctx.Context(), audit.Event{Action: ctx.Operation().OperationID, PatientID: patientID,
		Resource: ctx.URL().Path, Outcome: outcome})
	if err != nil {
		s.Log.ErrorContext(ctx.Context(), "audit write failed", "err", err, "request_id", requestID(ctx.Context()))
	}
}

func rolesText(rs []people.Role) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, " or ")
}
