// Package access decides who may see and change a patient's data.
//
// A user sees a patient's data when they are that patient, or when they hold
// an active grant from that patient: a "share" the patient gave them, or a
// "care" assignment to the patient's care team made by an administrator.
// Grants carry scopes (vitals, journal, …) and may expire. Being an
// administrator opens nobody's clinical data.
//
// The decision is made inside the database query (see Where), so a listing
// never fetches what the caller may not see.
package access

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// Scope is a part of a patient's data that a grant opens.
type Scope string

// The scopes.
const (
	Vitals       Scope = "vitals"
	Journal      Scope = "journal"
	Medications  Scope = "medications"
	Messages     Scope = "messages"
	Alerts       Scope = "alerts"
	Appointments Scope = "appointments"
)

// Scopes lists every scope.
var Scopes = []Scope{Vitals, Journal, Medications, Messages, Alerts, Appointments}

// Any, given as the scope to check, asks for access of any scope: enough to
// know the patient's name and profile.
const Any Scope = ""

// Kinds of access.
const (
	Self  = "self"  // the patient themself
	Care  = "care"  // on the care team, assigned by an administrator
	Share = "share" // shared by the patient
)

// Where returns an SQL condition, true when viewerID may see the data of the
// patient in column patientCol within scope at time now.
func Where(args *db.Args, patientCol, viewerID string, scope Scope, now time.Time) string {
	v := args.Add(viewerID)
	cond := "(" + patientCol + " = " + v + " OR EXISTS (SELECT 1 FROM grants g WHERE g.patient_id = " + patientCol +
		" AND g.grantee_id = " + v + " AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > " +
		args.Add(db.Millis(now)) + ")"
	if scope != Any {
		cond += " AND g.scopes LIKE " + args.Add("%,"+string(scope)+",%")
	}
	return cond + "))"
}

func encodeScopes(ss []Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return "," + strings.Join(parts, ",") + ","
}

func decodeScopes(s string) []Scope {
	out := []Scope{}
	for _, p := range strings.Split(strings.Trim(s, ","), ",") {
		if p != "" {
			out = append(out, Scope(p))
		}
	}
	return out
}

func checkScopes(ss []Scope) ([]Scope, error) {
	if len(ss) == 0 {
		return nil, errs.Field("scopes", "choose at least one scope: vitals, journal, medications, messages, alerts or appointments")
	}
	out := []Scope{}
	for _, want := range Scopes { // canonical order, no repeats
		if slices.Contains(ss, want) {
			out = append(out, want)
		}
	}
	for _, s := range ss {
		if !slices.Contains(Scopes, s) {
			return nil, errs.Field("scopes", "%q is not a scope: use vitals, journal, medications, messages, alerts or appointments", s)
		}
	}
	return out, nil
}

// Patient is a patient as seen by someone allowed to see them.
type Patient struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	BirthDate string          `json:"birthDate,omitempty"`
	Profile   *people.Profile `json:"profile,omitempty"`
	Access    string          `json:"access" enum:"self,care,share"`
	Scopes    []Scope         `json:"scopes"`
}

// Grant is an active grant of access to a patient's data.
type Grant struct {
	ID            string        `json:"id"`
	PatientID     string        `json:"patientId"`
	PatientName   string        `json:"patientName"`
	GranteeID     string        `json:"granteeId"`
	GranteeName   string        `json:"granteeName"`
	GranteeEmail  string        `json:"granteeEmail"`
	GranteeRoles  []people.Role `json:"granteeRoles"`
	Kind          string        `json:"kind" enum:"share,care"`
	Scopes        []Scope       `json:"scopes"`
	ExpiresAt     *time.Time    `json:"expiresAt,omitempty"`
	CreatedAt     time.Time     `json:"createdAt"`
	CreatedByName string        `json:"createdByName"`
}

// Service answers and changes who may see whom.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	people *people.Service
	// OnChange, when set, is told after every committed change of a grant,
	// so that, for one, live connections drop what they may no longer see.
	OnChange func(ctx context.Context, patientID, granteeID string)
}

func (s *Service) announce(ctx context.Context, patientID, granteeID string) {
	if s.OnChange != nil {
		s.OnChange(context.WithoutCancel(ctx), patientID, granteeID)
	}
}

