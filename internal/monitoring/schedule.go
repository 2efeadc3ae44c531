package monitoring

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/monitoring/recur"
	"github.com/tend-health/tend/internal/people"
)

// ScheduleInput is what a professional writes to ask a patient to measure.
// Give either Times or EveryHours.
type ScheduleInput struct {
	Type       string   `json:"type" doc:"Measurement type key, e.g. blood_pressure"`
	Times      []string `json:"times,omitempty" doc:"Local times of day, HH:MM" example:"[\"08:00\",\"20:00\"]"`
	EveryHours int      `json:"everyHours,omitempty" doc:"Instead of times: every N hours, N dividing 24" minimum:"0" maximum:"24"`
	Start      string   `json:"start,omitempty" doc:"With everyHours: one of the times, HH:MM (default 00:00)"`
	Weekdays   []string `json:"weekdays,omitempty" doc:"Days of the week (mon … sun); none means every day"`
	// EarlyMinutes is how long before the due time a reading already
	// counts; GraceMinutes how long after it the window closes;
	// ReminderLeadMinutes how long before the close the patient is
	// reminded if no reading has come (0: never). Nil takes the default.
	EarlyMinutes        *int   `json:"earlyMinutes,omitempty" minimum:"0" maximum:"720"`
	GraceMinutes        *int   `json:"graceMinutes,omitempty" minimum:"1" maximum:"1440"`
	ReminderLeadMinutes *int   `json:"reminderLeadMinutes,omitempty" minimum:"0" maximum:"1440"`
	Note                string `json:"note,omitempty" maxLength:"500"`
}

// Schedule is a running or stopped measurement schedule.
type Schedule struct {
	ID                  string    `json:"id"`
	PatientID           string    `json:"patientId"`
	Type                string    `json:"type"`
	TypeName            string    `json:"typeName"`
	Times               []string  `json:"times"`
	EveryHours          int       `json:"everyHours,omitempty"`
	Weekdays            []string  `json:"weekdays,omitempty"`
	EarlyMinutes        int       `json:"earlyMinutes"`
	GraceMinutes        int       `json:"graceMinutes"`
	ReminderLeadMinutes int       `json:"reminderLeadMinutes"`
	Note                string    `json:"note,omitempty"`
	TimeZone            string    `json:"timeZone" doc:"The patient's zone the times are read in"`
	CreatedAt           time.Time `json:"createdAt"`
	CreatedBy           string    `json:"createdBy"`
	UpdatedAt           time.Time `json:"updatedAt"`
	StoppedAt           time.Time `json:"stoppedAt,omitzero"`
}

// OccurrenceStatus is where one due measurement stands.
type OccurrenceStatus string

// The statuses of an occurrence.
const (
	Upcoming OccurrenceStatus = "upcoming" // its window has not opened
	Due      OccurrenceStatus = "due"      // the window is open and no reading has come
	Done     OccurrenceStatus = "done"     // a reading came inside the window
	Missed   OccurrenceStatus = "missed"   // the window closed without one
)

// Occurrence is one measurement due on a day.
type Occurrence struct {
	ScheduleID  string           `json:"scheduleId"`
	Type        string           `json:"type"`
	TypeName    string           `json:"typeName"`
	DueAt       time.Time        `json:"dueAt"`
	Local       string           `json:"local" doc:"The due time on the patient's clock, HH:MM"`
	WindowStart time.Time        `json:"windowStart"`
	WindowEnd   time.Time        `json:"windowEnd"`
	Status      OccurrenceStatus `json:"status" enum:"upcoming,due,done,missed"`
	ReadingID   string           `json:"readingId,omitempty"`
	TakenAt     time.Time        `json:"takenAt,omitzero"`
}

// ScheduleFulfilled is published (scope vitals) when a reading fulfils a
// due measurement; schedule changes publish events.ScheduleChanged.
const ScheduleFulfilled = "schedule.fulfilled"

// sched is a schedule as the scheduler computes with it.
type sched struct {
	id, patientID, typeKey string
	pattern                recur.Pattern
	everyHours             int
	early, grace, lead     time.Duration
	effectiveFrom          time.Time
	loc                    *time.Location
}

func (sc sched) window(due time.Time) (open, close time.Time) {
	return due.Add(-sc.early), due.Add(sc.grace)
}

// counts tells whether an occurrence belongs to the schedule: its window
// opened once the schedule (or its last change) was in force.
func (sc sched) counts(due time.Time) bool {
	open, _ := sc.window(due)
	return !open.Before(sc.effectiveFrom)
}

