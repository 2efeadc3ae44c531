package readings

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
)

// EntryKind is what a journal entry records.
type EntryKind string

// The kinds of journal entry.
const (
	Food       EntryKind = "food"       // something eaten or drunk
	Medication EntryKind = "medication" // a medication taken
	Symptom    EntryKind = "symptom"    // something felt
	Note       EntryKind = "note"       // anything else
)

// EntryKinds lists every kind of journal entry.
var EntryKinds = []EntryKind{Food, Medication, Symptom, Note}

// JournalCorrected is the kind of event published when a journal entry is
// marked entered-in-error.
const JournalCorrected = "journal.corrected"

// NewEntry is what a patient, or someone caring for them, writes in the
// journal.
type NewEntry struct {
	Kind       EntryKind `json:"kind" enum:"food,medication,symptom,note"`
	OccurredAt time.Time `json:"occurredAt" doc:"When it was eaten, taken or felt"`
	// Name is the food, the medication or the symptom.
	Name string `json:"name,omitempty" maxLength:"200"`
	// Amount is the portion or the dose, as written ("2 slices", "500 mg").
	Amount     string   `json:"amount,omitempty" maxLength:"100"`
	CarbsGrams *float64 `json:"carbsGrams,omitempty" minimum:"0" maximum:"1000" doc:"Food only"`
	Severity   *int     `json:"severity,omitempty" minimum:"0" maximum:"10" doc:"Symptom only: 0 none, 10 worst imaginable"`
	Note       string   `json:"note,omitempty" maxLength:"4000"`
	// ExternalID makes a retry safe: the same author sending the same id
	// again gets the entry stored the first time.
	ExternalID string `json:"externalId,omitempty" maxLength:"256"`
}

// Entry is a stored journal entry.
type Entry struct {
	ID         string    `json:"id"`
	PatientID  string    `json:"patientId"`
	Kind       EntryKind `json:"kind"`
	OccurredAt time.Time `json:"occurredAt"`
	Name       string    `json:"name,omitempty"`
	Amount     string    `json:"amount,omitempty"`
	CarbsGrams *float64  `json:"carbsGrams,omitempty"`
	Severity   *int      `json:"severity,omitempty"`
	Note       string    `json:"note,omitempty"`
	EnteredBy  string    `json:"enteredBy"`
	// EnteredByName is filled in by the API, as the reader may see it.
	EnteredByName string      `json:"enteredByName,omitempty" doc:"The name of who wrote it, as the reader may know it (another Tend user, when not)"`
	CreatedAt     time.Time   `json:"createdAt"`
	ExternalID    string      `json:"externalId,omitempty"`
	Status        Status      `json:"status"`
	Correction    *Correction `json:"correction,omitempty"`
	// Dose names the medicine dose this entry records, when it was written
	// by recording a dose taken or skipped.
	Dose *EntryDose `json:"dose,omitempty"`
}

func (n NewEntry) check(now time.Time) (NewEntry, error) {
	n.Name, n.Amount, n.Note = strings.TrimSpace(n.Name), strings.TrimSpace(n.Amount), strings.TrimSpace(n.Note)
	switch {
	case !slices.Contains(EntryKinds, n.Kind):
		return n, errs.Field("kind", "a journal entry is food, medication, symptom or note, not %q", n.Kind)
	case n.OccurredAt.IsZero():
		return n, errs.Field("occurredAt", "say when it happened")
	case n.OccurredAt.Before(earliest):
		return n, errs.Field("occurredAt", "that is before 1990")
	case n.OccurredAt.After(now.Add(ClockSkew)):
		return n, errs.Field("occurredAt", "that is in the future")
	case len(n.Name) > 200:
		return n, errs.Field("name", "the name is longer than 200 characters")
	case len(n.Amount) > 100:
		return n, errs.Field("amount", "the amount is longer than 100 characters")
	case len(n.Note) > 4000:
		return n, errs.Field("note", "the note is longer than 4000 characters")
	case len(n.ExternalID) > maxExternalID:
		return n, errs.Field("externalId", "the external id is longer than %d characters", maxExternalID)
	case n.Kind == Note && n.Note == "":
		return n, errs.Field("note", "write the note")
	case n.Kind == Food && n.Name == "" && n.Note == "":
		return n, errs.Field("name", "say what was eaten or drunk")
	case n.Kind == Medication && n.Name == "":
		return n, errs.Field("name", "say which medication was taken")
	case n.Kind == Symptom && n.Name == "":
		return n, errs.Field("name", "say what was felt")
	case n.CarbsGrams != nil && n.Kind != Food:
		return n, errs.Field("carbsGrams", "carbohydrates belong to food entries")
	case n.CarbsGrams != nil && (math.IsNaN(*n.CarbsGrams) || *n.CarbsGrams < 0 || *n.CarbsGrams > 1000):
		return n, errs.Field("carbsGrams", "carbohydrates are 0 to 1000 g")
	case n.Severity != nil && n.Kind != Symptom:
		return n, errs.Field("severity", "severity belongs to symptom entries")
	case n.Severity != nil && (*n.Severity < 0 || *n.Severity > 10):
		return n, errs.Field("severity", "severity is 0 (none) to 10 (worst imaginable)")
	}
	return n, nil
}