// New returns a Service.
func New(d *db.DB, c clock.Clock, p *people.Service) *Service {
	return &Service{db: d, clock: c, people: p}
}

func notVisible(patientID string) error {
	return errs.NotFoundf("no patient %s, or you have no access to their data", patientID)
}

// Check returns nil when viewer may see patientID's data in scope, and a
// NotFound error otherwise, so that a caller cannot tell a hidden patient
// from a missing one.
func (s *Service) Check(ctx context.Context, viewer people.Principal, patientID string, scope Scope) error {
	var args db.Args
	q := `SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'patient'
		WHERE u.id = ` + args.Add(patientID) + ` AND ` + Where(&args, "u.id", viewer.UserID, scope, s.clock.Now())
	var one int
	err := s.db.R.QueryRowContext(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notVisible(patientID)
	}
	return errs.Wrap(err, "checking access")
}

// patientsQuery selects the patients viewer may see, with how and which
// scopes: one row per patient, self first, then care, then share grants.
func (s *Service) patientsQuery(viewerID, onlyID string) (string, db.Args) {
	var args db.Args
	now := args.Add(db.Millis(s.clock.Now()))
	v := args.Add(viewerID)
	q := `SELECT u.id, u.name, u.email, p.birth_date, p.sex, p.time_zone, p.mrn, u.id = ` + v + `,
		COALESCE((SELECT MIN(g.kind) FROM grants g WHERE g.patient_id = u.id AND g.grantee_id = ` + v + `
			AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > ` + now + `)), ''),
		COALESCE((SELECT ` + stringAgg(s.db.Dialect, "g.scopes") + ` FROM grants g WHERE g.patient_id = u.id AND g.grantee_id = ` + v + `
			AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > ` + now + `)), '')
		FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'patient'
		LEFT JOIN patient_profiles p ON p.user_id = u.id
		WHERE u.disabled = 0 AND ` + Where(&args, "u.id", viewerID, Any, s.clock.Now())
	if onlyID != "" {
		q += ` AND u.id = ` + args.Add(onlyID)
	}
	return q + ` ORDER BY LOWER(u.name), u.id`, args
}

func stringAgg(d db.Dialect, col string) string {
	if d == db.Postgres {
		return "STRING_AGG(" + col + ", '')"
	}
	return "GROUP_CONCAT(" + col + ", '')"
}

func (s *Service) scanPatients(rows *sql.Rows) ([]Patient, error) {
	defer rows.Close()
	out := []Patient{}
	for rows.Next() {
		var p Patient
		var birth, sex, tz, mrn sql.NullString
		var self bool
		var kind, scopes string
		if err := rows.Scan(&p.ID, &p.Name, &p.Email, &birth, &sex, &tz, &mrn, &self, &kind, &scopes); err != nil {
			return nil, errs.Wrap(err, "reading patients")
		}
		p.BirthDate = birth.String
		p.Profile = &people.Profile{BirthDate: birth.String, Sex: sex.String, TimeZone: tz.String, MRN: mrn.String}
		switch {
		case self:
			p.Access, p.Scopes = Self, slices.Clone(Scopes)
		default:
			p.Access = kind // "care" sorts before "share"
			var got []Scope
			for _, sc := range decodeScopes(strings.ReplaceAll(scopes, ",,", ",")) {
				if !slices.Contains(got, sc) {
					got = append(got, sc)
				}
			}
			p.Scopes, _ = checkScopes(got)
		}
		out = append(out, p)
	}
	return out, errs.Wrap(rows.Err(), "reading patients")
}

// Patients lists the patients viewer may see.
func (s *Service) Patients(ctx context.Context, viewer people.Principal) ([]Patient, error) {
	q, args := s.patientsQuery(viewer.UserID, "")
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing patients")
	}
	return s.scanPatients(rows)
}

// Patient returns one patient viewer may see, or NotFound.
func (s *Service) Patient(ctx context.Context, viewer people.Principal, patientID string) (Patient, error) {
	q, args := s.patientsQuery(viewer.UserID, patientID)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return Patient{}, errs.Wrap(err, "reading patient")
	}
	ps, err := s.scanPatients(rows)
	if err != nil {
		return Patient{}, err
	}
	if len(ps) == 0 {
		return Patient{}, notVisible(patientID)
	}
	return ps[0], nil
}

