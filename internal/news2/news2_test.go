package news2

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func num(v float64) *float64 { return &v }

func yes() *bool { return new(true) }
func no() *bool  { return new(false) }

// full is a complete set of observations that scores 0.
func full() Observations {
	return Observations{
		RespiratoryRate: num(16),
		SpO2:            num(98),
		Scale:           Scale1,
		OnOxygen:        no(),
		Systolic:        num(120),
		Pulse:           num(70),
		Consciousness:   Alert,
		Temperature:     num(37),
	}
}

func TestReferenceVector(t *testing.T) {
	o := Observations{
		RespiratoryRate: num(22),
		SpO2:            num(94),
		Scale:           Scale1,
		OnOxygen:        yes(),
		Systolic:        num(105),
		Pulse:           num(115),
		Consciousness:   Alert,
		Temperature:     num(38.5),
	}
	r, err := Score(o)
	if err != nil {
		t.Fatal(err)
	}
	want := []ParameterScore{
		{RespiratoryRate, 2}, {OxygenSaturation, 1}, {AirOrOxygen, 2}, {SystolicBP, 1},
		{Pulse, 2}, {Consciousness, 0}, {Temperature, 1},
	}
	if !slices.Equal(r.Scores, want) {
		t.Errorf("scores %v, want %v", r.Scores, want)
	}
	if r.Total != 9 || r.Risk != RiskHigh || r.Partial || r.SingleThree || len(r.Missing) != 0 {
		t.Errorf("got total %d risk %v partial %v single three %v missing %v; want 9 high, complete",
			r.Total, r.Risk, r.Partial, r.SingleThree, r.Missing)
	}
	if r.Response != responseHigh {
		t.Errorf("response %q", r.Response)
	}
}

// TestBoundaries scores each parameter alone on both sides of every
// boundary of the chart, and around the rounding of in-between values.
func TestBoundaries(t *testing.T) {
	tests := []struct {
		param Parameter
		value float64
		want  int
	}{
		{RespiratoryRate, 0, 3},
		{RespiratoryRate, 8, 3},
		{RespiratoryRate, 9, 1},
		{RespiratoryRate, 11, 1},
		{RespiratoryRate, 12, 0},
		{RespiratoryRate, 20, 0},
		{RespiratoryRate, 21, 2},
		{RespiratoryRate, 24, 2},
		{RespiratoryRate, 25, 3},
		{RespiratoryRate, 60, 3},
		{RespiratoryRate, 8.4, 3},
		{RespiratoryRate, 8.5, 1},
		{RespiratoryRate, 20.4, 0},
		{RespiratoryRate, 20.5, 2},
		{RespiratoryRate, 24.5, 3},

		{SystolicBP, 50, 3},
		{SystolicBP, 90, 3},
		{SystolicBP, 91, 2},
		{SystolicBP, 100, 2},
		{SystolicBP, 101, 1},
		{SystolicBP, 110, 1},
		{SystolicBP, 111, 0},
		{SystolicBP, 219, 0},
		{SystolicBP, 220, 3},
		{SystolicBP, 90.49, 3},
		{SystolicBP, 90.5, 2},
		{SystolicBP, 219.5, 3},

		{Pulse, 30, 3},
		{Pulse, 40, 3},
		{Pulse, 41, 1},
		{Pulse, 50, 1},
		{Pulse, 51, 0},
		{Pulse, 90, 0},
		{Pulse, 91, 1},
		{Pulse, 110, 1},
		{Pulse, 111, 2},
		{Pulse, 130, 2},
		{Pulse, 131, 3},
		{Pulse, 90.5, 1},
		{Pulse, 130.4, 2},

		{Temperature, 34, 3},
		{Temperature, 35.0, 3},
		{Temperature, 35.1, 1},
		{Temperature, 36.0, 1},
		{Temperature, 36.1, 0},
		{Temperature, 38.0, 0},
		{Temperature, 38.1, 1},
		{Temperature, 39.0, 1},
		{Temperature, 39.1, 2},
		{Temperature, 41, 2},
		{Temperature, 35.04, 3},
		{Temperature, 35.05, 1},
		{Temperature, 36.04, 1},
		{Temperature, 36.05, 0},
		{Temperature, 38.04, 0},
		{Temperature, 38.05, 1},
		{Temperature, 39.05, 2},
	}
	for _, tt := range tests {
		var o Observations
		switch tt.param {
		case RespiratoryRate:
			o.RespiratoryRate = num(tt.value)
		case SystolicBP:
			o.Systolic = num(tt.value)
		case Pulse:
			o.Pulse = num(tt.value)
		case Temperature:
			o.Temperature = num(tt.value)
		}
		r, err := Score(o)
		if err != nil {
			t.Fatalf("%s %v: %v", tt.param, tt.value, err)
		}
		if got, ok := r.Points(tt.param); !ok || got != tt.want {
			t.Errorf("%s %v scored %d (%v), want %d", tt.param, tt.value, got, ok, tt.want)
		}
	}
}

