package appointments_test

import (
	"testing"
	"time"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
)

// Oslo and New York change their clocks on different Sundays: New York on
// 8 March and 1 November 2026, Oslo on 29 March and 25 October. In the weeks
// between, they are five hours apart instead of six. A Monday 09:00 slot of
// a doctor in Oslo stays at 09:00 for her, and moves for a patient in New
// York; a Monday 09:00 slot of a nurse in New York moves for a patient in Oslo.
func TestTimeZonesAcrossDaylightSaving(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.care(t, w.other, w.nurse)
		monday := []appointments.WeeklyHours{{Weekday: "monday", Start: "09:00", End: "10:00", Kind: appointments.Video}}
		if _, err := w.svc.SetAvailability(ctx, w.doctor, w.doctor.UserID, appointments.NewAvailability{TimeZone: "Europe/Oslo", SlotMinutes: 60, Weekly: monday}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SetAvailability(ctx, w.nurse, w.nurse.UserID, appointments.NewAvailability{TimeZone: "America/New_York", SlotMinutes: 60, Weekly: monday}); err != nil {
			t.Fatal(err)
		}
		weeks := []struct {
			clock            time.Time
			monday           string
			utc, newYork     string // the Oslo doctor's slot
			nurseUTC, inOslo string // the New York nurse's slot
		}{
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026-03-02", "08:00", "03:00 EST", "14:00", "15:00 CET"},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026-03-09", "08:00", "04:00 EDT", "13:00", "14:00 CET"},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026-03-16", "08:00", "04:00 EDT", "13:00", "14:00 CET"},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026-03-23", "08:00", "04:00 EDT", "13:00", "14:00 CET"},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026-03-30", "07:00", "03:00 EDT", "13:00", "15:00 CEST"},
			{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "2026-10-19", "07:00", "03:00 EDT", "13:00", "15:00 CEST"},
			{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "2026-10-26", "08:00", "04:00 EDT", "13:00", "14:00 CET"},
			{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "2026-11-02", "08:00", "03:00 EST", "14:00", "15:00 CET"},
		}
		for _, wk := range weeks {
			w.clock.Set(wk.clock)
			from, to, _ := appointments.DayRange(wk.monday, "Europe/Oslo")
			to = to.Add(12 * time.Hour) // the New York nurse's Monday ends later
			slots, err := w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, from, to)
			if err != nil || len(slots) != 1 {
				t.Fatalf("%s: %v %v", wk.monday, slots, err)
			}
			s := slots[0]
			if got := s.ProfessionalTime.StartClock + " " + s.ProfessionalTime.Abbrev; s.ProfessionalTime.Date != wk.monday ||
				(got != "09:00 CET" && got != "09:00 CEST") {
				t.Errorf("%s: the doctor sees %s %s", wk.monday, s.ProfessionalTime.Date, got)
			}
			if got := s.Start.UTC().Format("15:04"); got != wk.utc {
				t.Errorf("%s: the doctor's slot is at %s UTC, want %s", wk.monday, got, wk.utc)
			}
			if got := s.ViewerTime.StartClock + " " + s.ViewerTime.Abbrev; got != wk.newYork || s.ViewerTime.TimeZone != "America/New_York" {
				t.Errorf("%s: the New York patient sees %s, want %s", wk.monday, got, wk.newYork)
			}
			slots, err = w.svc.OpenSlots(ctx, w.other, w.nurse.UserID, from, to)
			if err != nil || len(slots) != 1 {
				t.Fatalf("%s: nurse's slots %v %v", wk.monday, slots, err)
			}
			s = slots[0]
			if s.ProfessionalTime.StartClock != "09:00" || s.Start.UTC().Format("15:04") != wk.nurseUTC {
				t.Errorf("%s: the nurse's slot is %s local, %s UTC; want 09:00, %s", wk.monday, s.ProfessionalTime.StartClock,
					s.Start.UTC().Format("15:04"), wk.nurseUTC)
			}
			if got := s.ViewerTime.StartClock + " " + s.ViewerTime.Abbrev; got != wk.inOslo {
				t.Errorf("%s: the Oslo patient sees the nurse at %s, want %s", wk.monday, got, wk.inOslo)
			}

			// Booked, each side keeps seeing its own time.
			a := w.book(t, w.patient, w.patient, slots0(t, w, wk.monday))
			if a.ProfessionalTime.StartClock != "09:00" || a.PatientTime.StartClock+" "+a.PatientTime.Abbrev != wk.newYork ||
				a.PatientTime.TimeZone != "America/New_York" || a.ProfessionalTime.TimeZone != "Europe/Oslo" {
				t.Errorf("%s: booked %+v / %+v", wk.monday, a.ProfessionalTime, a.PatientTime)
			}
			if ny := a.In("America/New_York"); ny.StartClock != a.PatientTime.StartClock || !ny.Start.Equal(a.Start) {
				t.Errorf("%s: In(New York) = %+v", wk.monday, ny)
			}
		}
	})
}

// slots0 returns the start of the doctor's only slot on a Monday.
func slots0(t *testing.T, w *world, monday string) time.Time {
	t.Helper()
	from, to, _ := appointments.DayRange(monday, "Europe/Oslo")
	slots, err := w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, from, to)
	if err != nil || len(slots) != 1 {
		t.Fatalf("%s: %v %v", monday, slots, err)
	}
	return slots[0].Start
}
