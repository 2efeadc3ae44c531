package monitoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring"
)

func TestDueTodayAcrossDaylightSaving(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		sc, err := w.mon.CreateSchedule(ctx, w.nurse, w.patient.UserID, monitoring.ScheduleInput{
			Type: "blood_pressure", Times: []string{"08:00", "02:30", "20:00"},
			EarlyMinutes: ints(15), GraceMinutes: ints(60), ReminderLeadMinutes: ints(0)})
		if err != nil {
			t.Fatal(err)
		}
		if sc.TimeZone != "Europe/Oslo" || len(sc.Times) != 3 || sc.Times[0] != "02:30" {
			t.Fatalf("schedule %+v", sc)
		}
		utc := func(s string) time.Time {
			x, _ := time.Parse("2006-01-02 15:04", s)
			return x
		}
		// Spring forward, Sunday 29 March: 02:30 does not exist; it happens
		// 2½ real hours after midnight, which the clock shows as 03:30.
		now := w.at(2026, 3, 29, 12, 0)
		w.read(w.patient.UserID, "blood_pressure", 130, utc("2026-03-29 06:10"), 85) // 08:10 CEST
		occ, err := w.mon.DueToday(ctx, w.patient, w.patient.UserID, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			due, local string
			status     monitoring.OccurrenceStatus
		}{
			{"2026-03-29 01:30", "03:30", monitoring.Missed},
			{"2026-03-29 06:00", "08:00", monitoring.Done},
			{"2026-03-29 18:00", "20:00", monitoring.Upcoming},
		}
		if len(occ) != len(want) {
			t.Fatalf("spring: %d occurrences: %+v", len(occ), occ)
		}
		for i, o := range occ {
			if !o.DueAt.Equal(utc(want[i].due)) || o.Local != want[i].local || o.Status != want[i].status {
				t.Errorf("spring %d: %s %s %s, want %s %s %s", i, o.DueAt.UTC().Format("15:04"), o.Local, o.Status,
					want[i].due, want[i].local, want[i].status)
			}
		}
		if occ[1].ReadingID == "" || occ[1].TakenAt.IsZero() {
			t.Errorf("done occurrence without its reading: %+v", occ[1])
		}
		// Fall back, Sunday 25 October: 02:30 happens once, in summer time;
		// 08:00 and 20:00 are still 08:00 and 20:00 on the clock.
		now = w.at(2026, 10, 25, 19, 50) // 20:00 is due in its early window
		occ, err = w.mon.DueToday(ctx, w.nurse, w.patient.UserID, now)
		if err != nil {
			t.Fatal(err)
		}
		want = []struct {
			due, local string
			status     monitoring.OccurrenceStatus
		}{
			{"2026-10-25 00:30", "02:30", monitoring.Missed},
			{"2026-10-25 07:00", "08:00", monitoring.Missed},
			{"2026-10-25 19:00", "20:00", monitoring.Due},
		}
		if len(occ) != len(want) {
			t.Fatalf("autumn: %d occurrences: %+v", len(occ), occ)
		}
		for i, o := range occ {
			if !o.DueAt.Equal(utc(want[i].due)) || o.Local != want[i].local || o.Status != want[i].status {
				t.Errorf("autumn %d: %s %s %s, want %s %s %s", i, o.DueAt.UTC().Format("15:04"), o.Local, o.Status,
					want[i].due, want[i].local, want[i].status)
			}
		}
		// A reading in the repeated hour's second pass (02:30 CET) is outside
		// the 02:30 window, which closed at 03:30 CEST.
		w.read(w.patient.UserID, "blood_pressure", 130, utc("2026-10-25 01:30"), 85)
		occ, _ = w.mon.DueToday(ctx, w.nurse, w.patient.UserID, now)
		if occ[0].Status != monitoring.Missed {
			t.Errorf("the second pass through 02:30 fulfilled the first: %+v", occ[0])
		}
		// Nobody outside the patient's vitals sees the list.
		if _, err := w.mon.DueToday(ctx, w.stranger, w.patient.UserID, now); !errs.Is(err, errs.NotFound) {
			t.Errorf("a stranger sees the due list: %v", err)
		}
	})
}

