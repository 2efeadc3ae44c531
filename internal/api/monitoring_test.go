package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/api"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/news2"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/readings"
)

// quietMonitoring is monitoring without audit log, notifications or
// events, to prepare a row without adding to the audit trail the tests
// count.
func (e *env) quietMonitoring() *monitoring.Service {
	return monitoring.New(e.api.DB, clock.Real{}, e.access, monitoring.Deps{})
}

// quietMedications is medications without an audit log, on clock c.
func (e *env) quietMedications(c clock.Clock) *medications.Service {
	return medications.New(e.api.DB, c, e.access, e.quietMonitoring().Outbox(), nil)
}

// openAlert resolves patA's active alerts and raises a new one, from a heart
// rate of 150, and returns its id.
func (e *env) openAlert() string {
	e.t.Helper()
	ctx := context.Background()
	mon, nurse, pid := e.quietMonitoring(), e.principal("nurseCare"), e.users["patA"].ID
	active, err := mon.Alerts(ctx, nurse, monitoring.AlertFilter{PatientID: pid})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range active {
		if _, err := mon.Resolve(ctx, nurse, a.ID, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	err = mon.OnReadings(ctx, []monitoring.Reading{{ID: fmt.Sprintf("prep-%d", e.counter.Add(1)), PatientID: pid,
		Type: "heart_rate", Value: 150, TakenAt: time.Now()}})
	if err != nil {
		e.t.Fatal(err)
	}
	open, err := mon.Alerts(ctx, nurse, monitoring.AlertFilter{PatientID: pid, Status: []monitoring.Status{monitoring.Open}})
	if err != nil || len(open) != 1 {
		e.t.Fatalf("preparing an alert: %v %+v", err, open)
	}
	return open[0].ID
}

// withMedicationClock serves the API again with medications on clock c,
// so that a test can move to the time a dose may be recorded.
func (e *env) withMedicationClock(c clock.Clock) {
	deps := e.api.Deps
	deps.Medications = medications.New(deps.DB, c, e.access, deps.Monitoring.Outbox(), e.audit)
	e.api = api.New(deps)
	e.srv = httptest.NewServer(e.api.Handler())
	e.t.Cleanup(e.srv.Close)
}

// localClock is t on patA's clock, HH:MM.
func localClock(t time.Time) string {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	return t.In(oslo).Format("15:04")
}

func init() {
	schedule := func(e *env) map[string]string {
		sc, err := e.quietMonitoring().CreateSchedule(context.Background(), e.principal("nurseCare"), e.users["patA"].ID,
			monitoring.ScheduleInput{Type: "heart_rate", Times: []string{"08:00"}})
		if err != nil {
			e.t.Fatal(err)
		}
		return map[string]string{"{schedule}": sc.ID}
	}
	alert := func(e *env) map[string]string { return map[string]string{"{alert}": e.openAlert()} }
	nurse := func(e *env) map[string]string { return map[string]string{"{nurse}": e.users["nurseCare"].ID} }
	// medication makes a medicine written two hours ago with a dose half an
	// hour ago, which may be recorded now.
	medication := func(e *env) map[string]string {
		now := time.Now()
		due := now.Add(-30 * time.Minute).Truncate(time.Minute)
		m, err := e.quietMedications(clock.NewFake(now.Add(-2*time.Hour))).Create(context.Background(), e.principal("nurseCare"),
			e.users["patA"].ID, medications.Input{Name: "Metformin", Dose: "500 mg", Times: []string{localClock(due)}})
		if err != nil {
			e.t.Fatal(err)
		}
		return map[string]string{"{medication}": m.ID, "{due}": due.UTC().Format(time.RFC3339)}
	}
	webhook := func(e *env) map[string]string {
		w, err := e.api.Notify.AddWebhook(context.Background(), notify.Webhook{URL: "https://hooks.example.org/tend", Kinds: []string{"*"}})
		if err != nil {
			e.t.Fatal(err)
		}
		return map[string]string{"{webhook}": w.ID}
	}
	patientOnly := func(*env) any { return map[string]string{"patientId": "{patA}"} }

	// Who may do what: those who see the patient's vitals, alerts or
	// medications read; nurses and doctors among them change monitoring;
	// the patient and the care team change medicines.
	vitals := func(status int) (map[string]int, int) { return only(status, 404, "patA", "nurseCare", "family") }
	alerts := func(status int) (map[string]int, int) { return only(status, 404, "patA", "nurseCare") }
	meds := alerts
	changeVitals := func(status int) (map[string]int, int) {
		w, o := only(status, 404, "nurseCare")
		w["patA"], w["family"] = 403, 403
		return w, o
	}
	changeAlerts := func(status int) (map[string]int, int) {
		w, o := only(status, 404, "nurseCare")
		w["patA"] = 403
		return w, o
	}

	rows := map[string]row{}
	w, o := vitals(200)
	rows["schedules.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/schedules?stopped=true", want: w, other: o, prepare: schedule}
	rows["schedules.due"] = row{method: "GET", path: "/api/v1/patients/{patA}/due-today", want: w, other: o, prepare: schedule}
	rows["news2.read"] = row{method: "GET", path: "/api/v1/patients/{patA}/news2", want: w, other: o}
	rows["news2.settings.read"] = row{method: "GET", path: "/api/v1/patients/{patA}/news2/settings", want: w, other: o}
	w, o = changeVitals(201)
	rows["schedules.create"] = row{method: "POST", path: "/api/v1/schedules", want: w, other: o, body: func(*env) any {
		return map[string]any{"patientId": "{patA}", "type": "blood_pressure", "times": []string{"08:00", "20:00"}, "graceMinutes": 120}
	}}
	w, o = changeVitals(200)
	rows["schedules.update"] = row{method: "PUT", path: "/api/v1/schedules/{schedule}", want: w, other: o, prepare: schedule,
		body: func(*env) any {
			return map[string]any{"patientId": "{patA}", "type": "heart_rate", "times": []string{"09:00"}}
		}}
	rows["news2.settings.set"] = row{method: "PUT", path: "/api/v1/news2/settings", want: w, other: o,
		body: func(*env) any { return map[string]any{"patientId": "{patA}", "scale": 1, "onOxygen": false} }}
	rows["news2.observe"] = row{method: "POST", path: "/api/v1/news2/observations", want: w, other: o,
		body: func(*env) any { return map[string]any{"patientId": "{patA}", "consciousness": "alert"} }}
	w, o = changeVitals(204)
	rows["schedules.stop"] = row{method: "POST", path: "/api/v1/schedules/{schedule}/stop", want: w, other: o, prepare: schedule, body: patientOnly}

	w, o = alerts(200)
	rows["alertrules.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/alert-rules", want: w, other: o}
	rows["alerts.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/alerts?status=open,acknowledged,resolved&minSeverity=info", want: w, other: o, prepare: alert}
	rows["alerts.read"] = row{method: "GET", path: "/api/v1/patients/{patA}/alerts/{alert}", want: w, other: o, prepare: alert}
	rows["escalation.read"] = row{method: "GET", path: "/api/v1/patients/{patA}/escalation-chain", want: w, other: o}
	w, o = changeAlerts(200)
	rows["alertrules.set"] = row{method: "PATCH", path: "/api/v1/alert-rules/temperature_high", want: w, other: o,
		body: func(*env) any { return map[string]any{"patientId": "{patA}", "consecutive": 2} }}
	rows["escalation.set"] = row{method: "PUT", path: "/api/v1/escalation-chain", want: w, other: o, prepare: nurse,
		body: func(*env) any {
			return map[string]any{"patientId": "{patA}", "steps": []any{map[string]any{"userIds": []string{"{nurse}"}, "waitMinutes": 10}}}
		}}
	rows["alerts.acknowledge"] = row{method: "POST", path: "/api/v1/alerts/{alert}/acknowledge", want: w, other: o, prepare: alert,
		body: func(*env) any { return map[string]string{"comment": "calling the patient"} }}
	rows["alerts.resolve"] = row{method: "POST", path: "/api/v1/alerts/{alert}/resolve", want: w, other: o, prepare: alert,
		body: func(*env) any { return map[string]string{"comment": "rested; normal on recheck"} }}
	rows["alerts.comment"] = row{method: "POST", path: "/api/v1/alerts/{alert}/comments", want: w, other: o, prepare: alert,
		body: func(*env) any { return map[string]string{"comment": "had just climbed the stairs"} }}
	w, o = changeAlerts(204)
	rows["alertrules.reset"] = row{method: "POST", path: "/api/v1/alert-rules/temperature_high/reset", want: w, other: o, body: patientOnly}
	rows["alerts.inbox"] = row{method: "GET", path: "/api/v1/alerts?status=open,acknowledged&minSeverity=warning&limit=20", want: signedIn(200)}
	rows["medications.missed"] = row{method: "GET", path: "/api/v1/missed-doses?limit=10", want: signedIn(200)}

	w, o = meds(200)
	rows["medications.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/medications?stopped=true", want: w, other: o, prepare: medication}
	rows["medications.today"] = row{method: "GET", path: "/api/v1/patients/{patA}/medications/today", want: w, other: o, prepare: medication}
	rows["medications.doses"] = row{method: "GET", path: "/api/v1/patients/{patA}/medications/doses?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", want: w, other: o}
	rows["medications.update"] = row{method: "PUT", path: "/api/v1/medications/{medication}", want: w, other: o, prepare: medication,
		body: func(*env) any {
			return map[string]any{"patientId": "{patA}", "name": "Metformin", "dose": "1000 mg", "times": []string{"08:00"}}
		}}
	rows["medications.record"] = row{method: "POST", path: "/api/v1/medications/{medication}/doses", want: w, other: o, prepare: medication,
		body: func(*env) any { return map[string]any{"patientId": "{patA}", "dueAt": "{due}", "status": "taken"} }}
	w, o = meds(201)
	rows["medications.create"] = row{method: "POST", path: "/api/v1/medications", want: w, other: o, body: func(*env) any {
		return map[string]any{"patientId": "{patA}", "name": "Lisinopril", "dose": "10 mg", "times": []string{"08:00"}}
	}}
	w, o = meds(204)
	rows["medications.stop"] = row{method: "POST", path: "/api/v1/medications/{medication}/stop", want: w, other: o, prepare: medication, body: patientOnly}

	rows["notifications.list"] = row{method: "GET", path: "/api/v1/me/notifications?limit=10", want: signedIn(200)}
	rows["notifications.markread"] = row{method: "POST", path: "/api/v1/me/notifications/no-such-notification/read", want: signedIn(404)}
	rows["notifications.markallread"] = row{method: "POST", path: "/api/v1/me/notifications/read-all", want: signedIn(204)}
	rows["notifications.preferences.read"] = row{method: "GET", path: "/api/v1/me/notification-preferences", want: signedIn(200)}
	rows["notifications.preferences.set"] = row{method: "PUT", path: "/api/v1/me/notification-preferences", want: signedIn(200),
		body: func(*env) any {
			return map[string]any{"rules": []any{map[string]string{"kind": "alert.*", "email": "critical"}},
				"quietHours": map[string]string{"start": "22:00", "end": "07:00"}}
		}}
	w, o = only(200, 403, "admin")
	rows["webhooks.list"] = row{method: "GET", path: "/api/v1/webhooks", want: w, other: o}
	w, o = only(201, 403, "admin")
	rows["webhooks.add"] = row{method: "POST", path: "/api/v1/webhooks", want: w, other: o,
		body: func(*env) any {
			return map[string]any{"url": "https://hooks.example.org/tend", "kinds": []string{"alert.*"}}
		}}
	w, o = only(204, 403, "admin")
	rows["webhooks.remove"] = row{method: "DELETE", path: "/api/v1/webhooks/{webhook}", want: w, other: o, prepare: webhook}
	addRows(rows)
}

type alertsAnswer struct{ Alerts []monitoring.Alert }

func (e *env) alerts(caller, query string) []monitoring.Alert {
	e.t.Helper()
	status, body := e.do(caller, "GET", "/api/v1/alerts"+query, nil)
	if status != 200 {
		e.t.Fatalf("alerts as %s: %d %s", caller, status, body)
	}
	return decode[alertsAnswer](e.t, body).Alerts
}

func (e *env) mustDo(caller, method, path string, body any, want int) string {
	e.t.Helper()
	status, text := e.do(caller, method, path, body)
	if status != want {
		e.t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, caller, status, want, text)
	}
	return text
}

// A nurse sets a rule and a schedule for a patient; the patient's reading
// out of range opens an alert, which the nurse finds in the inbox, is told
// of, acknowledges and resolves with comments; family with the vitals share
// sees none of it.
func TestAlertFromReadingToResolution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		patA := e.users["patA"].ID

		// The nurse makes heart rates above 110 alert for this patient.
		body := e.mustDo("nurseCare", "PATCH", "/api/v1/alert-rules/heart_rate_high", map[string]any{"patientId": patA,
			"conditions": []any{map[string]any{"op": ">", "value": 110, "clear": 100}}, "severity": "critical"}, 200)
		if r := decode[monitoring.Rule](t, body); !r.Overridden || r.Conditions[0].Value != 110 || r.Severity != monitoring.Critical {
			t.Errorf("changed rule: %+v", r)
		}
		body = e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/alert-rules", nil, 200)
		var found bool
		for _, r := range decode[struct{ Rules []monitoring.Rule }](t, body).Rules {
			if r.Key == monitoring.RuleHeartRateHigh {
				found = r.Overridden && r.Conditions[0].Value == 110
			} else if r.Overridden {
				t.Errorf("rule %s is overridden too", r.Key)
			}
		}
		if !found {
			t.Errorf("the patient's rules do not show the change: %s", body)
		}
		e.mustDo("patA", "PATCH", "/api/v1/alert-rules/heart_rate_high", map[string]any{"patientId": patA, "enabled": false}, 403)

		// And asks for a heart rate an hour from now, every day.
		due := time.Now().Add(time.Hour)
		body = e.mustDo("nurseCare", "POST", "/api/v1/schedules", map[string]any{"patientId": patA, "type": "heart_rate",
			"times": []string{localClock(due)}, "earlyMinutes": 30, "graceMinutes": 60}, 201)
		sc := decode[monitoring.Schedule](t, body)
		if sc.PatientID != patA || sc.TimeZone != "Europe/Oslo" || sc.GraceMinutes != 60 || sc.CreatedBy != e.users["nurseCare"].ID {
			t.Errorf("schedule %+v", sc)
		}
		body = e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/due-today", nil, 200)
		dueToday := decode[struct{ Due []monitoring.Occurrence }](t, body).Due
		oslo, _ := time.LoadLocation("Europe/Oslo")
		if due.In(oslo).YearDay() == time.Now().In(oslo).YearDay() {
			if len(dueToday) != 1 || dueToday[0].ScheduleID != sc.ID || dueToday[0].Status != monitoring.Upcoming {
				t.Errorf("due today: %s", body)
			}
		} else if len(dueToday) != 0 {
			t.Errorf("due today, with the time tomorrow: %s", body)
		}
		body = e.mustDo("family", "GET", "/api/v1/patients/"+patA+"/schedules", nil, 200)
		if scs := decode[struct{ Schedules []monitoring.Schedule }](t, body).Schedules; len(scs) != 1 || scs[0].ID != sc.ID {
			t.Errorf("family sees the schedules: %s", body)
		}

		// The patient enters a heart rate of 118.
		body = e.mustDo("patA", "POST", "/api/v1/patients/"+patA+"/readings", map[string]any{"readings": []any{heartRate(118, "")}}, 200)

		inbox := e.alerts("nurseCare", "")
		if len(inbox) != 1 {
			t.Fatalf("the nurse's inbox: %+v", inbox)
		}
		a := inbox[0]
		if a.PatientID != patA || a.PatientName != "Agnes Patient" || a.RuleKey != monitoring.RuleHeartRateHigh || a.Status != monitoring.Open ||
			a.Severity != monitoring.Critical || a.Kind != monitoring.KindVital || a.ReadingID == "" {
			t.Errorf("alert %+v", a)
		}
		if as := e.alerts("nurseCare", "?minSeverity=critical&patientId="+patA); len(as) != 1 {
			t.Errorf("critical alerts of patA: %+v", as)
		}
		if as := e.alerts("nurseCare", "?status=resolved"); len(as) != 0 {
			t.Errorf("resolved alerts before any was resolved: %+v", as)
		}
		if status, body := e.do("nurseCare", "GET", "/api/v1/alerts?status=closed", nil); status != 422 {
			t.Errorf("an unknown status: %d %s", status, body)
		}

		// The nurse was told, in the app.
		body = e.mustDo("nurseCare", "GET", "/api/v1/me/notifications", nil, 200)
		box := decode[struct {
			Notifications []notify.Notification
			Unread        int
		}](t, body)
		if len(box.Notifications) != 1 || box.Unread != 1 || box.Notifications[0].Kind != "alert.opened" || box.Notifications[0].PatientID != patA {
			t.Fatalf("the nurse's notifications: %s", body)
		}
		note := box.Notifications[0].ID
		e.mustDo("patA", "POST", "/api/v1/me/notifications/"+note+"/read", nil, 404)
		e.mustDo("nurseCare", "POST", "/api/v1/me/notifications/"+note+"/read", nil, 204)
		body = e.mustDo("nurseCare", "GET", "/api/v1/me/notifications", nil, 200)
		if box := decode[struct{ Unread int }](t, body); box.Unread != 0 || !strings.Contains(body, `"readAt"`) {
			t.Errorf("after reading it: %s", body)
		}

		// Family, with the vitals share only, sees no alert at all.
		if as := e.alerts("family", ""); len(as) != 0 {
			t.Errorf("family's inbox: %+v", as)
		}
		if as := e.alerts("nurseNone", ""); len(as) != 0 {
			t.Errorf("a stranger's inbox: %+v", as)
		}
		for _, path := range []string{"/api/v1/patients/" + patA + "/alerts", "/api/v1/patients/" + patA + "/alerts/" + a.ID} {
			if status, body := e.do("family", "GET", path, nil); status != 404 || strings.Contains(body, "Agnes") {
				t.Errorf("GET %s as family: %d %s", path, status, body)
			}
		}
		e.mustDo("family", "POST", "/api/v1/alerts/"+a.ID+"/acknowledge", map[string]string{}, 404)
		e.mustDo("patA", "POST", "/api/v1/alerts/"+a.ID+"/acknowledge", map[string]string{}, 403)

		// The nurse acknowledges, comments and resolves.
		body = e.mustDo("nurseCare", "POST", "/api/v1/alerts/"+a.ID+"/acknowledge", map[string]string{"comment": "Calling Agnes now"}, 200)
		if got := decode[monitoring.Alert](t, body); got.Status != monitoring.Acknowledged || got.AckComment != "Calling Agnes now" ||
			got.AcknowledgedBy != e.users["nurseCare"].ID || got.AcknowledgedAt.IsZero() {
			t.Errorf("acknowledged: %+v", got)
		}
		e.mustDo("nurseCare", "POST", "/api/v1/alerts/"+a.ID+"/acknowledge", map[string]string{}, 409)
		e.mustDo("nurseCare", "POST", "/api/v1/alerts/"+a.ID+"/comments", map[string]string{"comment": ""}, 422)
		e.mustDo("nurseCare", "POST", "/api/v1/alerts/"+a.ID+"/comments", map[string]string{"comment": "She had just climbed the stairs"}, 200)
		body = e.mustDo("nurseCare", "POST", "/api/v1/alerts/"+a.ID+"/resolve", map[string]string{"comment": "82 after resting"}, 200)
		if got := decode[monitoring.Alert](t, body); got.Status != monitoring.Resolved || got.ResolveComment != "82 after resting" ||
			got.ResolvedByName != "Nina Care" {
			t.Errorf("resolved: %+v", got)
		}

		body = e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/alerts/"+a.ID, nil, 200)
		got := decode[monitoring.Alert](t, body)
		var history []string
		for _, h := range got.History {
			history = append(history, h.Action+":"+h.Detail)
		}
		joined := strings.Join(history, " | ")
		for _, want := range []string{"acknowledged:Calling Agnes now", "commented:She had just climbed the stairs", "resolved:82 after resting"} {
			if !strings.Contains(joined, want) {
				t.Errorf("history lacks %q: %s", want, joined)
			}
		}
		if as := e.alerts("nurseCare", ""); len(as) != 0 {
			t.Errorf("the resolved alert is still in the inbox: %+v", as)
		}
		if as := e.alerts("nurseCare", "?status=resolved"); len(as) != 1 || as[0].ID != a.ID {
			t.Errorf("resolved alerts: %+v", as)
		}
		body = e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/alerts?status=resolved", nil, 200)
		if as := decode[alertsAnswer](t, body).Alerts; len(as) != 1 {
			t.Errorf("the patient's resolved alerts: %s", body)
		}

		// Each change is in the patient's audit trail once, by the nurse.
		body = e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/access-log", nil, 200)
		for _, action := range []string{"alert_rule.update", "schedule.create", "alert.acknowledge", "alert.comment", "alert.resolve"} {
			if n := strings.Count(body, `"action":"`+action+`"`); n < 1 {
				t.Errorf("the access log has %s %d times: %s", action, n, body)
			}
		}
		// The patient's own refused change of the rule is there too.
		if !strings.Contains(body, `"denied"`) {
			t.Errorf("no denial in the access log: %s", body)
		}
	})
}

