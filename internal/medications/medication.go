package medications

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/monitoring/recur"
	"github.com/tend-health/tend/internal/people"
)

// Service keeps medications and their doses.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	access *access.Service
	outbox *outbox.Box
	audit  *audit.Log

	// Early is how long before its time a dose may be recorded and shows as
	// due (default 1h).
	Early time.Duration
	// DefaultWindow is how long after its time a dose may stay unrecorded
	// before it is missed, when a medicine does not say (default 2h).
	DefaultWindow time.Duration
	// TickEvery is how often Run calls Tick (default 30s).
	TickEvery time.Duration
	// Batch is how many due rows one claim takes (default 500).
	Batch int
}

// New returns a Service. box is monitoring's outbox (monitoring.Service.Outbox),
// which carries the reminders to notify and the events to the bus; log may
// be nil.
func New(d *db.DB, c clock.Clock, acc *access.Service, box *outbox.Box, log *audit.Log) *Service {
	return &Service{db: d, clock: c, access: acc, outbox: box, audit: log,
		Early: time.Hour, DefaultWindow: 2 * time.Hour, TickEvery: 30 * time.Second, Batch: 500}
}

// Event kinds besides events.MedicationChanged; all carry scope medications.
const (
	DoseRecorded = "medication.dose_recorded"
	DoseMissed   = "medication.dose_missed"
)

// Input is what the patient or a professional writes about a medicine.
type Input struct {
	Name         string   `json:"name" minLength:"1" maxLength:"200"`
	Dose         string   `json:"dose" minLength:"1" maxLength:"100" example:"500 mg"`
	Instructions string   `json:"instructions,omitempty" maxLength:"1000" example:"with food"`
	Times        []string `json:"times" minItems:"1" doc:"Local times of day, HH:MM" example:"[\"08:00\",\"20:00\"]"`
	Weekdays     []string `json:"weekdays,omitempty" doc:"Days of the week (mon … sun); none means every day"`
	// WindowMinutes is how long after its time a dose counts as on time
	// before it is missed (default 120).
	WindowMinutes *int `json:"windowMinutes,omitempty" minimum:"10" maximum:"720"`
	// ReminderLeadMinutes is how long before its time the patient is
	// reminded (default 0, at the time); Remind false turns reminders off.
	ReminderLeadMinutes *int  `json:"reminderLeadMinutes,omitempty" minimum:"0" maximum:"240"`
	Remind              *bool `json:"remind,omitempty"`
}

// Medication is a medicine a patient takes or took.
type Medication struct {
	ID                  string    `json:"id"`
	PatientID           string    `json:"patientId"`
	Name                string    `json:"name"`
	Dose                string    `json:"dose"`
	Instructions        string    `json:"instructions,omitempty"`
	Times               []string  `json:"times"`
	Weekdays            []string  `json:"weekdays,omitempty"`
	WindowMinutes       int       `json:"windowMinutes"`
	Remind              bool      `json:"remind"`
	ReminderLeadMinutes int       `json:"reminderLeadMinutes"`
	TimeZone            string    `json:"timeZone"`
	CreatedAt           time.Time `json:"createdAt"`
	CreatedBy           string    `json:"createdBy"`
	UpdatedAt           time.Time `json:"updatedAt"`
	StoppedAt           time.Time `json:"stoppedAt,omitzero"`
}

// plan is a medicine as the scheduler computes with it.
type plan struct {
	id, patientID, name, dose string
	pattern                   recur.Pattern
	window                    time.Duration
	lead                      time.Duration // negative: no reminders
	effectiveFrom             time.Time
	loc                       *time.Location
}

func (s *Service) record(ctx context.Context, e audit.Event) {
	if s.audit != nil {
		s.audit.Record(ctx, e)
	}
}

// mayWrite checks that viewer may write a patient's medicines: the patient,
// or a nurse or doctor with the medications scope.
func (s *Service) mayWrite(ctx context.Context, viewer people.Principal, patientID string) error {
	if err := s.access.Check(ctx, viewer, patientID, access.Medications); err != nil {
		return err
	}
	if viewer.UserID != patientID && !viewer.HasAny(people.Nurse, people.Doctor) {
		return errs.Forbiddenf("only the patient, or a nurse or doctor caring for them, can change their medicines")
	}
	return nil
}

