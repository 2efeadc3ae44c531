package notify

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Severity says how urgent a notification is. Critical ones pass quiet hours.
type Severity string

// The severities, least urgent first.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

func (s Severity) rank() int {
	switch s {
	case Info:
		return 1
	case Warning:
		return 2
	case Critical:
		return 3
	}
	return 0
}

// Notification is a message for one person (and, by its kind, for the
// integrations that subscribed to it).
type Notification struct {
	// ID is made by Send. A caller may set it to make a retried Send harmless:
	// a second Send with the same ID changes nothing.
	ID string `json:"id"`
	// RecipientID is the user to tell. Empty makes an event for webhooks only.
	RecipientID string `json:"recipientId,omitempty"`
	// Kind names what happened, in dotted lower case: alert.opened,
	// appointment.booked, reminder.measurement.
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	// Title is one line; it is the subject of an email.
	Title string `json:"title"`
	// Body is plain text. Put in it no more health detail than the reader
	// needs to act; the link leads to the rest, behind a sign-in.
	Body string `json:"body"`
	// Link is a path in the web app, such as /patients/…/alerts/….
	Link string `json:"link,omitempty"`
	// PatientID is the patient it is about, if any.
	PatientID string `json:"patientId,omitempty"`
	// DedupeKey, when set, makes a second notification with the same key for
	// the same recipient within the dedupe window a no-op.
	DedupeKey string `json:"-"`
	// EventID names the happening, when several notifications tell several
	// people about one thing (an alert told to a nurse and a doctor): each
	// webhook then receives it once. Empty means the notification's own ID.
	EventID   string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	// ReadAt is when the recipient marked it read; zero while unread.
	ReadAt time.Time `json:"readAt,omitzero"`
}

