package simulate

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/gatt"
	"github.com/tend-health/tend/internal/measure"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The SFLOAT and FLOAT vectors of standards.md §2.1.
func TestFloatVectors(t *testing.T) {
	for _, tt := range []struct {
		v        float64
		decimals int
		want     uint16
	}{{2, 0, 0x0002}, {2.0, 1, 0xF014}, {2.00, 2, 0xE0C8}, {-1234, 0, 0x0B2E}, {94.0, 1, 0xF3AC}, {147.0, 1, 0xF5BE}} {
		got, err := EncodeSFLOAT(tt.v, tt.decimals)
		if err != nil || got != tt.want {
			t.Errorf("EncodeSFLOAT(%v, %d) = %#04x, %v; want %#04x", tt.v, tt.decimals, got, err, tt.want)
		}
		if n := gatt.DecodeSFLOAT(got); n.Float64() != tt.v || n.Decimals() != tt.decimals {
			t.Errorf("%#04x decodes to %s", got, n)
		}
	}
	// 20 fits with no exponent; the vector 0x1002 (2×10¹) decodes the same.
	if got, _ := EncodeSFLOAT(20, 0); gatt.DecodeSFLOAT(got).Float64() != gatt.DecodeSFLOAT(0x1002).Float64() {
		t.Errorf("20 encodes to %#04x", got)
	}
	// A value too precise for 12 bits loses decimals, not digits that count.
	if got, _ := EncodeSFLOAT(37.65, 2); gatt.DecodeSFLOAT(got).Float64() != 37.6 && gatt.DecodeSFLOAT(got).Float64() != 37.7 {
		t.Errorf("37.65 encodes to %s", gatt.DecodeSFLOAT(got))
	}
	if _, err := EncodeSFLOAT(1e12, 0); err == nil {
		t.Error("1e12 fits an SFLOAT?")
	}
	for _, tt := range []struct {
		v        float64
		decimals int
		want     uint32
	}{{2.0, 1, 0xFF000014}, {-1234, 0, 0x00FFFB2E}, {37.60, 2, 0xFE000EB0}} {
		got, err := EncodeFLOAT(tt.v, tt.decimals)
		if err != nil || got != tt.want {
			t.Errorf("EncodeFLOAT(%v, %d) = %#08x, %v; want %#08x", tt.v, tt.decimals, got, err, tt.want)
		}
	}
	// No special value is ever written.
	for _, v := range []float64{2046, 2047, -2046, -2047, -2048} {
		raw, err := EncodeSFLOAT(v, 0)
		if err == nil && !gatt.DecodeSFLOAT(raw).Valid() {
			t.Errorf("%v encodes to the special %#04x", v, raw)
		}
	}
}

