package medications

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/monitoring/recur"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// DoseStatus is where one dose stands.
type DoseStatus string

// The statuses of a dose.
const (
	Upcoming DoseStatus = "upcoming" // not yet its time
	Due      DoseStatus = "due"      // its window is open and nothing is recorded
	Taken    DoseStatus = "taken"
	Skipped  DoseStatus = "skipped"
	Missed   DoseStatus = "missed" // the window closed with nothing recorded
)

// Dose is one time a medicine is to be taken.
type Dose struct {
	MedicationID string     `json:"medicationId"`
	Name         string     `json:"name"`
	Dose         string     `json:"dose"`
	DueAt        time.Time  `json:"dueAt"`
	Local        string     `json:"local" doc:"The time on the patient's clock, HH:MM"`
	WindowEnd    time.Time  `json:"windowEnd"`
	Status       DoseStatus `json:"status" enum:"upcoming,due,taken,skipped,missed"`
	TakenAt      time.Time  `json:"takenAt,omitzero"`
	Note         string     `json:"note,omitempty"`
	RecordedAt   time.Time  `json:"recordedAt,omitzero"`
	RecordedBy   string     `json:"recordedBy,omitempty" doc:"Empty for a dose Tend recorded missed"`
}

type stored struct {
	status     DoseStatus
	takenAt    time.Time
	note       string
	recordedAt time.Time
	recordedBy string
}

