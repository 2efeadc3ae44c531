package people

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// Throttling of failed logins: after this many failures within the window,
// further attempts for that account (or from that address) are refused
// until the window has passed since the first failure.
const (
	AccountFailureLimit = 5
	AddressFailureLimit = 50
	FailureWindow       = 15 * time.Minute
)

// Session is a signed-in browser: the cookie value is shown once, here.
type Session struct {
	Token string // the cookie value
	CSRF  string // must come back in X-CSRF-Token on changes
	User  User
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Login checks an email and password and starts a session. Failures are
// counted per account and per address and throttled.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (Session, error) {
	now := s.clock.Now()
	accountKey := "email:" + normalizedOrRaw(email)
	addressKey := "ip:" + ip
	if wait := s.throttled(ctx, accountKey, AccountFailureLimit, now); wait > 0 {
		return Session{}, tooMany(wait, "too many failed logins for this account")
	}
	if wait := s.throttled(ctx, addressKey, AddressFailureLimit, now); wait > 0 {
		return Session{}, tooMany(wait, "too many failed logins from this address")
	}
	var id, hash string
	var disabled int
	err := s.db.R.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE email = $1`,
		normalizedOrRaw(email)).Scan(&id, &hash, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Session{}, errs.Wrap(err, "reading user")
	}
	if hash == "" {
		VerifyPassword(dummyHash, password) // spend the same time as a real check
	}
	if hash == "" || !VerifyPassword(hash, password) {
		s.countFailure(ctx, now, accountKey, addressKey)
		return Session{}, errs.Unauthorizedf("wrong email or password")
	}
	if disabled != 0 {
		return Session{}, errs.Forbiddenf("this account is disabled: ask an administrator to enable it")
	}
	s.clearFailures(ctx, accountKey)
	sess := Session{Token: randomToken(), CSRF: randomToken()}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $4, $5, $6)`, hashToken(sess.Token), id, sess.CSRF, db.Millis(now), ip, truncate(userAgent, 400)); err != nil {
		return Session{}, errs.Wrap(err, "creating session")
	}
	if sess.User, err = s.Get(ctx, id); err != nil {
		return Session{}, err
	}
	return sess, nil
}

func normalizedOrRaw(email string) string {
	if e, err := normalizeEmail(email); err == nil {
		return e
	}
	return email
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func tooMany(wait time.Duration, what string) error {
	e := errs.TooManyf("%s: try again in %d minutes", what, int(wait.Minutes())+1)
	e.RetryAfter = wait
	return e
}

// throttled returns how long key must wait, or 0.
func (s *Service) throttled(ctx context.Context, key string, limit int, now time.Time) time.Duration {
	var count int
	var first int64
	err := s.db.R.QueryRowContext(ctx, `SELECT count, first_at FROM login_failures WHERE key = $1`, key).Scan(&count, &first)
	if err != nil {
		return 0
	}
	until := db.Time(first).Add(FailureWindow)
	if count >= limit && now.Before(until) {
		return until.Sub(now)
	}
	return 0
}

func (s *Service) countFailure(ctx context.Context, now time.Time, keys ...string) {
	ms := db.Millis(now)
	windowStart := db.Millis(now.Add(-FailureWindow))
	for _, key := range keys {
		// A failure after the window has passed starts a new window.
		s.db.W.ExecContext(ctx, `INSERT INTO login_failures (key, count, first_at, last_at) VALUES ($1, 1, $2, $2)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN login_failures.first_at < $3 THEN 1 ELSE login_failures.count + 1 END,
				first_at = CASE WHEN login_failures.first_at < $3 THEN $2 ELSE login_failures.first_at END,
				last_at = $2`, key, ms, windowStart)
	}
}

func (s *Service) clearFailures(ctx context.Context, key string) {
	s.db.W.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
}

// principal loads the roles and name of an enabled user.
func (s *Service) principal(ctx context.Context, userID string) (Principal, error) {
	u, err := s.Get(ctx, userID)
	if err != nil || u.Disabled {
		return Principal{}, errs.Unauthorizedf("your account is no longer active")
	}
	return Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles}, nil
}

// SessionPrincipal returns who holds the session cookie value token, and
// counts the request as use of the session (for the idle timeout). An
// expired session is ended and reported as Unauthorized.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (Principal, error) {
	return s.session(ctx, token, true)
}

// CheckSession is SessionPrincipal for a check made on the user's behalf,
// not by them (a live connection asking whether its session still holds):
// it does not count as use, so an open tab does not keep an idle session alive.
func (s *Service) CheckSession(ctx context.Context, token string) (Principal, error) {
	return s.session(ctx, token, false)
}

