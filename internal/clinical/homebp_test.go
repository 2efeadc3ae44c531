package clinical

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the tests' time zones, whatever the machine has
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSummarizeHomeBP(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, 11, day, hour, minute, 0, 0, ny).UTC() // stored in UTC, as a database would
	}
	readings := []BPReading{
		{at(15, 23, 59), 190, 110}, // the day before the seven: out
		{at(16, 0, 0), 150, 95},    // first instant: overall only
		{at(17, 4, 0), 140, 90},    // morning opens at 04:00
		{at(18, 11, 59), 130, 80},  // morning
		{at(18, 12, 0), 120, 70},   // noon: overall only
		{at(19, 18, 0), 126, 78},   // evening opens at 18:00
		{at(20, 3, 59), 110, 70},   // small hours: overall only
		{at(22, 23, 59), 124, 76},  // evening, today
		{at(23, 0, 0), 200, 120},   // tomorrow: out
		{at(21, 9, 0), math.NaN(), 80},
	}
	now := time.Date(2026, 11, 22, 20, 0, 0, 0, ny)

	s := SummarizeHomeBP(readings, now, ny, HomeThreshold)

	if !s.Period.From.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, ny)) || !s.Period.To.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, ny)) {
		t.Errorf("period %v – %v", s.Period.From, s.Period.To)
	}
	tests := []struct {
		name     string
		got      BPMean
		sys, dia float64
		count    int
		reaches  bool
	}{
		{"all", s.All, 900.0 / 7, 559.0 / 7, 7, false},
		{"morning", s.Morning, 135, 85, 2, true},
		{"evening", s.Evening, 125, 77, 2, false},
	}
	for _, tt := range tests {
		if !near(tt.got.Systolic, tt.sys) || !near(tt.got.Diastolic, tt.dia) || tt.got.Count != tt.count || tt.got.ReachesThreshold != tt.reaches {
			t.Errorf("%s = %+v; want %v/%v from %d, reaches %v", tt.name, tt.got, tt.sys, tt.dia, tt.count, tt.reaches)
		}
	}
}

func TestSummarizeHomeBPThreshold(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		readings []BPReading
		reaches  bool
	}{
		{"below", []BPReading{{now, 134, 84}}, false},
		{"systolic at", []BPReading{{now, 135, 80}}, true},
		{"diastolic at", []BPReading{{now, 120, 85}}, true},
		{"mean 134.5 rounds up", []BPReading{{now, 134, 80}, {now, 135, 80}}, true},
		{"mean 134.33 rounds down", []BPReading{{now, 134, 80}, {now, 134, 80}, {now, 135, 80}}, false},
		{"mean 84.5 rounds up", []BPReading{{now, 120, 84}, {now, 120, 85}}, true},
	}
	for _, tt := range tests {
		s := SummarizeHomeBP(tt.readings, now, nil, HomeThreshold)
		if s.All.ReachesThreshold != tt.reaches {
			t.Errorf("%s: mean %v/%v reaches %v, want %v", tt.name, s.All.Systolic, s.All.Diastolic, s.All.ReachesThreshold, tt.reaches)
		}
	}

	// A programme may set its own threshold.
	s := SummarizeHomeBP([]BPReading{{now, 131, 70}}, now, time.UTC, Threshold{Systolic: 130, Diastolic: 80})
	if !s.All.ReachesThreshold {
		t.Error("custom threshold ignored")
	}

	s = SummarizeHomeBP(nil, now, time.UTC, HomeThreshold)
	if s.All != (BPMean{}) || s.Morning != (BPMean{}) || s.Evening != (BPMean{}) {
		t.Errorf("no readings: %+v", s)
	}
}

func TestSummarizeHomeBPAcrossSummerTime(t *testing.T) {
	ny := mustLoad(t, "America/New_York") // clocks went forward on 8 March 2026
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, ny)
	readings := []BPReading{
		{time.Date(2026, 3, 4, 0, 30, 0, 0, ny), 120, 80},  // first day, before summer time
		{time.Date(2026, 3, 3, 23, 30, 0, 0, ny), 200, 99}, // the day before: out
		{time.Date(2026, 3, 9, 7, 30, 0, 0, ny), 140, 90},  // 07:30 summer time is morning
		{time.Date(2026, 3, 5, 19, 0, 0, 0, ny), 130, 84},  // 19:00 winter time is evening
	}
	s := SummarizeHomeBP(readings, now, ny, HomeThreshold)
	if !s.Period.From.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, ny)) {
		t.Errorf("from %v", s.Period.From)
	}
	if s.All.Count != 3 || s.Morning.Count != 1 || s.Morning.Systolic != 140 || s.Evening.Count != 1 || s.Evening.Systolic != 130 {
		t.Errorf("summary %+v", s)
	}
}

func TestHomeBPSufficiency(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	now := time.Date(2026, 11, 22, 21, 0, 0, 0, tokyo)
	// n readings a day, morning and evening, on the given days before today.
	week := func(perDay int, daysAgo ...int) []BPReading {
		var rs []BPReading
		for _, d := range daysAgo {
			for i := range perDay {
				hour := 7
				if i%2 == 1 {
					hour = 20
				}
				rs = append(rs, BPReading{time.Date(2026, 11, 22-d, hour, i, 0, 0, tokyo), 128, 80})
			}
		}
		return rs
	}
	tests := []struct {
		name       string
		readings   []BPReading
		days       int
		sufficient bool
	}{
		{"none", nil, 0, false},
		{"twelve on three days", week(4, 0, 1, 2), 3, true},
		{"twelve on two days", week(6, 0, 1), 2, false},
		{"eleven on seven days", week(2, 0, 1, 2, 3, 4, 5)[:11], 6, false},
		{"fourteen on seven days", week(2, 0, 1, 2, 3, 4, 5, 6), 7, true},
		// 23:30 in Tokyo is 14:30 UTC: days are counted on the patient's calendar.
		{"late evenings", []BPReading{
			{time.Date(2026, 11, 20, 23, 30, 0, 0, tokyo), 1, 1}, {time.Date(2026, 11, 21, 0, 30, 0, 0, tokyo), 1, 1},
		}, 2, false},
	}
	for _, tt := range tests {
		s := SummarizeHomeBP(tt.readings, now, tokyo, HomeThreshold)
		if s.Days != tt.days || s.Sufficient != tt.sufficient {
			t.Errorf("%s: %d days, sufficient %v; want %d, %v", tt.name, s.Days, s.Sufficient, tt.days, tt.sufficient)
		}
	}
}
