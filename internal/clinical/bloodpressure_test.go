package clinical

import (
	"math"
	"testing"
)

func TestClassifyACC(t *testing.T) {
	tests := []struct {
		sys, dia float64
		want     ACCCategory
	}{
		{90, 60, ACCNormal},
		{119, 79, ACCNormal},
		{120, 79, ACCElevated},
		{129, 79, ACCElevated},
		{119, 80, ACCStage1},
		{129, 80, ACCStage1}, // elevated systolic, stage 1 diastolic: the higher wins
		{130, 70, ACCStage1},
		{139, 89, ACCStage1},
		{140, 70, ACCStage2},
		{110, 90, ACCStage2},
		{180, 120, ACCStage2},
		{181, 80, ACCCrisis},
		{120, 121, ACCCrisis},
		{200, 130, ACCCrisis},

		// Rounded to whole mmHg before comparing.
		{119.4, 79.4, ACCNormal},
		{119.5, 70, ACCElevated},
		{129.49, 70, ACCElevated},
		{129.5, 70, ACCStage1},
		{180.4, 80, ACCStage2},
		{180.5, 80, ACCCrisis},
		{120, 120.5, ACCCrisis},
		{math.NaN(), 80, ACCCrisis}, // never reassuring
	}
	for _, tt := range tests {
		if got := ClassifyACC(tt.sys, tt.dia); got != tt.want {
			t.Errorf("ClassifyACC(%v, %v) = %v, want %v", tt.sys, tt.dia, got, tt.want)
		}
		if got, want := HypertensiveCrisis(tt.sys, tt.dia), tt.want == ACCCrisis; got != want {
			t.Errorf("HypertensiveCrisis(%v, %v) = %v, want %v", tt.sys, tt.dia, got, want)
		}
	}
}

func TestClassifyESC(t *testing.T) {
	tests := []struct {
		sys, dia float64
		want     ESCCategory
		isolated bool
	}{
		{110, 70, ESCOptimal, false},
		{119, 79, ESCOptimal, false},
		{120, 79, ESCNormal, false},
		{119, 80, ESCNormal, false},
		{129, 84, ESCNormal, false},
		{130, 84, ESCHighNormal, false},
		{129, 85, ESCHighNormal, false},
		{139, 89, ESCHighNormal, false},
		{140, 80, ESCGrade1, true},
		{139, 90, ESCGrade1, false},
		{159, 99, ESCGrade1, false},
		{160, 99, ESCGrade2, false},
		{159, 100, ESCGrade2, false},
		{179, 109, ESCGrade2, false},
		{180, 109, ESCGrade3, false},
		{179, 110, ESCGrade3, false},
		{165, 89, ESCGrade2, true},
		{165, 90, ESCGrade2, false},
		{185, 70, ESCGrade3, true},
		{139, 60, ESCHighNormal, false},
		{139.5, 89.4, ESCGrade1, true},
	}
	for _, tt := range tests {
		got := ClassifyESC(tt.sys, tt.dia)
		if got.Category != tt.want || got.IsolatedSystolic != tt.isolated {
			t.Errorf("ClassifyESC(%v, %v) = %v, %v; want %v, %v",
				tt.sys, tt.dia, got.Category, got.IsolatedSystolic, tt.want, tt.isolated)
		}
	}
	if got := ClassifyESC(165, 85).String(); got != "isolated systolic hypertension (grade 2 hypertension)" {
		t.Errorf("String() = %q", got)
	}
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		threshold Threshold
		sys, dia  float64
		want      bool
	}{
		{HomeThreshold, 134, 84, false},
		{HomeThreshold, 135, 84, true},
		{HomeThreshold, 134, 85, true},
		{HomeThreshold, 134.4, 84.4, false},
		{HomeThreshold, 134.5, 80, true},
		{HomeThreshold, 120, 84.5, true},
		{AmbulatoryThreshold, 129, 79, false},
		{AmbulatoryThreshold, 130, 79, true},
		{AmbulatoryThreshold, 129, 80, true},
	}
	for _, tt := range tests {
		if got := tt.threshold.Reached(tt.sys, tt.dia); got != tt.want {
			t.Errorf("%v.Reached(%v, %v) = %v, want %v", tt.threshold, tt.sys, tt.dia, got, tt.want)
		}
	}
}

func TestCategoryStrings(t *testing.T) {
	if ACCStage2.String() != "stage 2 hypertension" || ESCHighNormal.String() != "high-normal" ||
		HyperLevel2.String() != "hyperglycaemia level 2" {
		t.Error("unexpected category names")
	}
}
