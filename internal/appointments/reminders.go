package appointments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// DueReminders returns the reminders due at now and not yet sent, to the
// patient and the professional of each booked appointment.
//
// For each recipient, the reminder due is the one for the smallest offset
// whose moment (start − offset) has come: after a pause of the job only the
// nearest reminder goes out, and once a reminder is sent none for a larger
// offset follows. A reminder whose moment came before the booking was made
// is skipped (the booking notification said it all). Cancelled and past
// appointments have none.
func (s *Service) DueReminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	offsets := slices.Clone(s.ReminderOffsets)
	slices.Sort(offsets)
	out := []Reminder{}
	if len(offsets) == 0 {
		return out, nil
	}
	horizon := now.Add(offsets[len(offsets)-1])
	as, err := s.queryAppointments(ctx, s.db.R, `a.status = 'booked' AND a.starts_at > $1 AND a.starts_at <= $2`,
		db.Millis(now), db.Millis(horizon))
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return out, nil
	}
	type key struct{ appointment, recipient string }
	sent := map[key][]int{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.appointment_id, r.recipient_id, r.offset_minutes FROM appointment_reminders r
		JOIN appointments a ON a.id = r.appointment_id
		WHERE a.status = 'booked' AND a.starts_at > $1 AND a.starts_at <= $2`, db.Millis(now), db.Millis(horizon))
	if err != nil {
		return nil, errs.Wrap(err, "reading sent reminders")
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var m int
		if err := rows.Scan(&k.appointment, &k.recipient, &m); err != nil {
			return nil, errs.Wrap(err, "reading sent reminders")
		}
		sent[k] = append(sent[k], m)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "reading sent reminders")
	}
	for _, a := range as {
		left := a.Start.Sub(now)
		i := slices.IndexFunc(offsets, func(o time.Duration) bool { return o >= left })
		if i < 0 {
			continue
		}
		off := offsets[i]
		if a.Start.Add(-off).Before(a.BookedAt) {
			continue
		}
		mins := int(off / time.Minute)
		for _, p := range parties(a) {
			if slices.ContainsFunc(sent[key{a.ID, p.id}], func(m int) bool { return m <= mins }) {
				continue
			}
			out = append(out, Reminder{AppointmentID: a.ID, RecipientID: p.id, Offset: off, OffsetMinutes: mins,
				Start: a.Start, Kind: a.Kind, JoinPath: a.JoinPath,
				Text: fmt.Sprintf("Reminder: %s with %s on %s.", lower(kindText(a.Kind)), p.other, p.span)})
		}
	}
	return out, nil
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// MarkReminderSent claims a reminder for sending. It succeeds once per
// appointment, offset and recipient, across all nodes; a second claim, or a
// claim for an appointment that is no longer booked, gets a Conflict and
// must not be sent. Claim first and send after, so that a reminder is
// never sent twice (a failed send is then not retried).
func (s *Service) MarkReminderSent(ctx context.Context, r Reminder) error {
	mins := r.OffsetMinutes
	if mins == 0 && r.Offset != 0 {
		mins = int(r.Offset / time.Minute)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status, patient, pro string
		err := tx.QueryRowContext(ctx, `SELECT status, patient_id, professional_id FROM appointments WHERE id = $1`,
			r.AppointmentID).Scan(&status, &patient, &pro)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errs.NotFoundf("no appointment %s", r.AppointmentID)
		case err != nil:
			return errs.Wrap(err, "reading the appointment")
		case status != string(Booked):
			return errs.Conflictf("the appointment is %s: no reminder", status)
		case r.RecipientID != patient && r.RecipientID != pro:
			return errs.Field("recipientId", "reminders go to the patient and the professional only")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO appointment_reminders (appointment_id, offset_minutes, recipient_id, sent_at)
			VALUES ($1, $2, $3, $4)`, r.AppointmentID, mins, r.RecipientID, db.Millis(s.clock.Now()))
		if db.IsUnique(err) {
			return errs.Conflictf("this reminder was already sent")
		}
		return errs.Wrap(err, "recording the reminder")
	})
}