func TestScheduleValidationAndWho(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		bad := []monitoring.ScheduleInput{
			{Type: "mood", Times: []string{"08:00"}},
			{Type: "spo2"},
			{Type: "spo2", Times: []string{"25:00"}},
			{Type: "spo2", EveryHours: 5},
			{Type: "spo2", Times: []string{"08:00"}, EveryHours: 6},
			{Type: "spo2", Times: []string{"08:00", "09:00"}, GraceMinutes: ints(60), EarlyMinutes: ints(30)}, // windows overlap
			{Type: "spo2", Times: []string{"08:00"}, Weekdays: []string{"someday"}},
		}
		for _, in := range bad {
			if _, err := w.mon.CreateSchedule(ctx, w.nurse, w.patient.UserID, in); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v accepted: %v", in, err)
			}
		}
		good := monitoring.ScheduleInput{Type: "spo2", EveryHours: 6, Start: "08:00", Weekdays: []string{"mon", "wed"}}
		if _, err := w.mon.CreateSchedule(ctx, w.patient, w.patient.UserID, good); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the patient set their own schedule: %v", err)
		}
		if _, err := w.mon.CreateSchedule(ctx, w.stranger, w.patient.UserID, good); !errs.Is(err, errs.NotFound) {
			t.Errorf("a stranger set a schedule: %v", err)
		}
		sc, err := w.mon.CreateSchedule(ctx, w.doctor, w.patient.UserID, good)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Times) != 4 || sc.Times[0] != "02:00" || sc.EveryHours != 6 || len(sc.Weekdays) != 2 {
			t.Errorf("every 6 hours from 08:00: %+v", sc)
		}
		list, err := w.mon.Schedules(ctx, w.family, w.patient.UserID, false)
		if err != nil || len(list) != 1 {
			t.Fatalf("family with vitals: %v %v", list, err)
		}
		if err := w.mon.StopSchedule(ctx, w.nurse, w.patient.UserID, sc.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := w.mon.Schedules(ctx, w.nurse, w.patient.UserID, false); len(list) != 0 {
			t.Errorf("stopped schedule still running: %+v", list)
		}
		if list, _ := w.mon.Schedules(ctx, w.nurse, w.patient.UserID, true); len(list) != 1 || list[0].StoppedAt.IsZero() {
			t.Errorf("stopped schedule lost: %+v", list)
		}
		if err := w.mon.StopSchedule(ctx, w.nurse, w.patient.UserID, sc.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("stopped twice: %v", err)
		}
		// A stopped schedule has no deadline left: ticking far ahead does nothing.
		w.clock.Advance(72 * time.Hour)
		if st := w.tick(); st.Deadlines != 0 {
			t.Errorf("a stopped schedule ticked: %+v", st)
		}
	})
}

// bpDaily asks for blood pressure at 08:00, counting from 07:30, closing at
// 10:00, with a reminder at 09:30.
func bpDaily(t *testing.T, w *world) monitoring.Schedule {
	t.Helper()
	sc, err := w.mon.CreateSchedule(context.Background(), w.nurse, w.patient.UserID, monitoring.ScheduleInput{
		Type: "blood_pressure", Times: []string{"08:00"}, EarlyMinutes: ints(30), GraceMinutes: ints(120), ReminderLeadMinutes: ints(30)})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestReminderThenMissedAlert(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		bpDaily(t, w)
		w.at(2026, 3, 28, 9, 29)
		if st := w.tick(); st.Reminders != 0 || st.Missed != 0 {
			t.Errorf("early tick %+v", st)
		}
		w.at(2026, 3, 28, 9, 30)
		w.tick()
		got := w.notes.take()
		if len(got) != 1 || got[0].RecipientID != w.patient.UserID || got[0].Kind != "reminder.measurement" {
			t.Fatalf("at 09:30 want one reminder to the patient, got %+v", got)
		}
		w.at(2026, 3, 28, 9, 59)
		if st := w.tick(); st.Missed != 0 || len(w.notes.take()) != 0 {
			t.Errorf("alert before the window closed: %+v", st)
		}
		w.at(2026, 3, 28, 10, 0)
		st := w.tick()
		if st.Missed != 1 {
			t.Fatalf("at the close: %+v", st)
		}
		got = w.notes.take()
		if len(to(got, w.nurse.UserID)) != 1 || len(to(got, w.doctor.UserID)) != 0 || len(to(got, w.patient.UserID)) != 0 {
			t.Errorf("missed alert should go to the nurse first: %+v", got)
		}
		as := w.alerts(w.nurse, monitoring.AlertFilter{PatientID: w.patient.UserID})
		if len(as) != 1 || as[0].RuleKey != "missed:blood_pressure" || as[0].Kind != monitoring.KindMissed || as[0].Count != 1 {
			t.Fatalf("alerts %+v", as)
		}
		if !has(w.bus.kinds(), "alert.opened") {
			t.Error("no alert.opened event")
		}
		occ, _ := w.mon.DueToday(ctx, w.patient, w.patient.UserID, w.clock.Now())
		if len(occ) != 1 || occ[0].Status != monitoring.Missed {
			t.Errorf("due today %+v", occ)
		}
		if _, err := w.mon.Acknowledge(ctx, w.nurse, as[0].ID, "will call her"); err != nil {
			t.Fatal(err)
		}
		// Sunday, the day the clocks change: a reading at 07:45 CEST, before
		// the due time but inside the window, fulfils it; no reminder, no alert.
		w.at(2026, 3, 29, 7, 40)
		w.tick()
		w.read(w.patient.UserID, "blood_pressure", 128, w.clock.Now().Add(5*time.Minute), 80)
		w.at(2026, 3, 29, 11, 0)
		if st := w.tick(); st.Reminders != 0 || st.Missed != 0 {
			t.Errorf("fulfilled occurrence was chased: %+v", st)
		}
		if got := w.notes.take(); len(got) != 0 {
			t.Errorf("notifications for a fulfilled occurrence: %+v", got)
		}
		if !has(w.bus.kinds(), monitoring.ScheduleFulfilled) {
			t.Error("no schedule.fulfilled event")
		}
		// Monday: missed again; the alert is still active (acknowledged), so
		// it counts 2 and nobody is told twice.
		w.at(2026, 3, 30, 9, 30)
		w.tick()
		w.at(2026, 3, 30, 10, 0)
		if st := w.tick(); st.Missed != 1 {
			t.Errorf("Monday: %+v", st)
		}
		got = w.notes.take()
		if len(got) != 1 || got[0].RecipientID != w.patient.UserID {
			t.Errorf("Monday's notifications: %+v (want only the patient's reminder)", got)
		}
		if as := w.alerts(w.nurse, monitoring.AlertFilter{}); len(as) != 1 || as[0].Count != 2 {
			t.Errorf("repeat count: %+v", as)
		}
	})
}

func TestRestartInTheMiddleOfAWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		bpDaily(t, w)
		// The first process reminds the patient, then dies during the window.
		w.at(2026, 3, 28, 9, 30)
		w.tick()
		if got := w.notes.take(); len(got) != 1 {
			t.Fatalf("reminder: %+v", got)
		}
		// Down from 09:31 until 10:20: the close at 10:00 passes unseen.
		// The new process catches it up on its first tick, once.
		w.mon = w.newService()
		w.at(2026, 3, 28, 10, 20)
		st := w.tick()
		if st.Missed != 1 || st.Reminders != 0 {
			t.Fatalf("after restart: %+v", st)
		}
		if got := to(w.notes.take(), w.nurse.UserID); len(got) != 1 {
			t.Fatalf("nurse told %d times", len(got))
		}
		w.tick()
		w.mon = w.newService()
		w.tick()
		if got := w.notes.take(); len(got) != 0 {
			t.Errorf("told again after another restart: %+v", got)
		}
		if as := w.alerts(w.nurse, monitoring.AlertFilter{}); len(as) != 1 || as[0].Count != 1 {
			t.Errorf("alerts %+v", as)
		}

		// A crash between the commit and the hand-over to notify: what was
		// decided is recorded, the notifications wait in the outbox, and the
		// next process delivers each exactly once.
		w.notes.setFail(true)
		w.at(2026, 3, 29, 9, 30)
		if st := w.tick(); st.Reminders != 1 || st.Escalated != 1 {
			t.Fatalf("Sunday 09:30: %+v", st) // the reminder, and Saturday's unacknowledged alert going to the doctor
		}
		w.at(2026, 3, 29, 10, 0)
		if st := w.tick(); st.Missed != 1 {
			t.Fatalf("Sunday close: %+v", st)
		}
		if got := w.notes.take(); len(got) != 0 {
			t.Fatalf("sent while notify was down: %+v", got)
		}
		w.notes.setFail(false)
		w.mon = w.newService()
		w.clock.Advance(time.Minute) // past the outbox lease
		st = w.tick()
		if st.Drained == 0 {
			t.Errorf("nothing drained: %+v", st)
		}
		w.tick()
		got := w.notes.take()
		if len(to(got, w.patient.UserID)) != 1 || len(to(got, w.doctor.UserID)) != 1 || len(to(got, w.nurse.UserID)) != 0 {
			t.Errorf("after the restart want the reminder once and the escalation once (the miss only counted): %+v", got)
		}
		if as := w.alerts(w.nurse, monitoring.AlertFilter{}); len(as) != 1 || as[0].Count != 2 || as[0].EscalationStep != 1 {
			t.Errorf("alerts %+v", as)
		}

		// A fresh alert whose notification is stuck: resolve the open one,
		// miss again with notify down, restart, deliver once.
		as := w.alerts(w.nurse, monitoring.AlertFilter{})
		if _, err := w.mon.Resolve(context.Background(), w.nurse, as[0].ID, "called the patient"); err != nil {
			t.Fatal(err)
		}
		w.notes.setFail(true)
		w.at(2026, 3, 30, 10, 0)
		w.tick()
		w.notes.setFail(false)
		w.mon = w.newService()
		w.clock.Advance(time.Minute)
		w.tick()
		w.tick()
		if got := to(w.notes.take(), w.nurse.UserID); len(got) != 1 || got[0].Kind != "alert.opened" {
			t.Errorf("new alert after restart: nurse told %d times: %+v", len(got), got)
		}
		// Downtime over several days: every closed window is counted once.
		w.at(2026, 4, 2, 12, 0) // Tuesday 31st, Wednesday 1st and Thursday 2nd missed
		st = w.tick()
		if st.Missed != 3 {
			t.Errorf("catch-up after downtime: %+v", st)
		}
		open := w.alerts(w.nurse, monitoring.AlertFilter{Status: []monitoring.Status{monitoring.Open}})
		if len(open) != 1 || open[0].Count != 4 {
			t.Errorf("open alerts after catch-up: %+v", open)
		}
		if n, _ := w.mon.Outbox().Pending(context.Background()); n != 0 {
			t.Errorf("%d rows left in the outbox", n)
		}
	})
}
