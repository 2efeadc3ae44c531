package people

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// User is a person who can sign in to Tend.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []Role    `json:"roles"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"createdAt"`
	// Profile is set for users with the patient role.
	Profile *Profile `json:"profile,omitempty"`
}

// Has tells whether u wears role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// HasAny tells whether u wears one of rs.
func (u User) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// Profile is a patient's clinical profile.
type Profile struct {
	BirthDate string `json:"birthDate,omitempty" doc:"Date of birth, YYYY-MM-DD" example:"1948-03-14"`
	Sex       string `json:"sex,omitempty" enum:"female,male,other,unknown,"`
	TimeZone  string `json:"timeZone,omitempty" doc:"IANA time zone" example:"Europe/Oslo"`
	MRN       string `json:"mrn,omitempty" doc:"Medical record number, unique within this Tend"`
}

// Location returns the patient's time zone, UTC when none is set.
func (p *Profile) Location() *time.Location {
	if p == nil || p.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// NewUser is what an administrator (or the shell) gives to add a user.
type NewUser struct {
	Email    string   `json:"email" format:"email" maxLength:"254"`
	Name     string   `json:"name" minLength:"1" maxLength:"200"`
	Roles    []Role   `json:"roles" minItems:"1" uniqueItems:"true"`
	Password string   `json:"password,omitempty" doc:"Initial password, at least 12 characters; without one the user cannot sign in until an administrator sets one"`
	Profile  *Profile `json:"profile,omitempty"`
	// PasswordHash, instead of Password, is a hash HashPassword made: the
	// demo hashes its one shared password once for all its accounts. Never
	// from outside Tend.
	PasswordHash string `json:"-"`
}

// Patch changes some of a user's fields; nil fields are left as they are.
type Patch struct {
	Name     *string  `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Roles    []Role   `json:"roles,omitempty" uniqueItems:"true"`
	Disabled *bool    `json:"disabled,omitempty"`
	Profile  *Profile `json:"profile,omitempty"`
	Password *string  `json:"password,omitempty" doc:"Set a new password for the user"`
}

// Filter narrows a list of users.
type Filter struct {
	Q    string // part of the name or email
	Role Role
}

// Service stores users, sessions and tokens.
type Service struct {
	db    *db.DB
	clock clock.Clock
	// IdleTimeout ends a session not used for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after login, used or not.
	AbsoluteTimeout time.Duration
}

// NewService returns a Service over d.
func NewService(d *db.DB, c clock.Clock) *Service {
	return &Service{db: d, clock: c, IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour}
}

func normalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return "", errs.Field("email", "%q is not an email address", s)
	}
	return s, nil
}

func checkRoles(roles []Role) error {
	if len(roles) == 0 {
		return errs.Field("roles", "give at least one role (patient, nurse, doctor, admin or family)")
	}
	for _, r := range roles {
		if !r.Valid() {
			return errs.Field("roles", "%q is not a role: use patient, nurse, doctor, admin or family", r)
		}
	}
	return nil
}

func checkProfile(p *Profile) error {
	if p == nil {
		return nil
	}
	if p.BirthDate != "" {
		if _, err := time.Parse("2006-01-02", p.BirthDate); err != nil {
			return errs.Field("profile.birthDate", "%q is not a date: write it as YYYY-MM-DD", p.BirthDate)
		}
	}
	switch p.Sex {
	case "", "female", "male", "other", "unknown":
	default:
		return errs.Field("profile.sex", "%q is not one of female, male, other, unknown", p.Sex)
	}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
			return errs.Field("profile.timeZone", "%q is not a time zone: use an IANA name such as Europe/Oslo", p.TimeZone)
		}
	}
	p.MRN = strings.TrimSpace(p.MRN)
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Create adds a user.
func (s *Service) Create(ctx context.Context, n NewUser) (User, error) {
	email, err := normalizeEmail(n.Email)
	if err != nil {
		return User{}, err
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		return User{}, errs.Field("name", "give the user's name")
	}
	n.Roles = compactRoles(n.Roles)
	if err := checkRoles(n.Roles); err != nil {
		return User{}, err
	}
	if err := checkProfile(n.Profile); err != nil {
		return User{}, err
	}
	hash := n.PasswordHash
	if n.Password != "" {
		if err := CheckPassword(n.Password); err != nil {
			return User{}, err
		}
		if hash, err = HashPassword(n.Password); err != nil {
			return User{}, errs.Wrap(err, "hashing password")
		}
	}
	now := s.clock.Now()
	u := User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, Name: n.Name, Roles: n.Roles, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	if slices.Contains(n.Roles, Patient) {
		u.Profile = &Profile{}
		if n.Profile != nil {
			u.Profile = n.Profile
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 0, $5, $5)`, u.ID, u.Email, u.Name, hash, db.Millis(now)); err != nil {
			if db.IsUnique(err) {
				return errs.Field("email", "a user with the email %s exists already", email)
			}
			return errs.Wrap(err, "inserting user")
		}
		if err := writeRoles(ctx, tx, u.ID, u.Roles); err != nil {
			return err
		}
		return writeProfile(ctx, tx, u.ID, u.Profile)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func compactRoles(rs []Role) []Role {
	out := make([]Role, 0, len(rs))
	for _, r := range Roles { // keep the canonical order
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	for _, r := range rs { // keep unknown ones so that they are reported
		if !r.Valid() {
			out = append(out, r)
		}
	}
	return out
}

func writeRoles(ctx context.Context, tx *sql.Tx, userID string, roles []Role) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, userID); err != nil {
		return errs.Wrap(err, "clearing roles")
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, userID, string(r)); err != nil {
			return errs.Wrap(err, "inserting role")
		}
	}
	return nil
}

