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

// BloodPressure is the home blood pressure summary: the means of the last
// seven days on the patient's calendar, overall, mornings and evenings,
// against the ESC/ESH home threshold, and the daily means of the whole
// period for a trend.
type BloodPressure struct {
	Period     Period    `json:"period" doc:"The seven calendar days the means cover, in the patient's time zone"`
	Unit       string    `json:"unit" example:"mm[Hg]"`
	Readings   int       `json:"readings" doc:"Readings the means rest on"`
	Days       int       `json:"days" doc:"Days of the seven with at least one reading"`
	Sufficient bool      `json:"sufficient" doc:"At least 12 readings on at least 3 days, as the ESH asks"`
	Note       string    `json:"note,omitempty" doc:"What the summary lacks, in words, when it is not sufficient"`
	Threshold  Threshold `json:"threshold"`
	All        BPMean    `json:"all"`
	Morning    BPMean    `json:"morning"`
	Evening    BPMean    `json:"evening"`
	Trend      []BPDay   `json:"trend" doc:"Daily means over the whole period, oldest first; days without readings are left out"`
}

// Threshold is the guideline a mean is held against.
type Threshold struct {
	Systolic  float64 `json:"systolic"`
	Diastolic float64 `json:"diastolic"`
	Source    string  `json:"source"`
}

// BPMean is the mean of the readings in a window of the day.
type BPMean struct {
	Label     string   `json:"label" example:"Morning (04:00–12:00)"`
	Count     int      `json:"count"`
	Systolic  *float64 `json:"systolic" doc:"Null without readings"`
	Diastolic *float64 `json:"diastolic" doc:"Null without readings"`
	// ReachesThreshold: the mean, rounded to whole mmHg, is at or above
	// the threshold in systolic or diastolic.
	ReachesThreshold bool `json:"reachesThreshold"`
}

// BPDay is one day's mean blood pressure.
type BPDay struct {
	Date      string  `json:"date" example:"2026-11-16"`
	Count     int     `json:"count"`
	Systolic  float64 `json:"systolic"`
	Diastolic float64 `json:"diastolic"`
}

func bpMean(label string, m clinical.BPMean) BPMean {
	out := BPMean{Label: label, Count: m.Count}
	if m.Count > 0 {
		out.Systolic, out.Diastolic, out.ReachesThreshold = &m.Systolic, &m.Diastolic, m.ReachesThreshold
	}
	return out
}

func (s *Service) bloodPressure(ctx context.Context, viewer people.Principal, patientID string, p clinical.Period,
	homeFrom time.Time, loc *time.Location) (BloodPressure, error) {
	var week []clinical.BPReading
	daily := newDaily()
	err := s.each(ctx, viewer, patientID, measure.BloodPressure, earliest(p.From, homeFrom), p.To, func(r readings.Reading) {
		sys, dia := component(r, measure.Systolic), component(r, measure.Diastolic)
		if !r.TakenAt.Before(homeFrom) {
			week = append(week, clinical.BPReading{Time: r.TakenAt, Systolic: sys, Diastolic: dia})
		}
		if p.Contains(r.TakenAt) {
			daily.add(dateKey(r.TakenAt, loc), sys, dia)
		}
	})
	if err != nil {
		return BloodPressure{}, err
	}
	t := clinical.HomeThreshold
	h := clinical.SummarizeHomeBP(week, p.To.Add(-time.Nanosecond), loc, t)
	h.Period.To = earliest(h.Period.To, p.To) // nothing after the period's end was read
	out := BloodPressure{Period: period(h.Period), Unit: "mm[Hg]", Readings: h.All.Count, Days: h.Days, Sufficient: h.Sufficient,
		Threshold: Threshold{Systolic: t.Systolic, Diastolic: t.Diastolic, Source: "ESC/ESH home blood pressure threshold (135/85 mmHg)"},
		All:       bpMean("All readings", h.All),
		Morning:   bpMean(fmt.Sprintf("Morning (%02d:00–%02d:00)", clinical.MorningFrom, clinical.MorningTo), h.Morning),
		Evening:   bpMean(fmt.Sprintf("Evening (%02d:00–%02d:00)", clinical.EveningFrom, clinical.EveningTo), h.Evening),
		Trend:     []BPDay{}}
	switch {
	case h.All.Count == 0:
		out.Note = "No blood pressure readings in the last seven days."
	case !h.Sufficient:
		out.Note = fmt.Sprintf("Rests on %s on %s; a home average needs at least %d readings on at least %d days "+
			"(mornings and evenings, two readings each time), so read it with care.",
			plural(h.All.Count, "reading"), plural(h.Days, "day"), clinical.HomeBPMinReadings, clinical.HomeBPMinDays)
	}
	daily.each(func(key string, n int, m []float64) {
		out.Trend = append(out.Trend, BPDay{Date: key, Count: n, Systolic: m[0], Diastolic: m[1]})
	})
	return out, nil
}
