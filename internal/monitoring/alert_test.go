package monitoring_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
)

func TestEscalationWhenIgnoredAndNotOnceAcknowledged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		w.read(w.patient.UserID, "blood_pressure", 192, w.clock.Now(), 100)
		got := w.notes.take()
		if len(got) != 1 || got[0].RecipientID != w.nurse.UserID || got[0].Kind != "alert.opened" || got[0].Severity != "critical" {
			t.Fatalf("crisis should reach the nurse first, critically: %+v", got)
		}
		a := w.alerts(w.nurse, monitoring.AlertFilter{})[0]
		if a.RuleKey != monitoring.RuleBPCrisis || a.EscalateAt.Sub(a.OpenedAt) != 15*time.Minute {
			t.Fatalf("alert %+v", a)
		}
		w.clock.Advance(14 * time.Minute)
		if st := w.tick(); st.Escalated != 0 {
			t.Errorf("escalated early: %+v", st)
		}
		w.clock.Advance(time.Minute)
		if st := w.tick(); st.Escalated != 1 {
			t.Fatalf("not escalated after 15 minutes: %+v", st)
		}
		got = w.notes.take()
		if len(got) != 1 || got[0].RecipientID != w.doctor.UserID || got[0].Kind != "alert.escalated" {
			t.Fatalf("escalation should reach the doctor: %+v", got)
		}
		if !has(w.bus.kinds(), monitoring.AlertEscalated) {
			t.Error("no alert.escalated event")
		}
		// The doctor is the last step: nothing more, however long it waits,
		// and a second node ticking changes nothing.
		w.clock.Advance(2 * time.Hour)
		other := w.newService()
		if st, _ := other.Tick(ctx, w.clock.Now()); st.Escalated != 0 {
			t.Errorf("escalated past the end of the chain: %+v", st)
		}
		if st := w.tick(); st.Escalated != 0 || len(w.notes.take()) != 0 {
			t.Errorf("escalated twice: %+v", st)
		}
		full, err := w.mon.Alert(ctx, w.doctor, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range full.History {
			actions = append(actions, h.Action)
		}
		if !slices.Equal(actions, []string{"notified", "escalated"}) {
			t.Errorf("history %v", actions)
		}

		// Acknowledged in time: no escalation.
		w.read(w.patient.UserID, "heart_rate", 150, w.clock.Now())
		hr := w.alerts(w.nurse, monitoring.AlertFilter{})[0]
		if hr.RuleKey != monitoring.RuleHeartRateHigh {
			t.Fatalf("newest alert %+v", hr)
		}
		w.notes.take()
		w.clock.Advance(10 * time.Minute)
		acked, err := w.mon.Acknowledge(ctx, w.nurse, hr.ID, "calling the patient")
		if err != nil {
			t.Fatal(err)
		}
		if acked.Status != monitoring.Acknowledged || acked.AcknowledgedBy != w.nurse.UserID || acked.AckComment != "calling the patient" ||
			!acked.AcknowledgedAt.Equal(w.clock.Now()) || !acked.EscalateAt.IsZero() {
			t.Errorf("acknowledged %+v", acked)
		}
		if !has(w.bus.kinds(), "alert.acknowledged") {
			t.Error("no alert.acknowledged event")
		}
		w.clock.Advance(time.Hour)
		if st := w.tick(); st.Escalated != 0 || len(w.notes.take()) != 0 {
			t.Errorf("an acknowledged alert escalated: %+v", st)
		}
		if _, err := w.mon.Acknowledge(ctx, w.doctor, hr.ID, ""); !errs.Is(err, errs.Conflict) {
			t.Errorf("acknowledged twice: %v", err)
		}
		res, err := w.mon.Resolve(ctx, w.doctor, hr.ID, "rate control adjusted")
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != monitoring.Resolved || res.ResolvedBy != w.doctor.UserID || res.ResolvedByName == "" {
			t.Errorf("resolved %+v", res)
		}
		if _, err := w.mon.Resolve(ctx, w.doctor, hr.ID, ""); !errs.Is(err, errs.Conflict) {
			t.Errorf("resolved twice: %v", err)
		}
		if !has(w.bus.kinds(), "alert.resolved") {
			t.Error("no alert.resolved event")
		}
	})
}

func TestEscalationChainOverrideAndCatchUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		c, err := w.mon.EscalationChain(ctx, w.nurse, w.patient.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Custom || len(c.Steps) != 2 || c.Steps[0].Members[0].UserID != w.nurse.UserID || c.Steps[1].Members[0].UserID != w.doctor.UserID {
			t.Fatalf("default chain %+v", c)
		}
		// The doctor first, then the nurse, 5 minutes each.
		if _, err := w.mon.SetEscalationChain(ctx, w.nurse, w.patient.UserID, []monitoring.ChainStepInput{
			{UserIDs: []string{w.stranger.UserID}, WaitMinutes: 5}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("a nurse without access put in the chain: %v", err)
		}
		if _, err := w.mon.SetEscalationChain(ctx, w.familyAlerts, w.patient.UserID, nil); !errs.Is(err, errs.Forbidden) {
			t.Errorf("family changed the chain: %v", err)
		}
		c, err = w.mon.SetEscalationChain(ctx, w.nurse, w.patient.UserID, []monitoring.ChainStepInput{
			{UserIDs: []string{w.doctor.UserID}, WaitMinutes: 5}, {UserIDs: []string{w.nurse.UserID}, WaitMinutes: 5}})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Custom || len(c.Steps) != 2 || c.Steps[0].Members[0].UserID != w.doctor.UserID {
			t.Fatalf("custom chain %+v", c)
		}
		w.read(w.patient.UserID, "spo2", 88, w.clock.Now())
		if got := w.notes.take(); len(got) != 1 || got[0].RecipientID != w.doctor.UserID {
			t.Fatalf("first step: %+v", got)
		}
		// Down for an hour: the next tick catches the escalation up once.
		w.clock.Advance(time.Hour)
		if st := w.tick(); st.Escalated != 1 {
			t.Errorf("catch-up: %+v", st)
		}
		if got := w.notes.take(); len(got) != 1 || got[0].RecipientID != w.nurse.UserID {
			t.Errorf("second step: %+v", got)
		}
		// Back to the default.
		if c, err = w.mon.SetEscalationChain(ctx, w.doctor, w.patient.UserID, nil); err != nil || c.Custom {
			t.Errorf("reset: %+v %v", c, err)
		}
	})
}