func (s *Service) check(in Input) (plan, error) {
	p := plan{name: strings.TrimSpace(in.Name), dose: strings.TrimSpace(in.Dose), window: s.DefaultWindow}
	switch {
	case p.name == "" || len(p.name) > 200:
		return plan{}, errs.Field("name", "give the medicine's name, up to 200 characters")
	case p.dose == "" || len(p.dose) > 100:
		return plan{}, errs.Field("dose", "give the dose as prescribed, e.g. 500 mg")
	case len(in.Instructions) > 1000:
		return plan{}, errs.Field("instructions", "keep the instructions under 1,000 characters")
	case len(in.Times) > 24:
		return plan{}, errs.Field("times", "at most 24 times a day")
	}
	wd, err := recur.ParseWeekdays(in.Weekdays)
	if err != nil {
		return plan{}, errs.Field("weekdays", "%s", err.Error())
	}
	if p.pattern, err = recur.NewPattern(in.Times, wd); err != nil {
		return plan{}, errs.Field("times", "%s", err.Error())
	}
	if in.WindowMinutes != nil {
		if *in.WindowMinutes < 10 || *in.WindowMinutes > 720 {
			return plan{}, errs.Field("windowMinutes", "the window is 10 minutes to 12 hours")
		}
		p.window = time.Duration(*in.WindowMinutes) * time.Minute
	}
	if in.ReminderLeadMinutes != nil {
		if *in.ReminderLeadMinutes < 0 || *in.ReminderLeadMinutes > 240 {
			return plan{}, errs.Field("reminderLeadMinutes", "remind 0 to 240 minutes before")
		}
		p.lead = time.Duration(*in.ReminderLeadMinutes) * time.Minute
	}
	if in.Remind != nil && !*in.Remind {
		p.lead = -time.Minute
	}
	if gap := p.pattern.MinGap(); s.Early+p.window > gap {
		return plan{}, errs.Field("windowMinutes", "doses this close together would share their windows: keep the window under %d minutes",
			int((gap-s.Early)/time.Minute))
	}
	return p, nil
}

func (p plan) dueWindow(due time.Time, early time.Duration) (open, close time.Time) {
	return due.Add(-early), due.Add(p.window)
}

// counts tells whether a dose belongs to the medicine as it stands: its
// window opened after the medicine was written or last changed.
func (p plan) counts(due time.Time, early time.Duration) bool {
	open, _ := p.dueWindow(due, early)
	return !open.Before(p.effectiveFrom)
}

// stage returns the deadline's next step for a dose: the reminder while it
// is still worth sending, else the close.
func (p plan) stage(due, now time.Time) (string, time.Time) {
	close := due.Add(p.window)
	if p.lead >= 0 && close.After(now) {
		return "remind", due.Add(-p.lead)
	}
	return "close", close
}

func (s *Service) setDeadline(ctx context.Context, tx *sql.Tx, p plan, now time.Time) error {
	due := p.pattern.Next(now.Add(s.Early).Add(-time.Nanosecond), p.loc)
	if due.IsZero() {
		_, err := tx.ExecContext(ctx, `DELETE FROM medication_deadlines WHERE medication_id = $1`, p.id)
		return errs.Wrap(err, "saving the reminder")
	}
	stage, at := p.stage(due, now)
	_, err := tx.ExecContext(ctx, `INSERT INTO medication_deadlines (medication_id, patient_id, due_at, stage, next_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (medication_id) DO UPDATE SET due_at = excluded.due_at,
		stage = excluded.stage, next_at = excluded.next_at`, p.id, p.patientID, db.Millis(due), stage, db.Millis(at))
	return errs.Wrap(err, "saving the reminder")
}

func patientZone(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, patientID string) (*time.Location, error) {
	var tz sql.NullString
	err := q.QueryRowContext(ctx, `SELECT p.time_zone FROM users u LEFT JOIN patient_profiles p ON p.user_id = u.id WHERE u.id = $1`,
		patientID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("no patient %s, or you have no access to their data", patientID)
	}
	if err != nil {
		return nil, errs.Wrap(err, "reading the patient's time zone")
	}
	return zone(tz.String), nil
}

func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// write runs fn in a transaction and hands its outbox items over after the
// commit.
func (s *Service) write(ctx context.Context, fn func(tx *sql.Tx, out *[]outbox.Item) error) error {
	var added []outbox.Item
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var items []outbox.Item
		if err := fn(tx, &items); err != nil {
			return err
		}
		var err error
		added, err = s.outbox.Add(ctx, tx, items)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := s.outbox.Deliver(context.WithoutCancel(ctx), added); err != nil {
		slog.Warn("medications: hand-over failed, the next tick retries", "err", err)
	}
	return nil
}