func writeProfile(ctx context.Context, tx *sql.Tx, userID string, p *Profile) error {
	if p == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO patient_profiles (user_id, birth_date, sex, time_zone, mrn)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET birth_date = excluded.birth_date, sex = excluded.sex,
			time_zone = excluded.time_zone, mrn = excluded.mrn`,
		userID, nullString(p.BirthDate), nullString(p.Sex), nullString(p.TimeZone), nullString(p.MRN))
	if db.IsUnique(err) {
		return errs.Field("profile.mrn", "another patient already has the medical record number %s", p.MRN)
	}
	return errs.Wrap(err, "writing profile")
}

const userColumns = `u.id, u.email, u.name, u.disabled, u.created_at,
	p.user_id, p.birth_date, p.sex, p.time_zone, p.mrn`

const userFrom = ` FROM users u LEFT JOIN patient_profiles p ON p.user_id = u.id`

type scanner interface{ Scan(...any) error }

func scanUser(row scanner) (User, error) {
	var u User
	var disabled int
	var created int64
	var pid, birth, sex, tz, mrn sql.NullString
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &disabled, &created, &pid, &birth, &sex, &tz, &mrn); err != nil {
		return User{}, err
	}
	u.Disabled = disabled != 0
	u.CreatedAt = db.Time(created)
	if pid.Valid {
		u.Profile = &Profile{BirthDate: birth.String, Sex: sex.String, TimeZone: tz.String, MRN: mrn.String}
	}
	return u, nil
}

// loadRoles fills in the roles of users.
func (s *Service) loadRoles(ctx context.Context, users []User) error {
	if len(users) == 0 {
		return nil
	}
	index := make(map[string]int, len(users))
	var args db.Args
	marks := make([]string, len(users))
	for i, u := range users {
		index[u.ID] = i
		marks[i] = args.Add(u.ID)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT user_id, role FROM user_roles WHERE user_id IN (`+strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return errs.Wrap(err, "reading roles")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r Role
		if err := rows.Scan(&id, &r); err != nil {
			return errs.Wrap(err, "reading roles")
		}
		users[index[id]].Roles = append(users[index[id]].Roles, r)
	}
	for i := range users {
		users[i].Roles = compactRoles(users[i].Roles)
	}
	return errs.Wrap(rows.Err(), "reading roles")
}

