package appointments

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

const appointmentColumns = `a.id, a.professional_id, pu.name, a.patient_id, tu.name, a.kind, a.status, a.starts_at, a.ends_at,
	a.reason, a.booked_by, bu.name, a.booked_at, COALESCE(a.cancelled_by, ''), COALESCE(cu.name, ''), a.cancelled_at,
	a.cancel_reason, a.done_at, COALESCE(a.rescheduled_from, ''), COALESCE(a.rescheduled_to, ''), a.updated_at,
	COALESCE(av.time_zone, ''), COALESCE(pp.time_zone, '')`

const appointmentFrom = ` FROM appointments a
	JOIN users pu ON pu.id = a.professional_id
	JOIN users tu ON tu.id = a.patient_id
	JOIN users bu ON bu.id = a.booked_by
	LEFT JOIN users cu ON cu.id = a.cancelled_by
	LEFT JOIN availability av ON av.professional_id = a.professional_id
	LEFT JOIN patient_profiles pp ON pp.user_id = a.patient_id`

func scanAppointments(rows *sql.Rows) ([]Appointment, error) {
	defer rows.Close()
	out := []Appointment{}
	for rows.Next() {
		var a Appointment
		var kind, status, proZone, patZone string
		var start, end, booked, updated int64
		var cancelled, done sql.NullInt64
		if err := rows.Scan(&a.ID, &a.ProfessionalID, &a.ProfessionalName, &a.PatientID, &a.PatientName, &kind, &status,
			&start, &end, &a.Reason, &a.BookedBy, &a.BookedByName, &booked, &a.CancelledBy, &a.CancelledByName, &cancelled,
			&a.CancelReason, &done, &a.RescheduledFrom, &a.RescheduledTo, &updated, &proZone, &patZone); err != nil {
			return nil, errs.Wrap(err, "reading appointments")
		}
		a.Kind, a.Status = Kind(kind), Status(status)
		a.Start, a.End, a.BookedAt, a.UpdatedAt = db.Time(start), db.Time(end), db.Time(booked), db.Time(updated)
		if cancelled.Valid {
			t := db.Time(cancelled.Int64)
			a.CancelledAt = &t
		}
		if done.Valid {
			t := db.Time(done.Int64)
			a.DoneAt = &t
		}
		if a.Kind == Video {
			a.JoinPath = JoinPath(a.ID)
		}
		a.ProfessionalTime, a.PatientTime = a.In(proZone), a.In(patZone)
		out = append(out, a)
	}
	return out, errs.Wrap(rows.Err(), "reading appointments")
}

func (s *Service) queryAppointments(ctx context.Context, q querier, where string, args ...any) ([]Appointment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+appointmentColumns+appointmentFrom+` WHERE `+where+` ORDER BY a.starts_at, a.id`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading appointments")
	}
	return scanAppointments(rows)
}

func (s *Service) byID(ctx context.Context, q querier, id string) (Appointment, error) {
	as, err := s.queryAppointments(ctx, q, `a.id = $1`, id)
	if err != nil {
		return Appointment{}, err
	}
	if len(as) == 0 {
		return Appointment{}, errs.NotFoundf("no appointment %s", id)
	}
	return as[0], nil
}

// Get returns an appointment to its professional, its patient, or whoever
// the patient granted the appointments scope; NotFound to anyone else.
func (s *Service) Get(ctx context.Context, viewer people.Principal, id string) (Appointment, error) {
	var args db.Args
	where := `a.id = ` + args.Add(id) + ` AND (a.professional_id = ` + args.Add(viewer.UserID) + ` OR ` +
		access.Where(&args, "a.patient_id", viewer.UserID, access.Appointments, s.clock.Now()) + `)`
	as, err := s.queryAppointments(ctx, s.db.R, where, args...)
	if err != nil {
		return Appointment{}, err
	}
	if len(as) == 0 {
		return Appointment{}, errs.NotFoundf("no appointment %s, or you may not see it", id)
	}
	return as[0], nil
}

// History returns the chain of bookings that id belongs to, oldest first:
// each rescheduling links the cancelled booking to its replacement.
func (s *Service) History(ctx context.Context, viewer people.Principal, id string) ([]Appointment, error) {
	a, err := s.Get(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	chain := []Appointment{a}
	for i := 0; chain[0].RescheduledFrom != "" && i < 100; i++ {
		prev, err := s.byID(ctx, s.db.R, chain[0].RescheduledFrom)
		if err != nil {
			return nil, err
		}
		chain = append([]Appointment{prev}, chain...)
	}
	for i := 0; chain[len(chain)-1].RescheduledTo != "" && i < 100; i++ {
		next, err := s.byID(ctx, s.db.R, chain[len(chain)-1].RescheduledTo)
		if err != nil {
			return nil, err
		}
		chain = append(chain, next)
	}
	return chain, nil
}

func checkReason(field, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", errs.Field(field, "give a reason")
	case len(reason) > 500:
		return "", errs.Field(field, "keep the reason under 500 characters")
	}
	return reason, nil
}

