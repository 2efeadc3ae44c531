package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Webhook is an integration's address for events. Tend is one organisation
// per installation, so a webhook receives the events of the whole
// installation whose kinds it asked for.
type Webhook struct {
	ID string `json:"id"`
	// URL receives a POST per event; http or https only.
	URL string `json:"url"`
	// Secret signs every request. AddWebhook makes one when it is empty and
	// returns it that once; lists leave it out.
	Secret string `json:"secret,omitempty"`
	// Kinds are the kinds to send: exact (alert.opened), families (alert.*)
	// or * for all.
	Kinds       []string  `json:"kinds"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// WebhookEvent is the JSON body of a webhook request.
type WebhookEvent struct {
	// ID is the event's id, also sent as the Tend-Event-Id header. It is the
	// same on every retry: a receiver that has seen it may ignore the request.
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Severity  Severity  `json:"severity"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link,omitempty"`
	PatientID string    `json:"patientId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// AddWebhook registers w. The caller is an administrator: where Tend may
// send traffic is the operator's decision (see the package documentation).
func (s *Service) AddWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	w.URL = strings.TrimSpace(w.URL)
	if err := checkWebhookURL(w.URL); err != nil {
		return Webhook{}, err
	}
	if len(w.Kinds) == 0 {
		return Webhook{}, errs.Field("kinds", "say which kinds of event to send, such as alert.* (or * for all)")
	}
	for i, k := range w.Kinds {
		k = strings.TrimSpace(k)
		if k != "*" && checkKind("kinds", strings.TrimSuffix(k, ".*")) != nil {
			return Webhook{}, errs.Field(fmt.Sprintf("kinds[%d]", i), "%q is not a kind: give one such as alert.opened, a family such as alert.*, or *", k)
		}
		w.Kinds[i] = k
	}
	if w.Secret == "" {
		b := make([]byte, 32)
		rand.Read(b)
		w.Secret = "whsec_" + hex.EncodeToString(b)
	} else if len(w.Secret) < 24 {
		return Webhook{}, errs.Field("secret", "the secret must be at least 24 characters long; leave it empty to have one made")
	}
	w.Description = strings.TrimSpace(w.Description)
	w.ID = uuid.Must(uuid.NewV7()).String()
	now := s.clock.Now()
	w.CreatedAt = now.UTC().Truncate(time.Millisecond)
	kinds, _ := json.Marshal(w.Kinds)
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO webhooks (id, url, secret, kinds, description, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, w.ID, w.URL, w.Secret, string(kinds), w.Description, db.Millis(now))
	if err != nil {
		return Webhook{}, errs.Wrap(err, "adding webhook")
	}
	return w, nil
}

func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return errs.Field("url", "%q is not a web address: give an http:// or https:// URL", raw)
	}
	if u.User != nil {
		return errs.Field("url", "put no user name or password in the URL: the signature proves the sender")
	}
	if u.Fragment != "" || len(raw) > 2000 {
		return errs.Field("url", "the URL must be shorter than 2000 characters, without a #fragment")
	}
	return nil
}

// Webhooks lists the registered webhooks, without their secrets.
func (s *Service) Webhooks(ctx context.Context) ([]Webhook, error) {
	hooks, err := s.activeWebhooks(ctx)
	for i := range hooks {
		hooks[i].Secret = ""
	}
	return hooks, err
}

// RemoveWebhook stops sending to a webhook; its pending deliveries are skipped.
func (s *Service) RemoveWebhook(ctx context.Context, id string) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE webhooks SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL`,
		db.Millis(s.clock.Now()), id)
	if err != nil {
		return errs.Wrap(err, "removing webhook")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("no such webhook")
	}
	return nil
}

func (s *Service) activeWebhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, url, secret, kinds, description, created_at FROM webhooks
		WHERE removed_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, errs.Wrap(err, "reading webhooks")
	}
	defer rows.Close()
	hooks := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, errs.Wrap(err, "reading webhooks")
		}
		hooks = append(hooks, w)
	}
	return hooks, errs.Wrap(rows.Err(), "reading webhooks")
}

func scanWebhook(row scanner) (Webhook, error) {
	var w Webhook
	var kinds string
	var created int64
	if err := row.Scan(&w.ID, &w.URL, &w.Secret, &kinds, &w.Description, &created); err != nil {
		return Webhook{}, err
	}
	w.CreatedAt = db.Time(created)
	return w, json.Unmarshal([]byte(kinds), &w.Kinds)
}

// webhook reads one webhook, removed or not; removed is true for a removed one.
func (s *Service) webhook(ctx context.Context, id string) (w Webhook, removed bool, err error) {
	var removedAt *int64
	var kinds string
	var created int64
	err = s.db.R.QueryRowContext(ctx, `SELECT id, url, secret, kinds, description, created_at, removed_at FROM webhooks WHERE id = $1`, id).
		Scan(&w.ID, &w.URL, &w.Secret, &kinds, &w.Description, &created, &removedAt)
	if err != nil {
		return Webhook{}, false, err
	}
	w.CreatedAt = db.Time(created)
	return w, removedAt != nil, json.Unmarshal([]byte(kinds), &w.Kinds)
}

// The headers of a webhook request.
const (
	SignatureHeader = "Tend-Signature"
	EventIDHeader   = "Tend-Event-Id"
)

// Sign returns the Tend-Signature header for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>" keyed with secret>".
func Sign(secret string, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// The ways a signature can be wrong.
var (
	ErrSignatureMalformed = errors.New("webhook signature: the Tend-Signature header is missing or malformed")
	ErrSignatureExpired   = errors.New("webhook signature: the timestamp is outside the tolerance")
	ErrSignatureMismatch  = errors.New("webhook signature: no signature matches the body")
)

// VerifySignature checks a webhook request as its receiver should: header
// is the Tend-Signature header, body the raw request body (before any JSON
// decoding), now the receiver's time. The timestamp must be within
// tolerance of now (5 minutes when tolerance is 0 or less), which stops an
// old request being replayed; and one of the v1 signatures must be the
// HMAC-SHA256 of "<t>.<body>" with secret, compared in constant time.
// Receivers should also ignore a Tend-Event-Id they have already handled.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrSignatureMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil {
				return ErrSignatureMalformed
			}
			sigs = append(sigs, sig)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMalformed
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// postWebhook sends n's event to w.
func (s *Service) postWebhook(ctx context.Context, w Webhook, n Notification, now time.Time) error {
	body, err := json.Marshal(WebhookEvent{
		ID: n.EventID, Kind: n.Kind, Severity: n.Severity, Title: n.Title, Body: n.Body,
		Link: s.absolute(n.Link), PatientID: n.PatientID, CreatedAt: n.CreatedAt,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tend-Webhook/1")
	req.Header.Set(EventIDHeader, n.EventID)
	req.Header.Set(SignatureHeader, Sign(w.Secret, body, now))
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}
