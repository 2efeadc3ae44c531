package simulate

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

var day0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func world(t *testing.T, seed int64, n int) *World {
	t.Helper()
	w, err := NewWorld(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// all returns every measurement of the world's devices in [from, to).
func all(w *World, from, to time.Time, inj Injections) []Measurement {
	var out []Measurement
	for _, d := range w.Devices {
		ms, _ := d.Measure(from, to, inj)
		out = append(out, ms...)
	}
	return out
}

func TestSameSeedSameReadings(t *testing.T) {
	inj := Injections{OutOfRange: 0.05, Gaps: 0.1, Duplicates: 0.05}
	a := all(world(t, 7, 10), day0, day0.Add(48*time.Hour), inj)
	b := all(world(t, 7, 10), day0, day0.Add(48*time.Hour), inj)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d measurements", len(a), len(b))
	}
	for i := range a {
		if !a[i].At.Equal(b[i].At) || !reflect.DeepEqual(a[i].Readings, b[i].Readings) || a[i].Resend != b[i].Resend {
			t.Fatalf("measurement %d differs: %+v and %+v", i, a[i], b[i])
		}
	}
	// Any stretch of time gives the same readings however it is cut up.
	d := world(t, 7, 10).Devices[6] // the healthy adult's strap
	whole, _ := d.Measure(day0, day0.Add(6*time.Hour), inj)
	var parts []Measurement
	for from := day0; from.Before(day0.Add(6 * time.Hour)); from = from.Add(17 * time.Minute) {
		ms, _ := d.Measure(from, from.Add(17*time.Minute), inj)
		parts = append(parts, ms...)
	}
	if !reflect.DeepEqual(whole, parts) {
		t.Errorf("readings depend on how the time is cut: %d whole, %d in parts", len(whole), len(parts))
	}
	// Another seed, other bodies; the same people and devices.
	other := world(t, 8, 10)
	c := all(other, day0, day0.Add(48*time.Hour), inj)
	same := 0
	for i := range min(len(a), len(c)) {
		if reflect.DeepEqual(a[i].Readings, c[i].Readings) {
			same++
		}
	}
	if same > len(a)/5 {
		t.Errorf("seeds 7 and 8 agree on %d of %d measurements", same, len(a))
	}
	if other.Devices[3].Serial != world(t, 7, 10).Devices[3].Serial || other.Patients[2].Email != world(t, 7, 10).Patients[2].Email {
		t.Error("the seed changed who the patients and devices are")
	}
}

// realistic are the ranges generated values stay in, narrower than what
// Tend finds plausible.
var realistic = map[string][2]float64{
	measure.HeartRate:       {38, 190},
	measure.BodyTemperature: {35, 41},
	measure.SpO2:            {80, 100},
	measure.RespiratoryRate: {8, 36},
	measure.BloodGlucose:    {40, 400},
	measure.BodyWeight:      {45, 110},
	measure.Systolic:        {85, 230},
	measure.Diastolic:       {45, 140},
	measure.Mean:            {55, 170},
}

// plausible checks a reading the way Tend's ingest path does.
func plausible(r Reading) error {
	if len(r.Components) == 0 {
		_, err := measure.Normalize(r.Type, "", r.Value, r.Unit)
		return err
	}
	panel := map[string]float64{}
	for _, c := range r.Components {
		if _, err := measure.Normalize(r.Type, c.Key, c.Value, r.Unit); err != nil {
			return err
		}
		panel[c.Key] = c.Value
	}
	return measure.CheckPanel(r.Type, panel)
}

func TestReadingsArePlausibleUnlessInjected(t *testing.T) {
	w := world(t, 42, 20)
	ms := all(w, day0, day0.Add(14*24*time.Hour), Injections{})
	counts := map[string]int{}
	for _, m := range ms {
		for _, r := range m.Readings {
			counts[r.Type]++
			if err := plausible(r); err != nil {
				t.Fatalf("%s at %s: %+v is refused: %v", m.Device, m.At, r, err)
			}
			if r.OutOfRange {
				t.Fatalf("an injection without injecting: %+v", r)
			}
			check := func(key string, v float64) {
				if lim := realistic[key]; v < lim[0] || v > lim[1] {
					t.Errorf("%s of %s at %s: %v outside %v", key, m.Device, m.At, v, lim)
				}
			}
			if len(r.Components) > 0 {
				for _, c := range r.Components {
					check(c.Key, c.Value)
				}
			} else {
				check(r.Type, r.Value)
			}
			if r.Unit != unitOf(r.Type) || r.ExternalID == "" {
				t.Fatalf("unit or id: %+v", r)
			}
		}
	}
	for _, typ := range []string{measure.HeartRate, measure.BodyTemperature, measure.SpO2, measure.RespiratoryRate,
		measure.BloodGlucose, measure.BodyWeight, measure.BloodPressure} {
		if counts[typ] == 0 {
			t.Errorf("no %s generated", typ)
		}
	}

	// Injected values are all out of range, in about the asked fraction.
	ms = all(w, day0, day0.Add(7*24*time.Hour), Injections{OutOfRange: 0.1})
	n, bad := 0, 0
	for _, m := range ms {
		for _, r := range m.Readings {
			n++
			err := plausible(r)
			if r.OutOfRange {
				bad++
				if !errors.Is(err, measure.ErrImplausible) {
					t.Fatalf("injected %+v is not implausible: %v", r, err)
				}
			} else if err != nil {
				t.Fatalf("%+v: %v", r, err)
			}
		}
	}
	if f := float64(bad) / float64(n); f < 0.08 || f > 0.12 {
		t.Errorf("%d of %d readings out of range (%.3f), want about 0.1", bad, n, f)
	}
}

func TestSchedules(t *testing.T) {
	w := world(t, 1, 5)
	byKind := map[Kind]*Device{}
	for _, d := range w.Devices {
		byKind[d.Kind] = d
	}
	from, to := day0, day0.Add(7*24*time.Hour)
	count := func(k Kind) int { return len(byKind[k].times(from, to)) }
	for k, want := range map[Kind]int{HeartRateStrap: 7 * 1440, Glucometer: 7 * 288, MultiParameterMonitor: 7 * 96,
		BloodPressureMonitor: 7 * 4, PulseOximeter: 7 * 4, Thermometer: 7 * 2} {
		if got := count(k); got != want {
			t.Errorf("%s: %d measurements in a week, want %d", k, got, want)
		}
	}
	// The cuff is used morning and evening, twice a minute apart, in the
	// patient's own time.
	cuff := byKind[BloodPressureMonitor]
	ts := cuff.times(from, to)
	for i := 0; i < len(ts); i += 2 {
		if ts[i+1].Sub(ts[i]) != time.Minute {
			t.Fatalf("readings %v and %v are not a minute apart", ts[i], ts[i+1])
		}
		h := ts[i].In(cuff.Patient.Location()).Hour()
		if !(h >= 7 && h <= 8) && !(h >= 20 && h <= 21) {
			t.Errorf("blood pressure at %s local time", ts[i].In(cuff.Patient.Location()))
		}
	}
	// The healthy adult weighs in once a week.
	for _, d := range w.Patients[3].Devices {
		if d.Kind == Scale {
			if n := len(d.times(from, to)); n != 1 {
				t.Errorf("weekly scale: %d in a week", n)
			}
		}
	}
	// A monitor's blood pressure comes every hour.
	ms, _ := byKind[MultiParameterMonitor].Measure(from, from.Add(24*time.Hour), Injections{})
	bp := 0
	for _, m := range ms {
		for _, r := range m.Readings {
			if r.Type == measure.BloodPressure {
				bp++
			}
		}
	}
	if bp != 24 {
		t.Errorf("monitor blood pressures in a day: %d", bp)
	}
}

func TestPhysiologyFollowsItsProfile(t *testing.T) {
	w := world(t, 3, 25)
	type stats struct{ n, sum, min, max float64 }
	by := map[string]*stats{}
	add := func(k string, v float64) {
		s := by[k]
		if s == nil {
			s = &stats{min: math.Inf(1), max: math.Inf(-1)}
			by[k] = s
		}
		s.n++
		s.sum += v
		s.min = math.Min(s.min, v)
		s.max = math.Max(s.max, v)
	}
	var dayHR, nightHR stats
	for _, m := range all(w, day0, day0.Add(14*24*time.Hour), Injections{}) {
		prof := m.Device.Patient.Profile.Name
		for _, r := range m.Readings {
			switch {
			case r.Type == measure.BloodPressure:
				add(prof+"/systolic", r.Component(measure.Systolic))
			case r.Type == measure.HeartRate && m.Device.Kind == HeartRateStrap:
				h := m.At.In(m.Device.Patient.Location()).Hour()
				if h >= 2 && h < 5 {
					nightHR.n++
					nightHR.sum += r.Value
				} else if h >= 10 && h < 20 {
					dayHR.n++
					dayHR.sum += r.Value
				}
			default:
				add(prof+"/"+r.Type, r.Value)
			}
		}
	}
	mean := func(k string) float64 { return by[k].sum / by[k].n }
	if m := mean("hypertensive_elderly/systolic"); m < 135 {
		t.Errorf("hypertensive patients' mean systolic %.0f", m)
	}
	if m := mean("copd/spo2"); m < 85 || m > 93 {
		t.Errorf("COPD patients' mean SpO2 %.1f, want within scale 2's 88–92 give or take", m)
	}
	if m := mean("healthy_adult/body_weight"); m < 50 || m > 100 {
		t.Errorf("weight %.1f", m)
	}
	g := by["type1_diabetic/blood_glucose"]
	if g.max < 220 || g.min > 90 || mean("type1_diabetic/blood_glucose") > 200 {
		t.Errorf("type 1 glucose: min %.0f mean %.0f max %.0f; want meals' peaks and lows", g.min, mean("type1_diabetic/blood_glucose"), g.max)
	}
	if d, n := dayHR.sum/dayHR.n, nightHR.sum/nightHR.n; d-n < 8 {
		t.Errorf("heart rate by day %.0f, at night %.0f: want a circadian rhythm", d, n)
	}
	if by["copd/body_temperature"].max < 37.5 {
		t.Logf("no fever in two weeks of COPD (max %.1f)", by["copd/body_temperature"].max)
	}
}

func TestGapsAndResends(t *testing.T) {
	w := world(t, 5, 10)
	from, to := day0, day0.Add(30*24*time.Hour)
	total, withheld, resent := 0, 0, 0
	for _, d := range w.Devices {
		plain, _ := d.Measure(from, to, Injections{})
		ms, held := d.Measure(from, to, Injections{Gaps: 0.1, Duplicates: 0.05})
		total += len(plain)
		withheld += held
		for i, m := range ms {
			if m.Resend {
				resent++
				if !reflect.DeepEqual(m.Readings, ms[i-1].Readings) {
					t.Fatal("a resend differs from what it repeats")
				}
			}
		}
		if len(ms)-countResends(ms)+held != len(plain) {
			t.Errorf("%s: %d sent + %d withheld != %d", d, len(ms)-countResends(ms), held, len(plain))
		}
	}
	if f := float64(withheld) / float64(total); f < 0.07 || f > 0.13 {
		t.Errorf("gaps withheld %.3f of measurements, want about 0.1", f)
	}
	if f := float64(resent) / float64(total-withheld); f < 0.04 || f > 0.06 {
		t.Errorf("resent %.3f, want about 0.05", f)
	}
}

func countResends(ms []Measurement) int {
	n := 0
	for _, m := range ms {
		if m.Resend {
			n++
		}
	}
	return n
}