// Get returns the user with id.
func (s *Service) Get(ctx context.Context, id string) (User, error) {
	return s.getWhere(ctx, `u.id = $1`, id)
}

// ByEmail returns the user with the given email.
func (s *Service) ByEmail(ctx context.Context, email string) (User, error) {
	return s.getWhere(ctx, `u.email = $1`, strings.ToLower(strings.TrimSpace(email)))
}

func (s *Service) getWhere(ctx context.Context, where string, arg any) (User, error) {
	u, err := scanUser(s.db.R.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.NotFoundf("no such user")
	}
	if err != nil {
		return User{}, errs.Wrap(err, "reading user")
	}
	us := []User{u}
	if err := s.loadRoles(ctx, us); err != nil {
		return User{}, err
	}
	return us[0], nil
}

// List returns the users that match f, by name.
func (s *Service) List(ctx context.Context, f Filter) ([]User, error) {
	var args db.Args
	where := []string{"1 = 1"}
	if q := strings.TrimSpace(f.Q); q != "" {
		m := args.Add("%" + strings.ToLower(q) + "%")
		where = append(where, "(LOWER(u.name) LIKE "+m+" OR u.email LIKE "+m+")")
	}
	if f.Role != "" {
		if !f.Role.Valid() {
			return nil, errs.Field("role", "%q is not a role", f.Role)
		}
		where = append(where, "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = "+args.Add(string(f.Role))+")")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+userColumns+userFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY LOWER(u.name), u.id LIMIT 1000`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing users")
	}
	defer rows.Close()
	users := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, errs.Wrap(err, "listing users")
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "listing users")
	}
	return users, s.loadRoles(ctx, users)
}

// Update applies p to the user with id. Disabling a user ends their
// sessions and revokes their API tokens.
func (s *Service) Update(ctx context.Context, id string, p Patch) (User, error) {
	u, err := s.Get(ctx, id)
	if err != nil {
		return User{}, err
	}
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
		if u.Name == "" {
			return User{}, errs.Field("name", "the name cannot be empty")
		}
	}
	if p.Roles != nil {
		u.Roles = compactRoles(p.Roles)
		if err := checkRoles(u.Roles); err != nil {
			return User{}, err
		}
	}
	if p.Profile != nil {
		if err := checkProfile(p.Profile); err != nil {
			return User{}, err
		}
		u.Profile = p.Profile
	}
	if u.Has(Patient) && u.Profile == nil {
		u.Profile = &Profile{}
	}
	hash := ""
	if p.Password != nil {
		if err := CheckPassword(*p.Password); err != nil {
			return User{}, err
		}
		if hash, err = HashPassword(*p.Password); err != nil {
			return User{}, errs.Wrap(err, "hashing password")
		}
	}
	disable := p.Disabled != nil && *p.Disabled && !u.Disabled
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	now := db.Millis(s.clock.Now())
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, disabled = $2, updated_at = $3 WHERE id = $4`,
			u.Name, db.Bool(u.Disabled), now, u.ID); err != nil {
			return errs.Wrap(err, "updating user")
		}
		if hash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, u.ID); err != nil {
				return errs.Wrap(err, "setting password")
			}
		}
		if p.Roles != nil {
			if err := writeRoles(ctx, tx, u.ID, u.Roles); err != nil {
				return err
			}
		}
		if u.Has(Patient) {
			if err := writeProfile(ctx, tx, u.ID, u.Profile); err != nil {
				return err
			}
		}
		if disable || hash != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
				return errs.Wrap(err, "ending sessions")
			}
		}
		if disable {
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, now, u.ID); err != nil {
				return errs.Wrap(err, "revoking tokens")
			}
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}
