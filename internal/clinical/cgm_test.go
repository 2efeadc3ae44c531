package clinical

import (
	"math"
	"testing"
	"time"
)

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// series returns one reading per 5 minutes from day0, with the given values.
func series(values ...float64) []GlucoseReading {
	readings := make([]GlucoseReading, len(values))
	for i, v := range values {
		readings[i] = GlucoseReading{Time: day0.Add(time.Duration(i) * 5 * time.Minute), Value: v}
	}
	return readings
}

func repeat(v float64, n int) []float64 {
	values := make([]float64, n)
	for i := range values {
		values[i] = v
	}
	return values
}

func targets(t *testing.T, p Population) Targets {
	t.Helper()
	tg, ok := ConsensusTargets(p)
	if !ok {
		t.Fatalf("no targets for population %d", p)
	}
	return tg
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestCGMReferenceVector is the reference's vector: 288 five-minute
// readings, 210 of them in 70–180 mg/dL, give a time in range of 72.9 %,
// which meets the >70 % target.
func TestCGMReferenceVector(t *testing.T) {
	var values []float64
	values = append(values, repeat(120, 210)...)
	values = append(values, repeat(65, 8)...)
	values = append(values, repeat(200, 70)...)
	oneDay := Period{From: day0, To: day0.Add(24 * time.Hour)}

	s := SummarizeCGM(series(values...), oneDay, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.Count != 288 || math.Round(s.InRange*10)/10 != 72.9 || !near(s.InRange, 100*210.0/288) {
		t.Fatalf("count %d, time in range %v; want 288, 72.9", s.Count, s.InRange)
	}
	if !s.Checks[0].Met || s.Checks[0].Name != "time in range 70–180 mg/dL" || s.Checks[0].Goal != "> 70 %" {
		t.Errorf("time in range check %+v", s.Checks[0])
	}
	if !near(s.Below, 100*8.0/288) || s.VeryLow != 0 || !near(s.Above, 100*70.0/288) || s.VeryHigh != 0 {
		t.Errorf("below %v very low %v above %v very high %v", s.Below, s.VeryLow, s.Above, s.VeryHigh)
	}
	if !s.TargetsMet {
		t.Errorf("targets not met: %+v", s.Checks)
	}
	if !near(s.Mean, 39720.0/288) {
		t.Errorf("mean %v", s.Mean)
	}
	// One day is not the 14 the consensus asks for, though the sensor
	// never missed a reading.
	if s.Sufficient || s.Days != 1 || s.Active != 100 {
		t.Errorf("sufficient %v days %d active %v; want false, 1, 100", s.Sufficient, s.Days, s.Active)
	}
	s = SummarizeCGM(series(values...), oneDay, targets(t, AdultsT1DT2D),
		Sufficiency{Days: 1, Interval: 5 * time.Minute, MinActive: 70})
	if !s.Sufficient {
		t.Error("one full day is not sufficient under a one-day rule")
	}
}

func TestCGMMeanSDAndCV(t *testing.T) {
	s := SummarizeCGM(series(100, 200), Period{day0, day0.Add(time.Hour)}, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.Mean != 150 || !near(s.SD, math.Sqrt(5000)) || !near(s.CV, 100*math.Sqrt(5000)/150) {
		t.Errorf("mean %v SD %v CV %v", s.Mean, s.SD, s.CV)
	}
	cv := s.Checks[len(s.Checks)-1]
	if cv.Name != "coefficient of variation" || cv.Met || cv.Goal != "≤ 36 %" || s.TargetsMet {
		t.Errorf("CV check %+v, targets met %v", cv, s.TargetsMet)
	}

	// A CV of exactly 36 % (mean 100, SD 36) meets the goal, though the
	// arithmetic makes it 36.00000000000001.
	s = SummarizeCGM(series(100-36/math.Sqrt2, 100+36/math.Sqrt2), Period{day0, day0.Add(time.Hour)},
		Targets{Low: 70, High: 180, CVAtMost: 36}, CGMSufficiency)
	if !near(s.CV, 36) || !s.Checks[0].Met {
		t.Errorf("CV %v met %v, want 36 met", s.CV, s.Checks[0].Met)
	}

	s = SummarizeCGM(series(120), Period{day0, day0.Add(time.Hour)}, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.SD != 0 || s.CV != 0 {
		t.Errorf("one reading: SD %v CV %v", s.SD, s.CV)
	}
}

func TestCGMRangeBoundaries(t *testing.T) {
	readings := series(53, 54, 69, 70, 180, 181, 250, 251)
	all := Period{day0, day0.Add(time.Hour)}

	s := SummarizeCGM(readings, all, targets(t, AdultsT1DT2D), CGMSufficiency)
	want := map[string][2]float64{
		"in range":  {s.InRange, 25},   // 70, 180
		"below":     {s.Below, 37.5},   // 53, 54, 69
		"very low":  {s.VeryLow, 12.5}, // 53
		"above":     {s.Above, 37.5},   // 181, 250, 251
		"very high": {s.VeryHigh, 12.5},
	}
	for name, got := range want {
		if !near(got[0], got[1]) {
			t.Errorf("adults: %s = %v %%, want %v", name, got[0], got[1])
		}
	}

	s = SummarizeCGM(readings, all, targets(t, PregnancyT1D), CGMSufficiency)
	want = map[string][2]float64{
		"in range": {s.InRange, 25}, // 69, 70
		"below":    {s.Below, 25},   // 53, 54
		"above":    {s.Above, 50},   // 180, 181, 250, 251
	}
	for name, got := range want {
		if !near(got[0], got[1]) {
			t.Errorf("pregnancy: %s = %v %%, want %v", name, got[0], got[1])
		}
	}

	// Values are rounded to whole mg/dL before they are counted.
	s = SummarizeCGM(series(69.4, 69.5, 180.4, 180.5), all, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.InRange != 50 || s.Below != 25 || s.Above != 25 {
		t.Errorf("rounded: in %v below %v above %v", s.InRange, s.Below, s.Above)
	}
}

func TestCGMTargetsAreStrict(t *testing.T) {
	all := Period{day0, day0.Add(24 * time.Hour)}
	adults := targets(t, AdultsT1DT2D)

	// Exactly 70 % in range is not more than 70 %.
	values := append(repeat(120, 7), repeat(190, 3)...)
	s := SummarizeCGM(series(values...), all, adults, CGMSufficiency)
	if s.InRange != 70 || s.Checks[0].Met {
		t.Errorf("time in range %v met %v; want 70, not met", s.InRange, s.Checks[0].Met)
	}

	// Exactly 4 % below 70 is not less than 4 %.
	values = append(repeat(120, 24), 65)
	s = SummarizeCGM(series(values...), all, adults, CGMSufficiency)
	if s.Below != 4 || s.Checks[1].Met || s.Checks[1].Name != "time below 70 mg/dL" {
		t.Errorf("below %v check %+v; want 4, not met", s.Below, s.Checks[1])
	}
	values = append(repeat(120, 25), 65)
	s = SummarizeCGM(series(values...), all, adults, CGMSufficiency)
	if !s.Checks[1].Met {
		t.Errorf("below %v not met", s.Below)
	}
}

func TestConsensusTargets(t *testing.T) {
	tests := []struct {
		p     Population
		names []string
	}{
		{AdultsT1DT2D, []string{"time in range 70–180 mg/dL", "time below 70 mg/dL", "time below 54 mg/dL",
			"time above 180 mg/dL", "time above 250 mg/dL", "coefficient of variation"}},
		{OlderHighRisk, []string{"time in range 70–180 mg/dL", "time below 70 mg/dL",
			"time above 250 mg/dL", "coefficient of variation"}},
		{PregnancyT1D, []string{"time in range 63–140 mg/dL", "time below 63 mg/dL", "time below 54 mg/dL",
			"time above 140 mg/dL", "coefficient of variation"}},
	}
	for _, tt := range tests {
		s := SummarizeCGM(series(100), Period{day0, day0.Add(time.Hour)}, targets(t, tt.p), CGMSufficiency)
		if len(s.Checks) != len(tt.names) {
			t.Errorf("population %d: %d checks, want %d: %+v", tt.p, len(s.Checks), len(tt.names), s.Checks)
			continue
		}
		for i, c := range s.Checks {
			if c.Name != tt.names[i] {
				t.Errorf("population %d check %d = %q, want %q", tt.p, i, c.Name, tt.names[i])
			}
		}
	}

	older := targets(t, OlderHighRisk)
	if older.InRangeOver != 50 || older.BelowUnder != 1 || older.VeryHighUnder != 10 {
		t.Errorf("older or high-risk targets %+v", older)
	}
	// 55 % in range meets the older adults' goal but not the others'.
	values := append(repeat(120, 11), repeat(200, 9)...)
	all := Period{day0, day0.Add(time.Hour * 2)}
	if s := SummarizeCGM(series(values...), all, older, CGMSufficiency); !s.Checks[0].Met {
		t.Error("55 % in range should meet the older adults' goal")
	}
	if s := SummarizeCGM(series(values...), all, targets(t, AdultsT1DT2D), CGMSufficiency); s.Checks[0].Met {
		t.Error("55 % in range should not meet the adults' goal")
	}
	if _, ok := ConsensusTargets(Population(9)); ok {
		t.Error("unknown population has targets")
	}
}

func TestCGMSufficiency(t *testing.T) {
	fourteen := Period{day0, day0.AddDate(0, 0, 14)}
	slots := 14 * 288
	every := func(keep func(i int) bool) []GlucoseReading {
		var readings []GlucoseReading
		for i := range slots {
			if keep(i) {
				readings = append(readings, GlucoseReading{Time: day0.Add(time.Duration(i) * 5 * time.Minute), Value: 120})
			}
		}
		return readings
	}
	strict75 := Sufficiency{Days: 14, Interval: 5 * time.Minute, MinActive: 75}
	tests := []struct {
		name       string
		readings   []GlucoseReading
		period     Period
		rule       Sufficiency
		active     float64
		days       int
		sufficient bool
	}{
		{"all of 14 days", every(func(int) bool { return true }), fourteen, CGMSufficiency, 100, 14, true},
		{"75 %", every(func(i int) bool { return i%4 < 3 }), fourteen, CGMSufficiency, 75, 14, true},
		{"75 % is not more than 75 %", every(func(i int) bool { return i%4 < 3 }), fourteen, strict75, 75, 14, false},
		{"13 days", every(func(i int) bool { return i < 13*288 }), Period{day0, day0.AddDate(0, 0, 13)}, CGMSufficiency, 100, 13, false},
		{"first 7 of 14 days", every(func(i int) bool { return i < 7*288 }), fourteen, CGMSufficiency, 50, 14, false},
		{"nothing", nil, fourteen, CGMSufficiency, 0, 14, false},
		{"no interval", every(func(int) bool { return true }), fourteen, Sufficiency{Days: 14}, 0, 14, false},
	}
	for _, tt := range tests {
		s := SummarizeCGM(tt.readings, tt.period, targets(t, AdultsT1DT2D), tt.rule)
		if !near(s.Active, tt.active) || s.Days != tt.days || s.Sufficient != tt.sufficient {
			t.Errorf("%s: active %v days %d sufficient %v; want %v %d %v",
				tt.name, s.Active, s.Days, s.Sufficient, tt.active, tt.days, tt.sufficient)
		}
	}
}

func TestCGMSufficiencyDetails(t *testing.T) {
	// A sensor reading every minute fills each 5-minute slot once.
	var readings []GlucoseReading
	for i := range 24 * 60 {
		readings = append(readings, GlucoseReading{Time: day0.Add(time.Duration(i) * time.Minute), Value: 110})
	}
	oneDay := Period{day0, day0.Add(24 * time.Hour)}
	s := SummarizeCGM(readings, oneDay, targets(t, AdultsT1DT2D), Sufficiency{Days: 1, Interval: 5 * time.Minute, MinActive: 70})
	if s.Active != 100 || !s.Sufficient || s.Count != 1440 {
		t.Errorf("one-minute sensor: active %v sufficient %v count %d", s.Active, s.Sufficient, s.Count)
	}

	// Fourteen local days across a change to summer time are 335 hours.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 20, 0, 0, 0, 0, london)
	period := Period{from, from.AddDate(0, 0, 14)}
	if h := period.To.Sub(period.From).Hours(); h != 335 {
		t.Fatalf("period is %v hours", h)
	}
	var all []GlucoseReading
	for t := period.From; t.Before(period.To); t = t.Add(5 * time.Minute) {
		all = append(all, GlucoseReading{Time: t, Value: 120})
	}
	s = SummarizeCGM(all, period, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.Days != 14 || s.Active != 100 || !s.Sufficient {
		t.Errorf("across summer time: days %d active %v sufficient %v", s.Days, s.Active, s.Sufficient)
	}
}

func TestCGMLeavesOut(t *testing.T) {
	readings := []GlucoseReading{
		{day0.Add(-time.Minute), 40},            // before the period
		{day0, 100},                             // first instant: in
		{day0.Add(time.Hour - time.Second), 80}, // last second: in
		{day0.Add(time.Hour), 400},              // the end is not in the period
		{day0.Add(time.Minute), math.NaN()},
		{day0.Add(2 * time.Minute), math.Inf(1)},
	}
	s := SummarizeCGM(readings, Period{day0, day0.Add(time.Hour)}, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.Count != 2 || s.Mean != 90 || s.InRange != 100 {
		t.Errorf("count %d mean %v in range %v; want 2, 90, 100", s.Count, s.Mean, s.InRange)
	}

	s = SummarizeCGM(nil, Period{day0, day0.Add(time.Hour)}, targets(t, AdultsT1DT2D), CGMSufficiency)
	if s.Count != 0 || s.TargetsMet || s.Sufficient || s.Checks != nil || s.Mean != 0 {
		t.Errorf("no readings: %+v", s)
	}
}
