package appointments

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// Service publishes availability, books appointments and serves calendars.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	access *access.Service
	audit  *audit.Log

	// ReminderOffsets are how long before the start reminders go out;
	// 24 hours and 1 hour by default.
	ReminderOffsets []time.Duration
	// MaxRange is the longest from–to span a listing may ask for.
	MaxRange time.Duration
	// BaseURL, when set (e.g. https://tend.example.org), makes absolute
	// links in the iCalendar feed.
	BaseURL string
	// FeedPast and FeedFuture bound the appointments a feed carries.
	FeedPast, FeedFuture time.Duration
}

// New returns a Service. log may be nil in tests that do not look at the audit trail.
func New(d *db.DB, c clock.Clock, acc *access.Service, log *audit.Log) *Service {
	return &Service{db: d, clock: c, access: acc, audit: log,
		ReminderOffsets: []time.Duration{24 * time.Hour, time.Hour},
		MaxRange:        92 * 24 * time.Hour,
		FeedPast:        90 * 24 * time.Hour, FeedFuture: 400 * 24 * time.Hour}
}

// taken is the answer to everyone who lost the race for a slot.
const taken = "that time was just booked by someone else; pick another slot"

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Service) record(ctx context.Context, e audit.Event) {
	if s.audit != nil {
		s.audit.Record(ctx, e) // a failed audit write is logged by the log; the action stands
	}
}

func isProfessional(p people.Principal) bool { return p.HasAny(people.Nurse, people.Doctor) }

// checkRange validates a listing's span.
func (s *Service) checkRange(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero():
		return errs.Field("from", "give both from and to")
	case !to.After(from):
		return errs.Field("to", "to must be after from")
	case to.Sub(from) > s.MaxRange:
		return errs.Field("to", "ask for at most %d days at a time", int(s.MaxRange.Hours()/24))
	}
	return nil
}

// isOverlapError tells whether err is the database refusing a second
// booking of the same time: the no-overlap triggers or the unique index.
func isOverlapError(err error) bool {
	if db.IsUnique(err) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23P01" // exclusion_violation, raised by the trigger
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER && strings.Contains(lite.Error(), "overlaps")
	}
	return false
}

// lockProfessional queues this transaction behind any other that books or
// moves the professional's time (see the package comment).
func lockProfessional(ctx context.Context, tx *sql.Tx, professionalID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO appointment_locks (professional_id, version) VALUES ($1, 1)
		ON CONFLICT (professional_id) DO UPDATE SET version = appointment_locks.version + 1`, professionalID)
	return errs.Wrap(err, "locking the professional's calendar")
}

// ZoneOf returns the IANA zone a user reads times in: a professional's
// availability zone, else a patient's profile zone, else "UTC".
func (s *Service) ZoneOf(ctx context.Context, userID string) string {
	var zone string
	err := s.db.R.QueryRowContext(ctx, `SELECT COALESCE(
		(SELECT time_zone FROM availability WHERE professional_id = $1),
		(SELECT time_zone FROM patient_profiles WHERE user_id = $1 AND time_zone <> ''), 'UTC')`, userID).Scan(&zone)
	if err != nil || zone == "" {
		return "UTC"
	}
	return zone
}

const activeGrant = `g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $2)`

const professionalRole = `EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('nurse', 'doctor'))`

// professionalFor returns the name of professionalID when they are a nurse
// or doctor with an active grant from patientID (care team or share).
func (s *Service) professionalFor(ctx context.Context, q querier, patientID, professionalID string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT u.name FROM users u WHERE u.id = $1 AND u.disabled = 0 AND `+professionalRole+`
		AND EXISTS (SELECT 1 FROM grants g WHERE g.patient_id = $3 AND g.grantee_id = u.id AND `+activeGrant+`)`,
		professionalID, db.Millis(s.clock.Now()), patientID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.Field("professionalId", "that professional is not on the patient's care team and has no access from the patient")
	}
	return name, errs.Wrap(err, "reading the professional")
}

// maySeeSlots tells whether viewer may see professionalID's open slots: the
// professional themself, an administrator, or someone who may book for a
// patient that has the professional on their care team or shared with them.
func (s *Service) maySeeSlots(ctx context.Context, viewer people.Principal, professionalID string) (bool, error) {
	if viewer.UserID == professionalID || viewer.Has(people.Admin) {
		return true, nil
	}
	var args db.Args
	pro := args.Add(professionalID)
	now := s.clock.Now()
	nowArg := args.Add(db.Millis(now))
	q := `SELECT 1 FROM grants gp JOIN users pat ON pat.id = gp.patient_id AND pat.disabled = 0
		WHERE gp.grantee_id = ` + pro + ` AND gp.revoked_at IS NULL AND (gp.expires_at IS NULL OR gp.expires_at > ` + nowArg + `)
		AND ` + access.Where(&args, "gp.patient_id", viewer.UserID, access.Appointments, now) + ` LIMIT 1`
	var one int
	err := s.db.R.QueryRowContext(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, errs.Wrap(err, "checking who may book")
}

// Professionals lists the nurses and doctors patientID can book: those on
// the care team or with access shared by the patient.
func (s *Service) Professionals(ctx context.Context, viewer people.Principal, patientID string) ([]Professional, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Appointments); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT u.id, u.name, COALESCE(av.time_zone, ''), av.professional_id IS NOT NULL
		FROM users u LEFT JOIN availability av ON av.professional_id = u.id
		WHERE u.disabled = 0 AND `+professionalRole+`
		AND EXISTS (SELECT 1 FROM grants g WHERE g.patient_id = $1 AND g.grantee_id = u.id AND `+activeGrant+`)
		ORDER BY LOWER(u.name), u.id`, patientID, db.Millis(s.clock.Now()))
	if err != nil {
		return nil, errs.Wrap(err, "listing professionals")
	}
	defer rows.Close()
	out := []Professional{}
	for rows.Next() {
		var p Professional
		if err := rows.Scan(&p.ID, &p.Name, &p.TimeZone, &p.Bookable); err != nil {
			return nil, errs.Wrap(err, "listing professionals")
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "listing professionals")
	}
	for i := range out {
		roles, err := s.db.R.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = $1 AND role IN ('nurse', 'doctor') ORDER BY role`, out[i].ID)
		if err != nil {
			return nil, errs.Wrap(err, "listing professionals")
		}
		out[i].Roles = []string{}
		for roles.Next() {
			var r string
			if err := roles.Scan(&r); err != nil {
				roles.Close()
				return nil, errs.Wrap(err, "listing professionals")
			}
			out[i].Roles = append(out[i].Roles, r)
		}
		roles.Close()
	}
	return out, nil
}