// first returns the first occurrence that counts after t.
func (sc sched) first(t time.Time) time.Time {
	due := sc.pattern.Next(t.Add(sc.early).Add(-time.Nanosecond), sc.loc)
	for i := 0; i < 64 && !due.IsZero() && !sc.counts(due); i++ {
		due = sc.pattern.Next(due, sc.loc)
	}
	return due
}

// stage returns the deadline row's next step for an occurrence: a reminder
// while the window is still open (at once if its time has passed), else
// the close.
func (sc sched) stage(due, now time.Time) (string, time.Time) {
	open, close := sc.window(due)
	if sc.lead > 0 && close.After(now) {
		at := close.Add(-sc.lead)
		if at.Before(open) {
			at = open
		}
		return "remind", at
	}
	return "close", close
}

func (s *Service) checkSchedule(in ScheduleInput) (sched, error) {
	t, ok := measure.ByKey(in.Type)
	if !ok {
		return sched{}, errs.Field("type", "%q is not a measurement type", in.Type)
	}
	sc := sched{typeKey: t.Key, early: s.DefaultEarly, grace: s.DefaultGrace, lead: s.DefaultReminderLead}
	wd, err := recur.ParseWeekdays(in.Weekdays)
	if err != nil {
		return sched{}, errs.Field("weekdays", "%s", err.Error())
	}
	switch {
	case in.EveryHours != 0 && len(in.Times) > 0:
		return sched{}, errs.Field("times", "give times of day or every N hours, not both")
	case in.EveryHours != 0:
		start := 0
		if in.Start != "" {
			if start, err = recur.ParseClock(in.Start); err != nil {
				return sched{}, errs.Field("start", "%s", err.Error())
			}
		}
		times, err := recur.Every(in.EveryHours, start)
		if err != nil {
			return sched{}, errs.Field("everyHours", "%s", err.Error())
		}
		sc.pattern, sc.everyHours = recur.Pattern{Times: times, Weekdays: wd}, in.EveryHours
	default:
		if len(in.Times) > 48 {
			return sched{}, errs.Field("times", "at most 48 times a day")
		}
		if sc.pattern, err = recur.NewPattern(in.Times, wd); err != nil {
			return sched{}, errs.Field("times", "%s", err.Error())
		}
	}
	minutes := func(p *int, field string, lo, hi int, into *time.Duration) error {
		if p == nil {
			return nil
		}
		if *p < lo || *p > hi {
			return errs.Field(field, "%s must be between %d and %d minutes", field, lo, hi)
		}
		*into = time.Duration(*p) * time.Minute
		return nil
	}
	if err := minutes(in.EarlyMinutes, "earlyMinutes", 0, 720, &sc.early); err != nil {
		return sched{}, err
	}
	if err := minutes(in.GraceMinutes, "graceMinutes", 1, 1440, &sc.grace); err != nil {
		return sched{}, err
	}
	if err := minutes(in.ReminderLeadMinutes, "reminderLeadMinutes", 0, 1440, &sc.lead); err != nil {
		return sched{}, err
	}
	if gap := sc.pattern.MinGap(); sc.early+sc.grace > gap {
		return sched{}, errs.Field("graceMinutes", "the windows would overlap: early and grace together must not exceed %d minutes, the shortest time between two measurements",
			int(gap/time.Minute))
	}
	if len(in.Note) > 500 {
		return sched{}, errs.Field("note", "keep the note under 500 characters")
	}
	return sc, nil
}

