package clinical

import "fmt"

// ACCCategory is an office blood pressure category of the ACC/AHA 2017
// guideline (Whelton et al., Hypertension 2018;71:1269).
type ACCCategory int

// The ACC/AHA 2017 categories, lowest first.
const (
	ACCNormal   ACCCategory = iota // <120 and <80
	ACCElevated                    // 120–129 and <80
	ACCStage1                      // 130–139 or 80–89
	ACCStage2                      // ≥140 or ≥90
	ACCCrisis                      // >180 and/or >120
)

// String returns the category as the guideline names it.
func (c ACCCategory) String() string {
	switch c {
	case ACCNormal:
		return "normal"
	case ACCElevated:
		return "elevated"
	case ACCStage1:
		return "stage 1 hypertension"
	case ACCStage2:
		return "stage 2 hypertension"
	case ACCCrisis:
		return "hypertensive crisis"
	}
	return fmt.Sprintf("ACCCategory(%d)", int(c))
}

var (
	accSystolic  = []cut[ACCCategory]{{119, ACCNormal}, {129, ACCElevated}, {139, ACCStage1}, {180, ACCStage2}, {above, ACCCrisis}}
	accDiastolic = []cut[ACCCategory]{{79, ACCNormal}, {89, ACCStage1}, {120, ACCStage2}, {above, ACCCrisis}}
)

// ClassifyACC returns the ACC/AHA 2017 category of an office blood
// pressure in mmHg: the higher of the categories its systolic and its
// diastolic fall in. A diastolic alone never makes a pressure elevated.
func ClassifyACC(systolic, diastolic float64) ACCCategory {
	return max(classify(systolic, accSystolic), classify(diastolic, accDiastolic))
}

// HypertensiveCrisis reports whether a pressure is above 180 systolic
// and/or above 120 diastolic mmHg (ACC/AHA 2017), an urgent flag whichever
// guideline classifies the pressure.
func HypertensiveCrisis(systolic, diastolic float64) bool {
	return ClassifyACC(systolic, diastolic) == ACCCrisis
}

// ESCCategory is an office blood pressure category of the ESC/ESH 2018
// guideline (Williams et al., Eur Heart J 2018;39:3021).
type ESCCategory int

// The ESC/ESH 2018 categories, lowest first.
const (
	ESCOptimal    ESCCategory = iota // <120 and <80
	ESCNormal                        // 120–129 and/or 80–84
	ESCHighNormal                    // 130–139 and/or 85–89
	ESCGrade1                        // 140–159 and/or 90–99
	ESCGrade2                        // 160–179 and/or 100–109
	ESCGrade3                        // ≥180 and/or ≥110
)

// String returns the category as the guideline names it.
func (c ESCCategory) String() string {
	switch c {
	case ESCOptimal:
		return "optimal"
	case ESCNormal:
		return "normal"
	case ESCHighNormal:
		return "high-normal"
	case ESCGrade1:
		return "grade 1 hypertension"
	case ESCGrade2:
		return "grade 2 hypertension"
	case ESCGrade3:
		return "grade 3 hypertension"
	}
	return fmt.Sprintf("ESCCategory(%d)", int(c))
}

// ESCClass is a pressure classified by the ESC/ESH 2018 guideline.
type ESCClass struct {
	Category ESCCategory
	// IsolatedSystolic is set for systolic ≥140 with diastolic <90; the
	// guideline grades it 1, 2 or 3 by the systolic alone, which is what
	// Category then holds.
	IsolatedSystolic bool
}

// String returns the class as the guideline names it, marking isolated
// systolic hypertension.
func (c ESCClass) String() string {
	if c.IsolatedSystolic {
		return fmt.Sprintf("isolated systolic hypertension (%s)", c.Category)
	}
	return c.Category.String()
}

var (
	escSystolic  = []cut[ESCCategory]{{119, ESCOptimal}, {129, ESCNormal}, {139, ESCHighNormal}, {159, ESCGrade1}, {179, ESCGrade2}, {above, ESCGrade3}}
	escDiastolic = []cut[ESCCategory]{{79, ESCOptimal}, {84, ESCNormal}, {89, ESCHighNormal}, {99, ESCGrade1}, {109, ESCGrade2}, {above, ESCGrade3}}
)

// ClassifyESC returns the ESC/ESH 2018 class of an office blood pressure in
// mmHg: the higher of the categories its systolic and its diastolic fall
// in, and whether it is isolated systolic hypertension.
func ClassifyESC(systolic, diastolic float64) ESCClass {
	return ESCClass{
		Category:         max(classify(systolic, escSystolic), classify(diastolic, escDiastolic)),
		IsolatedSystolic: whole(systolic) >= 140 && whole(diastolic) < 90,
	}
}

// Threshold is an out-of-office blood pressure threshold in mmHg: a mean
// reaches it when its systolic or its diastolic is at or above it.
type Threshold struct {
	Systolic, Diastolic float64
}

// The ESC/ESH 2018 out-of-office thresholds for hypertension. Callers may
// use their own Threshold for a patient or a programme.
var (
	HomeThreshold       = Threshold{Systolic: 135, Diastolic: 85}
	AmbulatoryThreshold = Threshold{Systolic: 130, Diastolic: 80} // 24-hour mean
)

// Reached reports whether a pressure, rounded to whole mmHg, is at or above
// the threshold in systolic or in diastolic.
func (t Threshold) Reached(systolic, diastolic float64) bool {
	return whole(systolic) >= t.Systolic || whole(diastolic) >= t.Diastolic
}
