package clinical

import "testing"

func TestClassifyGlucose(t *testing.T) {
	tests := []struct {
		mgdl float64
		want GlucoseLevel
	}{
		{20, HypoLevel2},
		{53, HypoLevel2},
		{53.4, HypoLevel2},
		{53.5, HypoLevel1},
		{54, HypoLevel1},
		{69, HypoLevel1},
		{69.5, InRange},
		{70, InRange},
		{180, InRange},
		{180.4, InRange},
		{180.5, HyperLevel1},
		{181, HyperLevel1},
		{250, HyperLevel1},
		{251, HyperLevel2},
		{600, HyperLevel2},
	}
	for _, tt := range tests {
		if got := ClassifyGlucose(tt.mgdl); got != tt.want {
			t.Errorf("ClassifyGlucose(%v) = %v, want %v", tt.mgdl, got, tt.want)
		}
	}
}
