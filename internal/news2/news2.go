package news2

import (
	"fmt"
	"math"
)

// Scale is the SpO2 scoring scale.
type Scale int

// The two SpO2 scales. Scale 2 is for patients with hypercapnic respiratory
// failure whose clinician has prescribed a target saturation of 88–92 %.
const (
	Scale1 Scale = 1
	Scale2 Scale = 2
)

// ACVPU is the level of consciousness. The zero value means it was not
// recorded.
type ACVPU int

// The levels of the ACVPU scale.
const (
	Alert        ACVPU = iota + 1
	NewConfusion       // new confusion, disorientation or agitation
	Voice              // responds to voice
	Pain               // responds to pain
	Unresponsive
)

// Observations are the inputs to the score. A nil pointer, or a zero
// Consciousness, means the observation was not made.
type Observations struct {
	RespiratoryRate *float64 // breaths per minute
	SpO2            *float64 // %
	Scale           Scale    // the SpO2 scale; zero means Scale1
	OnOxygen        *bool    // true on supplemental oxygen, false on air
	Systolic        *float64 // systolic blood pressure, mmHg
	Pulse           *float64 // beats per minute
	Consciousness   ACVPU
	Temperature     *float64 // °C
}

// Parameter names one of the seven scored parameters.
type Parameter string

// The parameters, in the chart's order.
const (
	RespiratoryRate  Parameter = "respiratory_rate"
	OxygenSaturation Parameter = "spo2"
	AirOrOxygen      Parameter = "air_or_oxygen"
	SystolicBP       Parameter = "systolic_bp"
	Pulse            Parameter = "pulse"
	Consciousness    Parameter = "consciousness"
	Temperature      Parameter = "temperature"
)

var parameters = []Parameter{
	RespiratoryRate, OxygenSaturation, AirOrOxygen, SystolicBP, Pulse, Consciousness, Temperature,
}

// ParameterScore is the points one parameter scored.
type ParameterScore struct {
	Parameter Parameter
	Points    int
}

// Risk is the clinical risk band of a score.
type Risk int

// The risk bands, lowest first.
const (
	RiskLow       Risk = iota // aggregate 0–4
	RiskLowMedium             // aggregate 0–4 with a single parameter scoring 3
	RiskMedium                // aggregate 5–6
	RiskHigh                  // aggregate 7 or more
)

// String returns the band as people name it: "low", "low-medium",
// "medium" or "high".
func (r Risk) String() string {
	switch r {
	case RiskLow:
		return "low"
	case RiskLowMedium:
		return "low-medium"
	case RiskMedium:
		return "medium"
	case RiskHigh:
		return "high"
	}
	return fmt.Sprintf("Risk(%d)", int(r))
}

// Result is a scored set of observations.
type Result struct {
	Scores      []ParameterScore // the parameters scored, in chart order
	Missing     []Parameter      // the parameters not scored, in chart order
	Total       int              // the aggregate score, 0–20
	Partial     bool             // some parameters are missing
	SingleThree bool             // some parameter scored 3
	Risk        Risk
	Response    string // the clinical response the chart asks for
}

// Points returns the points a parameter scored, and false if it was not
// scored.
func (r Result) Points(p Parameter) (int, bool) {
	for _, s := range r.Scores {
		if s.Parameter == p {
			return s.Points, true
		}
	}
	return 0, false
}

// The clinical responses of the RCP chart.
const (
	responseZero      = "Observations at least 12-hourly"
	responseLow       = "Ward nurse assessment; observations at least 4–6-hourly"
	responseLowMedium = "Urgent ward-based review; observations at least hourly"
	responseMedium    = "Key threshold: urgent review; observations at least hourly"
	responseHigh      = "Emergency response; continuous monitoring; consider critical care"
)

// band is one column of the chart: values up to and including upTo, in the
// chart's resolution, score points.
type band struct {
	upTo   float64
	points int
}

var above = math.Inf(1)

var (
	respiratoryBands = []band{{8, 3}, {11, 1}, {20, 0}, {24, 2}, {above, 3}}
	scale1Bands      = []band{{91, 3}, {93, 2}, {95, 1}, {above, 0}}
	scale2AirBands   = []band{{83, 3}, {85, 2}, {87, 1}, {above, 0}}
	scale2O2Bands    = []band{{83, 3}, {85, 2}, {87, 1}, {92, 0}, {94, 1}, {96, 2}, {above, 3}}
	systolicBands    = []band{{90, 3}, {100, 2}, {110, 1}, {219, 0}, {above, 3}}
	pulseBands       = []band{{40, 3}, {50, 1}, {90, 0}, {110, 1}, {130, 2}, {above, 3}}
	temperatureBands = []band{{350, 3}, {360, 1}, {380, 0}, {390, 1}, {above, 2}} // tenths of °C
)

