package simulate

import (
	"slices"
	"strings"
	"testing"
)

func TestParseScenarios(t *testing.T) {
	for in, want := range map[string][]Scenario{
		"all":                 Scenarios,
		"news2, missed,news2": {ScenarioMissed, ScenarioNEWS2},
		"out-of-range,all":    Scenarios,
		" out-of-range ":      {ScenarioOutOfRange},
	} {
		got, err := ParseScenarios(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseScenarios(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseScenarios("missed,flood"); err == nil || !strings.Contains(err.Error(), "flood") {
		t.Errorf("an unknown scenario: %v", err)
	}
}