// The characteristic vectors of standards.md §2, rebuilt by the encoders.
func TestCharacteristicVectors(t *testing.T) {
	// 2.3: the Nordic temperature vector, byte for byte.
	got, err := EncodeTemperature(37.60, time.Date(2012, 12, 5, 11, 50, 27, 0, time.UTC), 4)
	if want := unhex(t, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("temperature: % X, %v; want % X", got, err, want)
	}

	// 2.2: the first Nordic cuff vector, without its user id (which the
	// simulator's cuffs do not send) and with a known year: flags 0x16.
	got, err = EncodeBloodPressure(BloodPressureValue{Systolic: 138, Diastolic: 88, Mean: 120,
		Time: time.Date(2026, 4, 17, 20, 41, 59, 0, time.UTC), Pulse: 60, Status: 0x0027})
	if want := unhex(t, "16 8A 00 58 00 78 00 EA 07 04 11 14 29 3B 3C 00 27 00"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("blood pressure: % X, %v; want % X", got, err, want)
	}
	res, err := gatt.Decode("2A35", got)
	if err != nil {
		t.Fatal(err)
	}
	bp := res.BloodPressure
	if bp.Systolic.Float64() != 138 || bp.Diastolic.Float64() != 88 || bp.MeanArterial.Float64() != 120 || bp.PulseRate.Float64() != 60 ||
		!bp.Status.BodyMovement || !bp.Status.CuffTooLoose || !bp.Status.IrregularPulse || !bp.Status.ImproperPosition {
		t.Errorf("decoded %+v", bp)
	}

	// 2.4: heart rate, 8 and 16 bits.
	for _, tt := range []struct {
		bpm  float64
		want string
	}{{85, "06 55"}, {255, "06 FF"}, {257, "07 01 01"}} {
		got, err := EncodeHeartRate(tt.bpm)
		if err != nil || !bytes.Equal(got, unhex(t, tt.want)) {
			t.Errorf("heart rate %v: % X, %v", tt.bpm, got, err)
		}
		res, err := gatt.Decode("2A37", got)
		if err != nil || res.HeartRate.BeatsPerMinute != uint16(tt.bpm) || res.HeartRate.Contact != gatt.ContactDetected {
			t.Errorf("heart rate %v decodes to %+v, %v", tt.bpm, res.HeartRate, err)
		}
	}

	// 2.5: 100 mg/dL is the SFLOAT 0xB064 (wire 64 B0); the rest as in
	// the Nordic vector without its offset, status and context.
	got, err = EncodeGlucose(1, time.Date(2019, 2, 27, 11, 10, 30, 0, time.UTC), 100, GlucoseCapillaryWholeBlood, GlucoseLocationFinger)
	if want := unhex(t, "02 01 00 E3 07 02 1B 0B 0A 1E 64 B0 11"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("glucose: % X, %v; want % X", got, err, want)
	}
	res, err = gatt.Decode("2A18", got)
	if err != nil || len(res.Observations) != 1 || res.Observations[0].Value.Float64() != 100 || res.Observations[0].Unit != gatt.UnitMgPerDL ||
		res.Observations[0].LOINC != gatt.LOINCGlucoseMassCapillary {
		t.Errorf("glucose decodes to %+v, %v", res.Observations, err)
	}

	// 2.6: the SpeziBluetooth spot check's numbers and time.
	got, err = EncodePLXSpotCheck(94, 147, time.Date(2024, 11, 29, 23, 8, 57, 0, time.UTC))
	if want := unhex(t, "01 5E 00 93 00 E8 07 0B 1D 17 08 39"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("spot check: % X, %v; want % X", got, err, want)
	}
	res, err = gatt.Decode("2A5E", got)
	if err != nil || res.PLXSpotCheck.SpO2.Float64() != 94 || res.PLXSpotCheck.PulseRate.Float64() != 147 || res.PLXSpotCheck.Time == nil {
		t.Errorf("spot check decodes to %+v, %v", res.PLXSpotCheck, err)
	}
}

// Every measurement a GATT device makes, injected ones included, comes out
// of gatt.Decode as the readings it was made from, at its time.
func TestGATTValuesRoundTrip(t *testing.T) {
	w := world(t, 11, 5)
	n := 0
	for _, d := range w.Devices {
		if !DoorGATT.carries(d.Kind) {
			if _, _, err := GATTValue(Measurement{Device: d, TakenAt: day0}); err == nil {
				t.Errorf("%s has a characteristic?", d)
			}
			continue
		}
		ms, _ := d.Measure(day0, day0.Add(48*time.Hour), Injections{OutOfRange: 0.2})
		for _, m := range ms {
			c, raw, err := GATTValue(m)
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			res, err := gatt.Decode(c, raw)
			if err != nil {
				t.Fatalf("%s % X: %v", c, raw, err)
			}
			got := map[string]float64{}
			for _, o := range res.Observations {
				got[o.LOINC] = o.Value.Float64()
				if o.Time != nil {
					at, ok := o.Time.In(d.Patient.Location())
					if !ok || !at.Equal(m.TakenAt) {
						t.Errorf("%s: time %v, want %v", c, o.Time, m.TakenAt)
					}
				} else if d.Kind != HeartRateStrap {
					t.Errorf("%s sent no time", c)
				}
			}
			for _, r := range m.Readings {
				typ, _ := measure.ByKey(r.Type)
				if typ.IsPanel() {
					for _, comp := range r.Components {
						tc, _ := typ.Component(comp.Key)
						if got[tc.Code.Code] != comp.Value {
							t.Errorf("%s %s: %v, want %v", c, comp.Key, got[tc.Code.Code], comp.Value)
						}
					}
					continue
				}
				code := typ.Code.Code
				if r.Type == measure.BloodGlucose {
					code = gatt.LOINCGlucoseMassBlood // interstitial fluid
				}
				if math.Abs(got[code]-r.Value) > 1e-9 {
					t.Errorf("%s %s: %v, want %v (% X)", c, r.Type, got[code], r.Value, raw)
				}
				n++
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d readings checked", n)
	}
}
