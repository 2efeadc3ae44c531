package measure

import (
	"slices"
	"strings"
	"testing"
)

// TestCatalogueIsConsistent checks what every entry must satisfy, so that a
// new type cannot be added half-described.
func TestCatalogueIsConsistent(t *testing.T) {
	seenKeys := map[string]bool{}
	seenCodes := map[string]string{}
	claim := func(system, code, owner string) {
		t.Helper()
		if code == "" {
			t.Errorf("%s: empty %s code", owner, system)
			return
		}
		if prev, ok := seenCodes[system+"|"+code]; ok {
			t.Errorf("%s code %s claimed by both %s and %s", system, code, prev, owner)
		}
		seenCodes[system+"|"+code] = owner
	}
	checkQuantity := func(owner string, q Quantity) {
		t.Helper()
		if len(q.Units) == 0 || q.Units[0] != q.Unit {
			t.Errorf("%s: accepted units %v must start with the canonical unit %q", owner, q.Units, q.Unit)
		}
		if len(q.DisplayUnits) == 0 || q.DisplayUnits[0] != q.Unit {
			t.Errorf("%s: display units %v must start with the canonical unit %q", owner, q.DisplayUnits, q.Unit)
		}
		for _, u := range q.DisplayUnits {
			if !slices.Contains(q.Units, u) {
				t.Errorf("%s: display unit %q is not an accepted unit", owner, u)
			}
		}
		if !(q.Min < q.Max) || q.Min <= 0 {
			t.Errorf("%s: plausible range %v–%v", owner, q.Min, q.Max)
		}
	}

	for _, typ := range Types() {
		if seenKeys[typ.Key] {
			t.Errorf("duplicate key %q", typ.Key)
		}
		seenKeys[typ.Key] = true
		if typ.Name == "" || typ.Code.System != SystemLOINC || typ.Code.Display == "" {
			t.Errorf("%s: incomplete name or LOINC coding %+v", typ.Key, typ.Code)
		}
		if typ.Category != CategoryVitalSigns && typ.Category != CategoryLaboratory {
			t.Errorf("%s: category %q", typ.Key, typ.Category)
		}
		claim("loinc", typ.Code.Code, typ.Key)
		for _, c := range typ.AltCodes {
			claim("loinc", c.Code, typ.Key)
		}
		for _, c := range typ.MDC {
			claim("mdc", c.Code, typ.Key)
			if !strings.HasPrefix(c.Display, "MDC_") {
				t.Errorf("%s: MDC reference id %q", typ.Key, c.Display)
			}
		}
		if typ.IsPanel() {
			if typ.Value.Unit != "" {
				t.Errorf("%s: a panel must not describe a single value", typ.Key)
			}
			for _, c := range typ.Components {
				owner := typ.Key + "." + c.Key
				claim("loinc", c.Code.Code, owner)
				claim("mdc", c.MDC.Code, owner)
				checkQuantity(owner, c.Value)
			}
		} else {
			checkQuantity(typ.Key, typ.Value)
		}
	}
	if len(seenKeys) != 8 {
		t.Errorf("catalogue has %d types, want 8", len(seenKeys))
	}
}

func TestCatalogueEntries(t *testing.T) {
	tests := []struct {
		key, loinc, unit, category string
		min, max                   float64
	}{
		{BodyTemperature, "8310-5", "Cel", CategoryVitalSigns, 25, 45},
		{HeartRate, "8867-4", "/min", CategoryVitalSigns, 20, 300},
		{SpO2, "2708-6", "%", CategoryVitalSigns, 40, 100},
		{RespiratoryRate, "9279-1", "/min", CategoryVitalSigns, 2, 100},
		{BloodGlucose, "41653-7", "mg/dL", CategoryLaboratory, 10, 1000},
		{BodyWeight, "29463-7", "kg", CategoryVitalSigns, 0.2, 650},
		{BodyHeight, "8302-2", "cm", CategoryVitalSigns, 20, 280},
	}
	for _, tt := range tests {
		typ, ok := ByKey(tt.key)
		if !ok {
			t.Fatalf("ByKey(%q) not found", tt.key)
		}
		if typ.Code.Code != tt.loinc || typ.Value.Unit != tt.unit || typ.Category != tt.category ||
			typ.Value.Min != tt.min || typ.Value.Max != tt.max {
			t.Errorf("%s = %s %s %s %v–%v, want %s %s %s %v–%v", tt.key,
				typ.Code.Code, typ.Value.Unit, typ.Category, typ.Value.Min, typ.Value.Max,
				tt.loinc, tt.unit, tt.category, tt.min, tt.max)
		}
	}

	bp, _ := ByKey(BloodPressure)
	if bp.Code.Code != "85354-9" || !bp.IsPanel() {
		t.Fatalf("blood pressure = %+v", bp)
	}
	components := []struct {
		key, loinc, mdc string
		required        bool
		min, max        float64
	}{
		{Systolic, "8480-6", "150021", true, 40, 300},
		{Diastolic, "8462-4", "150022", true, 10, 200},
		{Mean, "8478-0", "150023", false, 20, 250},
	}
	for _, want := range components {
		c, ok := bp.Component(want.key)
		if !ok {
			t.Fatalf("blood pressure has no %s", want.key)
		}
		if c.Code.Code != want.loinc || c.MDC.Code != want.mdc || c.Required != want.required ||
			c.Value.Unit != "mm[Hg]" || c.Value.Min != want.min || c.Value.Max != want.max {
			t.Errorf("component %s = %+v", want.key, c)
		}
	}
	if _, ok := bp.Component("pulse"); ok {
		t.Error("blood pressure has a pulse component")
	}
}