// The shared standards' NEWS2 reference vector, from readings the patient
// enters and what the nurse observes: RR 22, SpO2 94 % on scale 1, oxygen,
// systolic 105, pulse 115, alert, 38.5 °C scores 9, high risk.
func TestNEWS2ReferenceVectorThroughTheAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		patA := e.users["patA"].ID
		body := e.mustDo("nurseCare", "PUT", "/api/v1/news2/settings", map[string]any{"patientId": patA, "scale": 1}, 200)
		if st := decode[monitoring.NEWS2Settings](t, body); st.Scale != 1 || st.OnOxygen != nil {
			t.Errorf("settings: %s", body)
		}
		e.mustDo("family", "PUT", "/api/v1/news2/settings", map[string]any{"patientId": patA, "scale": 2}, 403)

		at := time.Now().Add(-5 * time.Minute).Format(time.RFC3339)
		v := func(typ string, value float64, unit string) map[string]any {
			return map[string]any{"type": typ, "value": value, "unit": unit, "takenAt": at}
		}
		body = e.mustDo("patA", "POST", "/api/v1/patients/"+patA+"/readings", map[string]any{"readings": []any{
			v("respiratory_rate", 22, "/min"), v("spo2", 94, "%"), v("heart_rate", 115, "/min"), v("body_temperature", 38.5, "Cel"),
			map[string]any{"type": "blood_pressure", "unit": "mm[Hg]", "takenAt": at,
				"components": []any{map[string]any{"key": "systolic", "value": 105}, map[string]any{"key": "diastolic", "value": 70}}},
		}}, 200)

		body = e.mustDo("family", "GET", "/api/v1/patients/"+patA+"/news2", nil, 200)
		n := decode[monitoring.NEWS2](t, body)
		if !n.Available || !n.Partial || n.Total != 7 || len(n.Missing) != 2 {
			t.Errorf("before the nurse's observation: %s", body)
		}

		e.mustDo("family", "POST", "/api/v1/news2/observations", map[string]any{"patientId": patA, "consciousness": "alert"}, 403)
		e.mustDo("nurseCare", "POST", "/api/v1/news2/observations", map[string]any{"patientId": patA, "consciousness": "drowsy"}, 422)
		body = e.mustDo("nurseCare", "POST", "/api/v1/news2/observations",
			map[string]any{"patientId": patA, "consciousness": "alert", "onOxygen": true}, 200)
		if n := decode[monitoring.NEWS2](t, body); n.Total != 9 || n.Partial || n.Risk != "high" || n.Scale != 1 {
			t.Errorf("the observation's answer: %s", body)
		}
		body = e.mustDo("family", "GET", "/api/v1/patients/"+patA+"/news2", nil, 200)
		n = decode[monitoring.NEWS2](t, body)
		if n.Total != 9 || n.Partial || n.Risk != "high" || n.SingleThree || n.Response == "" {
			t.Errorf("reference vector: %s", body)
		}
		points := map[news2.Parameter]int{}
		for _, p := range n.Parameters {
			points[p.Parameter] = p.Points
		}
		want := map[news2.Parameter]int{news2.RespiratoryRate: 2, news2.OxygenSaturation: 1, news2.AirOrOxygen: 2,
			news2.SystolicBP: 1, news2.Pulse: 2, news2.Consciousness: 0, news2.Temperature: 1}
		for p, v := range want {
			if points[p] != v {
				t.Errorf("%s scored %d, want %d", p, points[p], v)
			}
		}
		// The score raised a critical NEWS2 alert for the care team.
		var news2Alert bool
		for _, a := range e.alerts("nurseCare", "?patientId="+patA) {
			news2Alert = news2Alert || (a.RuleKey == monitoring.RuleNEWS2 && a.Severity == monitoring.Critical)
		}
		if !news2Alert {
			t.Errorf("no NEWS2 alert: %+v", e.alerts("nurseCare", ""))
		}
		if status, body := e.do("nurseNone", "GET", "/api/v1/patients/"+patA+"/news2", nil); status != 404 || strings.Contains(body, "Agnes") {
			t.Errorf("a stranger asks for the score: %d %s", status, body)
		}
	})
}