// Receipt says what Send did.
type Receipt struct {
	// ID is the notification's id; for a duplicate, the one already sent.
	ID string
	// Duplicate is true when nothing new was recorded: the same ID was sent
	// before, or the same DedupeKey within the dedupe window.
	Duplicate bool
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

func checkKind(field, k string) error {
	if len(k) > 64 || !kindPattern.MatchString(k) {
		return errs.Field(field, "%q is not a notification kind: use dotted lower-case words such as alert.opened", k)
	}
	return nil
}

func (n *Notification) check() error {
	n.Kind = strings.TrimSpace(n.Kind)
	if err := checkKind("kind", n.Kind); err != nil {
		return err
	}
	if n.Severity == "" {
		n.Severity = Info
	}
	if n.Severity.rank() == 0 {
		return errs.Field("severity", "%q is not a severity: use info, warning or critical", n.Severity)
	}
	n.Title = strings.TrimSpace(n.Title)
	switch {
	case n.Title == "":
		return errs.Field("title", "give the notification a title")
	case utf8.RuneCountInString(n.Title) > 200:
		return errs.Field("title", "the title is longer than 200 characters")
	case strings.ContainsAny(n.Title, "\r\n"):
		return errs.Field("title", "the title must be one line")
	}
	n.Body = strings.TrimSpace(n.Body)
	if utf8.RuneCountInString(n.Body) > 4000 {
		return errs.Field("body", "the body is longer than 4000 characters")
	}
	if !utf8.ValidString(n.Title) || !utf8.ValidString(n.Body) {
		return errs.Field("body", "the text is not valid UTF-8")
	}
	if n.Link != "" {
		u, err := url.Parse(n.Link)
		if err != nil || !strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") ||
			strings.Contains(n.Link, `\`) || u.Scheme != "" || u.Host != "" || len(n.Link) > 500 {
			return errs.Field("link", "%q is not a path in the web app: start it with a single /", n.Link)
		}
	}
	if len(n.ID) > 100 || len(n.EventID) > 100 || len(n.DedupeKey) > 200 {
		return errs.Invalidf("the id, event id or dedupe key is too long")
	}
	return nil
}

// Send records n for delivery and returns at once; the in-app copy is in
// the recipient's inbox as soon as Send returns, and a Deliverer takes care
// of email and webhooks. Quiet hours and the recipient's choices decide
// which outbound channels are used and when.
func (s *Service) Send(ctx context.Context, n Notification) (Receipt, error) {
	if err := n.check(); err != nil {
		return Receipt{}, err
	}
	now := s.clock.Now()
	n.CreatedAt = now.UTC().Truncate(time.Millisecond)
	if n.ID == "" {
		n.ID = uuid.Must(uuid.NewV7()).String()
	}
	if n.EventID == "" {
		n.EventID = n.ID
	}

	// What the recipient wants, decided before the transaction: reads only.
	var emailDue time.Time
	if n.RecipientID != "" {
		u, err := s.users.Get(ctx, n.RecipientID)
		if errs.Is(err, errs.NotFound) {
			return Receipt{}, errs.Field("recipientId", "there is no user with the id %s", n.RecipientID)
		}
		if err != nil {
			return Receipt{}, err
		}
		if s.cfg.SMTP != nil && !u.Disabled && u.Email != "" {
			p, err := s.Preferences(ctx, n.RecipientID)
			if err != nil {
				return Receipt{}, err
			}
			if s.wantsEmail(p, n.Kind, n.Severity) {
				emailDue = now
				if until, quiet := p.heldUntil(now, n.Severity, location(p, u)); quiet {
					emailDue = until
				}
			}
		}
	}
	hooks, err := s.activeWebhooks(ctx)
	if err != nil {
		return Receipt{}, err
	}

	receipt := Receipt{ID: n.ID}
	errDuplicate := errors.New("duplicate")
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications
			(id, recipient_id, kind, severity, title, body, link, patient_id, event_id, dedupe_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
			n.ID, nullString(n.RecipientID), n.Kind, string(n.Severity), n.Title, n.Body, n.Link,
			nullString(n.PatientID), n.EventID, n.DedupeKey, db.Millis(now))
		if err != nil {
			return errs.Wrap(err, "recording notification")
		}
		if added, _ := res.RowsAffected(); added == 0 {
			receipt.Duplicate = true
			return errDuplicate
		}
		if n.DedupeKey != "" {
			first, err := s.claimDedupe(ctx, tx, n, now)
			if err != nil {
				return err
			}
			if first != n.ID {
				receipt = Receipt{ID: first, Duplicate: true}
				return errDuplicate
			}
		}
		if !emailDue.IsZero() {
			if err := addDelivery(ctx, tx, n.ID, channelEmail, "", "email:"+n.ID, emailDue, now); err != nil {
				return err
			}
		}
		for _, h := range hooks {
			if !matchesAny(h.Kinds, n.Kind) {
				continue
			}
			if err := addDelivery(ctx, tx, n.ID, channelWebhook, h.ID, "webhook:"+h.ID+":"+n.EventID, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDuplicate) {
		return receipt, nil
	}
	if err != nil {
		return Receipt{}, err
	}
	s.nudge()
	if s.cfg.Sent != nil && n.RecipientID != "" {
		s.cfg.Sent(n)
	}
	return receipt, nil
}

// claimDedupe records n as the holder of its dedupe key, unless another
// notification holds it and its window has not ended; it returns the holder.
// On PostgreSQL a concurrent Send with the same key waits on the row and
// then sees the holder that committed first.
func (s *Service) claimDedupe(ctx context.Context, tx *sql.Tx, n Notification, now time.Time) (string, error) {
	var holder string
	err := tx.QueryRowContext(ctx, `INSERT INTO notification_dedupe (recipient_key, dedupe_key, notification_id, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (recipient_key, dedupe_key) DO UPDATE
			SET notification_id = excluded.notification_id, expires_at = excluded.expires_at
			WHERE notification_dedupe.expires_at <= $5
		RETURNING notification_id`,
		n.RecipientID, n.DedupeKey, n.ID, db.Millis(now.Add(s.cfg.DedupeWindow)), db.Millis(now)).Scan(&holder)
	if err == nil {
		return holder, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", errs.Wrap(err, "checking the dedupe key")
	}
	err = tx.QueryRowContext(ctx, `SELECT notification_id FROM notification_dedupe WHERE recipient_key = $1 AND dedupe_key = $2`,
		n.RecipientID, n.DedupeKey).Scan(&holder)
	return holder, errs.Wrap(err, "reading the dedupe key")
}

func addDelivery(ctx context.Context, tx *sql.Tx, notificationID, channel, target, key string, due, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notification_deliveries
		(id, idempotency_key, notification_id, channel, target, status, attempts, due_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
		uuid.Must(uuid.NewV7()).String(), key, notificationID, channel, target, db.Millis(due), db.Millis(now))
	return errs.Wrap(err, "queueing delivery")
}

const notificationColumns = `id, COALESCE(recipient_id, ''), kind, severity, title, body, link,
	COALESCE(patient_id, ''), event_id, dedupe_key, created_at, read_at`

type scanner interface{ Scan(...any) error }

func scanNotification(row scanner) (Notification, error) {
	var n Notification
	var created int64
	var read sql.NullInt64
	err := row.Scan(&n.ID, &n.RecipientID, &n.Kind, &n.Severity, &n.Title, &n.Body, &n.Link,
		&n.PatientID, &n.EventID, &n.DedupeKey, &created, &read)
	n.CreatedAt = db.Time(created)
	n.ReadAt = db.NullTime(read)
	return n, err
}

// Inbox returns userID's in-app notifications, newest first, at most limit
// of them (50 when limit is 0 or less; never more than 500).
func (s *Service) Inbox(ctx context.Context, userID string, limit int) ([]Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, errs.Wrap(err, "reading inbox")
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, errs.Wrap(err, "reading inbox")
		}
		out = append(out, n)
	}
	return out, errs.Wrap(rows.Err(), "reading inbox")
}

// Unread counts userID's unread in-app notifications.
func (s *Service) Unread(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE recipient_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, errs.Wrap(err, "counting unread notifications")
}

// MarkRead marks one of userID's notifications read. Someone else's
// notification is not found.
func (s *Service) MarkRead(ctx context.Context, userID, id string) error {
	now := db.Millis(s.clock.Now())
	res, err := s.db.W.ExecContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $1)
		WHERE id = $2 AND recipient_id = $3`, now, id, userID)
	if err != nil {
		return errs.Wrap(err, "marking notification read")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("no such notification")
	}
	return nil
}

// MarkAllRead marks every notification of userID read.
func (s *Service) MarkAllRead(ctx context.Context, userID string) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE recipient_id = $2 AND read_at IS NULL`,
		db.Millis(s.clock.Now()), userID)
	return errs.Wrap(err, "marking notifications read")
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
