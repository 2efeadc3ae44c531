package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// Scenario is a clinical event `tend simulate --scenario` stages for a
// demo: a patient of its own, on the care team of one nurse and one doctor,
// whose readings (or lack of them) must raise one alert.
type Scenario string

// The scenarios.
const (
	// ScenarioOutOfRange: a blood pressure of 192/124 mmHg from the
	// patient's monitor, a hypertensive crisis (critical) at once.
	ScenarioOutOfRange Scenario = "out-of-range"
	// ScenarioMissed: a blood pressure due two minutes from now whose
	// window closes a minute later without a reading: a missed
	// measurement alert when the window closes.
	ScenarioMissed Scenario = "missed"
	// ScenarioNEWS2: vitals whose NEWS2 is 7 (respiratory rate 22 scores 2,
	// SpO2 93 % 2, systolic 105 1, pulse 95 1, temperature 38.5 °C 1; alert
	// and on air 0): a critical NEWS2 alert at once.
	ScenarioNEWS2 Scenario = "news2"
)

// Scenarios lists every scenario.
var Scenarios = []Scenario{ScenarioOutOfRange, ScenarioMissed, ScenarioNEWS2}

// ParseScenarios reads a comma-separated list of scenarios; "all" is every
// one. It answers each once, in the order of Scenarios.
func ParseScenarios(s string) ([]Scenario, error) {
	var out []Scenario
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case part == "all":
			out = append(out, Scenarios...)
		case slices.Contains(Scenarios, Scenario(part)):
			out = append(out, Scenario(part))
		default:
			return nil, fmt.Errorf("no scenario %q: choose from out-of-range, missed, news2 or all", part)
		}
	}
	// Each once, in the order of Scenarios.
	var list []Scenario
	for _, sc := range Scenarios {
		if slices.Contains(out, sc) {
			list = append(list, sc)
		}
	}
	return list, nil
}

// ScenarioConfig says where to stage scenarios and for whom.
type ScenarioConfig struct {
	URL   string
	Token string // an administrator's API token
	// Nurse and Doctor are the emails of the care team: the nurse hears of
	// each alert first; the doctor when the nurse has not acknowledged it
	// within the server's escalation wait (tend serve --escalation-wait).
	Nurse, Doctor string
	Scenarios     []Scenario
	Out           io.Writer
	Client        *http.Client
}

// Staged is what one scenario set up, and the alert to expect.
type Staged struct {
	Scenario     Scenario
	PatientID    string
	PatientEmail string
	PatientName  string
	RuleKey      string    // the alert rule that must fire
	AlertAt      time.Time // when it should fire: now, or when the missed window closes
}

// scenarioPatients are the scenarios' patients: the same people every run.
var scenarioPatients = map[Scenario]*Patient{
	ScenarioOutOfRange: {Email: "scenario-out-of-range@" + EmailDomain, Name: "Otto Hartmann", MRN: "SIM-SCN-1", Sex: "male", BirthDate: "1950-03-14", TimeZone: "Europe/Berlin"},
	ScenarioMissed:     {Email: "scenario-missed@" + EmailDomain, Name: "Mira Solberg", MRN: "SIM-SCN-2", Sex: "female", BirthDate: "1944-10-02", TimeZone: "Europe/Oslo"},
	ScenarioNEWS2:      {Email: "scenario-news2@" + EmailDomain, Name: "Nils Åberg", MRN: "SIM-SCN-3", Sex: "male", BirthDate: "1939-07-21", TimeZone: "Europe/Stockholm"},
}

var scenarioProfile = &Profile{Name: "scenario", Title: "Scenario"}