// manages tells whether viewer may see and change patientID's grants: the
// patient themself, or an administrator (who manages care teams).
func manages(viewer people.Principal, patientID string) bool {
	return (viewer.UserID == patientID && viewer.Has(people.Patient)) || viewer.Has(people.Admin)
}

const grantColumns = `g.id, g.patient_id, pu.name, g.grantee_id, gu.name, gu.email, g.kind, g.scopes, g.expires_at, g.created_at, cu.name`

const grantFrom = ` FROM grants g JOIN users pu ON pu.id = g.patient_id JOIN users gu ON gu.id = g.grantee_id
	JOIN users cu ON cu.id = g.created_by`

func (s *Service) readGrants(ctx context.Context, where string, args ...any) ([]Grant, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+grantColumns+grantFrom+` WHERE `+where+` ORDER BY g.created_at`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading grants")
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		var scopes string
		var expires sql.NullInt64
		var created int64
		if err := rows.Scan(&g.ID, &g.PatientID, &g.PatientName, &g.GranteeID, &g.GranteeName, &g.GranteeEmail,
			&g.Kind, &scopes, &expires, &created, &g.CreatedByName); err != nil {
			return nil, errs.Wrap(err, "reading grants")
		}
		g.Scopes = decodeScopes(scopes)
		if expires.Valid {
			t := db.Time(expires.Int64)
			g.ExpiresAt = &t
		}
		g.CreatedAt = db.Time(created)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "reading grants")
	}
	for i := range out {
		u, err := s.people.Get(ctx, out[i].GranteeID)
		if err != nil {
			return nil, err
		}
		out[i].GranteeRoles = u.Roles
	}
	return out, nil
}

// Grants lists the active grants of a patient, to the patient or an administrator.
func (s *Service) Grants(ctx context.Context, viewer people.Principal, patientID string) ([]Grant, error) {
	if !manages(viewer, patientID) {
		return nil, notVisible(patientID)
	}
	if _, err := s.patientUser(ctx, patientID); err != nil {
		return nil, err
	}
	return s.readGrants(ctx, `g.patient_id = $1 AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $2)`,
		patientID, db.Millis(s.clock.Now()))
}

func (s *Service) patientUser(ctx context.Context, patientID string) (people.User, error) {
	u, err := s.people.Get(ctx, patientID)
	if err != nil || !u.Has(people.Patient) {
		return people.User{}, notVisible(patientID)
	}
	return u, nil
}

// NewShare is what a patient gives to share their data.
type NewShare struct {
	GranteeEmail string     `json:"granteeEmail" format:"email"`
	Scopes       []Scope    `json:"scopes" minItems:"1" uniqueItems:"true"`
	ExpiresAt    *time.Time `json:"expiresAt,omitempty" doc:"When the access ends; none means until revoked"`
}

// Share lets the patient give a professional or family member access. A
// new share to someone who already has one replaces it.
func (s *Service) Share(ctx context.Context, viewer people.Principal, patientID string, n NewShare) (Grant, error) {
	if viewer.UserID != patientID || !viewer.Has(people.Patient) {
		if viewer.Has(people.Admin) {
			return Grant{}, errs.Forbiddenf("only the patient can share their data; administrators assign care teams instead")
		}
		return Grant{}, notVisible(patientID)
	}
	scopes, err := checkScopes(n.Scopes)
	if err != nil {
		return Grant{}, err
	}
	now := s.clock.Now()
	if n.ExpiresAt != nil && !n.ExpiresAt.After(now) {
		return Grant{}, errs.Field("expiresAt", "the end date must be in the future")
	}
	grantee, err := s.people.ByEmail(ctx, n.GranteeEmail)
	if err != nil {
		return Grant{}, errs.Field("granteeEmail", "nobody with the email %s uses Tend: ask them to get an account first", strings.TrimSpace(n.GranteeEmail))
	}
	switch {
	case grantee.ID == patientID:
		return Grant{}, errs.Field("granteeEmail", "you always see your own data")
	case grantee.Disabled:
		return Grant{}, errs.Field("granteeEmail", "%s's account is disabled", grantee.Name)
	case !grantee.Has(people.Nurse) && !grantee.Has(people.Doctor) && !grantee.Has(people.Family):
		return Grant{}, errs.Field("granteeEmail", "%s is not a nurse, doctor or family member in Tend: ask an administrator to give them a role", grantee.Name)
	}
	id := uuid.Must(uuid.NewV7()).String()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE grants SET revoked_at = $1, revoked_by = $2
			WHERE patient_id = $3 AND grantee_id = $4 AND kind = 'share' AND revoked_at IS NULL`,
			db.Millis(now), viewer.UserID, patientID, grantee.ID); err != nil {
			return errs.Wrap(err, "replacing grant")
		}
		var expires any
		if n.ExpiresAt != nil {
			expires = db.Millis(*n.ExpiresAt)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO grants (id, patient_id, grantee_id, kind, scopes, expires_at, created_at, created_by)
			VALUES ($1, $2, $3, 'share', $4, $5, $6, $7)`, id, patientID, grantee.ID, encodeScopes(scopes), expires, db.Millis(now), viewer.UserID)
		return errs.Wrap(err, "creating grant")
	})
	if err != nil {
		return Grant{}, err
	}
	s.announce(ctx, patientID, grantee.ID)
	return s.grant(ctx, id)
}

