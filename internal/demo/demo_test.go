package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/demo"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// services wires the parts as tend serve does: readings feed monitoring.
func services(t *testing.T, d *db.DB) demo.Services {
	t.Helper()
	c := clock.Real{}
	ps := people.NewService(d, c)
	acc := access.New(d, c, ps)
	aud := audit.New(d, c)
	n, err := notify.New(d, c, ps, notify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mon := monitoring.New(d, c, acc, monitoring.Deps{Notify: n, Audit: aud})
	rs := readings.New(d, c, acc, devices.New(d, c, ps, acc), readings.Options{
		AfterCommit: func(ctx context.Context, _ string, stored []readings.Reading) {
			if err := mon.OnReadings(ctx, monitoring.FromReadings(stored)); err != nil {
				t.Errorf("alert rules: %v", err)
			}
		}})
	t.Cleanup(func() { rs.Close() })
	return demo.Services{DB: d, People: ps, Access: acc, Audit: aud, Readings: rs, Monitoring: mon,
		Medications: medications.New(d, c, acc, mon.Outbox(), aud), Appointments: appointments.New(d, c, acc, aud)}
}

// The demo clinic has patients worse than others, and something on every
// page: schedules, medicines and doses, alerts open and closed, a missed
// measurement, a NEWS2 of 5 or more, open hours and booked visits.
func TestDemoClinic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sv := services(t, d)
		start := time.Now()
		res, err := demo.Load(ctx, sv)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: the demo loaded in %v", dbtest.Name(d), time.Since(start).Round(time.Millisecond))
		if !res.Loaded {
			t.Fatal("not loaded")
		}
		if again, err := demo.Load(ctx, sv); err != nil || again.Loaded {
			t.Fatalf("a second load: %+v %v", again.Loaded, err)
		}
		who := func(email string) people.Principal {
			u, err := sv.People.ByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return people.Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles}
		}
		alerts := func(nurse, patient string, statuses ...monitoring.Status) map[string]monitoring.Alert {
			out := map[string]monitoring.Alert{}
			as, err := sv.Monitoring.Alerts(ctx, who(nurse), monitoring.AlertFilter{PatientID: who(patient).UserID, Status: statuses})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				out[a.RuleKey] = a
			}
			return out
		}
		const garcia, nguyen, brown = "nurse.garcia@demo.tend.example", "nurse.nguyen@demo.tend.example", "nurse.brown@demo.tend.example"
		if a, ok := alerts(garcia, "margaret.hill@demo.tend.example")[monitoring.RuleBPCrisis]; !ok || a.Status != monitoring.Open || a.Severity != monitoring.Critical {
			t.Errorf("Margaret has no open critical blood pressure alert: %+v", alerts(garcia, "margaret.hill@demo.tend.example"))
		}
		if _, ok := alerts(garcia, "kenji.watanabe@demo.tend.example")["missed:body_weight"]; !ok {
			t.Errorf("Kenji has no missed weight alert: %+v", alerts(garcia, "kenji.watanabe@demo.tend.example"))
		}
		if _, ok := alerts(nguyen, "rosa.moretti@demo.tend.example")[monitoring.RuleNEWS2]; !ok {
			t.Errorf("Rosa has no NEWS2 alert: %+v", alerts(nguyen, "rosa.moretti@demo.tend.example"))
		}
		score, err := sv.Monitoring.LatestNEWS2(ctx, who(nguyen), who("rosa.moretti@demo.tend.example").UserID)
		if err != nil || score.Total < 5 || score.Partial {
			t.Errorf("Rosa's NEWS2: %+v %v", score, err)
		}
		if a, ok := alerts(brown, "amina.diallo@demo.tend.example", monitoring.Resolved)[monitoring.RuleGlucoseLow]; !ok || a.AckComment == "" {
			t.Errorf("Amina's resolved low glucose: %+v", alerts(brown, "amina.diallo@demo.tend.example", monitoring.Resolved))
		}
		// The quieter patients have no alert at all.
		for _, p := range []struct{ nurse, email string }{{garcia, "david.cohen@demo.tend.example"}, {nguyen, "olav.berg@demo.tend.example"},
			{brown, "grace.mensah@demo.tend.example"}, {garcia, "luis.fernandez@demo.tend.example"}} {
			if as := alerts(p.nurse, p.email); len(as) != 0 {
				t.Errorf("%s has alerts: %+v", p.email, as)
			}
		}

		harold := who("harold.jensen@demo.tend.example")
		missed, err := sv.Medications.Missed(ctx, who(nguyen), time.Time{}, 0)
		if err != nil || len(missed) == 0 || missed[0].PatientID != harold.UserID || missed[0].Name != "Furosemide" {
			t.Errorf("Harold's missed dose for his nurse: %+v %v", missed, err)
		}
		// The one dose the demo leaves out is yesterday's 14:00 furosemide on
		// Harold's clock. The doses are read from yesterday's midnight there,
		// not over the last 24 hours: that window would hold yesterday's 14:00
		// or today's depending on the hour the test runs.
		copenhagen, err := time.LoadLocation("Europe/Copenhagen")
		if err != nil {
			t.Fatal(err)
		}
		local := time.Now().In(copenhagen)
		yesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, copenhagen)
		doses, err := sv.Medications.Doses(ctx, harold, harold.UserID, yesterday, time.Now())
		if err != nil || len(doses) == 0 {
			t.Errorf("Harold's doses: %+v %v", doses, err)
		}
		var sawMissed bool
		for _, dose := range doses {
			if dose.Status == medications.Due || dose.Status == medications.Upcoming {
				continue
			}
			want := dose.Name == "Furosemide" && dose.Local == "14:00" && dose.DueAt.In(copenhagen).Day() == yesterday.Day()
			sawMissed = sawMissed || want
			if (dose.Status == medications.Missed) != want {
				t.Errorf("Harold's dose %s %s on %s: %s", dose.Name, dose.Local, dose.DueAt.In(copenhagen).Format(time.DateOnly), dose.Status)
			}
		}
		if !sawMissed {
			t.Errorf("Harold's doses do not hold yesterday's 14:00 furosemide: %+v", doses)
		}
		margaret := who("margaret.hill@demo.tend.example")
		if due, err := sv.Monitoring.DueToday(ctx, margaret, margaret.UserID, time.Now()); err != nil || len(due) != 2 {
			t.Errorf("Margaret's due today: %+v %v", due, err)
		}
		if j, err := sv.Readings.Journal(ctx, margaret, readings.JournalQuery{PatientID: margaret.UserID}); err != nil || len(j.Entries) == 0 {
			t.Errorf("Margaret's journal has no doses: %v", err)
		}
		chain, err := sv.Monitoring.EscalationChain(ctx, who(garcia), margaret.UserID)
		if err != nil || !chain.Custom || len(chain.Steps) != 2 {
			t.Errorf("Margaret's escalation chain: %+v %v", chain, err)
		}
		okafor := who("dr.okafor@demo.tend.example")
		visits, err := sv.Appointments.ForProfessional(ctx, okafor, time.Now(), time.Now().Add(9*24*time.Hour))
		if err != nil || len(visits) == 0 {
			t.Errorf("Dr. Okafor's booked visits: %+v %v", visits, err)
		}
	})
}