func TestSaturation(t *testing.T) {
	tests := []struct {
		scale    Scale
		oxygen   *bool
		spo2     float64
		want     int
		unscored bool
	}{
		{Scale1, nil, 85, 3, false},
		{Scale1, nil, 91, 3, false},
		{Scale1, nil, 92, 2, false},
		{Scale1, nil, 93, 2, false},
		{Scale1, nil, 94, 1, false},
		{Scale1, nil, 95, 1, false},
		{Scale1, nil, 96, 0, false},
		{Scale1, yes(), 100, 0, false},
		{Scale1, no(), 95.5, 0, false},
		{Scale1, no(), 95.4, 1, false},
		{0, nil, 91, 3, false}, // zero scale is scale 1
		{0, yes(), 97, 0, false},

		{Scale2, no(), 80, 3, false},
		{Scale2, no(), 83, 3, false},
		{Scale2, no(), 84, 2, false},
		{Scale2, no(), 85, 2, false},
		{Scale2, no(), 86, 1, false},
		{Scale2, no(), 87, 1, false},
		{Scale2, no(), 88, 0, false},
		{Scale2, no(), 92, 0, false},
		{Scale2, no(), 93, 0, false},
		{Scale2, no(), 97, 0, false},
		{Scale2, no(), 100, 0, false},

		{Scale2, yes(), 83, 3, false},
		{Scale2, yes(), 84, 2, false},
		{Scale2, yes(), 85, 2, false},
		{Scale2, yes(), 86, 1, false},
		{Scale2, yes(), 87, 1, false},
		{Scale2, yes(), 88, 0, false},
		{Scale2, yes(), 92, 0, false},
		{Scale2, yes(), 93, 1, false},
		{Scale2, yes(), 94, 1, false},
		{Scale2, yes(), 95, 2, false},
		{Scale2, yes(), 96, 2, false},
		{Scale2, yes(), 97, 3, false},
		{Scale2, yes(), 100, 3, false},
		{Scale2, yes(), 92.4, 0, false},
		{Scale2, yes(), 92.5, 1, false},

		// On scale 2, 93 % and above need to know air or oxygen.
		{Scale2, nil, 83, 3, false},
		{Scale2, nil, 92, 0, false},
		{Scale2, nil, 92.5, 0, true},
		{Scale2, nil, 93, 0, true},
		{Scale2, nil, 99, 0, true},
	}
	for _, tt := range tests {
		r, err := Score(Observations{SpO2: num(tt.spo2), Scale: tt.scale, OnOxygen: tt.oxygen})
		if err != nil {
			t.Fatal(err)
		}
		got, scored := r.Points(OxygenSaturation)
		oxygen := "unknown"
		if tt.oxygen != nil {
			oxygen = map[bool]string{true: "oxygen", false: "air"}[*tt.oxygen]
		}
		if scored == tt.unscored || got != tt.want {
			t.Errorf("scale %d, %s, SpO2 %v: scored %d (%v), want %d (%v)",
				tt.scale, oxygen, tt.spo2, got, scored, tt.want, !tt.unscored)
		}
		if tt.unscored && !slices.Contains(r.Missing, OxygenSaturation) {
			t.Errorf("scale %d, SpO2 %v: not listed as missing: %v", tt.scale, tt.spo2, r.Missing)
		}
	}
}

func TestAirOxygenAndConsciousness(t *testing.T) {
	tests := []struct {
		name  string
		o     Observations
		param Parameter
		want  int
	}{
		{"air", Observations{OnOxygen: no()}, AirOrOxygen, 0},
		{"oxygen", Observations{OnOxygen: yes()}, AirOrOxygen, 2},
		{"alert", Observations{Consciousness: Alert}, Consciousness, 0},
		{"new confusion", Observations{Consciousness: NewConfusion}, Consciousness, 3},
		{"voice", Observations{Consciousness: Voice}, Consciousness, 3},
		{"pain", Observations{Consciousness: Pain}, Consciousness, 3},
		{"unresponsive", Observations{Consciousness: Unresponsive}, Consciousness, 3},
	}
	for _, tt := range tests {
		r, err := Score(tt.o)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := r.Points(tt.param); !ok || got != tt.want {
			t.Errorf("%s: %d (%v), want %d", tt.name, got, ok, tt.want)
		}
	}
}