// checkFree looks, inside the booking transaction and after the lock, for
// an active booking that overlaps [start, end) of the professional or of
// the patient.
func checkFree(ctx context.Context, tx *sql.Tx, professionalID, proName, patientID string, start, end time.Time) error {
	var holder string
	err := tx.QueryRowContext(ctx, `SELECT patient_id FROM appointments WHERE professional_id = $1 AND status = 'booked'
		AND starts_at < $2 AND ends_at > $3 LIMIT 1`, professionalID, db.Millis(end), db.Millis(start)).Scan(&holder)
	switch {
	case err == nil && holder == patientID:
		return errs.Conflictf("the patient already has an appointment with %s at that time", proName)
	case err == nil:
		return errs.Conflictf(taken)
	case !errors.Is(err, sql.ErrNoRows):
		return errs.Wrap(err, "checking the professional's calendar")
	}
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM appointments WHERE patient_id = $1 AND status = 'booked'
		AND starts_at < $2 AND ends_at > $3 LIMIT 1`, patientID, db.Millis(end), db.Millis(start)).Scan(new(int))
	switch {
	case err == nil:
		return errs.Conflictf("the patient already has another appointment at that time")
	case !errors.Is(err, sql.ErrNoRows):
		return errs.Wrap(err, "checking the patient's calendar")
	}
	return nil
}

// insertBooking writes a new active booking; the database refuses it when
// another active booking of the professional overlaps it.
func insertBooking(ctx context.Context, tx *sql.Tx, id string, sl Slot, patientID, reason, by, from string, now time.Time) error {
	var prev any
	if from != "" {
		prev = from
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO appointments (id, professional_id, patient_id, starts_at, ends_at, kind, status,
		reason, booked_by, booked_at, rescheduled_from, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8, $9, $10, $9)`,
		id, sl.ProfessionalID, patientID, db.Millis(sl.Start), db.Millis(sl.End), string(sl.Kind), reason, by, db.Millis(now), prev)
	if isOverlapError(err) {
		return errs.Conflictf(taken)
	}
	return errs.Wrap(err, "saving the booking")
}

// Book takes an open slot for a patient. The viewer is the patient, or
// someone the patient granted the appointments scope (a family member, a
// professional); the professional must be on the patient's care team or
// have access shared by the patient. Of several people booking the same
// time at once, exactly one wins; the others get a Conflict.
func (s *Service) Book(ctx context.Context, viewer people.Principal, n NewBooking) (Appointment, error) {
	reason, err := checkReason("reason", n.Reason)
	if err != nil {
		return Appointment{}, err
	}
	if n.Kind != "" && !n.Kind.valid() {
		return Appointment{}, errs.Field("kind", "kind is in_person or video")
	}
	if err := s.access.Check(ctx, viewer, n.PatientID, access.Appointments); err != nil {
		s.record(ctx, audit.Event{Action: "appointment.book", PatientID: n.PatientID, Outcome: audit.Denied})
		return Appointment{}, err
	}
	proName, err := s.professionalFor(ctx, s.db.R, n.PatientID, n.ProfessionalID)
	if err != nil {
		return Appointment{}, err
	}
	now := s.clock.Now()
	if !n.Start.After(now) {
		return Appointment{}, errs.Field("start", "that time has passed; pick another slot")
	}
	sl, err := s.findSlot(ctx, n.ProfessionalID, proName, n.Start, n.Kind)
	if err != nil {
		return Appointment{}, err
	}
	id := newID()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := lockProfessional(ctx, tx, n.ProfessionalID); err != nil {
			return err
		}
		if err := checkFree(ctx, tx, n.ProfessionalID, proName, n.PatientID, sl.Start, sl.End); err != nil {
			return err
		}
		if err := insertBooking(ctx, tx, id, sl, n.PatientID, reason, viewer.UserID, "", now); err != nil {
			return err
		}
		a, err := s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, EventBooked, viewer.UserID, a, nil)
	})
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			s.record(ctx, audit.Event{Action: "appointment.book", PatientID: n.PatientID, Outcome: audit.Failure, Detail: "slot taken"})
		}
		return Appointment{}, err
	}
	s.record(ctx, audit.Event{Action: "appointment.book", PatientID: n.PatientID, Resource: "appointments/" + id, Outcome: audit.Success})
	return s.byID(ctx, s.db.R, id)
}

// changeable loads an appointment the viewer may change, still booked and
// not yet started.
func (s *Service) changeable(ctx context.Context, viewer people.Principal, id, doing string) (Appointment, error) {
	a, err := s.Get(ctx, viewer, id)
	if err != nil {
		return Appointment{}, err
	}
	switch {
	case a.Status == Cancelled:
		return Appointment{}, errs.Conflictf("this appointment was already cancelled")
	case a.Status == Done:
		return Appointment{}, errs.Conflictf("this appointment has taken place")
	case !a.Start.After(s.clock.Now()):
		return Appointment{}, errs.Conflictf("this appointment has already started; it can no longer be %s", doing)
	}
	return a, nil
}