// CreateSchedule asks a patient to measure something at set times. Only a
// nurse or doctor who may see the patient's vitals may. The first
// occurrence is the first whose window opens from now on.
func (s *Service) CreateSchedule(ctx context.Context, viewer people.Principal, patientID string, in ScheduleInput) (Schedule, error) {
	if err := s.mayChange(ctx, viewer, patientID, access.Vitals); err != nil {
		return Schedule{}, err
	}
	sc, err := s.checkSchedule(in)
	if err != nil {
		return Schedule{}, err
	}
	now := s.clock.Now()
	sc.id, sc.patientID, sc.effectiveFrom = uuid.Must(uuid.NewV7()).String(), patientID, now
	err = s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		if sc.loc, err = patientZone(ctx, tx, patientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO measurement_schedules (id, patient_id, type_key, times, weekdays, every_hours,
			early_minutes, grace_minutes, reminder_lead_minutes, note, effective_from, created_at, created_by, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $11, $12)`,
			sc.id, patientID, sc.typeKey, strings.Join(sc.pattern.ClockTimes(), ","), int(sc.pattern.Weekdays), sc.everyHours,
			int(sc.early/time.Minute), int(sc.grace/time.Minute), int(sc.lead/time.Minute), strings.TrimSpace(in.Note),
			db.Millis(now), viewer.UserID); err != nil {
			return errs.Wrap(err, "saving the schedule")
		}
		if err := s.setDeadline(ctx, tx, sc, now); err != nil {
			return err
		}
		*out = append(*out, outbox.Event(events.ScheduleChanged, patientID, access.Vitals, map[string]string{"scheduleId": sc.id}))
		return nil
	})
	if err != nil {
		return Schedule{}, err
	}
	s.record(ctx, audit.Event{Action: "schedule.create", PatientID: patientID, Resource: "schedules/" + sc.id, Outcome: audit.Success})
	return s.schedule(ctx, s.db.R, patientID, sc.id)
}

// UpdateSchedule replaces a schedule's times and windows. Occurrences from
// now on follow the new ones; today's earlier ones keep what they were.
func (s *Service) UpdateSchedule(ctx context.Context, viewer people.Principal, patientID, scheduleID string, in ScheduleInput) (Schedule, error) {
	if err := s.mayChange(ctx, viewer, patientID, access.Vitals); err != nil {
		return Schedule{}, err
	}
	sc, err := s.checkSchedule(in)
	if err != nil {
		return Schedule{}, err
	}
	now := s.clock.Now()
	sc.id, sc.patientID, sc.effectiveFrom = scheduleID, patientID, now
	err = s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		old, err := s.schedule(ctx, tx, patientID, scheduleID)
		if err != nil {
			return err
		}
		if !old.StoppedAt.IsZero() {
			return errs.Conflictf("the schedule was stopped; create a new one")
		}
		if old.Type != sc.typeKey {
			return errs.Field("type", "a schedule keeps its measurement type; stop it and create another")
		}
		if sc.loc, err = patientZone(ctx, tx, patientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE measurement_schedules SET times = $1, weekdays = $2, every_hours = $3,
			early_minutes = $4, grace_minutes = $5, reminder_lead_minutes = $6, note = $7, effective_from = $8, updated_at = $8,
			updated_by = $9 WHERE id = $10`, strings.Join(sc.pattern.ClockTimes(), ","), int(sc.pattern.Weekdays), sc.everyHours,
			int(sc.early/time.Minute), int(sc.grace/time.Minute), int(sc.lead/time.Minute), strings.TrimSpace(in.Note),
			db.Millis(now), viewer.UserID, scheduleID); err != nil {
			return errs.Wrap(err, "saving the schedule")
		}
		if err := s.setDeadline(ctx, tx, sc, now); err != nil {
			return err
		}
		*out = append(*out, outbox.Event(events.ScheduleChanged, patientID, access.Vitals, map[string]string{"scheduleId": sc.id}))
		return nil
	})
	if err != nil {
		return Schedule{}, err
	}
	s.record(ctx, audit.Event{Action: "schedule.update", PatientID: patientID, Resource: "schedules/" + scheduleID, Outcome: audit.Success})
	return s.schedule(ctx, s.db.R, patientID, scheduleID)
}