func TestRiskBands(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*Observations)
		total       int
		risk        Risk
		singleThree bool
		response    string
	}{
		{"all normal", func(*Observations) {}, 0, RiskLow, false, responseZero},
		{"one point", func(o *Observations) { o.Temperature = num(38.2) }, 1, RiskLow, false, responseLow},
		{"four points", func(o *Observations) {
			o.RespiratoryRate, o.Pulse, o.Temperature = num(21), num(91), num(38.1)
		}, 4, RiskLow, false, responseLow},
		{"single three alone", func(o *Observations) { o.Consciousness = Voice }, 3, RiskLowMedium, true, responseLowMedium},
		{"single three, total four", func(o *Observations) {
			o.RespiratoryRate, o.Temperature = num(8), num(35.5)
		}, 4, RiskLowMedium, true, responseLowMedium},
		{"five points", func(o *Observations) {
			o.RespiratoryRate, o.Pulse, o.Temperature = num(21), num(111), num(38.5)
		}, 5, RiskMedium, false, responseMedium},
		{"five with a three is medium", func(o *Observations) {
			o.Pulse, o.OnOxygen = num(131), yes()
		}, 5, RiskMedium, true, responseMedium},
		{"six points", func(o *Observations) {
			o.RespiratoryRate, o.Pulse, o.OnOxygen = num(21), num(111), yes()
		}, 6, RiskMedium, false, responseMedium},
		{"seven points", func(o *Observations) {
			o.RespiratoryRate, o.Pulse, o.OnOxygen, o.Temperature = num(21), num(111), yes(), num(38.5)
		}, 7, RiskHigh, false, responseHigh},
		{"maximum", func(o *Observations) {
			*o = Observations{
				RespiratoryRate: num(25), SpO2: num(91), OnOxygen: yes(), Systolic: num(90),
				Pulse: num(131), Consciousness: Unresponsive, Temperature: num(35),
			}
		}, 20, RiskHigh, true, responseHigh},
	}
	for _, tt := range tests {
		o := full()
		tt.change(&o)
		r, err := Score(o)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r.Total != tt.total || r.Risk != tt.risk || r.SingleThree != tt.singleThree || r.Response != tt.response || r.Partial {
			t.Errorf("%s: total %d %v single three %v partial %v %q; want %d %v %v %q",
				tt.name, r.Total, r.Risk, r.SingleThree, r.Partial, r.Response, tt.total, tt.risk, tt.singleThree, tt.response)
		}
	}
}

func TestPartial(t *testing.T) {
	r, err := Score(Observations{Pulse: num(135), Temperature: num(38.5)})
	if err != nil {
		t.Fatal(err)
	}
	wantMissing := []Parameter{RespiratoryRate, OxygenSaturation, AirOrOxygen, SystolicBP, Consciousness}
	if !r.Partial || !slices.Equal(r.Missing, wantMissing) {
		t.Errorf("partial %v missing %v, want %v", r.Partial, r.Missing, wantMissing)
	}
	if r.Total != 4 || !r.SingleThree || r.Risk != RiskLowMedium {
		t.Errorf("total %d single three %v risk %v; want 4, true, low-medium", r.Total, r.SingleThree, r.Risk)
	}
	if _, ok := r.Points(SystolicBP); ok {
		t.Error("a missing parameter has points")
	}

	r, err = Score(Observations{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Partial || len(r.Missing) != 7 || len(r.Scores) != 0 || r.Total != 0 || r.Risk != RiskLow {
		t.Errorf("empty observations: %+v", r)
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		name string
		o    Observations
		want string
	}{
		{"negative", Observations{Pulse: num(-1)}, "pulse -1 cannot be scored"},
		{"NaN", Observations{RespiratoryRate: num(math.NaN())}, "respiratory rate NaN cannot be scored"},
		{"infinite", Observations{Temperature: num(math.Inf(1))}, "temperature +Inf cannot be scored"},
		{"over 100 %", Observations{SpO2: num(101)}, "SpO2 101 % cannot be scored"},
		{"scale 3", Observations{SpO2: num(95), Scale: 3}, "SpO2 scale 3 is unknown"},
		{"consciousness", Observations{Consciousness: 9}, "consciousness level 9 is unknown"},
	}
	for _, tt := range tests {
		_, err := Score(tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestRiskString(t *testing.T) {
	for r, want := range map[Risk]string{RiskLow: "low", RiskLowMedium: "low-medium", RiskMedium: "medium", RiskHigh: "high"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), want)
		}
	}
}
