package appointments

import (
	"context"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// ForProfessional returns the viewer's own appointments as a professional
// that overlap [from, to), every status, by start. Day and week views ask
// for the range DayRange or WeekRange gives in the professional's zone.
func (s *Service) ForProfessional(ctx context.Context, viewer people.Principal, from, to time.Time) ([]Appointment, error) {
	if !isProfessional(viewer) {
		return nil, errs.Forbiddenf("only nurses and doctors have a calendar of appointments to give")
	}
	if err := s.checkRange(from, to); err != nil {
		return nil, err
	}
	return s.queryAppointments(ctx, s.db.R, `a.professional_id = $1 AND a.starts_at < $2 AND a.ends_at > $3`,
		viewer.UserID, db.Millis(to), db.Millis(from))
}

// ForPatient returns a patient's appointments with every professional that
// overlap [from, to), every status, by start, to the patient and to those
// with the appointments scope (care team, family the patient chose).
func (s *Service) ForPatient(ctx context.Context, viewer people.Principal, patientID string, from, to time.Time) ([]Appointment, error) {
	if err := s.checkRange(from, to); err != nil {
		return nil, err
	}
	if err := s.access.Check(ctx, viewer, patientID, access.Appointments); err != nil {
		return nil, err
	}
	return s.queryAppointments(ctx, s.db.R, `a.patient_id = $1 AND a.starts_at < $2 AND a.ends_at > $3`,
		patientID, db.Millis(to), db.Millis(from))
}

// DayRange returns the instants at which the local date day (YYYY-MM-DD)
// starts and ends in zone: 23 or 25 hours apart on daylight-saving days.
func DayRange(day, zone string) (from, to time.Time, err error) {
	d, ok := parseDate(day)
	if !ok {
		return time.Time{}, time.Time{}, errs.Field("date", "%q is not a date: write it as YYYY-MM-DD", day)
	}
	loc := Location(zone)
	from, _ = resolveWall(loc, d, 0)
	to, _ = resolveWall(loc, d.add(1), 0)
	return from, to, nil
}

// WeekRange returns the local week (Monday to Sunday) that holds day, in zone.
func WeekRange(day, zone string) (from, to time.Time, err error) {
	d, ok := parseDate(day)
	if !ok {
		return time.Time{}, time.Time{}, errs.Field("date", "%q is not a date: write it as YYYY-MM-DD", day)
	}
	monday := d.add(-((int(d.weekday()) + 6) % 7))
	loc := Location(zone)
	from, _ = resolveWall(loc, monday, 0)
	to, _ = resolveWall(loc, monday.add(7), 0)
	return from, to, nil
}
