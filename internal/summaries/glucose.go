package summaries

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tend-health/tend/internal/clinical"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Glucose is the glucose summary of the period against the 2019
// international consensus on time in range, with the ambulatory glucose
// profile: the spread of glucose by hour of the patient's day.
type Glucose struct {
	Period   Period  `json:"period"`
	Unit     string  `json:"unit" example:"mg/dL"`
	Readings int     `json:"readings" doc:"Readings the summary rests on"`
	Targets  Targets `json:"targets"`
	// The statistics are null without readings.
	Mean *float64 `json:"mean"`
	SD   *float64 `json:"sd"`
	CV   *float64 `json:"cv" doc:"Coefficient of variation, %"`
	GMI  *float64 `json:"gmi" doc:"Glucose management indicator, %; only over sufficient data"`
	// Shares of the readings, %: below includes very low, above includes very high.
	InRange  *float64 `json:"inRange"`
	Below    *float64 `json:"below"`
	VeryLow  *float64 `json:"veryLow"`
	Above    *float64 `json:"above"`
	VeryHigh *float64 `json:"veryHigh"`
	Checks   []Check  `json:"checks" doc:"The consensus targets, each met or not"`
	// TargetsMet: there are readings and every target is met.
	TargetsMet bool    `json:"targetsMet"`
	Days       int     `json:"days"`
	Active     float64 `json:"active" doc:"Share of the period's 5-minute slots that hold a reading, %"`
	Sufficient bool    `json:"sufficient" doc:"Enough CGM data by the consensus: 14 days, active more than 70 % of the time"`
	Note       string  `json:"note,omitempty"`
	Profile    []Hour  `json:"profile" doc:"The ambulatory glucose profile: 24 hours of the patient's day"`
}

// Targets are the consensus targets the glucose is held against.
type Targets struct {
	Population string  `json:"population" enum:"adults,older,pregnancy"`
	Name       string  `json:"name"`
	Low        float64 `json:"low" doc:"The target range, mg/dL"`
	High       float64 `json:"high"`
	VeryLow    float64 `json:"veryLow"`
	VeryHigh   float64 `json:"veryHigh"`
}

// Check is one consensus target, met or not.
type Check struct {
	Name  string  `json:"name" example:"time in range 70–180 mg/dL"`
	Value float64 `json:"value" doc:"%"`
	Goal  string  `json:"goal" example:"> 70 %"`
	Met   bool    `json:"met"`
}

// Hour is the spread of glucose in one hour of the patient's day, over the
// period; the percentiles are null when the hour has no readings.
type Hour struct {
	Hour  int      `json:"hour"`
	Count int      `json:"count"`
	P5    *float64 `json:"p5"`
	P25   *float64 `json:"p25"`
	P50   *float64 `json:"p50"`
	P75   *float64 `json:"p75"`
	P95   *float64 `json:"p95"`
}

// Populations names the consensus populations for the API.
var Populations = map[string]clinical.Population{
	"adults":    clinical.AdultsT1DT2D,
	"older":     clinical.OlderHighRisk,
	"pregnancy": clinical.PregnancyT1D,
}

func populationName(p clinical.Population) string {
	for k, v := range Populations {
		if v == p {
			return k
		}
	}
	return ""
}

func num(v float64) *float64 { return &v }

func (s *Service) glucose(ctx context.Context, viewer people.Principal, patientID string, p clinical.Period,
	loc *time.Location, pop clinical.Population) (Glucose, error) {
	var rs []clinical.GlucoseReading
	err := s.each(ctx, viewer, patientID, measure.BloodGlucose, p.From, p.To, func(r readings.Reading) {
		if r.Value != nil {
			rs = append(rs, clinical.GlucoseReading{Time: r.TakenAt, Value: *r.Value})
		}
	})
	if err != nil {
		return Glucose{}, err
	}
	t, _ := clinical.ConsensusTargets(pop)
	c := clinical.SummarizeCGM(rs, p, t, clinical.CGMSufficiency)
	out := Glucose{Period: period(p), Unit: "mg/dL", Readings: c.Count,
		Targets: Targets{Population: populationName(pop), Name: t.Name, Low: t.Low, High: t.High,
			VeryLow: clinical.GlucoseVeryLow, VeryHigh: clinical.GlucoseVeryHigh},
		Checks: []Check{}, TargetsMet: c.TargetsMet, Days: c.Days, Active: c.Active, Sufficient: c.Sufficient,
		Profile: make([]Hour, 0, 24)}
	if c.Count > 0 {
		out.Mean, out.SD, out.CV = num(c.Mean), num(c.SD), num(c.CV)
		out.InRange, out.Below, out.VeryLow, out.Above, out.VeryHigh = num(c.InRange), num(c.Below), num(c.VeryLow), num(c.Above), num(c.VeryHigh)
		for _, ch := range c.Checks {
			out.Checks = append(out.Checks, Check{Name: ch.Name, Value: ch.Value, Goal: ch.Goal, Met: ch.Met})
		}
	}
	if c.Sufficient {
		out.GMI = num(clinical.GMI(c.Mean))
	}
	rule := clinical.CGMSufficiency
	switch {
	case c.Count == 0:
		out.Note = "No glucose readings in this period."
	case !c.Sufficient:
		out.Note = fmt.Sprintf("Rests on %s over %s, a reading in %.0f %% of the %.0f-minute slots. "+
			"The consensus reads these figures over at least %d days of continuous monitoring with the sensor active more than %.0f %% of the time, "+
			"so take them as a sketch, not a verdict.",
			plural(c.Count, "reading"), plural(c.Days, "day"), math.Floor(c.Active), rule.Interval.Minutes(), rule.Days, rule.MinActive)
	}
	for _, h := range clinical.AmbulatoryGlucoseProfile(rs, loc) {
		hour := Hour{Hour: h.Hour, Count: h.Count}
		if h.Count > 0 {
			hour.P5, hour.P25, hour.P50, hour.P75, hour.P95 = num(h.P5), num(h.P25), num(h.P50), num(h.P75), num(h.P95)
		}
		out.Profile = append(out.Profile, hour)
	}
	return out, nil
}
