package measure

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// noisy18point9 is 18.9 as a decoder computing 189 × 0.1 at run time gets it.
var noisy18point9 = func() float64 { m, e := 189.0, 0.1; return m * e }()

func TestNormalize(t *testing.T) {
	tests := []struct {
		name      string
		typ, comp string
		value     float64
		unit      string
		want      float64
		wantUnit  string
		origUnit  string
	}{
		// Canonical input is kept exactly as sent, whatever its decimals.
		{"canonical kept", BodyTemperature, "", 37.65, "Cel", 37.65, "Cel", "Cel"},
		{"canonical alias", BodyTemperature, "", 37.6, "°C", 37.6, "Cel", "Cel"},
		{"heart rate bpm", HeartRate, "", 72, "bpm", 72, "/min", "/min"},
		{"heart rate MDC", HeartRate, "", 72, "264864", 72, "/min", "/min"},
		{"respiratory rate", RespiratoryRate, "", 16, "/min", 16, "/min", "/min"},
		{"spo2", SpO2, "", 97, "%", 97, "%", "%"},
		{"systolic mmHg", BloodPressure, Systolic, 138, "mmHg", 138, "mm[Hg]", "mm[Hg]"},
		{"diastolic UCUM c/i", BloodPressure, Diastolic, 88, "MM[HG]", 88, "mm[Hg]", "mm[Hg]"},
		{"mean", BloodPressure, Mean, 120, "mm[Hg]", 120, "mm[Hg]", "mm[Hg]"},

		// Converted input keeps the precision it carried.
		{"98.6 °F", BodyTemperature, "", 98.6, "[degF]", 37, "Cel", "[degF]"},
		{"100.4 °F", BodyTemperature, "", 100.4, "°F", 38, "Cel", "[degF]"},
		{"99.5 °F", BodyTemperature, "", 99.5, "°F", 37.5, "Cel", "[degF]"},
		{"101.3 °F", BodyTemperature, "", 101.3, "°F", 38.5, "Cel", "[degF]"},            // 38.5000
		{"102 °F, whole degrees", BodyTemperature, "", 102, "°F", 38.9, "Cel", "[degF]"}, // 38.888…
		{"18.9 kPa", BloodPressure, Systolic, 18.9, "kPa", 141.8, "mm[Hg]", "kPa"},
		{"11 kPa", BloodPressure, Diastolic, 11, "kPa", 83, "mm[Hg]", "kPa"},
		{"15.9 kPa", BloodPressure, Mean, 15.9, "kPa", 119.3, "mm[Hg]", "kPa"},
		{"5.5 mmol/L", BloodGlucose, "", 5.5, "mmol/L", 99, "mg/dL", "mmol/L"},
		{"3.9 mmol/L", BloodGlucose, "", 3.9, "mmol/l", 70, "mg/dL", "mmol/L"},
		{"10.0 mmol/L", BloodGlucose, "", 10.0, "mmol/L", 180, "mg/dL", "mmol/L"},
		{"5.55 mmol/L", BloodGlucose, "", 5.55, "mmol/L", 100, "mg/dL", "mmol/L"}, // 99.99 with 0.18 steps
		{"glucose mg/dL", BloodGlucose, "", 99, "mg/dl", 99, "mg/dL", "mg/dL"},
		{"150 lb", BodyWeight, "", 150, "lb", 68.0, "kg", "[lb_av]"},
		{"150.4 lb", BodyWeight, "", 150.4, "lbs", 68.22, "kg", "[lb_av]"},
		{"3512 g", BodyWeight, "", 3512, "g", 3.512, "kg", "g"},
		{"70 in", BodyHeight, "", 70, "in", 177.8, "cm", "[in_i]"},
		{"1.75 m", BodyHeight, "", 1.75, "m", 175, "cm", "m"},
		{"1.753 m", BodyHeight, "", 1.753, "m", 175.3, "cm", "m"},
		{"fraction", SpO2, "", 0.97, "1", 97, "%", "1"},
		{"fraction, finer", SpO2, "", 0.975, "1", 97.5, "%", "1"},
		// Floating-point noise from a decoder does not leak into the result.
		{"noisy kPa", BloodPressure, Systolic, noisy18point9, "kPa", 141.8, "mm[Hg]", "kPa"},

		// Plausible bounds are inclusive.
		{"heart rate low bound", HeartRate, "", 20, "/min", 20, "/min", "/min"},
		{"heart rate high bound", HeartRate, "", 300, "/min", 300, "/min", "/min"},
		{"temperature bounds", BodyTemperature, "", 45, "Cel", 45, "Cel", "Cel"},
		{"spo2 100", SpO2, "", 100, "%", 100, "%", "%"},
		{"weight low bound", BodyWeight, "", 200, "g", 0.2, "kg", "g"},
		{"glucose high bound", BloodGlucose, "", 1000, "mg/dL", 1000, "mg/dL", "mg/dL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.typ, tt.comp, tt.value, tt.unit)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if math.Abs(got.Value-tt.want) > 1e-9 || got.Unit != tt.wantUnit {
				t.Errorf("got %v %s, want %v %s", got.Value, got.Unit, tt.want, tt.wantUnit)
			}
			if got.Original != tt.value || got.OriginalUnit != tt.origUnit {
				t.Errorf("original %v %s, want %v %s", got.Original, got.OriginalUnit, tt.value, tt.origUnit)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name      string
		typ, comp string
		value     float64
		unit      string
		kind      error
		message   string
	}{
		{"unknown type", "pulse", "", 72, "/min", ErrUnknownType,
			`unknown measurement type "pulse"; known types: body_temperature, heart_rate, blood_pressure, spo2, respiratory_rate, blood_glucose, body_weight, body_height`},
		{"panel without component", BloodPressure, "", 120, "mm[Hg]", ErrUnknownComponent,
			"blood pressure needs a component: systolic, diastolic, mean"},
		{"panel, wrong component", BloodPressure, "pulse", 72, "/min", ErrUnknownComponent,
			`blood pressure has no component "pulse"; use systolic, diastolic, mean`},
		{"single value with component", HeartRate, Systolic, 72, "/min", ErrUnknownComponent,
			`heart rate has no components; leave the component empty (got "systolic")`},
		{"unit of another kind", BloodGlucose, "", 5.5, "mmol", ErrUnit,
			`unit "mmol" is not accepted for blood glucose; accepted units: mg/dL, mmol/L`},
		{"unit of wrong kind", BodyWeight, "", 70, "cm", ErrUnit,
			`unit "cm" is not accepted for body weight; accepted units: kg, g, [lb_av] (lb)`},
		{"temperature unit list", BodyTemperature, "", 37, "K", ErrUnit,
			`unit "K" is not accepted for body temperature; accepted units: Cel (°C), [degF] (°F)`},
		{"no unit", HeartRate, "", 72, " ", ErrUnit,
			"heart rate needs a unit; accepted units: /min"},
		{"kPa for glucose", BloodGlucose, "", 5, "kPa", ErrUnit,
			`unit "kPa" is not accepted for blood glucose; accepted units: mg/dL, mmol/L`},
		{"heart rate too high", HeartRate, "", 900, "/min", ErrImplausible,
			"heart rate 900 /min is outside the plausible range 20–300 /min"},
		{"heart rate just below", HeartRate, "", 19.9, "/min", ErrImplausible,
			"heart rate 19.9 /min is outside the plausible range 20–300 /min"},
		{"heart rate just above", HeartRate, "", 300.1, "/min", ErrImplausible,
			"heart rate 300.1 /min is outside the plausible range 20–300 /min"},
		{"converted too hot", BodyTemperature, "", 120, "[degF]", ErrImplausible,
			"body temperature 120 °F (48.9 °C) is outside the plausible range 25–45 °C"},
		{"temperature just above", BodyTemperature, "", 45.1, "Cel", ErrImplausible,
			"body temperature 45.1 °C is outside the plausible range 25–45 °C"},
		{"mmol sent as mg/dL", BloodGlucose, "", 5.5, "mg/dL", ErrImplausible,
			"blood glucose 5.5 mg/dL is outside the plausible range 10–1000 mg/dL"},
		{"mg/dL sent as mmol/L", BloodGlucose, "", 99, "mmol/L", ErrImplausible,
			"blood glucose 99 mmol/L (1784 mg/dL) is outside the plausible range 10–1000 mg/dL"},
		{"systolic too high", BloodPressure, Systolic, 301, "mmHg", ErrImplausible,
			"systolic blood pressure 301 mmHg is outside the plausible range 40–300 mmHg"},
		{"diastolic too low", BloodPressure, Diastolic, 9, "mmHg", ErrImplausible,
			"diastolic blood pressure 9 mmHg is outside the plausible range 10–200 mmHg"},
		{"spo2 over 100", SpO2, "", 101, "%", ErrImplausible,
			"oxygen saturation (SpO2) 101 % is outside the plausible range 40–100 %"},
		{"spo2 as fraction in %", SpO2, "", 0.97, "%", ErrImplausible,
			`oxygen saturation (SpO2) 0.97 % is outside the plausible range 40–100 %; if it is a fraction of 1, send the unit "1"`},
		{"weight in lb as kg", BodyWeight, "", 1500, "kg", ErrImplausible,
			"body weight 1500 kg is outside the plausible range 0.2–650 kg"},
		{"NaN", HeartRate, "", math.NaN(), "/min", ErrImplausible, "heart rate must be a finite number, not NaN"},
		{"infinity", HeartRate, "", math.Inf(1), "/min", ErrImplausible, "heart rate must be a finite number, not +Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Normalize(tt.typ, tt.comp, tt.value, tt.unit)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("error %v, want kind %v", err, tt.kind)
			}
			if err.Error() != tt.message {
				t.Errorf("message\n got %q\nwant %q", err.Error(), tt.message)
			}
		})
	}
}

