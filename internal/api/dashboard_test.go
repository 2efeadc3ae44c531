package api_test

import (
	"context"
	"slices"
	"strings"
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

func init() {
	addRows(map[string]row{"dashboard.read": {method: "GET", path: "/api/v1/dashboard", want: signedIn(200)}})
}

func (e *env) dashboard(caller string) (dashboard.Dashboard, string) {
	e.t.Helper()
	body := e.mustDo(caller, "GET", "/api/v1/dashboard", nil, 200)
	return decode[dashboard.Dashboard](e.t, body), body
}

func rowOf(d dashboard.Dashboard, id string) *dashboard.Row {
	for i := range d.Patients {
		if d.Patients[i].ID == id {
			return &d.Patients[i]
		}
	}
	return nil
}

// A nurse's dashboard puts the patient in trouble first and shows each
// patient's latest vitals, alerts, NEWS2, schedule and journal; family
// with a vitals-only share sees patA's vitals and nothing else, and no
// other patient; a stranger sees nobody. Each patient shown is audited.
func TestDashboardByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		patA, patB := e.users["patA"].ID, e.users["patB"].ID
		patC, err := e.people.Create(ctx, people.NewUser{Email: "patC@example.org", Name: "Cecil Unwell", Roles: []people.Role{people.Patient},
			Password: password, Profile: &people.Profile{MRN: "MRN-CCC-333"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.access.AssignCare(ctx, e.principal("admin"), patC.ID, e.users["nurseCare"].ID); err != nil {
			t.Fatal(err)
		}

		// Nothing measured yet: both rows are there, with empty vitals.
		dash, _ := e.dashboard("nurseCare")
		if len(dash.Patients) != 2 || rowOf(dash, patA) == nil || rowOf(dash, patC.ID) == nil {
			t.Fatalf("the nurse's patients before any reading: %+v", dash.Patients)
		}
		if r := rowOf(dash, patA); r.Vitals == nil || len(r.Vitals) != 0 || !r.LastReadingAt.IsZero() || r.NEWS2 != nil ||
			r.Alerts == nil || r.Alerts.Open != 0 || len(r.NotShared) != 0 {
			t.Errorf("patA before any reading: %+v", r)
		}

		// patA measures an ordinary blood pressure and heart rate and writes
		// in the journal; patC's heart rate and saturation are alarming.
		at := time.Now().Add(-2 * time.Minute).UTC().Truncate(time.Millisecond)
		e.mustDo("patA", "POST", "/api/v1/patients/"+patA+"/readings", map[string]any{"readings": []any{
			map[string]any{"type": "blood_pressure", "unit": "mm[Hg]", "takenAt": at.Format(time.RFC3339Nano),
				"components": []any{map[string]any{"key": "systolic", "value": 128}, map[string]any{"key": "diastolic", "value": 82}}},
			heartRate(71, ""),
		}}, 200)
		e.mustDo("patA", "POST", "/api/v1/patients/"+patA+"/journal", map[string]any{"kind": "symptom", "name": "Dizzy",
			"occurredAt": at.Format(time.RFC3339Nano)}, 201)
		e.mustDo("nurseCare", "POST", "/api/v1/patients/"+patC.ID+"/readings", map[string]any{"readings": []any{
			heartRate(150, ""), map[string]any{"type": "spo2", "value": 86, "unit": "%", "takenAt": at.Format(time.RFC3339Nano)},
		}}, 200)
		// And a blood pressure is asked of patA later today.
		due := time.Now().Add(2 * time.Hour)
		e.mustDo("nurseCare", "POST", "/api/v1/schedules", map[string]any{"patientId": patA, "type": "blood_pressure",
			"times": []string{localClock(due)}, "earlyMinutes": 30, "graceMinutes": 60}, 201)

		dash, body := e.dashboard("nurseCare")
		if len(dash.Patients) != 2 || dash.Patients[0].ID != patC.ID || dash.Patients[1].ID != patA {
			t.Fatalf("worst first, the nurse's dashboard is %s", body)
		}
		c := dash.Patients[0]
		if c.Alerts == nil || c.Alerts.OpenCritical < 1 || c.Alerts.Highest != monitoring.Critical || c.Alerts.Top == nil ||
			c.Alerts.Top.Severity != monitoring.Critical {
			t.Errorf("patC's alerts: %+v", c.Alerts)
		}
		if c.NEWS2 == nil || !c.NEWS2.Partial || c.NEWS2.Total < 5 {
			t.Errorf("patC's NEWS2: %+v", c.NEWS2)
		}
		a := dash.Patients[1]
		if len(a.Vitals) != 2 || a.Vitals[0].Type != "blood_pressure" || a.Vitals[1].Type != "heart_rate" {
			t.Fatalf("patA's vitals: %+v", a.Vitals)
		}
		if bp := a.Vitals[0]; len(bp.Components) != 2 || bp.Components[0].Value != 128 || bp.Components[1].Value != 82 ||
			bp.Unit != "mm[Hg]" || !bp.TakenAt.Equal(at) {
			t.Errorf("patA's blood pressure: %+v", bp)
		}
		if hr := a.Vitals[1]; hr.Value == nil || *hr.Value != 71 || a.LastReadingAt != hr.TakenAt {
			t.Errorf("patA's heart rate %+v, last reading %v", hr, a.LastReadingAt)
		}
		if a.Journal == nil || a.Journal.Name != "Dizzy" || a.Journal.Kind != "symptom" {
			t.Errorf("patA's journal: %+v", a.Journal)
		}
		if a.Alerts == nil || a.Alerts.Open != 0 || a.TimeZone != "Europe/Oslo" {
			t.Errorf("patA's row: %+v", a)
		}
		oslo, _ := time.LoadLocation("Europe/Oslo")
		if due.In(oslo).YearDay() == time.Now().In(oslo).YearDay() {
			if a.Today == nil || a.Today.Total != 1 || a.Today.Upcoming != 1 || a.Today.Missed != 0 {
				t.Errorf("patA's day: %+v", a.Today)
			}
		}
		if strings.Contains(body, "MRN-BBB-222") || strings.Contains(body, patB) {
			t.Errorf("the nurse's dashboard shows patB: %s", body)
		}

		// Each patient shown is in their own audit trail, once for the two
		// answers minutes apart; each call is audited too.
		events, _ := e.audit.List(ctx, audit.Query{ActorID: e.users["nurseCare"].ID, Action: "dashboard.read", Limit: 1000})
		var seen []string
		calls := 0
		for _, ev := range events {
			if ev.Outcome != audit.Success || ev.RequestID == "" {
				t.Errorf("audit event %+v", ev)
			}
			if ev.PatientID == "" {
				calls++
				continue
			}
			seen = append(seen, ev.PatientID)
		}
		slices.Sort(seen)
		want := []string{patA, patC.ID}
		slices.Sort(want)
		if !slices.Equal(seen, want) || calls != 2 {
			t.Errorf("audited patients %v (want %v) and %d calls (want 2)", seen, want, calls)
		}
		if log := e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/access-log", nil, 200); !strings.Contains(log, "dashboard.read") {
			t.Errorf("patA's access log does not show the dashboard: %s", log)
		}

		// Family, shared vitals only: patA's vitals, no alerts, no journal, no schedule of other scopes.
		dash, body = e.dashboard("family")
		if len(dash.Patients) != 1 || dash.Patients[0].ID != patA {
			t.Fatalf("family's dashboard: %s", body)
		}
		f := dash.Patients[0]
		if len(f.Vitals) != 2 || f.Alerts != nil || f.Journal != nil || f.Access != access.Share ||
			!slices.Contains(f.NotShared, access.Journal) || !slices.Contains(f.NotShared, access.Alerts) || slices.Contains(f.NotShared, access.Vitals) {
			t.Errorf("family's row of patA: %+v", f)
		}
		if strings.Contains(body, "Dizzy") || strings.Contains(body, "Cecil") {
			t.Errorf("family sees what was not shared: %s", body)
		}

		// A nurse without care, the patients themselves and an administrator see nobody.
		for _, who := range []string{"nurseNone", "patA", "patB", "admin"} {
			if dash, body := e.dashboard(who); len(dash.Patients) != 0 {
				t.Errorf("%s's dashboard: %s", who, body)
			}
		}

		// A revoked share empties family's dashboard at once.
		gs, _ := e.access.Grants(ctx, e.principal("patA"), patA)
		for _, g := range gs {
			if g.GranteeID == e.users["family"].ID {
				e.mustDo("patA", "DELETE", "/api/v1/patients/"+patA+"/grants/"+g.ID, nil, 204)
			}
		}
		if dash, body := e.dashboard("family"); len(dash.Patients) != 0 {
			t.Errorf("family's dashboard after the share was revoked: %s", body)
		}
	})
}