func TestByKeyUnknown(t *testing.T) {
	if _, ok := ByKey("Heart_Rate"); ok {
		t.Error("keys are case-sensitive")
	}
	if _, ok := ByKey(""); ok {
		t.Error("empty key found")
	}
}

func TestByLOINC(t *testing.T) {
	tests := []struct {
		code, key, component string
	}{
		{"8310-5", BodyTemperature, ""},
		{"8867-4", HeartRate, ""},
		{"85354-9", BloodPressure, ""},
		{"8480-6", BloodPressure, Systolic},
		{"8462-4", BloodPressure, Diastolic},
		{"8478-0", BloodPressure, Mean},
		{"2708-6", SpO2, ""},
		{"59408-5", SpO2, ""},
		{"9279-1", RespiratoryRate, ""},
		{"41653-7", BloodGlucose, ""},
		{"2339-0", BloodGlucose, ""},
		{"15074-8", BloodGlucose, ""},
		{" 14743-9 ", BloodGlucose, ""},
		{"29463-7", BodyWeight, ""},
		{"8302-2", BodyHeight, ""},
	}
	for _, tt := range tests {
		typ, component, ok := ByLOINC(tt.code)
		if !ok || typ.Key != tt.key || component != tt.component {
			t.Errorf("ByLOINC(%q) = %q, %q, %v; want %q, %q", tt.code, typ.Key, component, ok, tt.key, tt.component)
		}
	}
	for _, code := range []string{"", "85353-1", "8480"} {
		if typ, _, ok := ByLOINC(code); ok {
			t.Errorf("ByLOINC(%q) = %q, want not found", code, typ.Key)
		}
	}
}

func TestByMDC(t *testing.T) {
	tests := []struct {
		code, key, component string
	}{
		{"150364", BodyTemperature, ""},
		{"MDC_TEMP", BodyTemperature, ""},
		{"147842", HeartRate, ""},
		{"MDC_PULS_OXIM_PULS_RATE", HeartRate, ""},
		{"149546", HeartRate, ""},
		{"150020", BloodPressure, ""},
		{"150021", BloodPressure, Systolic},
		{"mdc_press_bld_noninv_dia", BloodPressure, Diastolic},
		{"150023", BloodPressure, Mean},
		{"150456", SpO2, ""},
		{"151562", RespiratoryRate, ""},
		{"160184", BloodGlucose, ""},
		{"188736", BodyWeight, ""},
		{"MDC_LEN_BODY_ACTUAL", BodyHeight, ""},
	}
	for _, tt := range tests {
		typ, component, ok := ByMDC(tt.code)
		if !ok || typ.Key != tt.key || component != tt.component {
			t.Errorf("ByMDC(%q) = %q, %q, %v; want %q, %q", tt.code, typ.Key, component, ok, tt.key, tt.component)
		}
	}
	// 150018 and 150019 are the generic (not non-invasive) pressures that
	// some parsers mislabel; they must not be taken for cuff readings.
	for _, code := range []string{"", "150018", "150019", "MDC_PRESS_BLD_DIA"} {
		if typ, _, ok := ByMDC(code); ok {
			t.Errorf("ByMDC(%q) = %q, want not found", code, typ.Key)
		}
	}
}