// Score computes NEWS2 for a set of observations. It fails only for values
// that cannot be scored at all; see the package documentation.
func Score(o Observations) (Result, error) {
	if err := o.check(); err != nil {
		return Result{}, err
	}
	var r Result
	for _, p := range parameters {
		points, scored := o.points(p)
		if !scored {
			r.Missing = append(r.Missing, p)
			continue
		}
		r.Scores = append(r.Scores, ParameterScore{Parameter: p, Points: points})
		r.Total += points
		r.SingleThree = r.SingleThree || points == 3
	}
	r.Partial = len(r.Missing) > 0
	r.Risk, r.Response = riskOf(r.Total, r.SingleThree)
	return r, nil
}

func riskOf(total int, singleThree bool) (Risk, string) {
	switch {
	case total >= 7:
		return RiskHigh, responseHigh
	case total >= 5:
		return RiskMedium, responseMedium
	case singleThree:
		return RiskLowMedium, responseLowMedium
	case total >= 1:
		return RiskLow, responseLow
	}
	return RiskLow, responseZero
}

// points scores one parameter, and reports false if it was not observed.
func (o Observations) points(p Parameter) (int, bool) {
	switch p {
	case RespiratoryRate:
		return scoreValue(o.RespiratoryRate, 0, respiratoryBands)
	case OxygenSaturation:
		return o.saturationPoints()
	case AirOrOxygen:
		return o.oxygenPoints()
	case SystolicBP:
		return scoreValue(o.Systolic, 0, systolicBands)
	case Pulse:
		return scoreValue(o.Pulse, 0, pulseBands)
	case Consciousness:
		return o.consciousnessPoints()
	case Temperature:
		return scoreValue(o.Temperature, 1, temperatureBands)
	}
	panic("news2: unknown parameter " + string(p))
}

func (o Observations) saturationPoints() (int, bool) {
	if o.SpO2 == nil {
		return 0, false
	}
	if o.Scale != Scale2 {
		return scoreValue(o.SpO2, 0, scale1Bands)
	}
	if o.OnOxygen != nil && *o.OnOxygen {
		return scoreValue(o.SpO2, 0, scale2O2Bands)
	}
	if o.OnOxygen == nil && chartValue(*o.SpO2, 0) >= 93 {
		return 0, false // scores by air or oxygen, and neither is known
	}
	return scoreValue(o.SpO2, 0, scale2AirBands)
}

func (o Observations) oxygenPoints() (int, bool) {
	switch {
	case o.OnOxygen == nil:
		return 0, false
	case *o.OnOxygen:
		return 2, true
	}
	return 0, true
}

func (o Observations) consciousnessPoints() (int, bool) {
	switch o.Consciousness {
	case 0:
		return 0, false
	case Alert:
		return 0, true
	}
	return 3, true
}

// scoreValue scores an optional value against bands written to the given
// number of decimals.
func scoreValue(v *float64, decimals int, bands []band) (int, bool) {
	if v == nil {
		return 0, false
	}
	x := chartValue(*v, decimals)
	for _, b := range bands {
		if x <= b.upTo {
			return b.points, true
		}
	}
	panic("news2: bands must end at infinity")
}

// chartValue rounds a non-negative v to the given number of decimals, half
// up, and returns it in units of the last decimal (36.05 with one decimal
// gives 361). The small tolerance keeps a decimal tie such as 36.05, stored
// in binary a hair below, rounding up as written.
func chartValue(v float64, decimals int) float64 {
	x := v * math.Pow10(decimals)
	whole := math.Floor(x)
	if x-whole >= 0.5-1e-9 {
		whole++
	}
	return whole
}

// check refuses observations that cannot be scored at all.
func (o Observations) check() error {
	numbers := []struct {
		name string
		v    *float64
	}{
		{"respiratory rate", o.RespiratoryRate},
		{"SpO2", o.SpO2},
		{"systolic blood pressure", o.Systolic},
		{"pulse", o.Pulse},
		{"temperature", o.Temperature},
	}
	for _, n := range numbers {
		if n.v == nil {
			continue
		}
		if math.IsNaN(*n.v) || math.IsInf(*n.v, 0) || *n.v < 0 {
			return fmt.Errorf("news2: %s %v cannot be scored; it must be a number of zero or more", n.name, *n.v)
		}
	}
	if o.SpO2 != nil && *o.SpO2 > 100 {
		return fmt.Errorf("news2: SpO2 %v %% cannot be scored; saturation is at most 100 %%", *o.SpO2)
	}
	if o.Scale != 0 && o.Scale != Scale1 && o.Scale != Scale2 {
		return fmt.Errorf("news2: SpO2 scale %d is unknown; use 1, or 2 for a prescribed target of 88–92 %%", o.Scale)
	}
	if o.Consciousness < 0 || o.Consciousness > Unresponsive {
		return fmt.Errorf("news2: consciousness level %d is unknown", o.Consciousness)
	}
	return nil
}