func (s *Service) stored(ctx context.Context, patientID string, from, to time.Time) (map[string]stored, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT medication_id, due_at, status, taken_at, note, recorded_at, recorded_by
		FROM medication_doses WHERE patient_id = $1 AND due_at >= $2 AND due_at <= $3`, patientID, db.Millis(from), db.Millis(to))
	if err != nil {
		return nil, errs.Wrap(err, "reading doses")
	}
	defer rows.Close()
	out := map[string]stored{}
	for rows.Next() {
		var id string
		var due, recorded int64
		var taken sql.NullInt64
		var by sql.NullString
		var st stored
		if err := rows.Scan(&id, &due, &st.status, &taken, &st.note, &recorded, &by); err != nil {
			return nil, errs.Wrap(err, "reading doses")
		}
		st.takenAt, st.recordedAt, st.recordedBy = db.NullTime(taken), db.Time(recorded), by.String
		out[doseKey(id, db.Time(due))] = st
	}
	return out, errs.Wrap(rows.Err(), "reading doses")
}

func doseKey(medicationID string, due time.Time) string {
	return medicationID + "@" + due.UTC().Format(time.RFC3339)
}

// Doses lists a patient's doses due from from until to (at most 92 days),
// with what was recorded or, for past ones left unrecorded, missed: the
// care team's view of adherence and the patient's checklist. Stopped
// medicines show the doses they had before they stopped.
func (s *Service) Doses(ctx context.Context, viewer people.Principal, patientID string, from, to time.Time) ([]Dose, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Medications); err != nil {
		return nil, err
	}
	switch {
	case !to.After(from):
		return nil, errs.Field("to", "to must be after from")
	case to.Sub(from) > 92*24*time.Hour:
		return nil, errs.Field("to", "ask for at most 92 days at a time")
	}
	ms, ps, err := s.plans(ctx, patientID, true)
	if err != nil {
		return nil, err
	}
	recs, err := s.stored(ctx, patientID, from, to)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := []Dose{}
	days := int(to.Sub(from)/(24*time.Hour)) + 3
	emitted := map[string]bool{}
	for i, p := range ps {
		m := ms[i]
		first := recur.DateOf(from, p.loc).AddDays(-1)
		for n := range days {
			for _, due := range p.pattern.On(first.AddDays(n), p.loc) {
				if due.Before(from) || due.After(to) || !p.counts(due, s.Early) || (!m.StoppedAt.IsZero() && !due.Before(m.StoppedAt)) {
					continue
				}
				out = append(out, s.dose(p, due, now, recs))
				emitted[doseKey(p.id, due)] = true
			}
		}
	}
	// Doses recorded at times the medicine no longer has (it was changed)
	// are history all the same.
	for i, p := range ps {
		for key, r := range recs {
			id, at, _ := strings.Cut(key, "@")
			if id != p.id || emitted[key] {
				continue
			}
			due, _ := time.Parse(time.RFC3339, at)
			out = append(out, Dose{MedicationID: p.id, Name: ms[i].Name, Dose: ms[i].Dose, DueAt: due, Local: due.In(p.loc).Format("15:04"),
				WindowEnd: due.Add(p.window), Status: r.status, TakenAt: r.takenAt, Note: r.note, RecordedAt: r.recordedAt, RecordedBy: r.recordedBy})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueAt.Before(out[j].DueAt) })
	return out, nil
}

func (s *Service) dose(p plan, due, now time.Time, recs map[string]stored) Dose {
	open, close := p.dueWindow(due, s.Early)
	d := Dose{MedicationID: p.id, Name: p.name, Dose: p.dose, DueAt: due, Local: due.In(p.loc).Format("15:04"), WindowEnd: close}
	if r, ok := recs[doseKey(p.id, due)]; ok {
		d.Status, d.TakenAt, d.Note, d.RecordedAt, d.RecordedBy = r.status, r.takenAt, r.note, r.recordedAt, r.recordedBy
		return d
	}
	switch {
	case !now.Before(close):
		d.Status = Missed
	case !now.Before(open):
		d.Status = Due
	default:
		d.Status = Upcoming
	}
	return d
}

// Today lists the doses due on the patient's local date of now: the
// patient's checklist.
func (s *Service) Today(ctx context.Context, viewer people.Principal, patientID string, now time.Time) ([]Dose, error) {
	loc, err := patientZone(ctx, s.db.R, patientID)
	if err != nil {
		return nil, err
	}
	d := recur.DateOf(now, loc)
	return s.Doses(ctx, viewer, patientID, recur.Wall(d, 0, loc), recur.Wall(d.AddDays(1), 0, loc).Add(-time.Millisecond))
}

// Record says what happened to one dose.
type Record struct {
	MedicationID string     `json:"medicationId"`
	DueAt        time.Time  `json:"dueAt" doc:"The dose's time, as listed"`
	Status       DoseStatus `json:"status" enum:"taken,skipped"`
	// TakenAt is when it was taken (default now); only with taken.
	TakenAt time.Time `json:"takenAt,omitzero"`
	Note    string    `json:"note,omitempty" maxLength:"500"`
}

// RecordDose records a dose taken or skipped, by the patient or anyone who
// may see their medications (a carer, a nurse). A dose may be recorded from
// Early before its time; one recorded missed may be corrected later.
func (s *Service) RecordDose(ctx context.Context, viewer people.Principal, patientID string, r Record) (Dose, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Medications); err != nil {
		return Dose{}, err
	}
	now := s.clock.Now()
	if r.Status != Taken && r.Status != Skipped {
		return Dose{}, errs.Field("status", "a dose is recorded taken or skipped")
	}
	if len(r.Note) > 500 {
		return Dose{}, errs.Field("note", "keep the note under 500 characters")
	}
	var taken any
	if r.Status == Taken {
		if r.TakenAt.IsZero() {
			r.TakenAt = now
		}
		if r.TakenAt.After(now.Add(time.Minute)) {
			return Dose{}, errs.Field("takenAt", "a dose cannot be taken in the future")
		}
		taken = db.Millis(r.TakenAt)
	} else if !r.TakenAt.IsZero() {
		return Dose{}, errs.Field("takenAt", "a skipped dose has no time taken")
	}
	_, ps, err := s.plans(ctx, patientID, true)
	if err != nil {
		return Dose{}, err
	}
	var p *plan
	for i := range ps {
		if ps[i].id == r.MedicationID {
			p = &ps[i]
		}
	}
	if p == nil {
		return Dose{}, errs.Field("medicationId", "no medicine %s for this patient", r.MedicationID)
	}
	due := r.DueAt
	isDose := false
	for _, o := range p.pattern.On(recur.DateOf(due, p.loc), p.loc) {
		isDose = isDose || o.Equal(due)
	}
	switch {
	case !isDose || !p.counts(due, s.Early):
		return Dose{}, errs.Field("dueAt", "%s is not a time of this medicine", due.Format(time.RFC3339))
	case due.Add(-s.Early).After(now):
		return Dose{}, errs.Field("dueAt", "this dose can be recorded from %s", due.Add(-s.Early).Format(time.RFC3339))
	}
	entry := readings.DoseEntry{MedicationID: p.id, DueAt: due, Name: p.name, Amount: p.dose, Local: due.In(p.loc).Format("15:04"),
		Skipped: r.Status == Skipped, TakenAt: r.TakenAt, Note: strings.TrimSpace(r.Note)}
	err = s.write(ctx, func(tx *sql.Tx, out *[]outbox.Item) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO medication_doses (medication_id, due_at, patient_id, status, taken_at, note,
			recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (medication_id, due_at) DO UPDATE SET
			status = excluded.status, taken_at = excluded.taken_at, note = excluded.note, recorded_at = excluded.recorded_at,
			recorded_by = excluded.recorded_by`, p.id, db.Millis(due), patientID, string(r.Status), taken, entry.Note,
			db.Millis(now), viewer.UserID); err != nil {
			return errs.Wrap(err, "recording the dose")
		}
		// The journal entry is written in the same transaction, after the
		// dose's row is locked, so concurrent recordings of one dose take
		// turns and the journal keeps one entry in force per dose.
		written, replaced, err := readings.WriteDose(ctx, tx, viewer.UserID, patientID, entry, now)
		if err != nil {
			return err
		}
		if replaced != nil {
			*out = append(*out, outbox.Event(readings.JournalCorrected, patientID, access.Journal, replaced))
		}
		if written != nil {
			*out = append(*out, outbox.Event(events.JournalCreated, patientID, access.Journal, written))
		}
		*out = append(*out, outbox.Event(DoseRecorded, patientID, access.Medications, map[string]any{
			"medicationId": p.id, "dueAt": due, "status": r.Status}))
		return nil
	})
	if err != nil {
		return Dose{}, err
	}
	s.record(ctx, audit.Event{Action: "medication_dose.record", PatientID: patientID, Resource: "medications/" + p.id, Outcome: audit.Success})
	recs, err := s.stored(ctx, patientID, due, due)
	if err != nil {
		return Dose{}, err
	}
	return s.dose(*p, due, now, recs), nil
}

