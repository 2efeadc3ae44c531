// Package summaries turns a patient's stored readings into what a clinician
// reads at a glance and a patient takes to an appointment: the clinical
// summaries of a period (home blood pressure, glucose time in range and its
// ambulatory profile, weight trend), a CSV export of the readings, and a
// PDF report. The arithmetic and the guidelines' numbers live in package
// clinical; this package reads the readings (through package readings, so
// every query is scoped by who asks) and puts the answers into words.
package summaries

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clinical"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Service summarises and exports patients' readings.
type Service struct {
	readings *readings.Service
	access   *access.Service
	people   *people.Service
	devices  *devices.Service
	clock    clock.Clock
}

// New returns a Service reading through rs and checking access with acc;
// ps and dev name who entered a reading and the device that took it.
func New(rs *readings.Service, acc *access.Service, ps *people.Service, dev *devices.Service, c clock.Clock) *Service {
	return &Service{readings: rs, access: acc, people: ps, devices: dev, clock: c}
}

// The periods a summary may cover, in days.
const (
	DefaultDays = 14
	MaxDays     = 366
)

// Request asks for a patient's summaries over the Days days that end at
// End.
type Request struct {
	PatientID string
	// Days is the length of the period: 1 to MaxDays, DefaultDays when 0.
	Days int
	// End is when the period ends; zero, or a time after now, means now.
	End time.Time
	// Population chooses the consensus glucose targets.
	Population clinical.Population
}

// Period is a span of time, From inclusive and To exclusive.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func period(p clinical.Period) Period { return Period{From: p.From, To: p.To} }

// Patient is who a summary is about, as a report names them.
type Patient struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	BirthDate string `json:"birthDate,omitempty"`
	MRN       string `json:"mrn,omitempty"`
	TimeZone  string `json:"timeZone" doc:"The IANA time zone days and hours are counted in" example:"Europe/Oslo"`
}

// Summary is every clinical summary of a patient over a period.
type Summary struct {
	Patient       Patient       `json:"patient"`
	Period        Period        `json:"period"`
	Days          int           `json:"days"`
	GeneratedAt   time.Time     `json:"generatedAt"`
	BloodPressure BloodPressure `json:"bloodPressure"`
	Glucose       Glucose       `json:"glucose"`
	Weight        Weight        `json:"weight"`
}

// Summarize computes a patient's summaries for the viewer, who must be
// allowed to see the patient's vitals (NotFound otherwise, as if the
// patient did not exist).
func (s *Service) Summarize(ctx context.Context, viewer people.Principal, req Request) (Summary, error) {
	if req.Days == 0 {
		req.Days = DefaultDays
	}
	if req.Days < 1 || req.Days > MaxDays {
		return Summary{}, errs.Field("days", "a summary covers 1 to %d days; %d is outside that", MaxDays, req.Days)
	}
	if _, ok := clinical.ConsensusTargets(req.Population); !ok {
		return Summary{}, errs.Field("population", "unknown glucose target population")
	}
	pat, err := s.patient(ctx, viewer, req.PatientID)
	if err != nil {
		return Summary{}, err
	}
	loc := pat.location()
	now := s.clock.Now()
	to := req.End
	if to.IsZero() || to.After(now) {
		to = now
	}
	p := clinical.Period{From: to.Add(-time.Duration(req.Days) * 24 * time.Hour), To: to}

	// The home blood pressure week ends with the day the period ends on.
	home := clinical.SummarizeHomeBP(nil, to.Add(-time.Nanosecond), loc, clinical.HomeThreshold).Period
	bp, err := s.bloodPressure(ctx, viewer, pat.ID, p, home.From, loc)
	if err != nil {
		return Summary{}, err
	}
	gl, err := s.glucose(ctx, viewer, pat.ID, p, loc, req.Population)
	if err != nil {
		return Summary{}, err
	}
	wt, err := s.weight(ctx, viewer, pat.ID, p, loc)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Patient: pat.Patient, Period: period(p), Days: req.Days, GeneratedAt: now,
		BloodPressure: bp, Glucose: gl, Weight: wt}, nil
}

type patient struct{ Patient }

func (p patient) location() *time.Location {
	return (&people.Profile{TimeZone: p.TimeZone}).Location()
}

// patient returns the patient when the viewer may see their vitals.
func (s *Service) patient(ctx context.Context, viewer people.Principal, id string) (patient, error) {
	if err := s.access.Check(ctx, viewer, id, access.Vitals); err != nil {
		return patient{}, err
	}
	ap, err := s.access.Patient(ctx, viewer, id)
	if err != nil {
		return patient{}, err
	}
	out := patient{Patient{ID: ap.ID, Name: ap.Name, BirthDate: ap.BirthDate, TimeZone: "UTC"}}
	if ap.Profile != nil {
		out.MRN = ap.Profile.MRN
		if loc := ap.Profile.Location(); loc != time.UTC || ap.Profile.TimeZone == "UTC" {
			out.TimeZone = loc.String()
		}
	}
	return out, nil
}

// each reads the patient's readings of one type in [from, to).
func (s *Service) each(ctx context.Context, viewer people.Principal, patientID, typ string, from, to time.Time, fn func(readings.Reading)) error {
	return s.readings.Each(ctx, viewer, readings.Query{PatientID: patientID, Types: []string{typ}, From: from, To: to},
		func(r readings.Reading) error {
			fn(r)
			return nil
		})
}

// component returns a panel reading's component, or NaN.
func component(r readings.Reading, key string) float64 {
	for _, c := range r.Components {
		if c.Key == key {
			return c.Value
		}
	}
	return math.NaN()
}

// plural writes n and a noun, with an s when n is not one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// dateKey is a day on the patient's calendar, as YYYY-MM-DD.
func dateKey(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// dailyMeans averages values by the patient's calendar day, keeping the
// days in the order they first appear (oldest first, as Each reads).
type dailyMeans struct {
	keys []string
	sums map[string][]float64
	ns   map[string]int
}

func newDaily() *dailyMeans {
	return &dailyMeans{sums: map[string][]float64{}, ns: map[string]int{}}
}

func (d *dailyMeans) add(key string, values ...float64) {
	if _, ok := d.sums[key]; !ok {
		d.keys = append(d.keys, key)
		d.sums[key] = make([]float64, len(values))
	}
	for i, v := range values {
		d.sums[key][i] += v
	}
	d.ns[key]++
}

func (d *dailyMeans) each(fn func(key string, n int, means []float64)) {
	for _, k := range d.keys {
		n := d.ns[k]
		means := make([]float64, len(d.sums[k]))
		for i, sum := range d.sums[k] {
			means[i] = sum / float64(n)
		}
		fn(k, n, means)
	}
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
