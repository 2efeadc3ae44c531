package clinical

import (
	"math"
	"testing"
	"time"
)

func TestSummarizeWeight(t *testing.T) {
	day := func(d float64) time.Time {
		return time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(d * 24 * float64(time.Hour)))
	}
	period := Period{day(0), day(28)}

	// 0.5 kg lost each week, weighed every morning, given out of order,
	// with a reading before the period and one that is not a number.
	var rs []WeightReading
	for d := 27; d >= 0; d-- {
		rs = append(rs, WeightReading{day(float64(d)), 90 - 0.5*float64(d)/7})
	}
	rs = append(rs, WeightReading{day(-1), 200}, WeightReading{day(3.5), math.NaN()})
	w := SummarizeWeight(rs, period)
	if w.Count != 28 || w.First.Value != 90 || !w.First.Time.Equal(day(0)) || !near(w.Latest.Value, 90-0.5*27/7.0) {
		t.Errorf("count %d first %+v latest %+v", w.Count, w.First, w.Latest)
	}
	if !w.HasChange || !near(w.Change, -0.5*27/7.0) || !near(w.ChangePercent, 100*(-0.5*27/7.0)/90) {
		t.Errorf("change %v (%v %%)", w.Change, w.ChangePercent)
	}
	if !w.HasRate || !near(w.PerWeek, -0.5) || !near(w.SpanDays, 27) {
		t.Errorf("rate %v over %v days", w.PerWeek, w.SpanDays)
	}
	if !near(w.Min, 90-0.5*27/7.0) || w.Max != 90 {
		t.Errorf("min %v max %v", w.Min, w.Max)
	}

	// One heavy reading at the end moves the change, much less the rate.
	rs = append(rs, WeightReading{day(27.5), 93})
	w = SummarizeWeight(rs, period)
	if !near(w.Change, 3) || w.PerWeek > -0.2 || w.PerWeek < -0.5 {
		t.Errorf("outlier: change %v, rate %v", w.Change, w.PerWeek)
	}

	// Six days apart: a change, but no weekly rate.
	w = SummarizeWeight([]WeightReading{{day(0), 80}, {day(6), 79}}, period)
	if !w.HasChange || w.Change != -1 || w.HasRate {
		t.Errorf("six days: %+v", w)
	}
	// One reading: no change.
	w = SummarizeWeight([]WeightReading{{day(2), 80}}, period)
	if w.Count != 1 || w.HasChange || w.Mean != 80 {
		t.Errorf("one reading: %+v", w)
	}
	if w := SummarizeWeight(nil, period); w.Count != 0 || w.HasChange || w.Min != 0 {
		t.Errorf("none: %+v", w)
	}
}

func TestGMI(t *testing.T) {
	// The published examples: a mean of 154 mg/dL gives 7.0 %, 183 gives 7.7 %.
	for mean, want := range map[float64]float64{154: 6.99, 183: 7.69, 100: 5.70} {
		if got := GMI(mean); math.Abs(got-want) > 0.01 {
			t.Errorf("GMI(%v) = %.3f, want %.2f", mean, got, want)
		}
	}
}