func (s *Service) grant(ctx context.Context, id string) (Grant, error) {
	gs, err := s.readGrants(ctx, `g.id = $1`, id)
	if err != nil {
		return Grant{}, err
	}
	if len(gs) == 0 {
		return Grant{}, errs.NotFoundf("no grant %s", id)
	}
	return gs[0], nil
}

// AssignCare puts a nurse or doctor on a patient's care team, with every
// scope. Only administrators may.
func (s *Service) AssignCare(ctx context.Context, viewer people.Principal, patientID, userID string) (Grant, error) {
	if !viewer.Has(people.Admin) {
		return Grant{}, errs.Forbiddenf("only administrators assign care teams")
	}
	if _, err := s.patientUser(ctx, patientID); err != nil {
		return Grant{}, err
	}
	pro, err := s.people.Get(ctx, userID)
	if err != nil {
		return Grant{}, errs.Field("userId", "no user %s", userID)
	}
	if !pro.Has(people.Nurse) && !pro.Has(people.Doctor) {
		return Grant{}, errs.Field("userId", "%s is not a nurse or doctor", pro.Name)
	}
	if pro.Disabled {
		return Grant{}, errs.Field("userId", "%s's account is disabled", pro.Name)
	}
	now := s.clock.Now()
	id := uuid.Must(uuid.NewV7()).String()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grants WHERE patient_id = $1 AND grantee_id = $2
			AND kind = 'care' AND revoked_at IS NULL`, patientID, userID).Scan(&n); err != nil {
			return errs.Wrap(err, "reading care team")
		}
		if n > 0 {
			return errs.Conflictf("%s is already on this patient's care team", pro.Name)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO grants (id, patient_id, grantee_id, kind, scopes, created_at, created_by)
			VALUES ($1, $2, $3, 'care', $4, $5, $6)`, id, patientID, userID, encodeScopes(Scopes), db.Millis(now), viewer.UserID)
		return errs.Wrap(err, "creating care assignment")
	})
	if err != nil {
		return Grant{}, err
	}
	s.announce(ctx, patientID, userID)
	return s.grant(ctx, id)
}

// Revoke ends a grant: a patient ends the shares they gave, an
// administrator ends care-team assignments.
func (s *Service) Revoke(ctx context.Context, viewer people.Principal, patientID, grantID string) error {
	if !manages(viewer, patientID) {
		return notVisible(patientID)
	}
	g, err := s.grant(ctx, grantID)
	if err != nil || g.PatientID != patientID {
		return errs.NotFoundf("patient %s has no grant %s", patientID, grantID)
	}
	isPatient := viewer.UserID == patientID && viewer.Has(people.Patient)
	switch {
	case g.Kind == Share && !isPatient:
		return errs.Forbiddenf("only the patient can revoke what they shared")
	case g.Kind == Care && !viewer.Has(people.Admin):
		return errs.Forbiddenf("care-team assignments are changed by the clinic's administrators")
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL`,
		db.Millis(s.clock.Now()), viewer.UserID, grantID)
	if err != nil {
		return errs.Wrap(err, "revoking grant")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("the grant %s was already revoked", grantID)
	}
	s.announce(ctx, patientID, g.GranteeID)
	return nil
}