// MissedDose is a dose a patient missed, as the care team sees it.
type MissedDose struct {
	PatientID    string    `json:"patientId"`
	PatientName  string    `json:"patientName"`
	MedicationID string    `json:"medicationId"`
	Name         string    `json:"name"`
	Dose         string    `json:"dose"`
	DueAt        time.Time `json:"dueAt"`
	Local        string    `json:"local" doc:"The time on the patient's clock, HH:MM"`
	TimeZone     string    `json:"timeZone,omitempty" doc:"The patient's time zone"`
	RecordedAt   time.Time `json:"recordedAt" doc:"When Tend found the window closed"`
}

// Missed lists the doses missed since since (at most 31 days back) and
// still unrecorded, by every patient whose medicines the viewer may see,
// newest first, at most limit (default 100, at most 500): how a care team
// sees who is not taking their medicines without opening each patient. The
// scope is checked inside the query; a dose recorded taken or skipped
// after the fact leaves the list.
func (s *Service) Missed(ctx context.Context, viewer people.Principal, since time.Time, limit int) ([]MissedDose, error) {
	now := s.clock.Now()
	switch {
	case since.IsZero():
		since = now.Add(-7 * 24 * time.Hour)
	case since.Before(now.Add(-31 * 24 * time.Hour)):
		return nil, errs.Field("since", "ask for at most 31 days back")
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	var args db.Args
	q := `SELECT x.patient_id, u.name, x.medication_id, m.name, m.dose, x.due_at, COALESCE(pp.time_zone, ''), x.recorded_at
		FROM medication_doses x JOIN medications m ON m.id = x.medication_id JOIN users u ON u.id = x.patient_id
		LEFT JOIN patient_profiles pp ON pp.user_id = x.patient_id
		WHERE x.status = 'missed' AND x.due_at >= ` + args.Add(db.Millis(since)) + ` AND ` +
		access.Where(&args, "x.patient_id", viewer.UserID, access.Medications, now) +
		` ORDER BY x.due_at DESC, x.medication_id LIMIT ` + args.Add(limit)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing missed doses")
	}
	defer rows.Close()
	out := []MissedDose{}
	zones := map[string]*time.Location{}
	for rows.Next() {
		var d MissedDose
		var due, recorded int64
		if err := rows.Scan(&d.PatientID, &d.PatientName, &d.MedicationID, &d.Name, &d.Dose, &due, &d.TimeZone, &recorded); err != nil {
			return nil, errs.Wrap(err, "listing missed doses")
		}
		d.DueAt, d.RecordedAt = db.Time(due), db.Time(recorded)
		loc, ok := zones[d.TimeZone]
		if !ok {
			if loc, err = time.LoadLocation(d.TimeZone); err != nil {
				loc = time.UTC
			}
			zones[d.TimeZone] = loc
		}
		d.Local = d.DueAt.In(loc).Format("15:04")
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "listing missed doses")
}
