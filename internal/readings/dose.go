package readings

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// EntryDose names the medicine dose a journal entry records.
type EntryDose struct {
	MedicationID string    `json:"medicationId"`
	DueAt        time.Time `json:"dueAt" doc:"The dose's time, as the medicine lists it"`
	Status       string    `json:"status" enum:"taken,skipped"`
}

// DoseEntry is a medicine dose, taken or skipped, as the journal keeps it.
type DoseEntry struct {
	MedicationID string
	DueAt        time.Time
	Name         string // the medicine
	Amount       string // its dose as prescribed, "500 mg"
	Local        string // the dose's time on the patient's clock, "08:00"
	Skipped      bool
	TakenAt      time.Time // when taken; unused when skipped
	Note         string
}

// entry is what the journal shows for the dose: a taken dose at the time it
// was taken, with its amount; a skipped one at its time, saying so.
func (d DoseEntry) entry() (status string, occurred time.Time, amount, note string) {
	if !d.Skipped {
		return "taken", d.TakenAt, d.Amount, d.Note
	}
	note = "Skipped the " + d.Local + " dose"
	if d.Note != "" {
		note += ": " + d.Note
	}
	return "skipped", d.DueAt, "", note
}

// WriteDose records a dose taken or skipped in the patient's journal, inside
// tx: the transaction in which the medications service records the dose,
// so the dose record and the journal never disagree. The caller has checked
// that by may record the patient's doses (scope medications; the journal
// scope is not needed to record a dose).
//
// One entry per dose is in force. Writing what it already says changes
// nothing (written is nil): a retry never doubles an entry. Writing the dose
// differently (skipped after taken, another time, by someone else's
// correction) marks the entry in force entered-in-error, returned as
// replaced, and writes a new one, so the journal keeps both.
func WriteDose(ctx context.Context, tx *sql.Tx, by, patientID string, d DoseEntry, now time.Time) (written, replaced *Entry, err error) {
	status, occurred, amount, note := d.entry()
	var id, oldStatus, oldAmount, oldNote string
	var oldOccurred int64
	err = tx.QueryRowContext(ctx, `SELECT id, dose_status, occurred_at, amount, note FROM journal_entries
		WHERE medication_id = $1 AND dose_due_at = $2 AND status = 'final'`, d.MedicationID, db.Millis(d.DueAt)).
		Scan(&id, &oldStatus, &oldOccurred, &oldAmount, &oldNote)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, nil, errs.Wrap(err, "reading the dose's journal entry")
	case oldStatus == status && oldOccurred == db.Millis(occurred) && oldAmount == amount && oldNote == note:
		return nil, nil, nil
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE journal_entries SET status = 'entered-in-error', error_at = $1, error_by = $2,
			error_reason = $3 WHERE id = $4`, db.Millis(now), by, "the dose was recorded again ("+status+")", id); err != nil {
			return nil, nil, errs.Wrap(err, "replacing the dose's journal entry")
		}
		old, err := entryIn(ctx, tx, id)
		if err != nil {
			return nil, nil, err
		}
		replaced = &old
	}
	newID := uuid.Must(uuid.NewV7()).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO journal_entries (id, patient_id, kind, occurred_at, name, amount, note,
		entered_by, created_at, medication_id, dose_due_at, dose_status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		newID, patientID, string(Medication), db.Millis(occurred), d.Name, amount, note, by, db.Millis(now),
		d.MedicationID, db.Millis(d.DueAt), status); err != nil {
		return nil, nil, errs.Wrap(err, "writing the dose in the journal")
	}
	e, err := entryIn(ctx, tx, newID)
	if err != nil {
		return nil, nil, err
	}
	return &e, replaced, nil
}

func entryIn(ctx context.Context, tx *sql.Tx, id string) (Entry, error) {
	e, err := scanEntry(tx.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM journal_entries j WHERE j.id = $1`, id))
	return e, errs.Wrap(err, "reading journal entry")
}
