package monitoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/readings"
)

func TestFromReadingsAndCorrections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		pid := w.patient.UserID
		sc := bpDaily(t, w)
		at := w.at(2026, 3, 28, 8, 5)
		spo2 := 89.0
		stored := []readings.Reading{
			{ID: "bp-1", PatientID: pid, Type: "blood_pressure", TakenAt: at, DeviceID: "cuff-1", Flags: []string{"battery-low"},
				Components: []readings.Component{{Key: "systolic", Value: 184}, {Key: "diastolic", Value: 96}}},
			{ID: "sat-1", PatientID: pid, Type: "spo2", Value: &spo2, TakenAt: at},
			{ID: "wrong", PatientID: pid, Type: "spo2", Value: &spo2, TakenAt: at, Status: readings.StatusEnteredInError},
		}
		got := monitoring.FromReadings(stored)
		if len(got) != 2 || got[0].Components["systolic"] != 184 || got[1].Value != 89 || got[0].Flags[0] != "battery-low" {
			t.Fatalf("converted %+v", got)
		}
		if err := w.mon.OnReadings(ctx, got); err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
			keys[a.RuleKey] = true
		}
		for _, k := range []string{monitoring.RuleBPCrisis, monitoring.RuleSpO2Low, "device_battery:cuff-1"} {
			if !keys[k] {
				t.Errorf("no %s alert: %v", k, keys)
			}
		}
		occ, _ := w.mon.DueToday(ctx, w.patient, pid, at)
		if len(occ) != 1 || occ[0].Status != monitoring.Done || occ[0].ScheduleID != sc.ID {
			t.Fatalf("due today %+v", occ)
		}
		// The blood pressure was entered in error: it no longer fulfils the
		// measurement, nor counts towards NEWS2.
		if err := w.mon.OnReadingCorrected(ctx, pid, "bp-1"); err != nil {
			t.Fatal(err)
		}
		occ, _ = w.mon.DueToday(ctx, w.patient, pid, at)
		if occ[0].Status != monitoring.Due {
			t.Errorf("after the correction: %+v", occ[0])
		}
		n, _ := w.mon.LatestNEWS2(ctx, w.nurse, pid)
		for _, p := range n.Parameters {
			if p.Parameter == "systolic_bp" {
				t.Errorf("the corrected pressure still scores: %+v", n)
			}
		}
		w.clock.Set(at.Add(2 * time.Hour))
		if st := w.tick(); st.Missed != 1 {
			t.Errorf("the corrected measurement should be missed: %+v", st)
		}
	})
}
