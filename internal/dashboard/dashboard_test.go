package dashboard_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/dashboard"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
)

// Worst first: an open critical alert, then the highest NEWS2, then a
// missed measurement, then the longest without a reading.
func TestWorstFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		// 10:00 in Oslo, where every patient lives.
		w := newWorld(t, d, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
		ctx := context.Background()
		nurse := w.user("Nurse", people.Nurse)
		pOK, pCrit, pNews, pMissed, pStale := w.user("Olga Fine", people.Patient), w.user("Carl Critical", people.Patient),
			w.user("Nora Score", people.Patient), w.user("Mia Missed", people.Patient), w.user("Sten Stale", people.Patient)
		for _, p := range []people.Principal{pOK, pCrit, pNews, pMissed, pStale} {
			w.care(p, nurse)
		}
		// Mia is asked for a blood pressure at 11:00 with a 60-minute grace.
		early, grace := 30, 60
		if _, err := w.mon.CreateSchedule(ctx, nurse, pMissed.UserID, monitoring.ScheduleInput{Type: "blood_pressure",
			Times: []string{"11:00"}, EarlyMinutes: &early, GraceMinutes: &grace}); err != nil {
			t.Fatal(err)
		}
		w.measure(pStale, 0, "heart_rate", 70) // becomes three days old below
		w.clock.Advance(72 * time.Hour)        // 4 June, 10:00 Oslo
		if _, err := w.mon.CreateSchedule(ctx, nurse, pOK.UserID, monitoring.ScheduleInput{Type: "heart_rate",
			Times: []string{"09:50", "20:00"}, EarlyMinutes: &early, GraceMinutes: &grace}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(3 * time.Hour) // 13:00 Oslo: Mia's window closed at 12:00
		w.measure(pOK, 10, "heart_rate", 72, "blood_pressure", 124, "spo2", 97)
		w.measure(pCrit, 30, "heart_rate", 150)
		w.measure(pNews, 20, "respiratory_rate", 25, "spo2", 95)

		dash, err := w.board.For(ctx, nurse)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range dash.Patients {
			names = append(names, r.Name)
		}
		want := []string{"Carl Critical", "Nora Score", "Mia Missed", "Sten Stale", "Olga Fine"}
		if len(names) != len(want) {
			t.Fatalf("rows %v", names)
		}
		for i := range want {
			if names[i] != want[i] {
				t.Fatalf("order %v, want %v", names, want)
			}
		}
		crit, news, missed, stale, ok := dash.Patients[0], dash.Patients[1], dash.Patients[2], dash.Patients[3], dash.Patients[4]
		if len(crit.Vitals) != 1 || crit.Vitals[0].OutOfRange != monitoring.Critical || ok.Vitals[1].OutOfRange != "" {
			t.Errorf("out of range: Carl %+v, Olga %+v", crit.Vitals, ok.Vitals)
		}
		if crit.Alerts.OpenCritical != 1 || crit.Alerts.Top.Title == "" || crit.Alerts.Highest != monitoring.Critical {
			t.Errorf("Carl's alerts %+v", crit.Alerts)
		}
		if news.NEWS2 == nil || news.NEWS2.Total != 4 || !news.NEWS2.Partial || !news.NEWS2.SingleThree {
			t.Errorf("Nora's NEWS2 %+v", news.NEWS2)
		}
		if missed.Today == nil || missed.Today.Missed != 1 || missed.Today.Total != 1 || !missed.LastReadingAt.IsZero() {
			t.Errorf("Mia's day %+v", missed.Today)
		}
		if stale.NEWS2 != nil || len(stale.Vitals) != 1 || !stale.LastReadingAt.Equal(w.clock.Now().Add(-75*time.Hour)) {
			t.Errorf("Sten's row %+v", stale)
		}
		// Olga's 09:50 reading time came and went without a reading before the
		// schedule was made, so it does not count; 20:00 is still to come.
		if ok.Today == nil || ok.Today.Total != 1 || ok.Today.Upcoming != 1 || len(ok.Vitals) != 3 ||
			ok.Vitals[0].Type != "blood_pressure" || ok.Vitals[1].Type != "heart_rate" || ok.Vitals[2].Type != "spo2" {
			t.Errorf("Olga's row %+v", ok)
		}
		for _, r := range dash.Patients {
			if r.Access != access.Care || len(r.NotShared) != 0 {
				t.Errorf("%s: access %s, not shared %v", r.Name, r.Access, r.NotShared)
			}
		}
	})
}

// A patient's audit trail shows a viewer's dashboard view once every
// AuditEvery, however often the page reloads.
func TestAuditedOncePerInterval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
		ctx := context.Background()
		nurse, other := w.user("Nurse", people.Nurse), w.user("Other nurse", people.Nurse)
		p1, p2 := w.user("Ann", people.Patient), w.user("Bo", people.Patient)
		w.care(p1, nurse)
		w.care(p2, nurse)
		w.care(p1, other)
		count := func(viewer people.Principal, patient people.Principal) int {
			es, err := w.audit.List(ctx, audit.Query{ActorID: viewer.UserID, PatientID: patient.UserID, Action: "dashboard.read"})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		for range 3 {
			if _, err := w.board.For(ctx, nurse); err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(time.Minute)
		}
		if _, err := w.board.For(ctx, other); err != nil {
			t.Fatal(err)
		}
		if count(nurse, p1) != 1 || count(nurse, p2) != 1 || count(other, p1) != 1 || count(other, p2) != 0 {
			t.Errorf("events after three answers in three minutes: %d %d, other nurse %d %d",
				count(nurse, p1), count(nurse, p2), count(other, p1), count(other, p2))
		}
		w.clock.Advance(dashboard.AuditEvery)
		if _, err := w.board.For(ctx, nurse); err != nil {
			t.Fatal(err)
		}
		if count(nurse, p1) != 2 || count(nurse, p2) != 2 {
			t.Errorf("events once the interval passed: %d %d", count(nurse, p1), count(nurse, p2))
		}
	})
}