// StopSchedule ends a schedule; nothing more is due from it.
func (s *Service) StopSchedule(ctx context.Context, viewer people.Principal, patientID, scheduleID string) error {
	if err := s.mayChange(ctx, viewer, patientID, access.Vitals); err != nil {
		return err
	}
	now := s.clock.Now()
	err := s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		res, err := tx.ExecContext(ctx, `UPDATE measurement_schedules SET stopped_at = $1, stopped_by = $2, updated_at = $1, updated_by = $2
			WHERE id = $3 AND patient_id = $4 AND stopped_at IS NULL`, db.Millis(now), viewer.UserID, scheduleID, patientID)
		if err != nil {
			return errs.Wrap(err, "stopping the schedule")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("no running schedule %s for this patient", scheduleID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedule_deadlines WHERE schedule_id = $1`, scheduleID); err != nil {
			return errs.Wrap(err, "stopping the schedule")
		}
		*out = append(*out, outbox.Event(events.ScheduleChanged, patientID, access.Vitals, map[string]string{"scheduleId": scheduleID}))
		return nil
	})
	if err == nil {
		s.record(ctx, audit.Event{Action: "schedule.stop", PatientID: patientID, Resource: "schedules/" + scheduleID, Outcome: audit.Success})
	}
	return err
}

// setDeadline points a schedule's deadline row at its first occurrence
// from now.
func (s *Service) setDeadline(ctx context.Context, tx querier, sc sched, now time.Time) error {
	due := sc.first(now)
	if due.IsZero() {
		_, err := tx.ExecContext(ctx, `DELETE FROM schedule_deadlines WHERE schedule_id = $1`, sc.id)
		return errs.Wrap(err, "saving the deadline")
	}
	stage, at := sc.stage(due, now)
	_, err := tx.ExecContext(ctx, `INSERT INTO schedule_deadlines (schedule_id, patient_id, due_at, stage, next_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (schedule_id) DO UPDATE SET due_at = excluded.due_at, stage = excluded.stage, next_at = excluded.next_at`,
		sc.id, sc.patientID, db.Millis(due), stage, db.Millis(at))
	return errs.Wrap(err, "saving the deadline")
}

const scheduleColumns = `s.id, s.patient_id, s.type_key, s.times, s.weekdays, s.every_hours, s.early_minutes, s.grace_minutes,
	s.reminder_lead_minutes, s.note, s.effective_from, s.created_at, s.created_by, s.updated_at, s.stopped_at, COALESCE(p.time_zone, '')`

type scanner interface{ Scan(dest ...any) error }

// scanSchedule reads one row of scheduleColumns, after the extra columns
// that come first.
func scanSchedule(r scanner, extra ...any) (Schedule, sched, error) {
	var sc Schedule
	var times string
	var weekdays, early, grace, lead int
	var eff, created, updated int64
	var stopped sql.NullInt64
	dest := append(extra, &sc.ID, &sc.PatientID, &sc.Type, &times, &weekdays, &sc.EveryHours, &early, &grace, &lead,
		&sc.Note, &eff, &created, &sc.CreatedBy, &updated, &stopped, &sc.TimeZone)
	if err := r.Scan(dest...); err != nil {
		return Schedule{}, sched{}, errs.Wrap(err, "reading schedules")
	}
	sc.Times = strings.Split(times, ",")
	sc.Weekdays = recur.Weekdays(weekdays).Names()
	sc.EarlyMinutes, sc.GraceMinutes, sc.ReminderLeadMinutes = early, grace, lead
	sc.CreatedAt, sc.UpdatedAt, sc.StoppedAt = db.Time(created), db.Time(updated), db.NullTime(stopped)
	if t, ok := measure.ByKey(sc.Type); ok {
		sc.TypeName = t.Name
	}
	loc := zone(sc.TimeZone)
	if sc.TimeZone == "" {
		sc.TimeZone = "UTC"
	}
	p, err := recur.NewPattern(sc.Times, recur.Weekdays(weekdays))
	if err != nil {
		return Schedule{}, sched{}, errs.Wrap(err, "reading schedules")
	}
	return sc, sched{id: sc.ID, patientID: sc.PatientID, typeKey: sc.Type, pattern: p, everyHours: sc.EveryHours,
		early: time.Duration(early) * time.Minute, grace: time.Duration(grace) * time.Minute, lead: time.Duration(lead) * time.Minute,
		effectiveFrom: db.Time(eff), loc: loc}, nil
}

func scanSchedules(rows *sql.Rows) ([]Schedule, []sched, error) {
	defer rows.Close()
	out, scs := []Schedule{}, []sched{}
	for rows.Next() {
		sc, in, err := scanSchedule(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, sc)
		scs = append(scs, in)
	}
	return out, scs, errs.Wrap(rows.Err(), "reading schedules")
}

func (s *Service) schedule(ctx context.Context, q querier, patientID, id string) (Schedule, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM measurement_schedules s
		LEFT JOIN patient_profiles p ON p.user_id = s.patient_id WHERE s.id = $1 AND s.patient_id = $2`, id, patientID)
	if err != nil {
		return Schedule{}, errs.Wrap(err, "reading the schedule")
	}
	out, _, err := scanSchedules(rows)
	if err != nil {
		return Schedule{}, err
	}
	if len(out) == 0 {
		return Schedule{}, errs.NotFoundf("no schedule %s for this patient", id)
	}
	return out[0], nil
}

// Schedules lists a patient's running schedules (and stopped ones too when
// asked), to anyone who may see the patient's vitals.
func (s *Service) Schedules(ctx context.Context, viewer people.Principal, patientID string, withStopped bool) ([]Schedule, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Vitals); err != nil {
		return nil, err
	}
	q := `SELECT ` + scheduleColumns + ` FROM measurement_schedules s LEFT JOIN patient_profiles p ON p.user_id = s.patient_id
		WHERE s.patient_id = $1`
	if !withStopped {
		q += ` AND s.stopped_at IS NULL`
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY s.created_at, s.id`, patientID)
	if err != nil {
		return nil, errs.Wrap(err, "listing schedules")
	}
	out, _, err := scanSchedules(rows)
	return out, err
}

// DueToday lists the measurements due on the patient's local date of now,
// from every running schedule, by due time, with their status at now.
func (s *Service) DueToday(ctx context.Context, viewer people.Principal, patientID string, now time.Time) ([]Occurrence, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Vitals); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM measurement_schedules s
		LEFT JOIN patient_profiles p ON p.user_id = s.patient_id WHERE s.patient_id = $1 AND s.stopped_at IS NULL`, patientID)
	if err != nil {
		return nil, errs.Wrap(err, "reading schedules")
	}
	list, scs, err := scanSchedules(rows)
	if err != nil {
		return nil, err
	}
	out := []Occurrence{}
	for i, sc := range scs {
		today := recur.DateOf(now, sc.loc)
		var dues []int64
		var occ []Occurrence
		for _, due := range sc.pattern.On(today, sc.loc) {
			if !sc.counts(due) {
				continue
			}
			open, close := sc.window(due)
			o := Occurrence{ScheduleID: sc.id, Type: sc.typeKey, TypeName: list[i].TypeName, DueAt: due,
				Local: due.In(sc.loc).Format("15:04"), WindowStart: open, WindowEnd: close}
			switch {
			case !now.Before(close):
				o.Status = Missed
			case !now.Before(open):
				o.Status = Due
			default:
				o.Status = Upcoming
			}
			occ = append(occ, o)
			dues = append(dues, db.Millis(due))
		}
		if len(occ) == 0 {
			continue
		}
		done, err := s.fulfilments(ctx, sc.id, dues[0], dues[len(dues)-1])
		if err != nil {
			return nil, err
		}
		for j := range occ {
			if f, ok := done[db.Millis(occ[j].DueAt)]; ok {
				occ[j].Status, occ[j].ReadingID, occ[j].TakenAt = Done, f.readingID, f.takenAt
			}
		}
		out = append(out, occ...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueAt.Before(out[j].DueAt) })
	return out, nil
}

type fulfilment struct {
	readingID string
	takenAt   time.Time
}

func (s *Service) fulfilments(ctx context.Context, scheduleID string, from, to int64) (map[int64]fulfilment, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT due_at, reading_id, taken_at FROM schedule_fulfilments
		WHERE schedule_id = $1 AND due_at >= $2 AND due_at <= $3`, scheduleID, from, to)
	if err != nil {
		return nil, errs.Wrap(err, "reading fulfilments")
	}
	defer rows.Close()
	out := map[int64]fulfilment{}
	for rows.Next() {
		var due, taken int64
		var f fulfilment
		if err := rows.Scan(&due, &f.readingID, &taken); err != nil {
			return nil, errs.Wrap(err, "reading fulfilments")
		}
		f.takenAt = db.Time(taken)
		out[due] = f
	}
	return out, errs.Wrap(rows.Err(), "reading fulfilments")
}

// runningSchedules reads the running schedules of some patients, for
// matching readings against them.
func runningSchedules(ctx context.Context, q querier, patientIDs []string) (map[string][]sched, error) {
	out := map[string][]sched{}
	for start := 0; start < len(patientIDs); start += idsPerQuery {
		var args db.Args
		rows, err := q.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM measurement_schedules s
			LEFT JOIN patient_profiles p ON p.user_id = s.patient_id
			WHERE s.patient_id IN (`+placeholders(&args, patientIDs[start:min(start+idsPerQuery, len(patientIDs))])+`) AND s.stopped_at IS NULL`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading schedules")
		}
		_, scs, err := scanSchedules(rows)
		if err != nil {
			return nil, err
		}
		for _, sc := range scs {
			out[sc.patientID] = append(out[sc.patientID], sc)
		}
	}
	return out, nil
}
