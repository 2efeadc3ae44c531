package readings_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

func TestIngestStoresOnceHoweverOftenSent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		sub := w.bus.Subscribe(100)
		defer sub.Close()
		at := t0.Add(-time.Hour)
		items := []readings.Item{
			hr(72, at, "hr-1"),
			{Type: "blood_pressure", Unit: "mmHg", TakenAt: at, ExternalID: "bp-1", Flags: []string{"irregular-pulse"},
				Components: []readings.Component{{Key: "systolic", Value: 128}, {LOINC: "8462-4", Value: 82}, {Key: "mean", Value: 97}}},
			{LOINC: "8310-5", Value: num(98.6), Unit: "[degF]", TakenAt: at, ExternalID: "t-1"},
			{LOINC: "15074-8", Value: num(5.5), Unit: "mmol/L", TakenAt: at, ExternalID: "g-1"},
			{Type: "spo2", LOINC: "59408-5", Value: num(97), Unit: "%", TakenAt: at, ExternalID: "s-1"},
		}
		b := readings.Batch{DeviceID: w.cuff.ID, Items: items}
		first := w.ingest(t, b)
		for i, r := range first {
			if r.Outcome != readings.Stored || r.ID == "" || r.ExternalID != items[i].ExternalID {
				t.Fatalf("item %d: %+v", i, r)
			}
		}
		// The same batch again, and again concurrently: duplicates with the
		// first ids, and never a second row.
		var wg sync.WaitGroup
		answers := make([][]readings.Result, 6)
		for g := range answers {
			wg.Go(func() { answers[g] = w.ingest(t, b) })
		}
		wg.Wait()
		for _, again := range answers {
			for i, r := range again {
				if r.Outcome != readings.Duplicate || r.ID != first[i].ID {
					t.Errorf("resent item %d: %+v, want duplicate of %s", i, r, first[i].ID)
				}
			}
		}
		if n := w.count(t, "patient_id = $1", w.patient.UserID); n != len(items) {
			t.Errorf("%d rows, want %d", n, len(items))
		}

		// One new item among old ones; and an id repeated within a batch.
		mixed := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{
			hr(72, at, "hr-1"), hr(75, at.Add(time.Minute), "hr-2"), hr(75, at.Add(time.Minute), "hr-2"), hr(76, at.Add(2*time.Minute), ""),
		}})
		if mixed[0].Outcome != readings.Duplicate || mixed[1].Outcome != readings.Stored ||
			mixed[2].Outcome != readings.Duplicate || mixed[2].ID != mixed[1].ID || mixed[3].Outcome != readings.Stored {
			t.Errorf("mixed batch: %+v", mixed)
		}
		if n := w.count(t, "external_id = 'hr-2'"); n != 1 {
			t.Errorf("hr-2 stored %d times", n)
		}
		// Another device may use the same external id: it is its own.
		other := w.ingest(t, readings.Batch{DeviceID: w.thermo.ID, Items: []readings.Item{hr(80, at, "hr-1")}})
		if other[0].Outcome != readings.Stored || other[0].ID == first[0].ID {
			t.Errorf("another device's hr-1: %+v", other[0])
		}

		// What was stored: canonical values, originals, provenance.
		got, err := w.svc.Get(context.Background(), w.nurse, first[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != "blood_pressure" || got.LOINC != "85354-9" || got.Unit != "mm[Hg]" || got.Value != nil ||
			len(got.Components) != 3 || got.Components[1] != (readings.Component{Key: "diastolic", LOINC: "8462-4", Value: 82}) ||
			got.Source != readings.SourceDevice || got.DeviceID != w.cuff.ID || got.Door != readings.DoorHTTP ||
			!got.TakenAt.Equal(at) || !got.ReceivedAt.Equal(t0) || got.Status != readings.StatusFinal ||
			!slices.Equal(got.Flags, []string{"irregular-pulse"}) || got.Original != nil || got.ExternalID != "bp-1" {
			t.Errorf("stored blood pressure: %+v", got)
		}
		temp, _ := w.svc.Get(context.Background(), w.patient, first[2].ID)
		if *temp.Value != 37 || temp.Unit != "Cel" || temp.Original == nil || *temp.Original.Value != 98.6 || temp.Original.Unit != "[degF]" {
			t.Errorf("stored temperature: %+v %+v", temp, temp.Original)
		}
		gluc, _ := w.svc.Get(context.Background(), w.patient, first[3].ID)
		if *gluc.Value != 99 || gluc.Unit != "mg/dL" || gluc.LOINC != "41653-7" || gluc.Original.Unit != "mmol/L" {
			t.Errorf("stored glucose: %+v", gluc)
		}
		spo2, _ := w.svc.Get(context.Background(), w.patient, first[4].ID)
		if spo2.LOINC != "59408-5" || spo2.Type != "spo2" {
			t.Errorf("stored SpO2: %+v", spo2)
		}

		// The first batch was announced once, after its commit.
		select {
		case e := <-sub.Events():
			rs, err := readings.DecodeCreated(e)
			if e.Kind != events.ReadingCreated || e.PatientID != w.patient.UserID || err != nil || len(rs) != len(items) || rs[0].ID != first[0].ID {
				t.Errorf("event %+v: %d readings, %v", e, len(rs), err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		stats := w.svc.Stats()
		if stats.Commits == 0 || stats.Rows < int64(len(items)) {
			t.Errorf("writer stats %+v", stats)
		}
	})
}

func TestIngestRefusesWithReasons(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		at := t0.Add(-time.Minute)
		for _, tc := range []struct {
			name   string
			item   readings.Item
			reason readings.Reason
			field  string
			says   string
		}{
			{"unknown type", readings.Item{Type: "mood", Value: num(3), TakenAt: at}, readings.ReasonUnknownType, "type", "known types"},
			{"unknown code", readings.Item{LOINC: "1234-5", Value: num(3), TakenAt: at}, readings.ReasonUnknownType, "loinc", "LOINC"},
			{"code of another type", readings.Item{Type: "heart_rate", LOINC: "8310-5", Value: num(3), Unit: "/min", TakenAt: at}, readings.ReasonInvalid, "loinc", "body temperature"},
			{"no type", readings.Item{Value: num(3), TakenAt: at}, readings.ReasonInvalid, "type", "say what"},
			{"wrong unit", readings.Item{Type: "heart_rate", Value: num(72), Unit: "kg", TakenAt: at}, readings.ReasonUnit, "unit", "accepted units"},
			{"no unit", readings.Item{Type: "heart_rate", Value: num(72), TakenAt: at}, readings.ReasonUnit, "unit", "needs a unit"},
			{"heart rate 900", hr(900, at, "x"), readings.ReasonImplausible, "value", "plausible range"},
			{"80 °C", readings.Item{Type: "body_temperature", Value: num(80), Unit: "Cel", TakenAt: at}, readings.ReasonImplausible, "value", "plausible"},
			{"missing diastolic", readings.Item{Type: "blood_pressure", Unit: "mmHg", TakenAt: at,
				Components: []readings.Component{{Key: "systolic", Value: 120}}}, readings.ReasonIncomplete, "components", "diastolic"},
			{"swapped pressures", bp(80, 120, at, ""), readings.ReasonImplausible, "components", "swapped"},
			{"implausible systolic", bp(400, 80, at, ""), readings.ReasonImplausible, "components.systolic", "systolic"},
			{"unknown component", readings.Item{Type: "blood_pressure", Unit: "mmHg", TakenAt: at,
				Components: []readings.Component{{Key: "systolic", Value: 120}, {Key: "diastolic", Value: 80}, {Key: "pulse", Value: 60}}},
				readings.ReasonInvalid, "components", "no component"},
			{"value for a panel", readings.Item{Type: "blood_pressure", Value: num(120), Unit: "mmHg", TakenAt: at}, readings.ReasonInvalid, "value", "panel"},
			{"components for a single value", readings.Item{Type: "heart_rate", Unit: "/min", TakenAt: at,
				Components: []readings.Component{{Key: "x", Value: 1}}}, readings.ReasonInvalid, "components", "single value"},
			{"no value", readings.Item{Type: "heart_rate", Unit: "/min", TakenAt: at}, readings.ReasonInvalid, "value", "needs a value"},
			{"no time", readings.Item{Type: "heart_rate", Value: num(72), Unit: "/min"}, readings.ReasonInvalid, "takenAt", "when"},
			{"future", hr(72, t0.Add(time.Hour), ""), readings.ReasonFuture, "takenAt", "future"},
			{"clock never set", hr(72, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), ""), readings.ReasonInvalid, "takenAt", "1990"},
			{"before assignment", hr(72, t0.Add(-60*24*time.Hour), ""), readings.ReasonBeforeAssignment, "takenAt", "before the device was assigned"},
			{"long external id", hr(72, at, strings.Repeat("x", 300)), readings.ReasonInvalid, "externalId", "longer"},
			{"flag with comma", readings.Item{Type: "heart_rate", Value: num(72), Unit: "/min", TakenAt: at, Flags: []string{"a,b"}}, readings.ReasonInvalid, "flags", "comma"},
		} {
			rs := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{tc.item}})
			r := rs[0]
			if r.Outcome != readings.Refused || r.Reason != tc.reason || r.ID != "" || len(r.Fields) == 0 ||
				r.Fields[0].Field != tc.field || !strings.Contains(r.Message, tc.says) {
				t.Errorf("%s: %+v, want %s on %s saying %q", tc.name, r, tc.reason, tc.field, tc.says)
			}
		}
		// Several wrong fields are all named.
		rs := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{bp(400, 5, at, "")}})
		if len(rs[0].Fields) != 2 || rs[0].Fields[0].Field != "components.systolic" || rs[0].Fields[1].Field != "components.diastolic" {
			t.Errorf("two wrong pressures: %+v", rs[0])
		}
		if n := w.count(t, "1 = 1"); n != 0 {
			t.Errorf("%d refused readings were stored", n)
		}

		// A good and a bad item: the good one is stored.
		rs = w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{hr(900, at, "bad"), hr(60, at, "good")}})
		if rs[0].Outcome != readings.Refused || rs[1].Outcome != readings.Stored {
			t.Errorf("mixed: %+v", rs)
		}

		// Disabled and unassigned devices: every item refused, nothing stored.
		for _, tc := range []struct {
			dev    string
			reason readings.Reason
			says   string
		}{{w.disabled.ID, readings.ReasonDisabled, "disabled"}, {w.loose.ID, readings.ReasonUnassigned, "not assigned"}} {
			rs := w.ingest(t, readings.Batch{DeviceID: tc.dev, Door: readings.DoorMQTT, Items: []readings.Item{hr(60, at, "a"), hr(61, at, "b")}})
			for _, r := range rs {
				if r.Outcome != readings.Refused || r.Reason != tc.reason || !strings.Contains(r.Message, tc.says) {
					t.Errorf("device %s: %+v", tc.dev, r)
				}
			}
			if n := w.count(t, "device_id = $1", tc.dev); n != 0 {
				t.Errorf("device %s: %d rows stored", tc.dev, n)
			}
		}
		// A message naming another patient than the device's.
		rs = w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, PatientID: w.other.UserID, Door: readings.DoorMLLP, Items: []readings.Item{hr(60, at, "m")}})
		if rs[0].Reason != readings.ReasonPatientMismatch {
			t.Errorf("patient mismatch: %+v", rs[0])
		}

		// The refusals are counted per device and reason, and visible.
		if err := w.dev.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			dev    string
			counts map[string]int64
		}{
			{w.disabled.ID, map[string]int64{"disabled": 2}},
			{w.loose.ID, map[string]int64{"unassigned": 2}},
			{w.cuff.ID, map[string]int64{"unknown_type": 2, "unit": 2, "implausible": 6, "incomplete": 1, "invalid": 10,
				"future": 1, "before_assignment": 1, "patient_mismatch": 1}},
		} {
			dev, err := w.dev.Get(context.Background(), tc.dev)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, r := range dev.Refusals {
				got[r.Reason] = r.Count
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.counts) {
				t.Errorf("device %s refusals %v, want %v", dev.Serial, got, tc.counts)
			}
			if dev.LastSeenAt == nil || !dev.LastSeenAt.Equal(t0) {
				t.Errorf("device %s last seen %v", dev.Serial, dev.LastSeenAt)
			}
		}

		// Whole-batch errors.
		ctx := context.Background()
		if _, err := w.svc.Ingest(ctx, readings.Batch{Door: "carrier-pigeon", DeviceID: w.cuff.ID}); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown door: %v", err)
		}
		if _, err := w.svc.Ingest(ctx, readings.Batch{Door: readings.DoorHTTP, Items: make([]readings.Item, readings.MaxItems+1)}); !errs.Is(err, errs.TooLarge) {
			t.Errorf("too many items: %v", err)
		}
		if _, err := w.svc.Ingest(ctx, readings.Batch{Door: readings.DoorHTTP, DeviceID: "0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown device: %v", err)
		}
		if _, err := w.svc.Ingest(ctx, readings.Batch{Door: readings.DoorHTTP, PatientID: w.patient.UserID}); !errs.Is(err, errs.Invalid) {
			t.Errorf("nobody's readings: %v", err)
		}
	})
}

