package appointments_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
)

func TestPublishingHours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		a := w.publish(t)
		if a.TimeZone != "Europe/Oslo" || len(a.Weekly) != 5 || a.Weekly[0].Weekday != "monday" || a.Weekly[4].Kind != appointments.Video {
			t.Errorf("availability %+v", a)
		}
		bad := []appointments.NewAvailability{
			{TimeZone: "Mars/Olympus", SlotMinutes: 30},
			{TimeZone: "Europe/Oslo", SlotMinutes: 2},
			{TimeZone: "Europe/Oslo", SlotMinutes: 30, Weekly: []appointments.WeeklyHours{{Weekday: "funday", Start: "09:00", End: "10:00", Kind: appointments.Video}}},
			{TimeZone: "Europe/Oslo", SlotMinutes: 30, Weekly: []appointments.WeeklyHours{{Weekday: "monday", Start: "10:00", End: "09:00", Kind: appointments.Video}}},
			{TimeZone: "Europe/Oslo", SlotMinutes: 30, Weekly: []appointments.WeeklyHours{{Weekday: "monday", Start: "9", End: "10:00", Kind: appointments.Video}}},
			{TimeZone: "Europe/Oslo", SlotMinutes: 30, Weekly: []appointments.WeeklyHours{{Weekday: "monday", Start: "09:00", End: "10:00"}}},
			{TimeZone: "Europe/Oslo", SlotMinutes: 30, Weekly: []appointments.WeeklyHours{
				{Weekday: "monday", Start: "09:00", End: "11:00", Kind: appointments.Video},
				{Weekday: "monday", Start: "10:00", End: "12:00", Kind: appointments.InPerson}}},
		}
		for i, n := range bad {
			_, err := w.svc.SetAvailability(ctx, w.doctor, w.doctor.UserID, n)
			wantKind(t, err, errs.Invalid, "bad availability "+string(rune('0'+i)))
		}
		_, err := w.svc.SetAvailability(ctx, w.nurse, w.doctor.UserID, appointments.NewAvailability{TimeZone: "UTC", SlotMinutes: 30})
		wantKind(t, err, errs.Forbidden, "a nurse changing the doctor's hours")
		_, err = w.svc.SetAvailability(ctx, w.admin, w.patient.UserID, appointments.NewAvailability{TimeZone: "UTC", SlotMinutes: 30})
		wantKind(t, err, errs.NotFound, "hours for a patient")

		// Days off around Easter, and an extra Saturday by video.
		off, err := w.svc.AddException(ctx, w.doctor, w.doctor.UserID, appointments.NewException{Kind: appointments.Off,
			From: "2026-04-02", To: "2026-04-06", Note: "Easter"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddException(ctx, w.doctor, w.doctor.UserID, appointments.NewException{Kind: appointments.Extra,
			From: "2026-04-04", Start: "10:00", End: "11:00", VisitKind: appointments.Video, SlotMinutes: 20}); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.AddException(ctx, w.doctor, w.doctor.UserID, appointments.NewException{Kind: appointments.Extra,
			From: "2026-04-04", To: "2026-04-05", Start: "10:00", End: "11:00", VisitKind: appointments.Video})
		wantKind(t, err, errs.Invalid, "extra hours over two dates")
		slots, err := w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, oslo(2026, 4, 1, 0, 0), oslo(2026, 4, 8, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		days := map[string]int{}
		for _, s := range slots {
			days[s.ProfessionalTime.Date]++
		}
		want := map[string]int{"2026-04-01": 6, "2026-04-04": 3, "2026-04-07": 6}
		if len(days) != len(want) || days["2026-04-01"] != 6 || days["2026-04-04"] != 3 || days["2026-04-07"] != 6 {
			t.Errorf("slots per day around Easter: %v, want %v", days, want)
		}
		if err := w.svc.RemoveException(ctx, w.doctor, w.doctor.UserID, off.ID); err != nil {
			t.Fatal(err)
		}
		slots, _ = w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, oslo(2026, 4, 1, 0, 0), oslo(2026, 4, 8, 0, 0))
		if len(slots) != 6*5+3 {
			t.Errorf("after removing the days off: %d slots, want 33", len(slots))
		}
		got, err := w.svc.Availability(ctx, w.patient, w.doctor.UserID)
		if err != nil || len(got.Exceptions) != 1 || got.Exceptions[0].SlotMinutes != 20 {
			t.Errorf("availability seen by the patient: %+v %v", got, err)
		}
	})
}