// A nurse adds a medicine; at its time the patient records the dose taken,
// and the care team sees it in the dose record; the patient stops it.
func TestMedicationDoseTaken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := clock.NewFake(time.Now())
		e.withMedicationClock(c)
		patA := e.users["patA"].ID
		due := c.Now().Add(90 * time.Minute).Truncate(time.Minute)
		med := map[string]any{"patientId": patA, "name": "Metformin", "dose": "500 mg", "instructions": "with food",
			"times": []string{localClock(due)}}
		e.mustDo("family", "POST", "/api/v1/medications", med, 404)
		e.mustDo("nurseNone", "POST", "/api/v1/medications", med, 404)
		body := e.mustDo("nurseCare", "POST", "/api/v1/medications", med, 201)
		m := decode[medications.Medication](t, body)
		if m.PatientID != patA || m.Dose != "500 mg" || m.TimeZone != "Europe/Oslo" || !m.Remind {
			t.Errorf("medication %+v", m)
		}
		body = e.mustDo("patA", "GET", "/api/v1/patients/"+patA+"/medications", nil, 200)
		if ms := decode[struct{ Medications []medications.Medication }](t, body).Medications; len(ms) != 1 || ms[0].ID != m.ID {
			t.Errorf("the patient's medicines: %s", body)
		}
		e.mustDo("family", "GET", "/api/v1/patients/"+patA+"/medications", nil, 404)

		record := map[string]any{"patientId": patA, "dueAt": due.UTC().Format(time.RFC3339), "status": "taken"}
		e.mustDo("patA", "POST", "/api/v1/medications/"+m.ID+"/doses", record, 422) // too early yet
		c.Advance(time.Hour)
		body = e.mustDo("patA", "POST", "/api/v1/medications/"+m.ID+"/doses", record, 200)
		if dose := decode[medications.Dose](t, body); dose.Status != medications.Taken || dose.RecordedBy != patA || dose.TakenAt.IsZero() {
			t.Errorf("recorded dose: %s", body)
		}
		e.mustDo("patA", "POST", "/api/v1/medications/"+m.ID+"/doses", record, 200) // a retry
		body = e.mustDo("nurseCare", "GET", "/api/v1/patients/"+patA+"/journal?kind=medication", nil, 200)
		if js := decode[readings.JournalPage](t, body).Entries; len(js) != 1 || js[0].Name != "Metformin" || js[0].EnteredBy != patA ||
			js[0].Dose == nil || js[0].Dose.MedicationID != m.ID || js[0].Dose.Status != "taken" {
			t.Errorf("the dose in the journal, once: %s", body)
		}
		// The next day's dose goes unrecorded: the care team sees it missed.
		c.Advance(27 * time.Hour)
		if st, err := e.quietMedications(c).Tick(context.Background(), c.Now()); err != nil || st.Missed != 1 {
			t.Fatalf("tick: %+v %v", st, err)
		}
		body = e.mustDo("nurseCare", "GET", "/api/v1/missed-doses", nil, 200)
		if ds := decode[struct{ Doses []medications.MissedDose }](t, body).Doses; len(ds) != 1 || ds[0].PatientID != patA ||
			ds[0].Name != "Metformin" || !ds[0].DueAt.Equal(due.Add(24*time.Hour)) {
			t.Errorf("the care team's missed doses: %s", body)
		}
		if body := e.mustDo("nurseNone", "GET", "/api/v1/missed-doses", nil, 200); strings.Contains(body, "Metformin") {
			t.Errorf("a nurse without care sees the missed dose: %s", body)
		}
		e.mustDo("nurseCare", "GET", "/api/v1/missed-doses?since=2020-01-01T00:00:00Z", nil, 422)
		q := url.Values{"from": {due.Add(-time.Minute).UTC().Format(time.RFC3339)}, "to": {due.Add(time.Minute).UTC().Format(time.RFC3339)}}
		body = e.mustDo("nurseCare", "GET", "/api/v1/patients/"+patA+"/medications/doses?"+q.Encode(), nil, 200)
		doses := decode[struct{ Doses []medications.Dose }](t, body).Doses
		if len(doses) != 1 || doses[0].Status != medications.Taken || doses[0].MedicationID != m.ID || !doses[0].DueAt.Equal(due) {
			t.Errorf("the care team's dose record: %s", body)
		}

		e.mustDo("patA", "POST", "/api/v1/medications/"+m.ID+"/stop", map[string]any{"patientId": patA}, 204)
		body = e.mustDo("nurseCare", "GET", "/api/v1/patients/"+patA+"/medications", nil, 200)
		if ms := decode[struct{ Medications []medications.Medication }](t, body).Medications; len(ms) != 0 {
			t.Errorf("a stopped medicine is listed: %s", body)
		}
		body = e.mustDo("nurseCare", "GET", "/api/v1/patients/"+patA+"/medications?stopped=true", nil, 200)
		if ms := decode[struct{ Medications []medications.Medication }](t, body).Medications; len(ms) != 1 || ms[0].StoppedAt.IsZero() {
			t.Errorf("the stopped medicine: %s", body)
		}
	})
}

