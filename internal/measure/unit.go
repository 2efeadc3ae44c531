package measure

import (
	"fmt"
	"strings"
)

// A unit is one UCUM unit this package converts. Units of the same kind
// convert into each other through the kind's base unit, which is also the
// canonical unit of every quantity of that kind:
//
//	base = (value + offset) × num / den
type unit struct {
	code    string // UCUM, case-sensitive
	display string // how a person reads it
	kind    string
	num     float64
	den     float64
	offset  float64
}

// mmHgPerKPa is 1000 Pa over the defined 133.322387415 Pa of one mmHg.
const mmHgPerKPa = 1000 / 133.322387415

// glucoseMgPerMmol is the mg/dL in 1 mmol/L of glucose, the factor the
// shared reference fixes (molar mass of glucose 180.16 g/mol).
const glucoseMgPerMmol = 18.016

// units lists every unit, the base unit of each kind first within its kind.
var units = []unit{
	{code: "Cel", display: "°C", kind: "temperature", num: 1, den: 1},
	{code: "[degF]", display: "°F", kind: "temperature", num: 5, den: 9, offset: -32},

	{code: "/min", display: "/min", kind: "rate", num: 1, den: 1},

	{code: "mm[Hg]", display: "mmHg", kind: "pressure", num: 1, den: 1},
	{code: "kPa", display: "kPa", kind: "pressure", num: mmHgPerKPa, den: 1},

	{code: "%", display: "%", kind: "fraction", num: 1, den: 1},
	{code: "1", display: "fraction of 1", kind: "fraction", num: 100, den: 1},

	{code: "mg/dL", display: "mg/dL", kind: "glucose", num: 1, den: 1},
	{code: "mmol/L", display: "mmol/L", kind: "glucose", num: glucoseMgPerMmol, den: 1},

	{code: "kg", display: "kg", kind: "mass", num: 1, den: 1},
	{code: "g", display: "g", kind: "mass", num: 1, den: 1000},
	{code: "[lb_av]", display: "lb", kind: "mass", num: 0.45359237, den: 1},

	{code: "cm", display: "cm", kind: "length", num: 1, den: 1},
	{code: "[in_i]", display: "in", kind: "length", num: 2.54, den: 1},
	{code: "m", display: "m", kind: "length", num: 100, den: 1},
}

// aliases maps other spellings, lower-cased, to UCUM codes. UCUM codes
// themselves, and their case-insensitive forms, are found without it.
var aliases = map[string]string{
	"°c": "Cel", "℃": "Cel", "c": "Cel", "degc": "Cel", "deg c": "Cel", "celsius": "Cel",
	"°f": "[degF]", "℉": "[degF]", "f": "[degF]", "degf": "[degF]", "deg f": "[degF]", "fahrenheit": "[degF]",

	"1/min": "/min", "min-1": "/min", "/minute": "/min", "per min": "/min",
	"{beats}/min": "/min", "{beat}/min": "/min", "beats/min": "/min", "beats/minute": "/min",
	"{breaths}/min": "/min", "{breath}/min": "/min", "breaths/min": "/min", "breaths/minute": "/min",
	"bpm": "/min", "count/min": "/min",

	"mmhg": "mm[Hg]", "mm hg": "mm[Hg]",

	"percent":  "%",
	"fraction": "1", "{fraction}": "1",

	"kilogram": "kg", "kilograms": "kg", "kgs": "kg",
	"gram": "g", "grams": "g",
	"lb": "[lb_av]", "lbs": "[lb_av]", "pound": "[lb_av]", "pounds": "[lb_av]",

	"centimetre": "cm", "centimetres": "cm", "centimeter": "cm", "centimeters": "cm",
	"in": "[in_i]", "inch": "[in_i]", "inches": "[in_i]",
	"metre": "m", "metres": "m", "meter": "m", "meters": "m",

	// ISO/IEEE 11073 unit codes, by reference id and by number (HL7 v2 OBX-6).
	"mdc_dim_percent": "%", "262688": "%",
	"mdc_dim_beat_per_min": "/min", "264864": "/min",
	"mdc_dim_resp_per_min": "/min", "264928": "/min",
	"mdc_dim_mmhg": "mm[Hg]", "266016": "mm[Hg]",
	"mdc_dim_degc": "Cel", "268192": "Cel",
	"mdc_dim_kilo_g": "kg", "263875": "kg",
}

// UnitCode returns the UCUM code for a unit as people, devices or UCUM
// write it: "mmHg", "MM[HG]" and "mm[Hg]" all give "mm[Hg]". It reports
// false for a unit this package does not know.
func UnitCode(s string) (string, bool) {
	u, ok := findUnit(s)
	return u.code, ok
}

// UnitDisplay returns how a person reads a UCUM unit code ("°C" for "Cel",
// "lb" for "[lb_av]"). Unknown codes are returned unchanged.
func UnitDisplay(code string) string {
	if u, ok := findUnit(code); ok {
		return u.display
	}
	return code
}

// Convert converts a value between two units of the same kind, such as
// °C and °F, mg/dL and mmol/L of glucose, kg and lb, or cm and in. Units may
// be spelled as UnitCode accepts. The result is not rounded.
func Convert(value float64, from, to string) (float64, error) {
	f, ok := findUnit(from)
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", from)
	}
	t, ok := findUnit(to)
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", to)
	}
	if f.kind != t.kind {
		return 0, fmt.Errorf("cannot convert %s to %s: one is %s, the other %s", f.display, t.display, f.kind, t.kind)
	}
	return convert(value, f, t), nil
}

func convert(value float64, from, to unit) float64 {
	if from.code == to.code {
		return value
	}
	base := (value + from.offset) * from.num / from.den
	return base*to.den/to.num - to.offset
}

// findUnit looks a unit up by its UCUM code, its UCUM case-insensitive
// form or another spelling. No two codes in units differ only in case.
func findUnit(s string) (unit, bool) {
	s = strings.TrimSpace(s)
	if code, ok := aliases[strings.ToLower(s)]; ok {
		s = code
	}
	for _, u := range units {
		if strings.EqualFold(u.code, s) {
			return u, true
		}
	}
	return unit{}, false
}
