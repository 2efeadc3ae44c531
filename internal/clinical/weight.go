package clinical

import (
	"math"
	"slices"
	"time"
)

// WeightReading is one body weight in kg and the time it was taken.
type WeightReading struct {
	Time  time.Time
	Value float64 // kg
}

// WeightRateMinSpan is the least time between the first and the last
// reading for a weekly rate to be given: over a shorter span, a day's
// swing of water and food would be read as a trend.
const WeightRateMinSpan = 7 * 24 * time.Hour

// WeightTrend is how body weight moved over a period.
type WeightTrend struct {
	Period Period
	Count  int // readings in the period
	// First and Latest are the earliest and the latest reading; Min, Max
	// and Mean are over all of them, kg. All zero when Count is zero.
	First, Latest  WeightReading
	Min, Max, Mean float64
	HasChange      bool    // at least two readings at different times
	Change         float64 // Latest − First, kg
	ChangePercent  float64 // Change as a share of First, %
	HasRate        bool    // the readings span at least WeightRateMinSpan
	PerWeek        float64 // the least-squares slope over every reading, kg per week
	SpanDays       float64 // days from the first reading to the latest
}

// SummarizeWeight summarises the weights taken in a period. The weekly rate
// is the slope of a straight line fitted to every reading, which one odd
// reading at either end moves far less than it moves Change. Readings
// outside the period, or whose value is not a finite number, are left out.
func SummarizeWeight(readings []WeightReading, period Period) WeightTrend {
	w := WeightTrend{Period: period}
	var in []WeightReading
	for _, r := range readings {
		if period.Contains(r.Time) && isFinite(r.Value) {
			in = append(in, r)
		}
	}
	if len(in) == 0 {
		return w
	}
	slices.SortStableFunc(in, func(a, b WeightReading) int { return a.Time.Compare(b.Time) })
	w.Count = len(in)
	w.First, w.Latest = in[0], in[len(in)-1]
	w.Min, w.Max = math.Inf(1), math.Inf(-1)
	values := make([]float64, len(in))
	for i, r := range in {
		values[i] = r.Value
		w.Min, w.Max = min(w.Min, r.Value), max(w.Max, r.Value)
	}
	w.Mean = mean(values)
	span := w.Latest.Time.Sub(w.First.Time)
	w.SpanDays = span.Hours() / 24
	if span <= 0 {
		return w
	}
	w.HasChange = true
	w.Change = w.Latest.Value - w.First.Value
	if w.First.Value != 0 {
		w.ChangePercent = 100 * w.Change / w.First.Value
	}
	if span < WeightRateMinSpan {
		return w
	}
	// Least squares with time in weeks since the first reading.
	var sx, sy float64
	xs := make([]float64, len(in))
	for i, r := range in {
		xs[i] = r.Time.Sub(w.First.Time).Hours() / (24 * 7)
		sx += xs[i]
		sy += r.Value
	}
	n := float64(len(in))
	mx, my := sx/n, sy/n
	var sxy, sxx float64
	for i, r := range in {
		sxy += (xs[i] - mx) * (r.Value - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	w.HasRate = true
	w.PerWeek = sxy / sxx
	return w
}