// cancelRow marks a booked appointment cancelled, with who, when and why.
func cancelRow(ctx context.Context, tx *sql.Tx, id, by, reason, replacement string, now time.Time) error {
	var to any
	if replacement != "" {
		to = replacement
	}
	res, err := tx.ExecContext(ctx, `UPDATE appointments SET status = 'cancelled', cancelled_by = $1, cancelled_at = $2,
		cancel_reason = $3, rescheduled_to = $4, updated_at = $2 WHERE id = $5 AND status = 'booked'`,
		by, db.Millis(now), reason, to, id)
	if err != nil {
		return errs.Wrap(err, "cancelling the appointment")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.Conflictf("this appointment was just cancelled or moved by someone else")
	}
	return nil
}

// Cancel cancels a booked appointment that has not started, by the patient,
// the professional, or someone with the appointments scope, with a reason.
func (s *Service) Cancel(ctx context.Context, viewer people.Principal, id, reason string) (Appointment, error) {
	reason, err := checkReason("reason", reason)
	if err != nil {
		return Appointment{}, err
	}
	a, err := s.changeable(ctx, viewer, id, "cancelled")
	if err != nil {
		return Appointment{}, err
	}
	now := s.clock.Now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := cancelRow(ctx, tx, id, viewer.UserID, reason, "", now); err != nil {
			return err
		}
		a, err = s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, EventCancelled, viewer.UserID, a, nil)
	})
	if err != nil {
		return Appointment{}, err
	}
	s.record(ctx, audit.Event{Action: "appointment.cancel", PatientID: a.PatientID, Resource: "appointments/" + id, Outcome: audit.Success})
	return a, nil
}

// Reschedule moves a booked appointment to another open slot of the same
// professional: in one transaction the old booking is cancelled with the
// reason and a new one, linked to it both ways, takes the new time. It
// returns the new booking.
func (s *Service) Reschedule(ctx context.Context, viewer people.Principal, id string, n NewTime) (Appointment, error) {
	reason, err := checkReason("reason", n.Reason)
	if err != nil {
		return Appointment{}, err
	}
	if n.Kind != "" && !n.Kind.valid() {
		return Appointment{}, errs.Field("kind", "kind is in_person or video")
	}
	old, err := s.changeable(ctx, viewer, id, "moved")
	if err != nil {
		return Appointment{}, err
	}
	proName, err := s.professionalFor(ctx, s.db.R, old.PatientID, old.ProfessionalID)
	if err != nil {
		return Appointment{}, err
	}
	now := s.clock.Now()
	if !n.Start.After(now) {
		return Appointment{}, errs.Field("start", "that time has passed; pick another slot")
	}
	sl, err := s.findSlot(ctx, old.ProfessionalID, proName, n.Start, n.Kind)
	if err != nil {
		return Appointment{}, err
	}
	nextID := newID()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := lockProfessional(ctx, tx, old.ProfessionalID); err != nil {
			return err
		}
		if err := cancelRow(ctx, tx, id, viewer.UserID, reason, nextID, now); err != nil {
			return err
		}
		if err := checkFree(ctx, tx, old.ProfessionalID, proName, old.PatientID, sl.Start, sl.End); err != nil {
			return err
		}
		if err := insertBooking(ctx, tx, nextID, sl, old.PatientID, old.Reason, viewer.UserID, id, now); err != nil {
			return err
		}
		a, err := s.byID(ctx, tx, nextID)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, EventRescheduled, viewer.UserID, a, &old)
	})
	if err != nil {
		return Appointment{}, err
	}
	s.record(ctx, audit.Event{Action: "appointment.reschedule", PatientID: old.PatientID, Resource: "appointments/" + nextID,
		Outcome: audit.Success, Detail: "from appointments/" + id})
	return s.byID(ctx, s.db.R, nextID)
}

// MarkDone records that an appointment took place; only its professional
// may, once it has started.
func (s *Service) MarkDone(ctx context.Context, viewer people.Principal, id string) (Appointment, error) {
	a, err := s.Get(ctx, viewer, id)
	if err != nil {
		return Appointment{}, err
	}
	now := s.clock.Now()
	switch {
	case a.ProfessionalID != viewer.UserID:
		return Appointment{}, errs.Forbiddenf("only %s can mark this appointment as done", a.ProfessionalName)
	case a.Status != Booked:
		return Appointment{}, errs.Conflictf("only a booked appointment can be marked as done; this one is %s", a.Status)
	case a.Start.After(now):
		return Appointment{}, errs.Conflictf("this appointment has not started yet")
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE appointments SET status = 'done', done_at = $1, updated_at = $1
		WHERE id = $2 AND status = 'booked'`, db.Millis(now), id)
	if err != nil {
		return Appointment{}, errs.Wrap(err, "marking the appointment done")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Appointment{}, errs.Conflictf("this appointment was just changed by someone else")
	}
	s.record(ctx, audit.Event{Action: "appointment.done", PatientID: a.PatientID, Resource: "appointments/" + id, Outcome: audit.Success})
	return s.byID(ctx, s.db.R, id)
}
