package clinical

import (
	"fmt"
	"math"
	"time"
)

// GlucoseReading is one glucose value and the time it was taken.
type GlucoseReading struct {
	Time  time.Time
	Value float64 // mg/dL
}

// Population selects a set of consensus CGM targets.
type Population int

// The populations of the 2019 international consensus on time in range
// (Battelino et al., Diabetes Care 2019;42:1593).
const (
	AdultsT1DT2D  Population = iota // adults with type 1 or type 2 diabetes
	OlderHighRisk                   // older or high-risk adults
	PregnancyT1D                    // pregnancy with type 1 diabetes
)

// Targets are goals for the share of CGM readings in, below and above
// ranges, and for glucose variability. Percentages are of readings;
// a limit of zero means the population has no such target.
type Targets struct {
	Name      string
	Low, High float64 // the target range, mg/dL, inclusive

	InRangeOver   float64 // % in Low–High must be more than this
	BelowUnder    float64 // % below Low (very low included) must be less than this
	VeryLowUnder  float64 // % below 54 mg/dL must be less than this
	AboveUnder    float64 // % above High (very high included) must be less than this
	VeryHighUnder float64 // % above 250 mg/dL must be less than this
	CVAtMost      float64 // coefficient of variation, %, must be at most this
}

// ConsensusTargets returns the consensus targets for a population, and
// false for an unknown one. Every population gets the consensus's
// variability goal, a coefficient of variation of 36 % or less.
func ConsensusTargets(p Population) (Targets, bool) {
	switch p {
	case AdultsT1DT2D:
		return Targets{
			Name: "type 1 or type 2 diabetes", Low: 70, High: 180,
			InRangeOver: 70, BelowUnder: 4, VeryLowUnder: 1, AboveUnder: 25, VeryHighUnder: 5, CVAtMost: 36,
		}, true
	case OlderHighRisk:
		return Targets{
			Name: "older or high-risk", Low: 70, High: 180,
			InRangeOver: 50, BelowUnder: 1, VeryHighUnder: 10, CVAtMost: 36,
		}, true
	case PregnancyT1D:
		return Targets{
			Name: "pregnancy, type 1 diabetes", Low: 63, High: 140,
			InRangeOver: 70, BelowUnder: 4, VeryLowUnder: 1, AboveUnder: 25, CVAtMost: 36,
		}, true
	}
	return Targets{}, false
}

// Sufficiency is the rule for whether CGM data cover a period well enough
// to be summarised: the period spans at least Days days, and more than
// MinActive % of its Interval-long slots hold a reading.
type Sufficiency struct {
	Days      int
	Interval  time.Duration // the sensor's reading interval
	MinActive float64       // %
}

// CGMSufficiency is the consensus rule: 14 days with the sensor active more
// than 70 % of the time, for a sensor reading every 5 minutes.
var CGMSufficiency = Sufficiency{Days: 14, Interval: 5 * time.Minute, MinActive: 70}

// Check is one target met or missed.
type Check struct {
	Name  string  // "time in range 70–180 mg/dL"
	Value float64 // %
	Goal  string  // "> 70 %"
	Met   bool
}

// CGMSummary summarises the glucose readings of a period.
type CGMSummary struct {
	Period Period
	Count  int     // readings in the period
	Mean   float64 // mg/dL
	SD     float64 // standard deviation of the readings (a sample's, n−1), mg/dL
	CV     float64 // coefficient of variation, SD / Mean, %

	// Shares of the readings, %. Below includes VeryLow, and Above
	// includes VeryHigh, as the consensus counts them.
	InRange  float64 // Low–High of the targets
	Below    float64 // under Low
	VeryLow  float64 // under 54 mg/dL
	Above    float64 // over High
	VeryHigh float64 // over 250 mg/dL

	Days       int     // days the period spans
	Active     float64 // % of the period's reading slots that hold a reading
	Sufficient bool    // the data meet the sufficiency rule

	Checks     []Check // the targets, in the consensus's order
	TargetsMet bool    // there were readings and every check is met
}

