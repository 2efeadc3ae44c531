package clinical

import "math"

// whole rounds v to a whole number, half up. The small tolerance keeps a
// tie that arithmetic left a hair below .5 (a mean of 134.5 computed as
// 134.49999999999997) rounding up as it is written.
func whole(v float64) float64 {
	w := math.Floor(v)
	if v-w >= 0.5-1e-9 {
		w++
	}
	return w
}

// cut is one band of a classification: values up to and including upTo
// fall in class c.
type cut[C any] struct {
	upTo float64
	c    C
}

// classify returns the class of the band v falls in, after rounding v to a
// whole number. The last band must end at infinity.
func classify[C any](v float64, cuts []cut[C]) C {
	v = whole(v)
	for _, b := range cuts {
		if v <= b.upTo {
			return b.c
		}
	}
	return cuts[len(cuts)-1].c
}

var above = math.Inf(1)