// People choose how notifications reach them; administrators manage the
// webhooks, whose secret is shown once.
func TestNotificationPreferencesAndWebhooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		prefs := map[string]any{"timeZone": "Europe/Oslo", "rules": []any{map[string]string{"kind": "alert.*", "email": "critical"}},
			"quietHours": map[string]string{"start": "22:00", "end": "07:00"}}
		e.mustDo("nurseCare", "PUT", "/api/v1/me/notification-preferences", prefs, 200)
		body := e.mustDo("nurseCare", "GET", "/api/v1/me/notification-preferences", nil, 200)
		p := decode[notify.Preferences](t, body)
		if p.TimeZone != "Europe/Oslo" || len(p.Rules) != 1 || p.Rules[0].Email != notify.EmailCritical || p.QuietHours == nil || p.QuietHours.Start != "22:00" {
			t.Errorf("preferences: %s", body)
		}
		if body := e.mustDo("nurseNone", "GET", "/api/v1/me/notification-preferences", nil, 200); strings.Contains(body, "22:00") {
			t.Errorf("another nurse has the first one's preferences: %s", body)
		}
		prefs["quietHours"] = map[string]string{"start": "25:00", "end": "07:00"}
		e.mustDo("nurseCare", "PUT", "/api/v1/me/notification-preferences", prefs, 422)

		e.mustDo("nurseCare", "POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/x", "kinds": []string{"*"}}, 403)
		e.mustDo("admin", "POST", "/api/v1/webhooks", map[string]any{"url": "ftp://hooks.example.org/x", "kinds": []string{"*"}}, 422)
		body = e.mustDo("admin", "POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/x", "kinds": []string{"alert.*"},
			"description": "the ward's pager system"}, 201)
		w := decode[notify.Webhook](t, body)
		if w.ID == "" || len(w.Secret) < 24 || w.Kinds[0] != "alert.*" {
			t.Errorf("added webhook: %s", body)
		}
		body = e.mustDo("admin", "GET", "/api/v1/webhooks", nil, 200)
		if strings.Contains(body, w.Secret) || !strings.Contains(body, w.ID) {
			t.Errorf("webhooks list: %s", body)
		}
		e.mustDo("admin", "DELETE", "/api/v1/webhooks/"+w.ID, nil, 204)
		if body := e.mustDo("admin", "GET", "/api/v1/webhooks", nil, 200); strings.Contains(body, w.ID) {
			t.Errorf("a removed webhook is listed: %s", body)
		}
	})
}

