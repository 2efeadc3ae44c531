package monitoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/monitoring"
)

type intervals map[string]time.Duration

func (iv intervals) ExpectedIntervals(_ context.Context, ids []string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, id := range ids {
		if d, ok := iv[id]; ok {
			out[id] = d
		}
	}
	return out, nil
}

func TestDeviceRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		w.mon = monitoring.New(d, w.clock, w.acc, monitoring.Deps{Notify: w.notes, Events: w.bus,
			Devices: intervals{"cuff-1": 6 * time.Hour}})
		pid := w.patient.UserID
		send := func(dev string, flags ...string) {
			t.Helper()
			if err := w.mon.OnReadings(ctx, []monitoring.Reading{{ID: "d" + w.clock.Now().Format("150405"), PatientID: pid,
				Type: "blood_pressure", Components: map[string]float64{"systolic": 128, "diastolic": 82},
				TakenAt: w.clock.Now(), DeviceID: dev, Flags: flags}}); err != nil {
				t.Fatal(err)
			}
		}
		byRule := func() map[string]monitoring.Alert {
			out := map[string]monitoring.Alert{}
			for _, a := range w.alerts(w.nurse, monitoring.AlertFilter{}) {
				out[a.RuleKey] = a
			}
			return out
		}
		send("cuff-1", "battery-low", "cuff-too-loose")
		a, ok := byRule()["device_battery:cuff-1"]
		if !ok || a.Severity != monitoring.Info || a.DeviceID != "cuff-1" || a.Detail != "The device reported: battery-low" {
			t.Fatalf("battery: %+v", byRule())
		}
		if !a.EscalateAt.IsZero() {
			t.Error("an info alert is set to escalate")
		}
		w.clock.Advance(time.Minute)
		send("cuff-1", "battery-low")
		if a := byRule()["device_battery:cuff-1"]; a.Count != 2 {
			t.Errorf("battery repeat: %+v", a)
		}
		w.clock.Advance(time.Minute)
		send("cuff-1") // a new battery: cleared
		if a := byRule()["device_battery:cuff-1"]; a.ClearedAt.IsZero() {
			t.Errorf("battery not cleared: %+v", a)
		}
		send("cuff-1", "sensor-malfunction")
		if a, ok := byRule()["device_fault:cuff-1"]; !ok || a.Severity != monitoring.Warning {
			t.Errorf("fault: %+v", byRule())
		}
		// Silent longer than its interval (6 h): alerted once.
		w.clock.Advance(6*time.Hour - time.Second)
		if st := w.tick(); st.SilentDevices != 0 {
			t.Errorf("silent too early: %+v", st)
		}
		w.clock.Advance(time.Second)
		if st := w.tick(); st.SilentDevices != 1 {
			t.Errorf("silence not caught: %+v", st)
		}
		w.clock.Advance(time.Hour)
		if st := w.tick(); st.SilentDevices != 0 {
			t.Errorf("silence alerted twice: %+v", st)
		}
		if _, ok := byRule()["device_silent:cuff-1"]; !ok {
			t.Fatalf("no silence alert: %+v", byRule())
		}
		// A device without a known interval gets the default (48 h).
		send("scale-9")
		w.clock.Advance(47 * time.Hour)
		if st := w.tick(); st.SilentDevices != 0 {
			t.Errorf("default interval: %+v", st)
		}
		// The cuff reports again: Tend resolves the silence alert itself.
		send("cuff-1")
		if _, ok := byRule()["device_silent:cuff-1"]; ok {
			t.Error("silence alert still active after the device reported")
		}
		resolved := w.alerts(w.nurse, monitoring.AlertFilter{Status: []monitoring.Status{monitoring.Resolved}})
		if len(resolved) != 1 || resolved[0].ResolvedBy != "" || resolved[0].ResolveComment == "" {
			t.Errorf("resolved by the system: %+v", resolved)
		}
	})
}