func changed(patientID, id string) outbox.Item {
	return outbox.Event(events.MedicationChanged, patientID, access.Medications, map[string]string{"medicationId": id})
}

// Create adds a medicine for a patient.
func (s *Service) Create(ctx context.Context, viewer people.Principal, patientID string, in Input) (Medication, error) {
	if err := s.mayWrite(ctx, viewer, patientID); err != nil {
		return Medication{}, err
	}
	p, err := s.check(in)
	if err != nil {
		return Medication{}, err
	}
	now := s.clock.Now()
	p.id, p.patientID, p.effectiveFrom = uuid.Must(uuid.NewV7()).String(), patientID, now
	err = s.write(ctx, func(tx *sql.Tx, out *[]outbox.Item) error {
		if p.loc, err = patientZone(ctx, tx, patientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO medications (id, patient_id, name, dose, instructions, times, weekdays,
			window_minutes, reminder_lead_minutes, effective_from, created_at, created_by, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $10, $11)`,
			p.id, patientID, p.name, p.dose, strings.TrimSpace(in.Instructions), strings.Join(p.pattern.ClockTimes(), ","),
			int(p.pattern.Weekdays), int(p.window/time.Minute), leadMinutes(p.lead), db.Millis(now), viewer.UserID); err != nil {
			return errs.Wrap(err, "saving the medicine")
		}
		if err := s.setDeadline(ctx, tx, p, now); err != nil {
			return err
		}
		*out = append(*out, changed(patientID, p.id))
		return nil
	})
	if err != nil {
		return Medication{}, err
	}
	s.record(ctx, audit.Event{Action: "medication.create", PatientID: patientID, Resource: "medications/" + p.id, Outcome: audit.Success})
	return s.medication(ctx, s.db.R, patientID, p.id)
}

func leadMinutes(lead time.Duration) int {
	if lead < 0 {
		return -1
	}
	return int(lead / time.Minute)
}

// Update rewrites a medicine; doses from now on follow the new times.
func (s *Service) Update(ctx context.Context, viewer people.Principal, patientID, id string, in Input) (Medication, error) {
	if err := s.mayWrite(ctx, viewer, patientID); err != nil {
		return Medication{}, err
	}
	p, err := s.check(in)
	if err != nil {
		return Medication{}, err
	}
	now := s.clock.Now()
	p.id, p.patientID, p.effectiveFrom = id, patientID, now
	err = s.write(ctx, func(tx *sql.Tx, out *[]outbox.Item) error {
		old, err := s.medication(ctx, tx, patientID, id)
		if err != nil {
			return err
		}
		if !old.StoppedAt.IsZero() {
			return errs.Conflictf("the medicine was stopped; add it again instead")
		}
		if p.loc, err = patientZone(ctx, tx, patientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE medications SET name = $1, dose = $2, instructions = $3, times = $4, weekdays = $5,
			window_minutes = $6, reminder_lead_minutes = $7, effective_from = $8, updated_at = $8, updated_by = $9 WHERE id = $10`,
			p.name, p.dose, strings.TrimSpace(in.Instructions), strings.Join(p.pattern.ClockTimes(), ","), int(p.pattern.Weekdays),
			int(p.window/time.Minute), leadMinutes(p.lead), db.Millis(now), viewer.UserID, id); err != nil {
			return errs.Wrap(err, "saving the medicine")
		}
		if err := s.setDeadline(ctx, tx, p, now); err != nil {
			return err
		}
		*out = append(*out, changed(patientID, id))
		return nil
	})
	if err != nil {
		return Medication{}, err
	}
	s.record(ctx, audit.Event{Action: "medication.update", PatientID: patientID, Resource: "medications/" + id, Outcome: audit.Success})
	return s.medication(ctx, s.db.R, patientID, id)
}