func TestWhoSeesOpenSlots(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		from, to := oslo(2026, 3, 2, 0, 0), oslo(2026, 3, 3, 0, 0)
		check := func(name string, ok bool, slots []appointments.Slot, err error) {
			t.Helper()
			if ok && (err != nil || len(slots) != 6) {
				t.Errorf("%s: %d slots, %v", name, len(slots), err)
			}
			if !ok {
				wantKind(t, err, errs.NotFound, name)
			}
		}
		s, err := w.svc.OpenSlots(ctx, w.doctor, w.doctor.UserID, from, to)
		check("the doctor", true, s, err)
		s, err = w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, from, to)
		check("a patient of the doctor", true, s, err)
		s, err = w.svc.OpenSlots(ctx, w.dad, w.doctor.UserID, from, to)
		check("family with the appointments scope", true, s, err)
		s, err = w.svc.OpenSlots(ctx, w.nurse, w.doctor.UserID, from, to)
		check("a nurse on the same care team", true, s, err)
		s, err = w.svc.OpenSlots(ctx, w.aunt, w.doctor.UserID, from, to)
		check("family with vitals only", false, s, err)
		s, err = w.svc.OpenSlots(ctx, w.stranger, w.doctor.UserID, from, to)
		check("a stranger", false, s, err)

		// Slots in the past are not offered.
		w.clock.Set(oslo(2026, 3, 2, 10, 15))
		s, _ = w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, from, to)
		if len(s) != 3 || s[0].ProfessionalTime.StartClock != "10:30" {
			t.Errorf("at 10:15 the open slots are %d from %v", len(s), s)
		}
		_, err = w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, from, from.AddDate(1, 0, 0))
		wantKind(t, err, errs.Invalid, "a year of slots")

		pros, err := w.svc.Professionals(ctx, w.dad, w.patient.UserID)
		if err != nil || len(pros) != 2 || pros[0].Name != "Kari Nurse" || pros[0].Bookable || !pros[1].Bookable || pros[1].TimeZone != "Europe/Oslo" {
			t.Errorf("professionals the patient can book: %+v %v", pros, err)
		}
		_, err = w.svc.Professionals(ctx, w.aunt, w.patient.UserID)
		wantKind(t, err, errs.NotFound, "the aunt listing professionals")
	})
}

func TestBookingRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		nine := oslo(2026, 3, 2, 9, 0)
		nb := func(patient string, start time.Time, reason string) appointments.NewBooking {
			return appointments.NewBooking{PatientID: patient, ProfessionalID: w.doctor.UserID, Start: start, Reason: reason}
		}
		_, err := w.svc.Book(ctx, w.patient, nb(w.patient.UserID, nine, "  "))
		wantKind(t, err, errs.Invalid, "no reason")
		_, err = w.svc.Book(ctx, w.aunt, nb(w.patient.UserID, nine, "check"))
		wantKind(t, err, errs.NotFound, "the aunt booking")
		_, err = w.svc.Book(ctx, w.patient, nb(w.other.UserID, nine, "check"))
		wantKind(t, err, errs.NotFound, "booking for another patient")
		_, err = w.svc.Book(ctx, w.patient, appointments.NewBooking{PatientID: w.patient.UserID, ProfessionalID: w.stranger.UserID, Start: nine, Reason: "x"})
		wantKind(t, err, errs.Invalid, "booking a professional off the care team")
		_, err = w.svc.Book(ctx, w.patient, nb(w.patient.UserID, oslo(2026, 3, 2, 9, 10), "check"))
		wantKind(t, err, errs.Conflict, "a time that is not a slot")
		_, err = w.svc.Book(ctx, w.patient, nb(w.patient.UserID, oslo(2026, 3, 1, 9, 0), "check"))
		wantKind(t, err, errs.Invalid, "a time in the past")
		_, err = w.svc.Book(ctx, w.patient, appointments.NewBooking{PatientID: w.patient.UserID, ProfessionalID: w.doctor.UserID,
			Start: oslo(2026, 3, 6, 9, 0), Kind: appointments.InPerson, Reason: "x"})
		wantKind(t, err, errs.Conflict, "asking for in person on a video day")

		a := w.book(t, w.dad, w.patient, nine)
		if a.Status != appointments.Booked || a.BookedByName != "Dad Berg" || a.PatientName != patientName || a.Kind != appointments.InPerson ||
			a.JoinPath != "" || !a.End.Equal(nine.Add(30*time.Minute)) || a.Reason != "follow-up of blood pressure" {
			t.Errorf("booked %+v", a)
		}
		// The same patient again, and another patient, at the same time.
		_, err = w.svc.Book(ctx, w.patient, nb(w.patient.UserID, nine, "again"))
		if !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "already has an appointment with Ola Nordmann") {
			t.Errorf("the same patient twice: %v", err)
		}
		_, err = w.svc.Book(ctx, w.other, nb(w.other.UserID, nine, "mine"))
		if !errs.Is(err, errs.Conflict) || err.Error() != "that time was just booked by someone else; pick another slot" {
			t.Errorf("another patient: %v", err)
		}
		// The nurse books the patient with the doctor (she has the appointments scope by care).
		b, err := w.svc.Book(ctx, w.nurse, nb(w.patient.UserID, oslo(2026, 3, 6, 9, 0), "video review"))
		if err != nil || b.Kind != appointments.Video || b.JoinPath != "/calls/appointment/"+b.ID {
			t.Errorf("video booking by the nurse: %+v %v", b, err)
		}
		// The patient cannot hold two times at once, even with two professionals.
		if _, err := w.svc.SetAvailability(ctx, w.nurse, w.nurse.UserID, appointments.NewAvailability{TimeZone: "Europe/Oslo", SlotMinutes: 60,
			Weekly: []appointments.WeeklyHours{{Weekday: "monday", Start: "08:00", End: "12:00", Kind: appointments.InPerson}}}); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Book(ctx, w.patient, appointments.NewBooking{PatientID: w.patient.UserID, ProfessionalID: w.nurse.UserID,
			Start: oslo(2026, 3, 2, 9, 0), Reason: "x"})
		if !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "another appointment at that time") {
			t.Errorf("two professionals at once: %v", err)
		}

		// Who sees it.
		if _, err := w.svc.Get(ctx, w.doctor, a.ID); err != nil {
			t.Errorf("the doctor cannot see the booking: %v", err)
		}
		if _, err := w.svc.Get(ctx, w.dad, a.ID); err != nil {
			t.Errorf("dad cannot see the booking: %v", err)
		}
		_, err = w.svc.Get(ctx, w.aunt, a.ID)
		wantKind(t, err, errs.NotFound, "the aunt reading the booking")
		_, err = w.svc.Get(ctx, w.other, a.ID)
		wantKind(t, err, errs.NotFound, "another patient reading the booking")

		// The booking is in the audit log, with the patient, and without the reason.
		events, _ := w.audit.List(ctx, audit.Query{PatientID: w.patient.UserID, Action: "appointment.book"})
		var ok, denied int
		for _, e := range events {
			if strings.Contains(e.Detail, "blood") {
				t.Errorf("audit detail carries the reason: %+v", e)
			}
			switch e.Outcome {
			case audit.Success:
				ok++
			case audit.Denied:
				denied++
			}
		}
		if ok != 2 || denied != 1 {
			t.Errorf("audit: %d successful and %d denied bookings, want 2 and 1", ok, denied)
		}
	})
}

func TestCancelRescheduleAndHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		a := w.book(t, w.patient, w.patient, oslo(2026, 3, 3, 9, 0))
		_, err := w.svc.Cancel(ctx, w.aunt, a.ID, "no")
		wantKind(t, err, errs.NotFound, "the aunt cancelling")
		_, err = w.svc.Cancel(ctx, w.doctor, a.ID, "")
		wantKind(t, err, errs.Invalid, "cancelling without a reason")

		// The patient moves it; the new time overlaps the old one, which is fine.
		moved, err := w.svc.Reschedule(ctx, w.patient, a.ID, appointments.NewTime{Start: oslo(2026, 3, 3, 9, 30), Reason: "train is late"})
		if err != nil {
			t.Fatal(err)
		}
		old, _ := w.svc.Get(ctx, w.patient, a.ID)
		if old.Status != appointments.Cancelled || old.RescheduledTo != moved.ID || old.CancelReason != "train is late" ||
			old.CancelledByName != patientName || moved.RescheduledFrom != a.ID || moved.Status != appointments.Booked ||
			moved.Reason != a.Reason || moved.ProfessionalTime.StartClock != "09:30" {
			t.Errorf("after rescheduling: old %+v, new %+v", old, moved)
		}
		// Moving to a taken time changes nothing.
		w.book(t, w.other, w.other, oslo(2026, 3, 3, 11, 0))
		_, err = w.svc.Reschedule(ctx, w.doctor, moved.ID, appointments.NewTime{Start: oslo(2026, 3, 3, 11, 0), Reason: "clash"})
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("moving onto a taken slot: %v", err)
		}
		if still, _ := w.svc.Get(ctx, w.doctor, moved.ID); still.Status != appointments.Booked || still.RescheduledTo != "" {
			t.Errorf("a failed move left %+v", still)
		}
		// The doctor cancels; a second cancel is refused.
		cancelled, err := w.svc.Cancel(ctx, w.doctor, moved.ID, "ill")
		if err != nil || cancelled.Status != appointments.Cancelled || cancelled.CancelledByName != "Ola Nordmann" || cancelled.CancelledAt == nil {
			t.Errorf("cancel: %+v %v", cancelled, err)
		}
		_, err = w.svc.Cancel(ctx, w.patient, moved.ID, "too")
		wantKind(t, err, errs.Conflict, "cancelling twice")
		_, err = w.svc.Reschedule(ctx, w.patient, moved.ID, appointments.NewTime{Start: oslo(2026, 3, 3, 10, 0), Reason: "x"})
		wantKind(t, err, errs.Conflict, "moving a cancelled booking")

		hist, err := w.svc.History(ctx, w.dad, moved.ID)
		if err != nil || len(hist) != 2 || hist[0].ID != a.ID || hist[1].ID != moved.ID {
			t.Errorf("history: %v %v", hist, err)
		}
		// The slot is open again.
		slots, _ := w.svc.OpenSlots(ctx, w.patient, w.doctor.UserID, oslo(2026, 3, 3, 0, 0), oslo(2026, 3, 4, 0, 0))
		if len(slots) != 5 {
			t.Errorf("after cancelling, %d open slots, want 5 (one is Tom's)", len(slots))
		}

		// Notifications: booked, rescheduled, cancelled to both sides, in each one's zone.
		patientNotes, _ := w.svc.Notifications(ctx, w.patient.UserID)
		doctorNotes, _ := w.svc.Notifications(ctx, w.doctor.UserID)
		if len(patientNotes) != 3 || len(doctorNotes) != 4 {
			t.Fatalf("notifications: patient %d, doctor %d", len(patientNotes), len(doctorNotes))
		}
		wantTexts := []string{
			"Appointment with Ola Nordmann on Tue 3 Mar 2026 03:30–04:00 EST: cancelled by Ola Nordmann.",
			"Appointment with Ola Nordmann moved from Tue 3 Mar 2026 03:00–03:30 EST to Tue 3 Mar 2026 03:30–04:00 EST by you.",
			"Appointment with Ola Nordmann on Tue 3 Mar 2026 03:00–03:30 EST: booked by you.",
		}
		for i, n := range patientNotes {
			if n.Text != wantTexts[i] {
				t.Errorf("patient notification %d: %q, want %q", i, n.Text, wantTexts[i])
			}
		}
		if want := "Appointment with " + patientName + " on Tue 3 Mar 2026 09:30–10:00 CET: cancelled by you."; doctorNotes[0].Text != want {
			t.Errorf("doctor's latest: %q, want %q", doctorNotes[0].Text, want)
		}
		if err := w.svc.MarkNotificationRead(ctx, w.patient.UserID, patientNotes[0].ID); err != nil {
			t.Error(err)
		}
		wantKind(t, w.svc.MarkNotificationRead(ctx, w.doctor.UserID, patientNotes[0].ID), errs.NotFound, "reading another's notification")
		pending, _ := w.svc.PendingNotifications(ctx, 100)
		if len(pending) != 8 {
			t.Errorf("%d pending notifications, want 8", len(pending))
		}
		if err := w.svc.MarkNotificationDelivered(ctx, pending[0].ID); err != nil {
			t.Error(err)
		}
		wantKind(t, w.svc.MarkNotificationDelivered(ctx, pending[0].ID), errs.Conflict, "delivering twice")

		// Done: only by the professional, once it has started.
		b := w.book(t, w.patient, w.patient, oslo(2026, 3, 4, 9, 0))
		_, err = w.svc.MarkDone(ctx, w.doctor, b.ID)
		wantKind(t, err, errs.Conflict, "done before it starts")
		w.clock.Set(oslo(2026, 3, 4, 9, 5))
		_, err = w.svc.MarkDone(ctx, w.patient, b.ID)
		wantKind(t, err, errs.Forbidden, "the patient marking done")
		_, err = w.svc.Cancel(ctx, w.patient, b.ID, "late")
		wantKind(t, err, errs.Conflict, "cancelling after the start")
		done, err := w.svc.MarkDone(ctx, w.doctor, b.ID)
		if err != nil || done.Status != appointments.Done || done.DoneAt == nil {
			t.Errorf("done: %+v %v", done, err)
		}
	})
}

