package measure

import (
	"math"
	"strings"
	"testing"
)

func TestUnitCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Cel", "Cel"}, {"CEL", "Cel"}, {"°C", "Cel"}, {"℃", "Cel"}, {"celsius", "Cel"},
		{"[degF]", "[degF]"}, {"[DEGF]", "[degF]"}, {"°F", "[degF]"}, {"F", "[degF]"},
		{"/min", "/min"}, {"bpm", "/min"}, {"{beats}/min", "/min"}, {"breaths/min", "/min"}, {"1/min", "/min"},
		{"mm[Hg]", "mm[Hg]"}, {"MM[HG]", "mm[Hg]"}, {"mmHg", "mm[Hg]"}, {" mmhg ", "mm[Hg]"},
		{"kPa", "kPa"}, {"KPA", "kPa"},
		{"%", "%"}, {"percent", "%"}, {"1", "1"},
		{"mg/dL", "mg/dL"}, {"mg/dl", "mg/dL"}, {"MG/DL", "mg/dL"},
		{"mmol/L", "mmol/L"}, {"mmol/l", "mmol/L"},
		{"kg", "kg"}, {"KG", "kg"}, {"g", "g"},
		{"[lb_av]", "[lb_av]"}, {"lb", "[lb_av]"}, {"lbs", "[lb_av]"}, {"LBS", "[lb_av]"},
		{"cm", "cm"}, {"[in_i]", "[in_i]"}, {"in", "[in_i]"}, {"inches", "[in_i]"}, {"m", "m"},
		{"MDC_DIM_MMHG", "mm[Hg]"}, {"266016", "mm[Hg]"}, {"262688", "%"},
		{"264864", "/min"}, {"264928", "/min"}, {"268192", "Cel"}, {"MDC_DIM_KILO_G", "kg"},
	}
	for _, tt := range tests {
		got, ok := UnitCode(tt.in)
		if !ok || got != tt.want {
			t.Errorf("UnitCode(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"", "mmol", "stone", "Torr", "K", "mL"} {
		if got, ok := UnitCode(in); ok {
			t.Errorf("UnitCode(%q) = %q, want unknown", in, got)
		}
	}
}

// TestUnitCodesDifferBeyondCase guards findUnit, which matches codes
// without regard to case.
func TestUnitCodesDifferBeyondCase(t *testing.T) {
	seen := map[string]string{}
	for _, u := range units {
		k := strings.ToLower(u.code)
		if prev, ok := seen[k]; ok {
			t.Errorf("%q and %q differ only in case", prev, u.code)
		}
		seen[k] = u.code
	}
	for alias, code := range aliases {
		if alias != strings.ToLower(alias) {
			t.Errorf("alias %q must be lower-case", alias)
		}
		if _, ok := UnitCode(code); !ok {
			t.Errorf("alias %q points at unknown unit %q", alias, code)
		}
	}
}

func TestUnitDisplay(t *testing.T) {
	tests := []struct{ code, want string }{
		{"Cel", "°C"}, {"[degF]", "°F"}, {"mm[Hg]", "mmHg"}, {"[lb_av]", "lb"},
		{"[in_i]", "in"}, {"mg/dL", "mg/dL"}, {"/min", "/min"}, {"{nonsense}", "{nonsense}"},
	}
	for _, tt := range tests {
		if got := UnitDisplay(tt.code); got != tt.want {
			t.Errorf("UnitDisplay(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		value    float64
		from, to string
		want     float64
	}{
		{37, "Cel", "[degF]", 98.6},
		{98.6, "[degF]", "Cel", 37},
		{212, "°F", "°C", 100},
		{-40, "[degF]", "Cel", -40},
		{32, "[degF]", "Cel", 0},
		{180, "mg/dL", "mmol/L", 180 / 18.016},
		{5.5, "mmol/L", "mg/dL", 99.088},
		{1, "mmol/L", "mg/dL", 18.016},
		{100, "kg", "[lb_av]", 100 / 0.45359237},
		{1, "lb", "kg", 0.45359237},
		{3512, "g", "kg", 3.512},
		{1, "[in_i]", "cm", 2.54},
		{1.75, "m", "cm", 175},
		{1, "kPa", "mm[Hg]", 7.500615758}, // 7.50062 to six figures
		{120, "mmHg", "kPa", 15.99868649},
		{0.97, "1", "%", 97},
		{72, "/min", "bpm", 72},
		{37.123456, "Cel", "Cel", 37.123456},
	}
	for _, tt := range tests {
		got, err := Convert(tt.value, tt.from, tt.to)
		if err != nil {
			t.Errorf("Convert(%v, %q, %q): %v", tt.value, tt.from, tt.to, err)
			continue
		}
		if math.Abs(got-tt.want) > 1e-9*math.Max(1, math.Abs(tt.want)) {
			t.Errorf("Convert(%v, %q, %q) = %v, want %v", tt.value, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestConvertRoundTrips(t *testing.T) {
	pairs := [][2]string{{"Cel", "[degF]"}, {"mg/dL", "mmol/L"}, {"kg", "[lb_av]"}, {"cm", "[in_i]"}, {"mm[Hg]", "kPa"}}
	for _, p := range pairs {
		for _, v := range []float64{0.5, 37.2, 99, 180, 250.75} {
			there, _ := Convert(v, p[0], p[1])
			back, _ := Convert(there, p[1], p[0])
			if math.Abs(back-v) > 1e-9 {
				t.Errorf("%v %s → %s → %v", v, p[0], p[1], back)
			}
		}
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"mg/dL", "kg", "cannot convert mg/dL to kg"},
		{"Cel", "mm[Hg]", "cannot convert °C to mmHg"},
		{"stone", "kg", `unknown unit "stone"`},
		{"kg", "", `unknown unit ""`},
	}
	for _, tt := range tests {
		_, err := Convert(1, tt.from, tt.to)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Convert(1, %q, %q) error = %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
}
