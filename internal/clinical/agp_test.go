package clinical

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAmbulatoryGlucoseProfile(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	var readings []GlucoseReading
	// 101 readings from 08:00 to 08:59 New York time (13:00 UTC in
	// November), valued 100 to 200 and given in shuffled order.
	for i, v := range rand.New(rand.NewPCG(1, 2)).Perm(101) {
		at := time.Date(2026, 11, 1+i%14, 13, i%60, 0, 0, time.UTC)
		readings = append(readings, GlucoseReading{Time: at, Value: float64(100 + v)})
	}
	// Four readings in the 23:00 hour.
	for i, v := range []float64{40, 10, 30, 20} {
		readings = append(readings, GlucoseReading{Time: time.Date(2026, 11, 2+i, 23, 15, 0, 0, ny), Value: v})
	}
	// One reading at 03:00 local, and one that is not a number.
	readings = append(readings,
		GlucoseReading{Time: time.Date(2026, 11, 3, 3, 0, 0, 0, ny), Value: 95},
		GlucoseReading{Time: time.Date(2026, 11, 3, 3, 5, 0, 0, ny), Value: math.NaN()},
	)

	p := AmbulatoryGlucoseProfile(readings, ny)

	want := map[int]HourProfile{
		8:  {Hour: 8, Count: 101, P5: 105, P25: 125, P50: 150, P75: 175, P95: 195},
		23: {Hour: 23, Count: 4, P5: 11.5, P25: 17.5, P50: 25, P75: 32.5, P95: 38.5},
		3:  {Hour: 3, Count: 1, P5: 95, P25: 95, P50: 95, P75: 95, P95: 95},
	}
	for h, got := range p {
		w, ok := want[h]
		if !ok {
			w = HourProfile{Hour: h}
		}
		if got.Hour != w.Hour || got.Count != w.Count || !near(got.P5, w.P5) || !near(got.P25, w.P25) ||
			!near(got.P50, w.P50) || !near(got.P75, w.P75) || !near(got.P95, w.P95) {
			t.Errorf("hour %d = %+v, want %+v", h, got, w)
		}
	}

	// The same readings seen from UTC fall in other hours: 08:00, 23:15
	// and 03:00 New York time are 13:00, 04:15 and 08:00 UTC.
	utc := AmbulatoryGlucoseProfile(readings, nil)
	if utc[13].Count != 101 || utc[4].Count != 4 || utc[8].Count != 1 || utc[23].Count != 0 {
		t.Errorf("UTC: hours 13, 4, 8, 23 have %d, %d, %d, %d readings; want 101, 4, 1, 0",
			utc[13].Count, utc[4].Count, utc[8].Count, utc[23].Count)
	}
}
