package clinical

import (
	"math"
	"time"
)

// Period is a span of time, From inclusive and To exclusive.
type Period struct {
	From, To time.Time
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.From) && t.Before(p.To)
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// sampleSD is the standard deviation of a sample (dividing by n−1), or 0
// for fewer than two values.
func sampleSD(xs []float64, mean float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var squares float64
	for _, x := range xs {
		squares += (x - mean) * (x - mean)
	}
	return math.Sqrt(squares / float64(len(xs)-1))
}

// percentile returns the p-th percentile (0–100) of sorted values,
// interpolating linearly between the two nearest ranks (the method of
// spreadsheet PERCENTILE.INC and of R's default, type 7).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(rank))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (rank-float64(lo))*(sorted[lo+1]-sorted[lo])
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
