package appointments

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

func hashFeedToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ResetFeed turns on the viewer's private calendar feed, or replaces its
// secret, and returns the new secret once; the old one stops working. The
// door builds the subscription URL from it; keep the secret out of logs.
func (s *Service) ResetFeed(ctx context.Context, viewer people.Principal) (string, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, created_at = $3`, viewer.UserID, hashFeedToken(token), db.Millis(s.clock.Now()))
	if err != nil {
		return "", errs.Wrap(err, "saving the calendar feed")
	}
	s.record(ctx, audit.Event{Action: "appointment.feed.reset", Resource: "calendar-feeds/" + viewer.UserID, Outcome: audit.Success})
	return token, nil
}

// DisableFeed turns off the viewer's calendar feed.
func (s *Service) DisableFeed(ctx context.Context, viewer people.Principal) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, viewer.UserID)
	if err == nil {
		s.record(ctx, audit.Event{Action: "appointment.feed.disable", Resource: "calendar-feeds/" + viewer.UserID, Outcome: audit.Success})
	}
	return errs.Wrap(err, "turning off the calendar feed")
}

// HasFeed tells whether the viewer's calendar feed is on.
func (s *Service) HasFeed(ctx context.Context, viewer people.Principal) (bool, error) {
	var one int
	err := s.db.R.QueryRowContext(ctx, `SELECT 1 FROM calendar_feeds WHERE user_id = $1`, viewer.UserID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, errs.Wrap(err, "reading the calendar feed")
}

// Feed returns the iCalendar (RFC 5545) text of the calendar whose secret
// is token: the owner's appointments as professional and as patient, and,
// for a family member, those of the patients who shared the appointments
// scope with them; from FeedPast ago to FeedFuture ahead, cancelled ones
// included with STATUS:CANCELLED so that subscribed calendars drop them.
// Summaries name the other side and whether it is a video visit, never the
// reason. An unknown token is NotFound.
func (s *Service) Feed(ctx context.Context, token string) ([]byte, error) {
	var owner string
	var family bool
	err := s.db.R.QueryRowContext(ctx, `SELECT f.user_id, EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = f.user_id AND r.role = 'family')
		FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.disabled = 0`,
		hashFeedToken(strings.TrimSpace(token))).Scan(&owner, &family)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("no such calendar feed: it may have been reset")
	}
	if err != nil {
		return nil, errs.Wrap(err, "reading the calendar feed")
	}
	now := s.clock.Now()
	var args db.Args
	u := args.Add(owner)
	where := `(a.professional_id = ` + u + ` OR a.patient_id = ` + u
	if family {
		where += ` OR EXISTS (SELECT 1 FROM grants g WHERE g.patient_id = a.patient_id AND g.grantee_id = ` + u + `
			AND g.kind = 'share' AND g.scopes LIKE '%,appointments,%' AND g.revoked_at IS NULL
			AND (g.expires_at IS NULL OR g.expires_at > ` + args.Add(db.Millis(now)) + `))`
	}
	where += `) AND a.starts_at >= ` + args.Add(db.Millis(now.Add(-s.FeedPast))) + ` AND a.starts_at < ` + args.Add(db.Millis(now.Add(s.FeedFuture)))
	as, err := s.queryAppointments(ctx, s.db.R, where, args...)
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Event{Action: "appointment.feed.read", ActorID: owner, Resource: "calendar-feeds/" + owner,
		Outcome: audit.Success})
	return s.renderFeed(owner, as), nil
}

func (s *Service) renderFeed(owner string, as []Appointment) []byte {
	var w icsWriter
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.text("PRODID", "-//Tend//Appointments//EN")
	w.line("CALSCALE", "GREGORIAN")
	w.text("NAME", "Tend appointments")
	w.text("X-WR-CALNAME", "Tend appointments")
	w.line("REFRESH-INTERVAL;VALUE=DURATION", "PT15M")
	w.line("X-PUBLISHED-TTL", "PT15M")
	base := strings.TrimRight(s.BaseURL, "/")
	for _, a := range as {
		var summary string
		switch owner {
		case a.ProfessionalID:
			summary = kindText(a.Kind) + ": " + a.PatientName
		case a.PatientID:
			summary = kindText(a.Kind) + " with " + a.ProfessionalName
		default:
			summary = kindText(a.Kind) + ": " + a.PatientName + " with " + a.ProfessionalName
		}
		w.line("BEGIN", "VEVENT")
		w.text("UID", a.ID+"@tend")
		w.utc("DTSTAMP", a.UpdatedAt)
		w.utc("CREATED", a.BookedAt)
		w.utc("LAST-MODIFIED", a.UpdatedAt)
		w.utc("DTSTART", a.Start)
		w.utc("DTEND", a.End)
		w.text("SUMMARY", summary)
		desc := "In person."
		if a.Kind == Video {
			desc = "Video visit in Tend."
		}
		if a.Status == Cancelled {
			desc = "Cancelled by " + a.CancelledByName + "."
			if a.RescheduledTo != "" {
				desc = "Moved to another time by " + a.CancelledByName + "."
			}
		}
		w.text("DESCRIPTION", desc)
		if a.Status == Cancelled {
			w.line("STATUS", "CANCELLED")
			w.line("SEQUENCE", "1")
		} else {
			w.line("STATUS", "CONFIRMED")
			w.line("SEQUENCE", "0")
		}
		w.line("TRANSP", "OPAQUE")
		if base != "" && a.JoinPath != "" {
			w.line("URL", base+a.JoinPath)
		}
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	return w.b.Bytes()
}