// RunScenarios stages the scenarios in a running Tend through its API, as
// its administrator and, for what only a nurse may do (a schedule, a
// consciousness observation), as the simulator's gateway nurse, who leaves
// the care team again before any reading is sent. Run it again and the
// same patients get new readings; an alert still open from an earlier run
// counts a repeat rather than opening anew.
func RunScenarios(ctx context.Context, cfg ScenarioConfig) ([]Staged, error) {
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Token == "" {
		return nil, errors.New("scenarios need an administrator's token (--token or --token-file) to set up their patients")
	}
	if len(cfg.Scenarios) == 0 {
		return nil, errors.New("no scenario chosen")
	}
	a := &admin{web: &web{base: strings.TrimRight(cfg.URL, "/"), client: client, retries: 4}, token: cfg.Token}
	if err := a.checkAdmin(ctx); err != nil {
		return nil, err
	}
	var team []apiUser
	for _, who := range []struct{ email, role, flag string }{{cfg.Nurse, "nurse", "--nurse"}, {cfg.Doctor, "doctor", "--doctor"}} {
		u, found, err := a.userByEmail(ctx, strings.ToLower(strings.TrimSpace(who.email)))
		switch {
		case err != nil:
			return nil, err
		case !found:
			return nil, fmt.Errorf("%s %q: no such user in Tend (tend serve --demo has nurse.garcia@demo.tend.example and dr.okafor@demo.tend.example)", who.flag, who.email)
		case !slices.Contains(u.Roles, who.role):
			return nil, fmt.Errorf("%s %s is not a %s", who.flag, who.email, who.role)
		}
		team = append(team, u)
	}

	// The patients, their monitors and their care team.
	var err error
	w := &World{}
	devices := map[Scenario]*Device{}
	for _, sc := range cfg.Scenarios {
		p := *scenarioPatients[sc]
		p.Profile = scenarioProfile
		if p.loc, err = time.LoadLocation(p.TimeZone); err != nil {
			return nil, err
		}
		if err := a.ensurePatient(ctx, &p, map[string]apiUser{}); err != nil {
			return nil, err
		}
		w.Patients = append(w.Patients, &p)
		for _, u := range team {
			status, err := a.call(ctx, http.MethodPost, "/api/v1/patients/"+p.ID+"/care-team", map[string]string{"userId": u.ID}, nil)
			if err != nil && status != http.StatusConflict {
				return nil, fmt.Errorf("putting %s on %s's care team: %w", u.Email, p.Name, err)
			}
		}
		if sc != ScenarioMissed {
			devices[sc] = &Device{Patient: &p, Kind: MultiParameterMonitor, Serial: "SCN-" + p.MRN, Model: kindInfo[MultiParameterMonitor].model}
		}
	}
	known, err := a.devices(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range devices {
		if err := a.ensureDevice(ctx, d, known); err != nil {
			return nil, err
		}
	}

	// What only a nurse may do, as the gateway nurse, who then leaves.
	nurseToken, revoke, err := a.gateway(ctx, w, 2)
	if err != nil {
		return nil, err
	}
	defer revoke(context.WithoutCancel(ctx))
	nurse := bearer(nurseToken)
	var staged []Staged
	for i, sc := range cfg.Scenarios {
		p := w.Patients[i]
		st := Staged{Scenario: sc, PatientID: p.ID, PatientEmail: p.Email, PatientName: p.Name, AlertAt: time.Now()}
		switch sc {
		case ScenarioOutOfRange:
			st.RuleKey = "bp_crisis"
		case ScenarioNEWS2:
			st.RuleKey = "news2"
			obs := map[string]any{"patientId": p.ID, "consciousness": "alert", "onOxygen": false}
			if _, err := a.web.doJSON(ctx, http.MethodPost, "/api/v1/news2/observations", nurse, obs, nil); err != nil {
				return nil, fmt.Errorf("recording %s alert and on air: %w", p.Name, err)
			}
		case ScenarioMissed:
			st.RuleKey = "missed:" + measure.BloodPressure
			if st.AlertAt, err = missedSchedule(ctx, a.web, nurse, p); err != nil {
				return nil, err
			}
		}
		staged = append(staged, st)
	}
	if err := leaveCareTeams(ctx, a, w); err != nil {
		return nil, err
	}

	// The readings, from each patient's monitor, now.
	for i, sc := range cfg.Scenarios {
		d := devices[sc]
		if d == nil {
			continue
		}
		if err := sendScenario(ctx, a.web, d, sc); err != nil {
			return nil, err
		}
		staged[i].AlertAt = time.Now()
	}
	for _, st := range staged {
		fmt.Fprintf(out, "%-12s %s (%s): %s\n", st.Scenario, st.PatientName, st.PatientEmail, scenarioStory(st, team[0].Email, team[1].Email))
	}
	return staged, nil
}

func scenarioStory(st Staged, nurse, doctor string) string {
	tell := fmt.Sprintf("%s is told; unacknowledged, it goes to %s after the server's --escalation-wait", nurse, doctor)
	switch st.Scenario {
	case ScenarioOutOfRange:
		return "blood pressure 192/124 mmHg sent: a critical hypertensive-crisis alert now; " + tell
	case ScenarioNEWS2:
		return "respiratory rate 22, SpO2 93 %, 105/68 mmHg, pulse 95, 38.5 °C, alert, on air: NEWS2 7, a critical alert now; " + tell
	}
	return fmt.Sprintf("blood pressure due at %s, window closes at %s with no reading: a missed-measurement alert then (within the scheduler's tick); %s",
		st.AlertAt.Add(-time.Minute).Format("15:04"), st.AlertAt.Format("15:04:05"), tell)
}

// missedSchedule stops the patient's running schedules and asks for a blood
// pressure at the whole minute at least two minutes from now, with a
// one-minute window and no reminder; it returns when the window closes.
func missedSchedule(ctx context.Context, w *web, nurse auth, p *Patient) (time.Time, error) {
	var list struct {
		Schedules []struct {
			ID        string    `json:"id"`
			StoppedAt time.Time `json:"stoppedAt"`
		} `json:"schedules"`
	}
	if _, err := w.doJSON(ctx, http.MethodGet, "/api/v1/patients/"+p.ID+"/schedules", nurse, nil, &list); err != nil {
		return time.Time{}, fmt.Errorf("listing %s's schedules: %w", p.Name, err)
	}
	for _, s := range list.Schedules {
		if s.StoppedAt.IsZero() {
			if _, err := w.doJSON(ctx, http.MethodPost, "/api/v1/schedules/"+s.ID+"/stop", nurse, map[string]string{"patientId": p.ID}, nil); err != nil {
				return time.Time{}, fmt.Errorf("stopping %s's earlier schedule: %w", p.Name, err)
			}
		}
	}
	due := time.Now().Add(2 * time.Minute).Truncate(time.Minute).Add(time.Minute)
	body := map[string]any{"patientId": p.ID, "type": measure.BloodPressure, "times": []string{due.In(p.loc).Format("15:04")},
		"earlyMinutes": 0, "graceMinutes": 1, "reminderLeadMinutes": 0, "note": "tend simulate --scenario missed"}
	if _, err := w.doJSON(ctx, http.MethodPost, "/api/v1/schedules", nurse, body, nil); err != nil {
		return time.Time{}, fmt.Errorf("asking %s for a blood pressure: %w", p.Name, err)
	}
	return due.Add(time.Minute), nil
}

// leaveCareTeams takes the gateway nurse off the scenario patients' care
// teams, so the alerts go to the chosen nurse and doctor only.
func leaveCareTeams(ctx context.Context, a *admin, w *World) error {
	gw, found, err := a.userByEmail(ctx, GatewayEmail)
	if err != nil || !found {
		return fmt.Errorf("finding the gateway account: %v", err)
	}
	for _, p := range w.Patients {
		var grants struct {
			Grants []struct {
				ID        string `json:"id"`
				GranteeID string `json:"granteeId"`
			} `json:"grants"`
		}
		if _, err := a.call(ctx, http.MethodGet, "/api/v1/patients/"+p.ID+"/grants", nil, &grants); err != nil {
			return fmt.Errorf("listing %s's care team: %w", p.Name, err)
		}
		for _, g := range grants.Grants {
			if g.GranteeID != gw.ID {
				continue
			}
			if _, err := a.call(ctx, http.MethodDelete, "/api/v1/patients/"+p.ID+"/grants/"+g.ID, nil, nil); err != nil {
				return fmt.Errorf("taking %s off %s's care team: %w", GatewayEmail, p.Name, err)
			}
		}
	}
	return nil
}

// sendScenario sends the scenario's readings from the patient's monitor
// and checks that Tend stored every one.
func sendScenario(ctx context.Context, w *web, d *Device, sc Scenario) error {
	at := time.Now().UTC()
	num := func(v float64) *float64 { return &v }
	bp := func(sys, dia float64) item {
		return item{Type: measure.BloodPressure, Unit: unitOf(measure.BloodPressure), Components: []itemComponent{{measure.Systolic, sys}, {measure.Diastolic, dia}}}
	}
	var its []item
	switch sc {
	case ScenarioOutOfRange:
		its = []item{bp(192, 124), {Type: measure.HeartRate, Value: num(88)}}
	case ScenarioNEWS2:
		its = []item{{Type: measure.RespiratoryRate, Value: num(22)}, {Type: measure.SpO2, Value: num(93)},
			bp(105, 68), {Type: measure.HeartRate, Value: num(95)}, {Type: measure.BodyTemperature, Value: num(38.5)}}
	}
	for i := range its {
		if its[i].Unit == "" {
			its[i].Unit = unitOf(its[i].Type)
		}
		its[i].TakenAt = at
		its[i].ExternalID = fmt.Sprintf("scenario:%s:%s:%d", sc, its[i].Type, at.UnixMilli())
	}
	var ans batchAnswer
	if _, err := w.doJSON(ctx, http.MethodPost, "/api/v1/readings", deviceAuth(d), map[string]any{"readings": its}, &ans); err != nil {
		return fmt.Errorf("sending the %s readings: %w", sc, err)
	}
	for _, r := range ans.Results {
		if r.Outcome != "stored" {
			return fmt.Errorf("the %s readings: %s %s %s", sc, r.Outcome, r.Reason, r.Message)
		}
	}
	return nil
}