func TestConsecutiveReadingsAndHysteresis(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		two := 2
		r, err := w.mon.SetRule(ctx, w.doctor, w.patient.UserID, monitoring.RuleBPCrisis, monitoring.RulePatch{Consecutive: &two})
		if err != nil {
			t.Fatal(err)
		}
		if r.Consecutive != 2 || !r.Overridden || r.UpdatedBy != w.doctor.UserID {
			t.Fatalf("rule %+v", r)
		}
		pid := w.patient.UserID
		bp := func(sys float64) {
			w.clock.Advance(time.Minute)
			w.read(pid, "blood_pressure", sys, w.clock.Now(), 95)
		}
		active := func() []monitoring.Alert {
			return w.alerts(w.nurse, monitoring.AlertFilter{PatientID: pid})
		}
		bp(185) // one breach: not yet
		bp(175) // between the clear value (170) and the threshold: the run is broken
		bp(185) // one again
		if n := len(active()); n != 0 {
			t.Fatalf("fired without two in a row: %d alerts", n)
		}
		bp(186) // two in a row: fire
		as := active()
		if len(as) != 1 || as[0].Count != 1 {
			t.Fatalf("after two in a row: %+v", as)
		}
		if len(w.notes.take()) != 1 {
			t.Error("nurse not told once")
		}
		// Hovering at the threshold: 179, 181, 180.4 (180 on the chart), 182
		// do not flap: one alert, repeats counted, nobody told again.
		for _, v := range []float64{179, 181, 180.4, 182} {
			bp(v)
		}
		as = active()
		if len(as) != 1 || as[0].Count != 3 || !as[0].ClearedAt.IsZero() {
			t.Fatalf("hovering: %+v", as)
		}
		if got := w.notes.take(); len(got) != 0 {
			t.Errorf("told again about repeats: %+v", got)
		}
		// 180.5 is 181 on the chart: a breach, counted.
		bp(180.5)
		if as = active(); as[0].Count != 4 {
			t.Errorf("180.5: count %d", as[0].Count)
		}
		// Down past the clear value: the alert is marked cleared, stays open.
		bp(168)
		as = active()
		if len(as) != 1 || as[0].ClearedAt.IsZero() || as[0].Status != monitoring.Open {
			t.Fatalf("after clearing: %+v", as)
		}
		if !has(w.bus.kinds(), monitoring.AlertCleared) {
			t.Error("no alert.cleared event")
		}
		// Once resolved, the rule must see two in a row again to open a new one.
		if _, err := w.mon.Resolve(ctx, w.nurse, as[0].ID, "home readings settled"); err != nil {
			t.Fatal(err)
		}
		bp(190)
		if n := len(active()); n != 0 {
			t.Errorf("fired on one breach after clearing: %d", n)
		}
		bp(191)
		as = active()
		if len(as) != 1 || as[0].Count != 1 {
			t.Errorf("second episode: %+v", as)
		}
		// Readings taken before what the rule has seen do not move it.
		w.read(pid, "blood_pressure", 120, w.clock.Now().Add(-time.Hour), 80)
		if as = active(); !as[0].ClearedAt.IsZero() {
			t.Errorf("an old reading cleared the rule: %+v", as[0])
		}
	})
}

