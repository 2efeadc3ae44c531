package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// EmailLevel says which notifications of a kind also go by email.
type EmailLevel string

// The email levels.
const (
	EmailOff      EmailLevel = "off"      // in-app only
	EmailAll      EmailLevel = "all"      // every severity
	EmailWarning  EmailLevel = "warning"  // warning and critical
	EmailCritical EmailLevel = "critical" // critical only
)

func (l EmailLevel) valid() bool {
	switch l {
	case EmailOff, EmailAll, EmailWarning, EmailCritical:
		return true
	}
	return false
}

// allows tells whether a notification of severity sev goes by email.
func (l EmailLevel) allows(sev Severity) bool {
	switch l {
	case EmailAll:
		return true
	case EmailWarning:
		return sev.rank() >= Warning.rank()
	case EmailCritical:
		return sev == Critical
	}
	return false
}

// Rule is a user's choice for one kind of notification, or a family of
// kinds. In-app delivery is always on; the rule decides email.
type Rule struct {
	// Kind is an exact kind (alert.opened), a prefix ending in .*
	// (alert.* — every kind starting alert.), or * for every kind. The most
	// specific matching rule wins.
	Kind  string     `json:"kind" example:"alert.*"`
	Email EmailLevel `json:"email" enum:"off,all,warning,critical"`
}

// QuietHours is a daily window, in the user's time zone, during which
// non-critical notifications are held back from outbound channels until the
// window ends. A window whose end is before its start crosses midnight.
type QuietHours struct {
	Start string `json:"start" example:"22:00" doc:"HH:MM, local time"`
	End   string `json:"end" example:"07:00" doc:"HH:MM, local time"`
}

// Preferences are a user's choices of how notifications reach them.
type Preferences struct {
	// TimeZone is the IANA zone quiet hours are read in. Empty means the
	// zone of the user's patient profile, or UTC.
	TimeZone   string      `json:"timeZone,omitempty" example:"Europe/Oslo"`
	Rules      []Rule      `json:"rules"`
	QuietHours *QuietHours `json:"quietHours,omitempty"`
}

// Preferences returns userID's choices; a user who has made none gets the
// installation's default rule.
func (s *Service) Preferences(ctx context.Context, userID string) (Preferences, error) {
	var raw string
	err := s.db.R.QueryRowContext(ctx, `SELECT prefs FROM notification_preferences WHERE user_id = $1`, userID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Preferences{Rules: []Rule{*s.cfg.Default}}, nil
	}
	if err != nil {
		return Preferences{}, errs.Wrap(err, "reading notification preferences")
	}
	var p Preferences
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Preferences{}, errs.Wrap(err, "decoding notification preferences")
	}
	if p.Rules == nil {
		p.Rules = []Rule{}
	}
	return p, nil
}

// SetPreferences checks and stores userID's choices, replacing the old ones.
func (s *Service) SetPreferences(ctx context.Context, userID string, p Preferences) (Preferences, error) {
	if err := p.check(); err != nil {
		return Preferences{}, err
	}
	if _, err := s.users.Get(ctx, userID); err != nil {
		return Preferences{}, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return Preferences{}, errs.Wrap(err, "encoding notification preferences")
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO notification_preferences (user_id, prefs, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
		userID, string(raw), db.Millis(s.clock.Now()))
	if err != nil {
		return Preferences{}, errs.Wrap(err, "storing notification preferences")
	}
	return p, nil
}

// check validates p and puts it in canonical form.
func (p *Preferences) check() error {
	p.TimeZone = strings.TrimSpace(p.TimeZone)
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
			return errs.Field("timeZone", "%q is not a time zone: use an IANA name such as Europe/Oslo", p.TimeZone)
		}
	}
	if len(p.Rules) > 100 {
		return errs.Field("rules", "give at most 100 rules")
	}
	seen := map[string]bool{}
	rules := make([]Rule, 0, len(p.Rules))
	for i, r := range p.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		r.Kind = strings.TrimSpace(r.Kind)
		if r.Kind != "*" {
			if err := checkKind(field+".kind", strings.TrimSuffix(r.Kind, ".*")); err != nil {
				return errs.Field(field+".kind", "%q is not a kind: give one such as alert.opened, a family such as alert.*, or * for all", r.Kind)
			}
		}
		if seen[r.Kind] {
			return errs.Field(field+".kind", "there are two rules for %s: keep one", r.Kind)
		}
		seen[r.Kind] = true
		if !r.Email.valid() {
			return errs.Field(field+".email", "%q is not a choice for email: use off, all, warning (warning and critical) or critical", r.Email)
		}
		rules = append(rules, r)
	}
	p.Rules = rules
	if q := p.QuietHours; q != nil {
		start, err := parseClock(q.Start)
		if err != nil {
			return errs.Field("quietHours.start", "%q is not a time of day: write it as HH:MM, such as 22:00", q.Start)
		}
		end, err := parseClock(q.End)
		if err != nil {
			return errs.Field("quietHours.end", "%q is not a time of day: write it as HH:MM, such as 07:00", q.End)
		}
		if start == end {
			return errs.Field("quietHours", "quiet hours cannot start and end at the same time; remove them to have none")
		}
		p.QuietHours = &QuietHours{Start: formatClock(start), End: formatClock(end)}
	}
	return nil
}