func TestCalendars(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		a := w.book(t, w.patient, w.patient, oslo(2026, 3, 2, 9, 0))
		w.book(t, w.other, w.other, oslo(2026, 3, 2, 11, 30))
		c := w.book(t, w.patient, w.patient, oslo(2026, 3, 5, 10, 0))
		if _, err := w.svc.Cancel(ctx, w.patient, c.ID, "better"); err != nil {
			t.Fatal(err)
		}
		from, to, _ := appointments.DayRange("2026-03-02", "Europe/Oslo")
		day, err := w.svc.ForProfessional(ctx, w.doctor, from, to)
		if err != nil || len(day) != 2 || day[0].ID != a.ID || day[1].PatientName != "Tom Other" {
			t.Errorf("the doctor's Monday: %v %v", day, err)
		}
		from, to, _ = appointments.WeekRange("2026-03-04", "Europe/Oslo")
		if !from.Equal(oslo(2026, 3, 2, 0, 0)) || !to.Equal(oslo(2026, 3, 9, 0, 0)) {
			t.Errorf("week %s–%s", from, to)
		}
		week, _ := w.svc.ForProfessional(ctx, w.doctor, from, to)
		if len(week) != 3 || week[2].Status != appointments.Cancelled {
			t.Errorf("the doctor's week: %v", week)
		}
		nurseWeek, err := w.svc.ForProfessional(ctx, w.nurse, from, to)
		if err != nil || len(nurseWeek) != 0 {
			t.Errorf("the nurse's week: %v %v", nurseWeek, err)
		}
		_, err = w.svc.ForProfessional(ctx, w.patient, from, to)
		wantKind(t, err, errs.Forbidden, "a patient's professional calendar")

		mine, err := w.svc.ForPatient(ctx, w.dad, w.patient.UserID, from, to)
		if err != nil || len(mine) != 2 {
			t.Errorf("dad's view of the patient: %v %v", mine, err)
		}
		_, err = w.svc.ForPatient(ctx, w.aunt, w.patient.UserID, from, to)
		wantKind(t, err, errs.NotFound, "the aunt's view")
		_, err = w.svc.ForPatient(ctx, w.stranger, w.patient.UserID, from, to)
		wantKind(t, err, errs.NotFound, "a stranger's view")

		// Daylight-saving days are 23 and 25 hours long.
		for day, hours := range map[string]float64{"2026-03-29": 23, "2026-10-25": 25, "2026-03-30": 24} {
			from, to, err := appointments.DayRange(day, "Europe/Oslo")
			if err != nil || to.Sub(from).Hours() != hours {
				t.Errorf("%s lasts %v hours in Oslo, want %v (%v)", day, to.Sub(from).Hours(), hours, err)
			}
		}
	})
}