func (s *Service) session(ctx context.Context, token string, use bool) (Principal, error) {
	idHash := hashToken(token)
	var userID, csrf string
	var created, seen int64
	err := s.db.R.QueryRowContext(ctx, `SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = $1`,
		idHash).Scan(&userID, &csrf, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, errs.Unauthorizedf("your session has ended: sign in again")
	}
	if err != nil {
		return Principal{}, errs.Wrap(err, "reading session")
	}
	now := s.clock.Now()
	if now.Sub(db.Time(seen)) > s.IdleTimeout || now.Sub(db.Time(created)) > s.AbsoluteTimeout {
		s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
		return Principal{}, errs.Unauthorizedf("your session has expired: sign in again")
	}
	p, err := s.principal(ctx, userID)
	if err != nil {
		return Principal{}, err
	}
	// Record use at most once a minute, to keep reads from becoming writes.
	if use && now.Sub(db.Time(seen)) > time.Minute {
		s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, db.Millis(now), idHash)
	}
	p.SessionID, p.CSRF = idHash, csrf
	return p, nil
}

// CheckCSRF tells whether the token sent with a change matches the session's.
func CheckCSRF(p Principal, sent string) bool {
	return p.CSRF != "" && subtle.ConstantTimeCompare([]byte(p.CSRF), []byte(sent)) == 1
}

// Logout ends the session with the given id hash.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, sessionID)
	return errs.Wrap(err, "ending session")
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session of the user.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	var hash string
	if err := s.db.R.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, p.UserID).Scan(&hash); err != nil {
		return errs.Wrap(err, "reading user")
	}
	if hash == "" || !VerifyPassword(hash, current) {
		return errs.Field("currentPassword", "the current password is wrong")
	}
	if err := CheckPassword(next); err != nil {
		return errs.Field("newPassword", "%s", err.(*errs.Error).Message)
	}
	newHash, err := HashPassword(next)
	if err != nil {
		return errs.Wrap(err, "hashing password")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`,
			newHash, db.Millis(s.clock.Now()), p.UserID); err != nil {
			return errs.Wrap(err, "setting password")
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, p.UserID, p.SessionID)
		return errs.Wrap(err, "ending other sessions")
	})
}

// Token is a personal API token, as listed (the secret itself is shown once).
type Token struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	// Token is the secret, set only in the answer that creates it.
	Token string `json:"token,omitempty"`
}

// tokenPrefix marks Tend's personal tokens, so that secret scanners and
// people can tell them apart.
const tokenPrefix = "tend_pat_"

// CreateToken makes a personal API token for the user.
func (s *Service) CreateToken(ctx context.Context, userID, label string) (Token, error) {
	if label == "" {
		label = "API token"
	}
	if len(label) > 100 {
		return Token{}, errs.Field("label", "the label is longer than 100 characters")
	}
	now := s.clock.Now()
	t := Token{ID: uuid.Must(uuid.NewV7()).String(), Label: label, CreatedAt: now.UTC().Truncate(time.Millisecond), Token: tokenPrefix + randomToken()}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, userID, label, hashToken(t.Token), db.Millis(now)); err != nil {
		return Token{}, errs.Wrap(err, "creating token")
	}
	return t, nil
}

// Tokens lists the user's tokens that are not revoked.
func (s *Service) Tokens(ctx context.Context, userID string) ([]Token, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, label, created_at, last_used_at FROM api_tokens
		WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at`, userID)
	if err != nil {
		return nil, errs.Wrap(err, "listing tokens")
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Label, &created, &used); err != nil {
			return nil, errs.Wrap(err, "listing tokens")
		}
		t.CreatedAt = db.Time(created)
		if used.Valid {
			u := db.Time(used.Int64)
			t.LastUsedAt = &u
		}
		out = append(out, t)
	}
	return out, errs.Wrap(rows.Err(), "listing tokens")
}

// RevokeToken revokes one of the user's tokens.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID string) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`,
		db.Millis(s.clock.Now()), tokenID, userID)
	if err != nil {
		return errs.Wrap(err, "revoking token")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("you have no active token with id %s", tokenID)
	}
	return nil
}

// TokenPrincipal returns who holds the API token.
func (s *Service) TokenPrincipal(ctx context.Context, token string) (Principal, error) {
	var id, userID string
	var used sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
		hashToken(token)).Scan(&id, &userID, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, errs.Unauthorizedf("the API token is unknown or revoked")
	}
	if err != nil {
		return Principal{}, errs.Wrap(err, "reading token")
	}
	p, err := s.principal(ctx, userID)
	if err != nil {
		return Principal{}, err
	}
	now := s.clock.Now()
	if !used.Valid || now.Sub(db.Time(used.Int64)) > time.Minute {
		s.db.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, db.Millis(now), id)
	}
	p.TokenID = id
	return p, nil
}