// parseClock reads HH:MM as minutes after midnight.
func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func formatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// rule returns the rule of p that decides kind: an exact match, else the
// longest matching family, else *, else the installation's default.
func (s *Service) rule(p Preferences, kind string) Rule {
	best, bestLen := *s.cfg.Default, -1
	for _, r := range p.Rules {
		if n := matchLen(r.Kind, kind); n > bestLen {
			best, bestLen = r, n
		}
	}
	return best
}

func (s *Service) wantsEmail(p Preferences, kind string, sev Severity) bool {
	return s.rule(p, kind).Email.allows(sev)
}

// matchLen tells how specifically pattern matches kind: -1 for not at all,
// 0 for *, more for longer families, and the most for the exact kind.
func matchLen(pattern, kind string) int {
	switch {
	case pattern == "*":
		return 0
	case pattern == kind:
		return 1000
	case strings.HasSuffix(pattern, ".*") && strings.HasPrefix(kind, strings.TrimSuffix(pattern, "*")):
		return len(pattern)
	}
	return -1
}

func matchesAny(patterns []string, kind string) bool {
	for _, p := range patterns {
		if matchLen(p, kind) >= 0 {
			return true
		}
	}
	return false
}

// location is the zone p's quiet hours are read in.
func location(p Preferences, u people.User) *time.Location {
	if p.TimeZone != "" {
		if loc, err := time.LoadLocation(p.TimeZone); err == nil {
			return loc
		}
	}
	return u.Profile.Location()
}

// heldUntil tells whether a notification of severity sev, ready at t, falls
// in p's quiet hours, and if so when they end. Critical ones are never held.
func (p Preferences) heldUntil(t time.Time, sev Severity, loc *time.Location) (time.Time, bool) {
	if p.QuietHours == nil || sev == Critical {
		return t, false
	}
	return p.QuietHours.until(t, loc)
}

// until tells whether t is inside the window, and when that window ends.
// Each window is laid on the calendar of loc, so its ends are the wall-clock
// times the user chose even on the days the clocks change: a window from
// 22:00 to 07:00 lasts 9 hours most nights, 8 on the night summer time
// starts and 10 on the night it ends.
func (q QuietHours) until(t time.Time, loc *time.Location) (time.Time, bool) {
	start, err1 := parseClock(q.Start)
	end, err2 := parseClock(q.End)
	if err1 != nil || err2 != nil || start == end {
		return t, false
	}
	local := t.In(loc)
	y, m, d := local.Date()
	// A window that contains t started today or, crossing midnight, yesterday.
	for _, startDay := range []int{d - 1, d} {
		from := time.Date(y, m, startDay, start/60, start%60, 0, 0, loc)
		endDay := startDay
		if end < start {
			endDay++
		}
		to := time.Date(y, m, endDay, end/60, end%60, 0, 0, loc)
		if !t.Before(from) && t.Before(to) {
			return to, true
		}
	}
	return t, false
}
