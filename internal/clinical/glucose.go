package clinical

import "fmt"

// Glucose thresholds of the ADA Standards of Care, in mg/dL.
const (
	GlucoseVeryLow  = 54  // below: hypoglycaemia level 2 (3.0 mmol/L)
	GlucoseLow      = 70  // below: hypoglycaemia level 1 (3.9 mmol/L)
	GlucoseHigh     = 180 // above: hyperglycaemia level 1 (10.0 mmol/L)
	GlucoseVeryHigh = 250 // above: hyperglycaemia level 2 (13.9 mmol/L)
)

// GlucoseLevel is the level of one glucose reading.
type GlucoseLevel int

// The glucose levels, lowest first.
const (
	HypoLevel2  GlucoseLevel = iota // <54 mg/dL
	HypoLevel1                      // 54–69 mg/dL
	InRange                         // 70–180 mg/dL
	HyperLevel1                     // 181–250 mg/dL
	HyperLevel2                     // >250 mg/dL
)

// String returns the level as the ADA names it.
func (l GlucoseLevel) String() string {
	switch l {
	case HypoLevel2:
		return "hypoglycaemia level 2"
	case HypoLevel1:
		return "hypoglycaemia level 1"
	case InRange:
		return "in range"
	case HyperLevel1:
		return "hyperglycaemia level 1"
	case HyperLevel2:
		return "hyperglycaemia level 2"
	}
	return fmt.Sprintf("GlucoseLevel(%d)", int(l))
}

var glucoseLevels = []cut[GlucoseLevel]{
	{GlucoseVeryLow - 1, HypoLevel2},
	{GlucoseLow - 1, HypoLevel1},
	{GlucoseHigh, InRange},
	{GlucoseVeryHigh, HyperLevel1},
	{above, HyperLevel2},
}

// ClassifyGlucose returns the level of a glucose reading in mg/dL, rounded
// to a whole mg/dL first.
func ClassifyGlucose(mgdl float64) GlucoseLevel {
	return classify(mgdl, glucoseLevels)
}