// Stop ends a medicine; no more doses are due from it.
func (s *Service) Stop(ctx context.Context, viewer people.Principal, patientID, id string) error {
	if err := s.mayWrite(ctx, viewer, patientID); err != nil {
		return err
	}
	now := s.clock.Now()
	err := s.write(ctx, func(tx *sql.Tx, out *[]outbox.Item) error {
		res, err := tx.ExecContext(ctx, `UPDATE medications SET stopped_at = $1, stopped_by = $2, updated_at = $1, updated_by = $2
			WHERE id = $3 AND patient_id = $4 AND stopped_at IS NULL`, db.Millis(now), viewer.UserID, id, patientID)
		if err != nil {
			return errs.Wrap(err, "stopping the medicine")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("no current medicine %s for this patient", id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM medication_deadlines WHERE medication_id = $1`, id); err != nil {
			return errs.Wrap(err, "stopping the medicine")
		}
		*out = append(*out, changed(patientID, id))
		return nil
	})
	if err == nil {
		s.record(ctx, audit.Event{Action: "medication.stop", PatientID: patientID, Resource: "medications/" + id, Outcome: audit.Success})
	}
	return err
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const columns = `m.id, m.patient_id, m.name, m.dose, m.instructions, m.times, m.weekdays, m.window_minutes,
	m.reminder_lead_minutes, m.effective_from, m.created_at, m.created_by, m.updated_at, m.stopped_at, COALESCE(pp.time_zone, '')`

const from = ` FROM medications m LEFT JOIN patient_profiles pp ON pp.user_id = m.patient_id`

type scanner interface{ Scan(dest ...any) error }

func scan(r scanner, extra ...any) (Medication, plan, error) {
	var m Medication
	var times string
	var weekdays, lead int
	var eff, created, updated int64
	var stopped sql.NullInt64
	if err := r.Scan(append(extra, &m.ID, &m.PatientID, &m.Name, &m.Dose, &m.Instructions, &times, &weekdays, &m.WindowMinutes,
		&lead, &eff, &created, &m.CreatedBy, &updated, &stopped, &m.TimeZone)...); err != nil {
		return Medication{}, plan{}, errs.Wrap(err, "reading medicines")
	}
	m.Times = strings.Split(times, ",")
	m.Weekdays = recur.Weekdays(weekdays).Names()
	m.Remind, m.ReminderLeadMinutes = lead >= 0, max(lead, 0)
	m.CreatedAt, m.UpdatedAt, m.StoppedAt = db.Time(created), db.Time(updated), db.NullTime(stopped)
	loc := zone(m.TimeZone)
	if m.TimeZone == "" {
		m.TimeZone = "UTC"
	}
	pat, err := recur.NewPattern(m.Times, recur.Weekdays(weekdays))
	if err != nil {
		return Medication{}, plan{}, errs.Wrap(err, "reading medicines")
	}
	p := plan{id: m.ID, patientID: m.PatientID, name: m.Name, dose: m.Dose, pattern: pat,
		window: time.Duration(m.WindowMinutes) * time.Minute, lead: time.Duration(lead) * time.Minute,
		effectiveFrom: db.Time(eff), loc: loc}
	if lead < 0 {
		p.lead = -time.Minute
	}
	return m, p, nil
}

func (s *Service) medication(ctx context.Context, q queryer, patientID, id string) (Medication, error) {
	m, _, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE m.id = $1 AND m.patient_id = $2`, id, patientID))
	if errs.KindOf(err) == errs.Internal && errors.Is(err, sql.ErrNoRows) {
		return Medication{}, errs.NotFoundf("no medicine %s for this patient", id)
	}
	return m, err
}

// List returns a patient's current medicines (and stopped ones when asked)
// to anyone who may see the patient's medications.
func (s *Service) List(ctx context.Context, viewer people.Principal, patientID string, withStopped bool) ([]Medication, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Medications); err != nil {
		return nil, err
	}
	ms, _, err := s.plans(ctx, patientID, withStopped)
	return ms, err
}

func (s *Service) plans(ctx context.Context, patientID string, withStopped bool) ([]Medication, []plan, error) {
	q := `SELECT ` + columns + from + ` WHERE m.patient_id = $1`
	if !withStopped {
		q += ` AND m.stopped_at IS NULL`
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY LOWER(m.name), m.id`, patientID)
	if err != nil {
		return nil, nil, errs.Wrap(err, "listing medicines")
	}
	defer rows.Close()
	ms, ps := []Medication{}, []plan{}
	for rows.Next() {
		m, p, err := scan(rows)
		if err != nil {
			return nil, nil, err
		}
		ms, ps = append(ms, m), append(ps, p)
	}
	return ms, ps, errs.Wrap(rows.Err(), "listing medicines")
}