func TestCheckPanel(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		values  map[string]float64
		kind    error // nil when the panel is fine
		message string
	}{
		{"systolic and diastolic", BloodPressure, map[string]float64{Systolic: 138, Diastolic: 88}, nil, ""},
		{"with mean", BloodPressure, map[string]float64{Systolic: 138, Diastolic: 88, Mean: 120}, nil, ""},
		{"mean at diastolic", BloodPressure, map[string]float64{Systolic: 138, Diastolic: 88, Mean: 88}, nil, ""},
		{"no diastolic", BloodPressure, map[string]float64{Systolic: 138}, ErrIncomplete,
			"blood pressure needs its diastolic value"},
		{"unknown component", BloodPressure, map[string]float64{Systolic: 138, Diastolic: 88, "pulse": 60}, ErrUnknownComponent,
			`blood pressure has no component "pulse"; use systolic, diastolic, mean`},
		{"swapped", BloodPressure, map[string]float64{Systolic: 80, Diastolic: 120}, ErrImplausible,
			"diastolic 120 mmHg must be below systolic 80 mmHg; were the two swapped?"},
		{"equal", BloodPressure, map[string]float64{Systolic: 100, Diastolic: 100}, ErrImplausible,
			"diastolic 100 mmHg must be below systolic 100 mmHg; were the two swapped?"},
		{"mean outside", BloodPressure, map[string]float64{Systolic: 120, Diastolic: 80, Mean: 130}, ErrImplausible,
			"mean arterial pressure 130 mmHg must lie between diastolic 80 and systolic 120 mmHg"},
		{"not a panel", HeartRate, map[string]float64{}, ErrUnknownComponent,
			"heart rate is a single value, not a panel of components"},
		{"unknown type", "bp", map[string]float64{}, ErrUnknownType, `unknown measurement type "bp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPanel(tt.typ, tt.values)
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("CheckPanel: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.kind) || !strings.HasPrefix(err.Error(), tt.message) {
				t.Errorf("error %v, want %v starting %q", err, tt.kind, tt.message)
			}
		})
	}
}

func TestNormalizeExtremeNumbers(t *testing.T) {
	for _, v := range []float64{5e-324, 1e-300, 1e300, -1e300} {
		if _, err := Normalize(BodyWeight, "", v, "[lb_av]"); !errors.Is(err, ErrImplausible) {
			t.Errorf("weight %v lb: error %v, want implausible", v, err)
		}
	}
}