func TestDeviceBatteryAndStatusReachTheDevice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		low := 9
		item := hr(70, t0, "x")
		item.BatteryPercent, item.DeviceStatus = &low, "battery-low"
		w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{item}})
		dev, _ := w.dev.Get(context.Background(), w.cuff.ID)
		if dev.BatteryPercent == nil || *dev.BatteryPercent != 9 || dev.Status != "battery-low" || !dev.LastSeenAt.Equal(t0) {
			t.Errorf("device %+v", dev)
		}
	})
}

func TestManualEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		at := t0.Add(-time.Hour)
		entry := func(by people.Principal, ext string) ([]readings.Result, error) {
			return w.svc.Ingest(context.Background(), readings.Batch{Door: readings.DoorWeb, By: &by, PatientID: w.patient.UserID,
				Items: []readings.Item{bp(130, 85, at, ext)}})
		}
		for _, by := range []people.Principal{w.patient, w.nurse, w.child} {
			rs, err := entry(by, "form-1")
			if err != nil || rs[0].Outcome != readings.Stored {
				t.Fatalf("%s: %+v %v", by.Name, rs, err)
			}
			r, _ := w.svc.Get(context.Background(), w.patient, rs[0].ID)
			if r.Source != readings.SourceManual || r.EnteredBy != by.UserID || r.DeviceID != "" || r.Door != readings.DoorWeb {
				t.Errorf("%s's entry: %+v", by.Name, r)
			}
			// The same form sent twice by the same person: one row.
			if rs2, err := entry(by, "form-1"); err != nil || rs2[0].Outcome != readings.Duplicate || rs2[0].ID != rs[0].ID {
				t.Errorf("%s resent: %+v %v", by.Name, rs2, err)
			}
		}
		// A stranger, a family member without vitals, another patient, an
		// administrator: refused as if the patient did not exist, nothing stored.
		for _, by := range []people.Principal{w.strange, w.dad, w.other, w.admin} {
			if rs, err := entry(by, "form-x"); !errs.Is(err, errs.NotFound) || rs != nil {
				t.Errorf("%s entered a reading: %+v %v", by.Name, rs, err)
			}
		}
		if n := w.count(t, "patient_id = $1", w.patient.UserID); n != 3 {
			t.Errorf("%d rows, want 3", n)
		}
		// A person relaying a device's values must be allowed to write its patient's vitals.
		nurse, stranger := w.nurse, w.strange
		if rs, err := w.svc.Ingest(context.Background(), readings.Batch{Door: readings.DoorGATT, DeviceID: w.cuff.ID, By: &nurse,
			Items: []readings.Item{hr(70, at, "relay")}}); err != nil || rs[0].Outcome != readings.Stored {
			t.Errorf("nurse relaying: %+v %v", rs, err)
		}
		if _, err := w.svc.Ingest(context.Background(), readings.Batch{Door: readings.DoorGATT, DeviceID: w.cuff.ID, By: &stranger,
			Items: []readings.Item{hr(70, at, "relay2")}}); !errs.Is(err, errs.NotFound) {
			t.Errorf("stranger relaying: %v", err)
		}
		if _, err := w.svc.Ingest(context.Background(), readings.Batch{Door: readings.DoorWeb, By: &nurse, Source: readings.SourceDevice,
			PatientID: w.patient.UserID}); !errs.Is(err, errs.Invalid) {
			t.Errorf("a person claiming to be a device: %v", err)
		}
	})
}

func TestIngestAfterCloseFails(t *testing.T) {
	w := newWorld(t, dbtest.SQLite(t))
	w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{hr(70, t0, "before")}})
	w.svc.Close()
	w.svc.Close()
	if _, err := w.svc.Ingest(context.Background(), readings.Batch{Door: readings.DoorHTTP, DeviceID: w.cuff.ID,
		Items: []readings.Item{hr(70, t0, "after")}}); err == nil || !strings.Contains(err.Error(), "shutting down") {
		t.Errorf("ingest after close: %v", err)
	}
	if n := w.count(t, "external_id = 'after'"); n != 0 {
		t.Error("stored after close")
	}
}