const entryColumns = `j.id, j.patient_id, j.kind, j.occurred_at, j.name, j.amount, j.carbs_grams, j.severity, j.note,
	j.entered_by, j.created_at, j.external_id, j.status, j.error_at, j.error_by, j.error_reason,
	j.medication_id, j.dose_due_at, j.dose_status`

func scanEntry(sc interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var kind, status string
	var occurred, created int64
	var carbs sql.NullFloat64
	var severity, errAt sql.NullInt64
	var ext, errBy, errReason, medID, doseStatus sql.NullString
	var doseDue sql.NullInt64
	if err := sc.Scan(&e.ID, &e.PatientID, &kind, &occurred, &e.Name, &e.Amount, &carbs, &severity, &e.Note,
		&e.EnteredBy, &created, &ext, &status, &errAt, &errBy, &errReason, &medID, &doseDue, &doseStatus); err != nil {
		return Entry{}, err
	}
	if medID.Valid {
		e.Dose = &EntryDose{MedicationID: medID.String, DueAt: db.NullTime(doseDue), Status: doseStatus.String}
	}
	e.Kind, e.Status, e.ExternalID = EntryKind(kind), Status(status), ext.String
	e.OccurredAt, e.CreatedAt = db.Time(occurred), db.Time(created)
	if carbs.Valid {
		e.CarbsGrams = &carbs.Float64
	}
	if severity.Valid {
		v := int(severity.Int64)
		e.Severity = &v
	}
	if errAt.Valid {
		e.Correction = &Correction{At: db.Time(errAt.Int64), By: errBy.String, Reason: errReason.String}
	}
	return e, nil
}