// A change of monitoring or medications, which the service audits when it
// succeeds and the door when it is refused, leaves exactly one event in
// the patient's audit trail, whoever tries it.
func TestMonitoringChangesAreAuditedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rows := table()
		ops := []string{"schedules.create", "schedules.update", "schedules.stop", "alertrules.set", "alertrules.reset",
			"news2.settings.set", "news2.observe", "escalation.set", "medications.create", "medications.update",
			"medications.stop", "medications.record", "alerts.acknowledge", "alerts.resolve", "alerts.comment"}
		ctx := context.Background()
		patA := e.users["patA"].ID
		for _, op := range ops {
			for _, caller := range []string{"nurseCare", "patA", "family", "nurseNone"} {
				before, _ := e.audit.List(ctx, audit.Query{PatientID: patA, Limit: 1000})
				status, body := e.call(caller, rows[op])
				after, _ := e.audit.List(ctx, audit.Query{PatientID: patA, Limit: 1000})
				want := 1
				if strings.HasPrefix(op, "alerts.") && status == 404 {
					// An alert the caller may not see: monitoring records the
					// refusal without telling whose alert it was.
					want = 0
				}
				if len(after)-len(before) != want {
					t.Errorf("%s as %s (%d %s) wrote %d audit events for the patient, want %d", op, caller, status, body, len(after)-len(before), want)
					continue
				}
				if want == 0 {
					continue
				}
				ev, outcome := after[0], audit.Success
				if status == 403 || status == 404 {
					outcome = audit.Denied
				}
				if ev.Outcome != outcome || ev.ActorID != e.users[caller].ID || ev.Action == "" {
					t.Errorf("%s as %s (%d): audit event %+v", op, caller, status, ev)
				}
			}
		}
	})
}
