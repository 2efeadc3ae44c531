package readings_test

import (
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/gatt"
	"github.com/tend-health/tend/internal/readings"
)

func decodeGATT(t *testing.T, characteristic, hexBytes string) gatt.Result {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(hexBytes, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	res, err := gatt.Decode(characteristic, b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The vectors of the shared standards reference (§2), relayed by a phone
// and ingested through the one path.
func TestGATTValuesBecomeReadings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		patient := w.patient
		relay := func(items []readings.Item) []readings.Result {
			t.Helper()
			rs, err := w.svc.Ingest(ctx, readings.Batch{Door: readings.DoorGATT, DeviceID: w.cuff.ID, By: &patient, Items: items})
			if err != nil {
				t.Fatal(err)
			}
			return rs
		}

		// Blood pressure with every optional field; the time has no year,
		// so the time of receipt stands in.
		items := readings.FromGATT(decodeGATT(t, "2A35", "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"), time.UTC, t0, "msg-1")
		if len(items) != 2 || items[0].LOINC != "85354-9" || len(items[0].Components) != 3 || items[1].LOINC != "8867-4" ||
			items[0].ExternalID != "msg-1#85354-9" || items[1].ExternalID != "msg-1#8867-4" || !items[0].TakenAt.Equal(t0) {
			t.Fatalf("items %+v", items)
		}
		rs := relay(items)
		if rs[0].Outcome != readings.Stored || rs[1].Outcome != readings.Stored {
			t.Fatalf("results %+v", rs)
		}
		r, _ := w.svc.Get(ctx, w.nurse, rs[0].ID)
		if r.Components[0].Value != 138 || r.Components[1].Value != 88 || r.Components[2].Value != 120 || r.Door != readings.DoorGATT ||
			r.EnteredBy != patient.UserID || r.DeviceID != w.cuff.ID {
			t.Errorf("blood pressure %+v", r)
		}
		for _, f := range []string{"body-movement", "cuff-too-loose", "irregular-pulse", "improper-position", readings.FlagTimeOfReceipt} {
			if !slices.Contains(r.Flags, f) {
				t.Errorf("flag %s missing from %v", f, r.Flags)
			}
		}
		pulse, _ := w.svc.Get(ctx, w.nurse, rs[1].ID)
		if pulse.Type != "heart_rate" || *pulse.Value != 60 {
			t.Errorf("pulse %+v", pulse)
		}
		// Relayed twice: duplicates.
		if again := relay(items); again[0].Outcome != readings.Duplicate || again[0].ID != rs[0].ID {
			t.Errorf("relayed again: %+v", again)
		}

		// In kPa: converted, the original kept.
		rs = relay(readings.FromGATT(decodeGATT(t, "2A35", "15 BD F0 0B 00 9F F0 3C 00 12 00"), time.UTC, t0, "msg-2"))
		r, _ = w.svc.Get(ctx, w.nurse, rs[0].ID)
		if rs[0].Outcome != readings.Stored || r.Original == nil || r.Original.Unit != "kPa" || r.Original.Components[0].Value != 18.9 ||
			r.Components[0].Value < 141 || r.Components[0].Value > 142 || !slices.Contains(r.Flags, "cuff-too-loose") {
			t.Errorf("kPa blood pressure %+v %v", r, rs)
		}

		// A thermometer's stored reading from 2012, long before the device
		// was assigned: refused, since it may be another person's.
		items = readings.FromGATT(decodeGATT(t, "2A1C", "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"), time.UTC, t0, "")
		if len(items) != 1 || *items[0].Value != 37.6 || items[0].Unit != "Cel" ||
			!items[0].TakenAt.Equal(time.Date(2012, 12, 5, 11, 50, 27, 0, time.UTC)) {
			t.Fatalf("temperature items %+v", items)
		}
		if rs := relay(items); rs[0].Reason != readings.ReasonBeforeAssignment {
			t.Errorf("old temperature: %+v", rs[0])
		}
		items[0].TakenAt = t0
		if rs := relay(items); rs[0].Outcome != readings.Stored {
			t.Errorf("temperature: %+v", rs[0])
		}

		// The glucose vector is a parser test value, 30 kg/L: refused as
		// implausible, keyed by the meter's sequence number, and its low
		// battery reaches the device's record.
		items = readings.FromGATT(decodeGATT(t, "2A18", "1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01"), time.UTC, t0, "")
		if len(items) != 1 || !strings.HasPrefix(items[0].ExternalID, "glucose-seq-1#") || !strings.Contains(items[0].DeviceStatus, "battery-low") {
			t.Fatalf("glucose items %+v", items)
		}
		items[0].TakenAt = t0
		if rs := relay(items); rs[0].Reason != readings.ReasonImplausible {
			t.Errorf("glucose: %+v", rs[0])
		}
		dev, _ := w.dev.Get(ctx, w.cuff.ID)
		if !strings.Contains(dev.Status, "battery-low") {
			t.Errorf("device status %q", dev.Status)
		}

		// Heart rate straps and oximeters.
		rs = relay(readings.FromGATT(decodeGATT(t, "2A37", "1E 55 32 00 21 00"), time.UTC, t0, "hr-1"))
		if rs[0].Outcome != readings.Stored {
			t.Errorf("heart rate: %+v", rs)
		}
		items = readings.FromGATT(decodeGATT(t, "2A5F", "00 64 00 5A 00"), time.UTC, t0, "plx-1")
		rs = relay(items)
		if len(rs) != 2 || rs[0].Outcome != readings.Stored || rs[1].Outcome != readings.Stored {
			t.Errorf("oximeter: %+v %+v", items, rs)
		}
	})
}
