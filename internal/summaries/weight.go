package summaries

import (
	"context"
	"fmt"
	"time"

	"github.com/tend-health/tend/internal/clinical"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Weight is how body weight moved over the period.
type Weight struct {
	Period   Period `json:"period"`
	Unit     string `json:"unit" example:"kg"`
	Readings int    `json:"readings"`
	// Null without readings.
	First  *Point   `json:"first"`
	Latest *Point   `json:"latest"`
	Min    *float64 `json:"min"`
	Max    *float64 `json:"max"`
	Mean   *float64 `json:"mean"`
	// Change is Latest − First, null with fewer than two readings.
	Change        *float64 `json:"change"`
	ChangePercent *float64 `json:"changePercent"`
	// PerWeek is the slope of a line fitted to every reading; null when
	// the readings span less than a week.
	PerWeek *float64    `json:"perWeek"`
	Note    string      `json:"note,omitempty"`
	Daily   []WeightDay `json:"daily" doc:"Daily means, oldest first; days without readings are left out"`
}

// Point is one reading's time and value.
type Point struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// WeightDay is one day's mean weight.
type WeightDay struct {
	Date  string  `json:"date"`
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
}

func (s *Service) weight(ctx context.Context, viewer people.Principal, patientID string, p clinical.Period, loc *time.Location) (Weight, error) {
	var rs []clinical.WeightReading
	daily := newDaily()
	err := s.each(ctx, viewer, patientID, measure.BodyWeight, p.From, p.To, func(r readings.Reading) {
		if r.Value != nil {
			rs = append(rs, clinical.WeightReading{Time: r.TakenAt, Value: *r.Value})
			daily.add(dateKey(r.TakenAt, loc), *r.Value)
		}
	})
	if err != nil {
		return Weight{}, err
	}
	w := clinical.SummarizeWeight(rs, p)
	out := Weight{Period: period(p), Unit: "kg", Readings: w.Count, Daily: []WeightDay{}}
	daily.each(func(key string, n int, m []float64) {
		out.Daily = append(out.Daily, WeightDay{Date: key, Count: n, Mean: m[0]})
	})
	if w.Count == 0 {
		out.Note = "No weight readings in this period."
		return out, nil
	}
	out.First, out.Latest = &Point{w.First.Time, w.First.Value}, &Point{w.Latest.Time, w.Latest.Value}
	out.Min, out.Max, out.Mean = num(w.Min), num(w.Max), num(w.Mean)
	if w.HasChange {
		out.Change, out.ChangePercent = num(w.Change), num(w.ChangePercent)
	}
	if w.HasRate {
		out.PerWeek = num(w.PerWeek)
	}
	switch {
	case !w.HasChange:
		out.Note = "One weighing in this period: a trend needs at least two."
	case !w.HasRate:
		out.Note = fmt.Sprintf("The weighings span %.1f days: a weekly rate needs them at least a week apart.", w.SpanDays)
	}
	return out, nil
}