func TestOneActiveAlertPerRule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		// A batch of three readings from one device: one alert counting three.
		var rs []monitoring.Reading
		for i := range 3 {
			rs = append(rs, monitoring.Reading{ID: "batch-" + string(rune('a'+i)), PatientID: pid, Type: "body_temperature",
				Value: 39.4, TakenAt: w.clock.Now().Add(time.Duration(i) * time.Minute)})
		}
		if err := w.mon.OnReadings(ctx, rs); err != nil {
			t.Fatal(err)
		}
		as := w.alerts(w.nurse, monitoring.AlertFilter{})
		if len(as) != 1 || as[0].Count != 3 || as[0].ReadingID != "batch-c" || as[0].Detail != "Body temperature 39.4 °C" {
			t.Fatalf("batch: %+v", as)
		}
		// Two more, in separate calls, and from a second node.
		w.read(pid, "body_temperature", 39.6, w.clock.Now().Add(5*time.Minute))
		other := w.newService()
		if err := other.OnReadings(ctx, []monitoring.Reading{{ID: "node2", PatientID: pid, Type: "body_temperature", Value: 39.2,
			TakenAt: w.clock.Now().Add(6 * time.Minute)}}); err != nil {
			t.Fatal(err)
		}
		as = w.alerts(w.nurse, monitoring.AlertFilter{})
		if len(as) != 1 || as[0].Count != 5 {
			t.Fatalf("repeats: %+v", as)
		}
		if got := w.notes.take(); len(got) != 1 {
			t.Errorf("notifications for one alert: %d", len(got))
		}
		if !has(w.bus.kinds(), monitoring.AlertRepeated) {
			t.Error("no alert.repeated event")
		}
		// The database itself refuses a second active alert for the rule.
		_, err := d.W.ExecContext(ctx, `INSERT INTO alerts (id, patient_id, rule_key, kind, severity, title, status, count,
			first_at, last_at, opened_at, updated_at) VALUES ('dup', $1, $2, 'vital', 'critical', 'x', 'open', 1, 0, 0, 0, 0)`,
			pid, monitoring.RuleTemperatureHigh)
		if !db.IsUnique(err) {
			t.Errorf("second open alert for one rule: %v", err)
		}
		// The acknowledged alert still takes the repeats.
		if _, err := w.mon.Acknowledge(ctx, w.nurse, as[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		w.read(pid, "body_temperature", 39.5, w.clock.Now().Add(7*time.Minute))
		if as = w.alerts(w.nurse, monitoring.AlertFilter{}); len(as) != 1 || as[0].Count != 6 || as[0].Status != monitoring.Acknowledged {
			t.Errorf("after acknowledging: %+v", as)
		}
		// Hypoglycaemia: of the two levels only the worse raises an alert.
		w.read(pid, "blood_glucose", 50, w.clock.Now().Add(8*time.Minute))
		var keys []string
		for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
			keys = append(keys, a.RuleKey)
		}
		if slices.Contains(keys, monitoring.RuleGlucoseLow) || !slices.Contains(keys, monitoring.RuleGlucoseVeryLow) {
			t.Errorf("glucose 50 raised %v", keys)
		}
		// An override turns a rule off for this patient.
		off := false
		if _, err := w.mon.SetRule(ctx, w.nurse, pid, monitoring.RuleHeartRateLow, monitoring.RulePatch{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		w.read(pid, "heart_rate", 35, w.clock.Now().Add(9*time.Minute))
		for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
			if a.RuleKey == monitoring.RuleHeartRateLow {
				t.Error("a rule turned off raised an alert")
			}
		}
		if err := w.mon.ResetRule(ctx, w.nurse, pid, monitoring.RuleHeartRateLow); err != nil {
			t.Fatal(err)
		}
		w.read(pid, "heart_rate", 35, w.clock.Now().Add(10*time.Minute))
		found := false
		for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
			found = found || a.RuleKey == monitoring.RuleHeartRateLow
		}
		if !found {
			t.Error("the reset rule raised nothing")
		}
	})
}

func TestRuleOverrideValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		bad := []monitoring.RulePatch{
			{Conditions: []monitoring.Condition{{Component: "pulse", Op: ">", Value: 180, Clear: 170}}},
			{Conditions: []monitoring.Condition{{Component: "systolic", Op: "=>", Value: 180, Clear: 170}}},
			{Conditions: []monitoring.Condition{{Component: "systolic", Op: ">", Value: 180, Clear: 190}}},
			{Consecutive: ints(0)},
			{Severity: new(monitoring.Severity("urgent"))},
		}
		for _, p := range bad {
			if _, err := w.mon.SetRule(ctx, w.nurse, pid, monitoring.RuleBPCrisis, p); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v accepted: %v", p, err)
			}
		}
		if _, err := w.mon.SetRule(ctx, w.nurse, pid, "no_such_rule", monitoring.RulePatch{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown rule: %v", err)
		}
		if _, err := w.mon.SetRule(ctx, w.familyAlerts, pid, monitoring.RuleBPCrisis, monitoring.RulePatch{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("family changed a rule: %v", err)
		}
		if _, err := w.mon.SetRule(ctx, w.stranger, pid, monitoring.RuleBPCrisis, monitoring.RulePatch{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("stranger changed a rule: %v", err)
		}
		// A tighter threshold for this patient only.
		r, err := w.mon.SetRule(ctx, w.doctor, pid, monitoring.RuleBPCrisis, monitoring.RulePatch{Conditions: []monitoring.Condition{
			{Component: "systolic", Op: ">=", Value: 170, Clear: 160}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Conditions) != 1 || r.Conditions[0].Value != 170 {
			t.Errorf("rule %+v", r)
		}
		w.read(pid, "blood_pressure", 172, w.clock.Now(), 90)
		w.read(w.pt2.UserID, "blood_pressure", 172, w.clock.Now(), 90)
		var n int
		d.R.QueryRow(`SELECT COUNT(*) FROM alerts WHERE rule_key = $1`, monitoring.RuleBPCrisis).Scan(&n)
		if n != 1 {
			t.Errorf("%d crisis alerts; the override is for one patient", n)
		}
		rules, err := w.mon.Rules(ctx, w.familyAlerts, pid)
		if err != nil || len(rules) != len(monitoring.DefaultRules()) {
			t.Errorf("rules seen by family with alerts: %d %v", len(rules), err)
		}
	})
}

func TestAlertAccessScoping(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		w.read(w.patient.UserID, "spo2", 85, w.clock.Now())
		w.read(w.pt2.UserID, "spo2", 85, w.clock.Now())
		mine := w.alerts(w.nurse, monitoring.AlertFilter{})
		if len(mine) != 1 || mine[0].PatientID != w.patient.UserID {
			t.Fatalf("the nurse sees %+v; only Kari is in her care", mine)
		}
		id := mine[0].ID
		for _, p := range []people.Principal{w.stranger, w.family, w.pt2} {
			if got := w.alerts(p, monitoring.AlertFilter{}); len(got) != 0 && (p.UserID != w.pt2.UserID || got[0].PatientID != w.pt2.UserID) {
				t.Errorf("%s sees %+v", p.Name, got)
			}
			if got := w.alerts(p, monitoring.AlertFilter{PatientID: w.patient.UserID}); len(got) != 0 {
				t.Errorf("%s sees Kari's alerts: %+v", p.Name, got)
			}
			if _, err := w.mon.Alert(ctx, p, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads the alert: %v", p.Name, err)
			}
			if _, err := w.mon.Acknowledge(ctx, p, id, ""); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s acknowledges: %v", p.Name, err)
			}
		}
		// Family with the alerts scope and the patient see it, but only
		// professionals act on it.
		for _, p := range []people.Principal{w.familyAlerts, w.patient} {
			if got := w.alerts(p, monitoring.AlertFilter{}); len(got) != 1 || got[0].ID != id {
				t.Errorf("%s: %+v", p.Name, got)
			}
			if _, err := w.mon.Acknowledge(ctx, p, id, ""); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s acknowledged: %v", p.Name, err)
			}
		}
		if _, err := w.mon.Comment(ctx, w.doctor, id, "seen, will call at noon"); err != nil {
			t.Fatal(err)
		}
		// Filters: severity and status.
		if got := w.alerts(w.nurse, monitoring.AlertFilter{MinSeverity: monitoring.Critical}); len(got) != 1 {
			t.Errorf("critical filter: %+v", got)
		}
		if got := w.alerts(w.nurse, monitoring.AlertFilter{Status: []monitoring.Status{monitoring.Resolved}}); len(got) != 0 {
			t.Errorf("resolved filter: %+v", got)
		}
		if _, err := w.mon.Alerts(ctx, w.nurse, monitoring.AlertFilter{Status: []monitoring.Status{"gone"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad status accepted: %v", err)
		}
		// Revoking the nurse's care assignment hides the alert from her at once.
		grants, _ := w.acc.Grants(ctx, w.admin, w.patient.UserID)
		for _, g := range grants {
			if g.GranteeID == w.nurse.UserID {
				if err := w.acc.Revoke(ctx, w.admin, w.patient.UserID, g.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := w.alerts(w.nurse, monitoring.AlertFilter{}); len(got) != 0 {
			t.Errorf("revoked nurse still sees %+v", got)
		}
		// And she drops out of the chain: the next alert goes to the doctor.
		w.notes.take()
		w.read(w.patient.UserID, "heart_rate", 30, w.clock.Now())
		got := w.notes.take() // the heart rate alert, and NEWS2 now at 6
		if len(got) == 0 || len(to(got, w.doctor.UserID)) != len(got) {
			t.Errorf("after revocation: %+v", got)
		}
	})
}
