package appointments_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

var ctx = context.Background()

// world is a small clinic: a doctor in Oslo and a nurse on the care team of
// a patient in New York, another patient of the doctor in Oslo, the
// patient's father (who may book) and aunt (who may only see vitals), and
// a nurse who has nothing to do with any of them.
type world struct {
	d      *db.DB
	clock  *clock.Fake
	people *people.Service
	access *access.Service
	audit  *audit.Log
	svc    *appointments.Service

	admin, doctor, nurse, patient, other, dad, aunt, stranger people.Principal
}

// The patient's name has the characters iCalendar must escape.
const patientName = `Berg, Anna; "Nan" \ Jr`

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	c := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ps := people.NewService(d, c)
	w := &world{d: d, clock: c, people: ps, access: access.New(d, c, ps), audit: audit.New(d, c)}
	w.svc = appointments.New(d, c, w.access, w.audit)
	w.admin = w.user(t, "admin@example.org", "Admin", nil, people.Admin)
	w.doctor = w.user(t, "doctor@example.org", "Ola Nordmann", nil, people.Doctor)
	w.nurse = w.user(t, "nurse@example.org", "Kari Nurse", nil, people.Nurse)
	w.patient = w.user(t, "anna@example.org", patientName, &people.Profile{TimeZone: "America/New_York"}, people.Patient)
	w.other = w.user(t, "tom@example.org", "Tom Other", &people.Profile{TimeZone: "Europe/Oslo"}, people.Patient)
	w.dad = w.user(t, "dad@example.org", "Dad Berg", nil, people.Family)
	w.aunt = w.user(t, "aunt@example.org", "Aunt Berg", nil, people.Family)
	w.stranger = w.user(t, "stranger@example.org", "Sam Stranger", nil, people.Nurse)
	w.care(t, w.patient, w.doctor)
	w.care(t, w.patient, w.nurse)
	w.care(t, w.other, w.doctor)
	for _, sh := range []struct {
		to     string
		scopes []access.Scope
	}{{"dad@example.org", []access.Scope{access.Appointments, access.Vitals}}, {"aunt@example.org", []access.Scope{access.Vitals}}} {
		if _, err := w.access.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: sh.to, Scopes: sh.scopes}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) user(t testing.TB, email, name string, profile *people.Profile, roles ...people.Role) people.Principal {
	t.Helper()
	u, err := w.people.Create(ctx, people.NewUser{Email: email, Name: name, Roles: roles, Profile: profile})
	if err != nil {
		t.Fatal(err)
	}
	return people.Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles}
}

func (w *world) care(t testing.TB, patient, pro people.Principal) {
	t.Helper()
	if _, err := w.access.AssignCare(ctx, w.admin, patient.UserID, pro.UserID); err != nil {
		t.Fatal(err)
	}
}

// publish gives the doctor weekday hours 09:00–12:00 in Oslo, 30-minute
// slots, in person on Monday to Thursday and by video on Friday.
func (w *world) publish(t testing.TB) appointments.Availability {
	t.Helper()
	var weekly []appointments.WeeklyHours
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday"} {
		weekly = append(weekly, appointments.WeeklyHours{Weekday: d, Start: "09:00", End: "12:00", Kind: appointments.InPerson})
	}
	weekly = append(weekly, appointments.WeeklyHours{Weekday: "friday", Start: "09:00", End: "12:00", Kind: appointments.Video})
	a, err := w.svc.SetAvailability(ctx, w.doctor, w.doctor.UserID, appointments.NewAvailability{
		TimeZone: "Europe/Oslo", SlotMinutes: 30, Weekly: weekly})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// oslo returns a local time in Oslo.
func oslo(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, appointments.Location("Europe/Oslo"))
}

func (w *world) book(t testing.TB, viewer, patient people.Principal, start time.Time) appointments.Appointment {
	t.Helper()
	a, err := w.svc.Book(ctx, viewer, appointments.NewBooking{PatientID: patient.UserID, ProfessionalID: w.doctor.UserID,
		Start: start, Reason: "follow-up of blood pressure"})
	if err != nil {
		t.Fatalf("booking %s for %s: %v", start, patient.Name, err)
	}
	return a
}

func wantKind(t testing.TB, err error, k errs.Kind, what string) {
	t.Helper()
	if !errs.Is(err, k) {
		t.Errorf("%s: want error kind %d, got %v", what, k, err)
	}
}
