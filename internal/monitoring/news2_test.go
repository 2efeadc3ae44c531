package monitoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/news2"
)

// The reference vector of the shared standards (section 4.1): RR 22 (2),
// SpO2 94 % on scale 1 (1), oxygen (2), systolic 105 (1), pulse 115 (2),
// alert (0), 38.5 °C (1) = 9, high risk.
func TestNEWS2ReferenceVector(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		if n, err := w.mon.LatestNEWS2(ctx, w.nurse, pid); err != nil || n.Available {
			t.Fatalf("before any vitals: %+v %v", n, err)
		}
		yes := true
		if _, err := w.mon.SetNEWS2Settings(ctx, w.nurse, pid, monitoring.NEWS2Settings{Scale: 1, OnOxygen: &yes}); err != nil {
			t.Fatal(err)
		}
		now := w.clock.Now()
		err := w.mon.OnReadings(ctx, []monitoring.Reading{
			{ID: "rr", PatientID: pid, Type: "respiratory_rate", Value: 22, TakenAt: now.Add(-3 * time.Minute)},
			{ID: "sat", PatientID: pid, Type: "spo2", Value: 94, TakenAt: now.Add(-3 * time.Minute)},
			{ID: "bp", PatientID: pid, Type: "blood_pressure", Components: map[string]float64{"systolic": 105, "diastolic": 70}, TakenAt: now.Add(-2 * time.Minute)},
			{ID: "hr", PatientID: pid, Type: "heart_rate", Value: 115, TakenAt: now.Add(-2 * time.Minute)},
			{ID: "temp", PatientID: pid, Type: "body_temperature", Value: 38.5, TakenAt: now.Add(-time.Minute)},
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := w.mon.LatestNEWS2(ctx, w.familyAlerts, pid)
		if err != nil {
			t.Fatal(err)
		}
		// Consciousness is not yet recorded: 9 without it is partial.
		if !n.Available || n.Total != 9 || !n.Partial || len(n.Missing) != 1 || n.Missing[0] != news2.Consciousness {
			t.Errorf("without consciousness: %+v", n)
		}
		as := w.alerts(w.nurse, monitoring.AlertFilter{})
		if len(as) != 1 || as[0].RuleKey != monitoring.RuleNEWS2 || as[0].Severity != monitoring.Critical || as[0].Kind != monitoring.KindNEWS2 {
			t.Fatalf("alerts %+v", as)
		}
		if want := "NEWS2 9 (high risk)"; len(as[0].Detail) < len(want) || as[0].Detail[:len(want)] != want {
			t.Errorf("detail %q", as[0].Detail)
		}
		w.notes.take()
		// The nurse records that the patient is alert: the full score.
		if _, err := w.mon.RecordObservation(ctx, w.familyAlerts, pid, monitoring.Observation{Consciousness: "alert"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("family recorded an observation: %v", err)
		}
		n, err = w.mon.RecordObservation(ctx, w.nurse, pid, monitoring.Observation{Consciousness: "alert"})
		if err != nil {
			t.Fatal(err)
		}
		if n.Total != 9 || n.Partial || n.Risk != "high" || n.SingleThree || n.Scale != 1 {
			t.Errorf("reference vector: %+v", n)
		}
		if ref, _ := news2.Score(news2.Observations{Pulse: new(131.0), RespiratoryRate: new(25.0), SpO2: new(91.0)}); n.Response != ref.Response {
			t.Errorf("response %q, want the chart's high-risk response %q", n.Response, ref.Response)
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
		// The score was already alerted: the full score repeats it.
		if as = w.alerts(w.nurse, monitoring.AlertFilter{}); len(as) != 1 || as[0].Count != 2 {
			t.Errorf("after the full score: %+v", as)
		}
		if got := w.notes.take(); len(got) != 0 {
			t.Errorf("told again: %+v", got)
		}
		// Values older than the window no longer count.
		w.clock.Advance(5 * time.Hour)
		n, _ = w.mon.LatestNEWS2(ctx, w.nurse, pid)
		if n.Available {
			t.Errorf("stale vitals still scored: %+v", n)
		}
		if _, err := w.mon.LatestNEWS2(ctx, w.stranger, pid); !errs.Is(err, errs.NotFound) {
			t.Errorf("a stranger sees the score: %v", err)
		}
	})
}

func TestNEWS2MediumAndScaleTwo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		no := false
		if _, err := w.mon.SetNEWS2Settings(ctx, w.doctor, pid, monitoring.NEWS2Settings{Scale: 2, OnOxygen: &no}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.mon.SetNEWS2Settings(ctx, w.doctor, pid, monitoring.NEWS2Settings{Scale: 3}); !errs.Is(err, errs.Invalid) {
			t.Errorf("scale 3 accepted: %v", err)
		}
		now := w.clock.Now()
		// On scale 2, 88 % on air is the target: no low-saturation alert and no points.
		w.read(pid, "spo2", 88, now)
		if as := w.alerts(w.nurse, monitoring.AlertFilter{}); len(as) != 0 {
			t.Errorf("scale 2 patient at target alerted: %+v", as)
		}
		n, _ := w.mon.LatestNEWS2(ctx, w.nurse, pid)
		if !n.Available || n.Total != 0 || n.Scale != 2 {
			t.Errorf("scale 2: %+v", n)
		}
		// A respiratory rate of 25 scores 3: no vital rule watches it, so the
		// single-parameter rule speaks; with pulse 112 (2) the total is 5.
		w.read(pid, "respiratory_rate", 25, now.Add(time.Minute))
		as := w.alerts(w.nurse, monitoring.AlertFilter{})
		if len(as) != 1 || as[0].RuleKey != monitoring.RuleNEWS2Single {
			t.Fatalf("single three: %+v", as)
		}
		w.read(pid, "heart_rate", 112, now.Add(2*time.Minute))
		as = w.alerts(w.nurse, monitoring.AlertFilter{})
		if len(as) != 2 || as[0].RuleKey != monitoring.RuleNEWS2 || as[0].Severity != monitoring.Warning {
			t.Fatalf("medium: %+v", as)
		}
		w.notes.take()
		// A temperature of 39.2 (2) takes the total to 7: the NEWS2 alert
		// becomes critical and the nurse is told again.
		w.read(pid, "body_temperature", 39.2, now.Add(150*time.Second))
		for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
			if a.RuleKey == monitoring.RuleNEWS2 && (a.Severity != monitoring.Critical || a.Count != 2) {
				t.Errorf("NEWS2 7: %+v", a)
			}
		}
		got := w.notes.take()
		worse := 0
		for _, n := range to(got, w.nurse.UserID) {
			if n.Kind == monitoring.AlertWorsened && n.Severity == "critical" {
				worse++
			}
		}
		if worse != 1 {
			t.Errorf("want the nurse told once that NEWS2 worsened: %+v", got)
		}
		// 83 % is scale 2's danger band: the adapted rule fires.
		w.read(pid, "spo2", 83, now.Add(3*time.Minute))
		found := false
		for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
			found = found || a.RuleKey == monitoring.RuleSpO2Low
		}
		if !found {
			t.Error("83 % on scale 2 raised no low-saturation alert")
		}
	})
}
