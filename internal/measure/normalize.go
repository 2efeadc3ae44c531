package measure

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Errors returned by Normalize and CheckPanel wrap one of these, so that
// callers can tell them apart with errors.Is. Their messages are written
// for the person who sent the value.
var (
	ErrUnknownType      = errors.New("unknown measurement type")
	ErrUnknownComponent = errors.New("unknown component")
	ErrUnit             = errors.New("unit not accepted")
	ErrImplausible      = errors.New("implausible value")
	ErrIncomplete       = errors.New("incomplete panel")
)

// problem is an error with a message for people and a kind for errors.Is.
type problem struct {
	kind error
	msg  string
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.kind }

func fail(kind error, format string, args ...any) error {
	return &problem{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// maxDecimals caps the decimals a converted value keeps; finer digits would
// be noise of the floating-point arithmetic, not of the measurement.
const maxDecimals = 4

// Normalized is a value in its type's canonical unit, together with the
// value and unit it arrived in.
type Normalized struct {
	Value        float64 // in Unit, rounded as the package documentation says
	Unit         string  // the canonical UCUM unit
	Original     float64 // the value as sent
	OriginalUnit string  // the UCUM code of the unit it was sent in
}

// Normalize checks one number of a measurement and converts it to the
// canonical unit of its type. component is empty for a single-valued type
// and names the component ("systolic") for a panel. unit may be any
// spelling UnitCode accepts. The error, if any, wraps ErrUnknownType,
// ErrUnknownComponent, ErrUnit or ErrImplausible.
func Normalize(typeKey, component string, value float64, unit string) (Normalized, error) {
	t, ok := ByKey(typeKey)
	if !ok {
		return Normalized{}, unknownType(typeKey)
	}
	name, q, err := t.number(component)
	if err != nil {
		return Normalized{}, err
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return Normalized{}, fail(ErrImplausible, "%s must be a finite number, not %v", name, value)
	}
	from, ok := findUnit(unit)
	if !ok || !slices.Contains(q.Units, from.code) {
		if strings.TrimSpace(unit) == "" {
			return Normalized{}, fail(ErrUnit, "%s needs a unit; accepted units: %s", name, listUnits(q.Units))
		}
		return Normalized{}, fail(ErrUnit, "unit %q is not accepted for %s; accepted units: %s",
			unit, name, listUnits(q.Units))
	}
	to, _ := findUnit(q.Unit)

	n := Normalized{Value: value, Unit: q.Unit, Original: value, OriginalUnit: from.code}
	if from.code != to.code {
		n.Value = round(convert(value, from, to), keptDecimals(value, from, q.Decimals))
	}
	if n.Value < q.Min || n.Value > q.Max {
		return Normalized{}, fail(ErrImplausible, "%s %s is outside the plausible range %s–%s %s%s",
			name, describe(n, from, to), formatNumber(q.Min), formatNumber(q.Max), to.display, hint(n, q))
	}
	return n, nil
}

// CheckPanel checks that the canonical values of one panel reading belong
// together: every required component is there, no unknown one is, and for
// blood pressure the diastolic is below the systolic and the mean, when
// given, lies between them. The error, if any, wraps ErrUnknownType,
// ErrUnknownComponent, ErrIncomplete or ErrImplausible.
func CheckPanel(typeKey string, values map[string]float64) error {
	t, ok := ByKey(typeKey)
	if !ok {
		return unknownType(typeKey)
	}
	if !t.IsPanel() {
		return fail(ErrUnknownComponent, "%s is a single value, not a panel of components", lowerFirst(t.Name))
	}
	for _, key := range slices.Sorted(maps.Keys(values)) {
		if _, ok := t.Component(key); !ok {
			return fail(ErrUnknownComponent, "%s has no component %q; use %s", lowerFirst(t.Name), key, componentList(t))
		}
	}
	for _, c := range t.Components {
		if _, ok := values[c.Key]; c.Required && !ok {
			return fail(ErrIncomplete, "%s needs its %s value", lowerFirst(t.Name), c.Key)
		}
	}
	if t.Key != BloodPressure {
		return nil
	}
	sys, dia := values[Systolic], values[Diastolic]
	if dia >= sys {
		return fail(ErrImplausible, "diastolic %s mmHg must be below systolic %s mmHg; were the two swapped?",
			formatNumber(dia), formatNumber(sys))
	}
	if mean, ok := values[Mean]; ok && (mean < dia || mean > sys) {
		return fail(ErrImplausible, "mean arterial pressure %s mmHg must lie between diastolic %s and systolic %s mmHg",
			formatNumber(mean), formatNumber(dia), formatNumber(sys))
	}
	return nil
}

// number returns the name and description of one number of the type.
func (t Type) number(component string) (string, Quantity, error) {
	if !t.IsPanel() {
		if component != "" {
			return "", Quantity{}, fail(ErrUnknownComponent, "%s has no components; leave the component empty (got %q)",
				lowerFirst(t.Name), component)
		}
		return lowerFirst(t.Name), t.Value, nil
	}
	c, ok := t.Component(component)
	if !ok {
		if component == "" {
			return "", Quantity{}, fail(ErrUnknownComponent, "%s needs a component: %s", lowerFirst(t.Name), componentList(t))
		}
		return "", Quantity{}, fail(ErrUnknownComponent, "%s has no component %q; use %s",
			lowerFirst(t.Name), component, componentList(t))
	}
	return lowerFirst(c.Name), c.Value, nil
}

// keptDecimals returns how many decimals a value converted from unit u
// keeps: enough to show the step of the sender's last digit in the
// canonical unit, at least least, at most maxDecimals.
func keptDecimals(value float64, u unit, least int) int {
	step := math.Pow10(-sentDecimals(value)) * u.num / u.den
	d := int(math.Ceil(-math.Log10(step) - 1e-9))
	return min(max(d, least), maxDecimals)
}

// sentDecimals counts the decimals of v written to twelve significant
// digits, the most any instrument resolves; digits beyond those are noise of
// the sender's floating-point arithmetic (18.900000000000002 counts as 18.9).
// It counts at most ten, more than any conversion here can keep.
func sentDecimals(v float64) int {
	short, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	s := strconv.FormatFloat(short, 'f', -1, 64)
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return 0
	}
	return min(len(s)-i-1, 10)
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// describe writes a value for a message, with the value as sent when it
// was converted: "120 °F (48.9 °C)".
func describe(n Normalized, from, to unit) string {
	if from.code == to.code {
		return formatNumber(n.Value) + " " + to.display
	}
	return fmt.Sprintf("%s %s (%s %s)", formatNumber(n.Original), from.display, formatNumber(n.Value), to.display)
}

// hint suggests the likely fix for a saturation sent as a fraction of 1.
func hint(n Normalized, q Quantity) string {
	if q.Unit == "%" && n.OriginalUnit == "%" && n.Value >= 0 && n.Value <= 1 {
		return `; if it is a fraction of 1, send the unit "1"`
	}
	return ""
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// listUnits writes UCUM codes with their display where it differs:
// "Cel (°C), [degF] (°F)".
func listUnits(codes []string) string {
	var parts []string
	for _, code := range codes {
		if d := UnitDisplay(code); d != code {
			parts = append(parts, fmt.Sprintf("%s (%s)", code, d))
		} else {
			parts = append(parts, code)
		}
	}
	return strings.Join(parts, ", ")
}

func componentList(t Type) string {
	var keys []string
	for _, c := range t.Components {
		keys = append(keys, c.Key)
	}
	return strings.Join(keys, ", ")
}

func unknownType(key string) error {
	var keys []string
	for _, t := range catalogue {
		keys = append(keys, t.Key)
	}
	return fail(ErrUnknownType, "unknown measurement type %q; known types: %s", key, strings.Join(keys, ", "))
}

// lowerFirst lower-cases a display name for use inside a sentence.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