// AddEntry writes in a patient's journal. The writer must be the patient
// or hold the journal scope on them; anyone else gets NotFound, as if the
// patient did not exist.
func (s *Service) AddEntry(ctx context.Context, viewer people.Principal, patientID string, n NewEntry) (Entry, error) {
	now := s.clock.Now()
	n, err := n.check(now)
	if err != nil {
		return Entry{}, err
	}
	if err := s.access.Check(ctx, viewer, patientID, access.Journal); err != nil {
		return Entry{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	var carbs, severity any
	if n.CarbsGrams != nil {
		carbs = *n.CarbsGrams
	}
	if n.Severity != nil {
		severity = *n.Severity
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO journal_entries (id, patient_id, kind, occurred_at, name, amount,
		carbs_grams, severity, note, entered_by, created_at, external_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, patientID, string(n.Kind), db.Millis(n.OccurredAt), n.Name, n.Amount, carbs, severity, n.Note,
		viewer.UserID, db.Millis(now), nullString(n.ExternalID))
	if db.IsUnique(err) && n.ExternalID != "" {
		e, err := scanEntry(s.db.W.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM journal_entries j
			WHERE j.entered_by = $1 AND j.external_id = $2`, viewer.UserID, n.ExternalID))
		if err != nil {
			return Entry{}, errs.Wrap(err, "reading journal entry")
		}
		if e.PatientID != patientID {
			return Entry{}, errs.Field("externalId", "you used this external id for another patient's entry")
		}
		return e, nil
	}
	if err != nil {
		return Entry{}, errs.Wrap(err, "writing journal entry")
	}
	e, err := s.Entry(ctx, viewer, id)
	if err != nil {
		return Entry{}, err
	}
	s.publish(ctx, events.JournalCreated, patientID, access.Journal, e)
	return e, nil
}

// Entry returns one journal entry the viewer may see (scope journal).
func (s *Service) Entry(ctx context.Context, viewer people.Principal, id string) (Entry, error) {
	var args db.Args
	q := `SELECT ` + entryColumns + ` FROM journal_entries j WHERE j.id = ` + args.Add(id) + ` AND ` +
		access.Where(&args, "j.patient_id", viewer.UserID, access.Journal, s.clock.Now())
	e, err := scanEntry(s.db.R.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, errs.NotFoundf("no journal entry %s, or you may not see it", id)
	}
	return e, errs.Wrap(err, "reading journal entry")
}

// JournalQuery narrows a listing of a patient's journal.
type JournalQuery struct {
	PatientID             string
	Kinds                 []EntryKind // empty: every kind
	From, To              time.Time   // From ≤ occurred < To; zero is open
	Limit                 int         // default 100, at most 1000
	Cursor                string      // the Next of an earlier page
	IncludeEnteredInError bool
}

// JournalPage is one page of journal entries, newest first.
type JournalPage struct {
	Entries []Entry `json:"entries"`
	Next    string  `json:"next,omitempty"`
}

// Journal lists a patient's journal entries, newest first, scoped inside
// the query to what the viewer may see (scope journal).
func (s *Service) Journal(ctx context.Context, viewer people.Principal, q JournalQuery) (JournalPage, error) {
	if err := s.access.Check(ctx, viewer, q.PatientID, access.Journal); err != nil {
		return JournalPage{}, err
	}
	var args db.Args
	p := args.Add(q.PatientID)
	where := []string{"j.patient_id = " + p}
	if len(q.Kinds) > 0 {
		ph := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			if !slices.Contains(EntryKinds, k) {
				return JournalPage{}, errs.Field("kind", "a journal entry is food, medication, symptom or note, not %q", k)
			}
			ph[i] = args.Add(string(k))
		}
		where = append(where, "j.kind IN ("+strings.Join(ph, ", ")+")")
	}
	if !q.From.IsZero() {
		where = append(where, "j.occurred_at >= "+args.Add(db.Millis(q.From)))
	}
	if !q.To.IsZero() {
		where = append(where, "j.occurred_at < "+args.Add(db.Millis(q.To)))
	}
	if !q.IncludeEnteredInError {
		where = append(where, "j.status = 'final'")
	}
	if q.Cursor != "" {
		t, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return JournalPage{}, err
		}
		ta := args.Add(t)
		where = append(where, "(j.occurred_at < "+ta+" OR (j.occurred_at = "+ta+" AND j.id < "+args.Add(id)+"))")
	}
	where = append(where, access.Where(&args, p, viewer.UserID, access.Journal, s.clock.Now()))
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 1000)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+entryColumns+` FROM journal_entries j WHERE `+strings.Join(where, " AND ")+
		` ORDER BY j.occurred_at DESC, j.id DESC LIMIT `+args.Add(q.Limit+1), args...)
	if err != nil {
		return JournalPage{}, errs.Wrap(err, "listing journal")
	}
	defer rows.Close()
	page := JournalPage{Entries: []Entry{}}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return JournalPage{}, errs.Wrap(err, "listing journal")
		}
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return JournalPage{}, errs.Wrap(err, "listing journal")
	}
	if len(page.Entries) > q.Limit {
		page.Entries = page.Entries[:q.Limit]
		last := page.Entries[q.Limit-1]
		page.Next = encodeCursor(Reading{TakenAt: last.OccurredAt, ID: last.ID})
	}
	return page, nil
}

// MarkEntryInError marks a journal entry as wrong, saying why; nothing is
// deleted. The same people may do it as for readings (see MayCorrect).
func (s *Service) MarkEntryInError(ctx context.Context, viewer people.Principal, entryID, reason string) (Entry, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Entry{}, errs.Field("reason", "say why the entry is wrong")
	case len(reason) > maxReason:
		return Entry{}, errs.Field("reason", "the reason is longer than %d characters", maxReason)
	}
	e, err := s.Entry(ctx, viewer, entryID)
	if err != nil {
		return Entry{}, err
	}
	if !MayCorrect(viewer, e.PatientID, e.EnteredBy) {
		return Entry{}, errs.Forbiddenf("only the patient, a nurse or doctor caring for them, or whoever wrote the entry may mark it entered in error")
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE journal_entries SET status = 'entered-in-error', error_at = $1, error_by = $2,
		error_reason = $3 WHERE id = $4 AND status = 'final'`, db.Millis(s.clock.Now()), viewer.UserID, reason, entryID)
	if err != nil {
		return Entry{}, errs.Wrap(err, "marking journal entry entered in error")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Entry{}, errs.Conflictf("the journal entry %s is already marked entered in error", entryID)
	}
	e, err = s.Entry(ctx, viewer, entryID)
	if err != nil {
		return Entry{}, err
	}
	s.publish(ctx, JournalCorrected, e.PatientID, access.Journal, e)
	return e, nil
}
