package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/people"
)

// Users finds the people notifications are for; *people.Service is one.
type Users interface {
	Get(ctx context.Context, id string) (people.User, error)
}

// Config is how an installation sends its notifications. The zero value
// works: in-app and webhooks only, with the defaults below.
type Config struct {
	// BaseURL is the public address of the web app (e.g.
	// https://tend.example.org); links in emails and webhook events are made
	// absolute with it. Empty leaves them as paths.
	BaseURL string
	// SMTP, when set, turns the email channel on.
	SMTP *SMTPConfig
	// DedupeWindow is how long a notification's DedupeKey holds back
	// another one with the same key for the same recipient (default 15m).
	DedupeWindow time.Duration
	// Default decides email for kinds none of a user's rules match; nil
	// means {Kind: "*", Email: EmailWarning}.
	Default *Rule
	// MaxAttempts is how many times a delivery is tried before it is marked
	// failed (default 8).
	MaxAttempts int
	// RetryFirst is the wait after the first failed attempt; each further
	// failure doubles it, up to RetryMax (defaults 30s and 1h).
	RetryFirst, RetryMax time.Duration
	// WebhookTimeout bounds one webhook request (default 10s).
	WebhookTimeout time.Duration
	// HTTPClient posts webhooks; nil means a client with WebhookTimeout that
	// does not follow redirects (and uses HTTPS_PROXY/HTTP_PROXY if set).
	HTTPClient *http.Client
	// Sent, if set, is called after Send has recorded a new notification for
	// a person (not for a duplicate), in the sending process: the place to
	// publish it on the event bus, so the recipient's open browsers show it
	// at once. It must not block.
	Sent func(Notification)
	// Logger receives delivery problems (never a notification's text);
	// nil means slog.Default().
	Logger *slog.Logger
}

// Service records notifications and answers questions about them. Its
// Deliverers (NewDeliverer) take them out to email and webhooks.
type Service struct {
	db    *db.DB
	clock clock.Clock
	users Users
	cfg   Config
	http  *http.Client
	log   *slog.Logger
	// wake nudges this process's Deliverers when Send has queued something.
	wake chan struct{}
}

// New returns a Service over d. It checks cfg and fills in its defaults.
func New(d *db.DB, c clock.Clock, users Users, cfg Config) (*Service, error) {
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("notify base URL %q: give the web app's address, such as https://tend.example.org", cfg.BaseURL)
		}
		cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.SMTP != nil {
		smtp := *cfg.SMTP
		if err := smtp.check(); err != nil {
			return nil, err
		}
		cfg.SMTP = &smtp
	}
	if cfg.DedupeWindow <= 0 {
		cfg.DedupeWindow = 15 * time.Minute
	}
	if cfg.Default == nil {
		cfg.Default = &Rule{Kind: "*", Email: EmailWarning}
	} else {
		r := *cfg.Default
		if !r.Email.valid() {
			return nil, fmt.Errorf("notify default rule: %q is not one of off, all, warning, critical", r.Email)
		}
		cfg.Default = &r
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryFirst <= 0 {
		cfg.RetryFirst = 30 * time.Second
	}
	if cfg.RetryMax < cfg.RetryFirst {
		cfg.RetryMax = max(time.Hour, cfg.RetryFirst)
	}
	if cfg.WebhookTimeout <= 0 {
		cfg.WebhookTimeout = 10 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{
			Timeout: cfg.WebhookTimeout,
			// A signed event goes where it was registered to go, nowhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, clock: c, users: users, cfg: cfg, http: hc, log: log, wake: make(chan struct{}, 1)}, nil
}

// backoff is the wait after the attempt-th failed attempt.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.cfg.RetryFirst
	for i := 1; i < attempt && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}

// absolute makes a web app path into a full address when BaseURL is known.
func (s *Service) absolute(link string) string {
	if link == "" || s.cfg.BaseURL == "" {
		return link
	}
	return s.cfg.BaseURL + link
}

func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
