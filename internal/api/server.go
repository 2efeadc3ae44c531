// Package api is Tend's REST door for the web app and for scripts: it
// decodes requests, asks a service, and encodes the answer. It never writes
// SQL. All routes are listed in routes.go with who may call them.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/dashboard"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
	"github.com/tend-health/tend/internal/summaries"
)

// Deps are the services the API speaks for.
type Deps struct {
	DB       *db.DB
	People   *people.Service
	Access   *access.Service
	Audit    *audit.Log
	Devices  *devices.Service
	Readings *readings.Service
	Log      *slog.Logger
	// SecureCookies marks cookies Secure; set when served over TLS.
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	Version    string
	// Appointments books appointments and serves calendars.
	Appointments *appointments.Service
	// Monitoring keeps schedules, alert rules, NEWS2 and alerts.
	Monitoring *monitoring.Service
	// Medications keeps medicines and their doses.
	Medications *medications.Service
	// Notify holds each person's notifications and preferences, and webhooks.
	Notify *notify.Service
	// Summaries makes clinical summaries, CSV exports and PDF reports.
	Summaries *summaries.Service
	// Live is the WebSocket door for live updates (internal/ws).
	Live http.Handler
	// Web serves the web app for every path the API does not claim.
	Web http.Handler
	// Dashboard answers GET /api/v1/dashboard; when nil, New builds it
	// from Access, Readings, Monitoring and Audit.
	Dashboard dashboard.Board
}

// Server is the HTTP API.
type Server struct {
	Deps
	mux *http.ServeMux
	api huma.API
}

// New builds the API and its routes.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Dashboard == nil && d.Access != nil && d.Readings != nil && d.Monitoring != nil {
		d.Dashboard = dashboard.New(d.Access, d.Readings, d.Monitoring, d.Audit, clock.Real{})
	}
	s := &Server{Deps: d, mux: http.NewServeMux()}
	cfg := huma.DefaultConfig("Tend", d.Version)
	cfg.CreateHooks = nil // no $schema links in bodies
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = "/api/v1/docs"
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.Info.Description = "Tend's REST API for the web app and scripts. Sign in with a session cookie " +
		"(POST /api/v1/auth/login; changes need the X-CSRF-Token header) or a personal API token (Authorization: Bearer …). " +
		"Errors are RFC 9457 problem+json."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"session": {Type: "apiKey", In: "cookie", Name: sessionCookie},
		"token":   {Type: "http", Scheme: "bearer"},
	}
	s.api = humago.New(s.mux, cfg)
	s.api.UseMiddleware(s.enforce)
	s.routes()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if d.Live != nil {
		s.mux.Handle("GET /api/v1/live", d.Live) // authenticates by itself; see internal/ws
	}
	s.mux.HandleFunc("/api/", s.unknownRoute)
	if d.Web != nil {
		s.mux.Handle("/", d.Web)
	}
	return s
}

// schemaName names the OpenAPI schema of a service's type after its package
// too (readings.Entry is ReadingsEntry, audit.Entry is AuditEntry), so that
// two services may use the same noun.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	if t.Name() == "" || !strings.HasPrefix(pkg, "github.com/tend-health/tend/internal/") || path.Base(pkg) == "api" {
		return name
	}
	p := path.Base(pkg)
	return strings.ToUpper(p[:1]) + p[1:] + name
}

// Handler returns the whole HTTP handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.observe(s.secureHeaders(s.authenticate(s.mux)))
}

// API exposes the huma API (its OpenAPI document lists every route).
func (s *Server) API() huma.API { return s.api }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.W.PingContext(ctx); err != nil {
		s.Log.Error("not ready", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "the database is not reachable")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ready\n"))
}

func (s *Server) unknownRoute(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, http.StatusNotFound, "there is no API route "+r.Method+" "+r.URL.Path+": see /api/v1/openapi.json")
}

// clientIP returns the caller's address.
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