// SummarizeCGM summarises the readings that fall in a period against a set
// of targets, and judges whether they are enough by the given rule.
// Readings outside the period, or whose value is not a finite number, are
// left out. Each reading is rounded to a whole mg/dL before it is counted
// in or out of a range.
func SummarizeCGM(readings []GlucoseReading, period Period, targets Targets, rule Sufficiency) CGMSummary {
	s := CGMSummary{Period: period}
	var values []float64
	slots := map[int64]bool{}
	for _, r := range readings {
		if !period.Contains(r.Time) || !isFinite(r.Value) {
			continue
		}
		values = append(values, r.Value)
		if rule.Interval > 0 {
			slots[int64(r.Time.Sub(period.From)/rule.Interval)] = true
		}
	}

	span := period.To.Sub(period.From)
	s.Days = int(math.Round(span.Hours() / 24)) // a day of a daylight-saving change still counts as one
	if rule.Interval > 0 && span > 0 {
		possible := math.Ceil(float64(span) / float64(rule.Interval))
		s.Active = 100 * float64(len(slots)) / possible
	}
	s.Sufficient = len(values) > 0 && s.Days >= rule.Days && s.Active > rule.MinActive+tolerance

	s.Count = len(values)
	if s.Count == 0 {
		return s
	}
	s.Mean = mean(values)
	s.SD = sampleSD(values, s.Mean)
	s.CV = 100 * s.SD / s.Mean

	share := func(in func(v float64) bool) float64 {
		n := 0
		for _, v := range values {
			if in(whole(v)) {
				n++
			}
		}
		return 100 * float64(n) / float64(s.Count)
	}
	s.InRange = share(func(v float64) bool { return v >= targets.Low && v <= targets.High })
	s.Below = share(func(v float64) bool { return v < targets.Low })
	s.VeryLow = share(func(v float64) bool { return v < GlucoseVeryLow })
	s.Above = share(func(v float64) bool { return v > targets.High })
	s.VeryHigh = share(func(v float64) bool { return v > GlucoseVeryHigh })

	s.Checks = checks(s, targets)
	s.TargetsMet = true
	for _, c := range s.Checks {
		s.TargetsMet = s.TargetsMet && c.Met
	}
	return s
}

// tolerance is how close to a goal's limit a value counts as equal to it,
// so that arithmetic noise (a CV of 36.00000000000001) cannot decide a goal.
const tolerance = 1e-9

func checks(s CGMSummary, t Targets) []Check {
	var list []Check
	add := func(name string, value, limit float64, goal string, met bool) {
		if limit > 0 {
			list = append(list, Check{Name: name, Value: value, Goal: fmt.Sprintf(goal, limit), Met: met})
		}
	}
	more := func(name string, value, limit float64) {
		add(name, value, limit, "> %g %%", value > limit+tolerance)
	}
	less := func(name string, value, limit float64) {
		add(name, value, limit, "< %g %%", value < limit-tolerance)
	}
	more(fmt.Sprintf("time in range %g–%g mg/dL", t.Low, t.High), s.InRange, t.InRangeOver)
	less(fmt.Sprintf("time below %g mg/dL", t.Low), s.Below, t.BelowUnder)
	less(fmt.Sprintf("time below %d mg/dL", GlucoseVeryLow), s.VeryLow, t.VeryLowUnder)
	less(fmt.Sprintf("time above %g mg/dL", t.High), s.Above, t.AboveUnder)
	less(fmt.Sprintf("time above %d mg/dL", GlucoseVeryHigh), s.VeryHigh, t.VeryHighUnder)
	add("coefficient of variation", s.CV, t.CVAtMost, "≤ %g %%", s.CV <= t.CVAtMost+tolerance)
	return list
}

// GMI returns the glucose management indicator, in %, for a mean glucose
// in mg/dL: the HbA1c that mean would predict (Bergenstal et al., Diabetes
// Care 2018;41:2275): 3.31 + 0.02392 × mean. The consensus reports it only
// over sufficient CGM data.
func GMI(meanMgdl float64) float64 {
	return 3.31 + 0.02392*meanMgdl
}
