// Package dashboard puts together, for one viewer, the standing of every
// patient they may see at a glance: the latest value of each vital sign,
// when the last reading came, open alerts, today's missed measurements and
// NEWS2. It owns no tables: it asks the services that do (access, readings,
// monitoring), each for all patients at once, so that a dashboard of forty
// patients costs about ten statements whatever their histories hold.
//
// What each patient's row shows follows the viewer's grant from that
// patient: vitals (latest values, last reading, missed measurements,
// NEWS2), alerts (counts and the most severe), journal (the newest
// entry). What the grant does not open is left out and named in NotShared,
// so a page can say so plainly.
//
// Each patient shown gets an audit event (dashboard.read) in their own
// trail, at most once per viewer every AuditEvery: a dashboard that
// reloads with every reading would otherwise write forty events a second
// for one nurse, burying what the log is for. The call itself is audited
// every time by the API door.
//
// Rows come worst first: open critical alerts, then NEWS2, then missed
// measurements, then other open alerts, then the longest without a
// reading, then by name.
package dashboard

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Board is what the API asks of this package.
type Board interface {
	For(ctx context.Context, viewer people.Principal) (Dashboard, error)
}

// The services the dashboard reads, as small as it needs them.
type (
	// Patients lists the patients a viewer may see, with their scopes.
	Patients interface {
		Patients(ctx context.Context, viewer people.Principal) ([]access.Patient, error)
	}
	// Readings gives the newest reading of each type and the newest
	// journal entry of many patients.
	Readings interface {
		Latest(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string][]readings.Reading, error)
		LatestEntries(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string]readings.Entry, error)
	}
	// Monitoring sums up alerts, today's schedules and NEWS2 of many patients.
	Monitoring interface {
		ActiveAlertCounts(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string]monitoring.AlertCounts, error)
		TodayCounts(ctx context.Context, viewer people.Principal, patientIDs []string, now time.Time) (map[string]monitoring.DayCounts, error)
		LatestNEWS2s(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string]monitoring.NEWS2, error)
		OutOfRange(ctx context.Context, viewer people.Principal, rs []monitoring.Reading) (map[string]monitoring.Severity, error)
	}
	// Auditor records one event per patient shown.
	Auditor interface {
		RecordEach(ctx context.Context, e audit.Event, patientIDs []string) error
	}
)

// Vitals are the measurement types a row shows the latest value of, in
// the order a page lays them out.
var Vitals = []string{measure.BloodPressure, measure.HeartRate, measure.SpO2, measure.BodyTemperature,
	measure.RespiratoryRate, measure.BloodGlucose, measure.BodyWeight}

// Dashboard is every patient a viewer may see, worst first.
type Dashboard struct {
	// At is the server's time of the answer: "5 minutes ago" counts from it.
	At       time.Time `json:"at"`
	Patients []Row     `json:"patients"`
}

// Row is one patient at a glance. The parts a grant does not open are
// absent, and their scopes listed in NotShared.
type Row struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	BirthDate string         `json:"birthDate,omitempty"`
	TimeZone  string         `json:"timeZone,omitempty" doc:"The patient's IANA time zone, when known"`
	Access    string         `json:"access" enum:"care,share"`
	Scopes    []access.Scope `json:"scopes"`
	NotShared []access.Scope `json:"notShared" doc:"Scopes the viewer's grant does not open"`

	// With the vitals scope:
	LastReadingAt time.Time             `json:"lastReadingAt,omitzero" doc:"When the newest reading of any type was taken"`
	Vitals        []Vital               `json:"vitals" doc:"The newest reading of each vital sign the patient has, in the order of Vitals; null without the vitals scope"`
	Today         *monitoring.DayCounts `json:"today,omitempty" doc:"Measurements due today on the patient's clock; absent when nothing is scheduled"`
	NEWS2         *NEWS2                `json:"news2,omitempty"`
	// With the alerts scope:
	Alerts *monitoring.AlertCounts `json:"alerts,omitempty"`
	// With the journal scope:
	Journal *JournalBrief `json:"journal,omitempty" doc:"The newest journal entry; absent when the journal is empty"`
}

// Vital is the newest reading of one type.
type Vital struct {
	Type       string               `json:"type" example:"blood_pressure"`
	Value      *float64             `json:"value,omitempty"`
	Components []readings.Component `json:"components,omitempty"`
	Unit       string               `json:"unit" doc:"The type's canonical UCUM unit"`
	TakenAt    time.Time            `json:"takenAt"`
	Source     readings.Source      `json:"source" enum:"device,manual,import"`
	ReadingID  string               `json:"readingId"`
	// OutOfRange is the severity of the most severe of the patient's alert
	// rules the value breaches; empty when it breaches none.
	OutOfRange monitoring.Severity `json:"outOfRange,omitempty" enum:"info,warning,critical,"`
}

// NEWS2 is the score beside a patient (monitoring.LatestNEWS2, briefly).
type NEWS2 struct {
	Available   bool      `json:"available"`
	Total       int       `json:"total"`
	Partial     bool      `json:"partial"`
	SingleThree bool      `json:"singleThree"`
	Risk        string    `json:"risk,omitempty" enum:"low,low-medium,medium,high,"`
	Response    string    `json:"response,omitempty"`
	At          time.Time `json:"at,omitzero"`
}

// JournalBrief is the newest journal entry.
type JournalBrief struct {
	ID         string             `json:"id"`
	Kind       readings.EntryKind `json:"kind" enum:"food,medication,symptom,note"`
	Name       string             `json:"name,omitempty"`
	OccurredAt time.Time          `json:"occurredAt"`
}

// Service builds dashboards.
type Service struct {
	patients   Patients
	readings   Readings
	monitoring Monitoring
	audit      Auditor
	clock      clock.Clock

	mu      sync.Mutex
	audited map[seen]time.Time // when a viewer's view of a patient was last audited
}

// AuditEvery is how often one viewer's dashboard view of one patient is
// written to the patient's audit trail.
const AuditEvery = 5 * time.Minute

type seen struct{ viewer, patient string }

// toAudit returns those of ids whose view by viewer was not audited within
// AuditEvery, and marks them audited at now; entries older than that are
// forgotten on the way.
func (s *Service) toAudit(viewer string, ids []string, now time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.audited == nil {
		s.audited = map[seen]time.Time{}
	}
	if len(s.audited) > 100_000 {
		for k, at := range s.audited {
			if now.Sub(at) >= AuditEvery {
				delete(s.audited, k)
			}
		}
	}
	var out []string
	for _, id := range ids {
		k := seen{viewer, id}
		if at, ok := s.audited[k]; ok && now.Sub(at) < AuditEvery && !now.Before(at) {
			continue
		}
		s.audited[k] = now
		out = append(out, id)
	}
	return out
}

// forget undoes toAudit's marks when the events could not be written, so
// the next answer tries again.
func (s *Service) forget(viewer string, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.audited, seen{viewer, id})
	}
}

// New returns a Service over the given services.
func New(p Patients, r Readings, m Monitoring, a Auditor, c clock.Clock) *Service {
	return &Service{patients: p, readings: r, monitoring: m, audit: a, clock: c}
}

// For returns the dashboard of every patient viewer may see, besides
// themself, worst first, and records that viewer saw each of them.
func (s *Service) For(ctx context.Context, viewer people.Principal) (Dashboard, error) {
	now := s.clock.Now()
	ps, err := s.patients.Patients(ctx, viewer)
	if err != nil {
		return Dashboard{}, err
	}
	rows := make([]Row, 0, len(ps))
	var all, vitals, alerts, journal []string
	for _, p := range ps {
		if p.Access == access.Self {
			continue // the viewer's own record belongs to their patient pages
		}
		r := Row{ID: p.ID, Name: p.Name, BirthDate: p.BirthDate, Access: p.Access, Scopes: p.Scopes, NotShared: []access.Scope{}}
		if p.Profile != nil {
			r.TimeZone = p.Profile.TimeZone
		}
		for _, sc := range access.Scopes {
			if !slices.Contains(p.Scopes, sc) {
				r.NotShared = append(r.NotShared, sc)
			}
		}
		rows = append(rows, r)
		all = append(all, p.ID)
		if slices.Contains(p.Scopes, access.Vitals) {
			vitals = append(vitals, p.ID)
		}
		if slices.Contains(p.Scopes, access.Alerts) {
			alerts = append(alerts, p.ID)
		}
		if slices.Contains(p.Scopes, access.Journal) {
			journal = append(journal, p.ID)
		}
	}
	if len(rows) == 0 {
		return Dashboard{At: now, Patients: rows}, nil
	}
	// The five reads are independent: run them side by side.
	var (
		latest  map[string][]readings.Reading
		today   map[string]monitoring.DayCounts
		scores  map[string]monitoring.NEWS2
		counts  map[string]monitoring.AlertCounts
		entries map[string]readings.Entry
		errs    [5]error
		wg      sync.WaitGroup
	)
	wg.Go(func() { latest, errs[0] = s.readings.Latest(ctx, viewer, vitals) })
	wg.Go(func() { today, errs[1] = s.monitoring.TodayCounts(ctx, viewer, vitals, now) })
	wg.Go(func() { scores, errs[2] = s.monitoring.LatestNEWS2s(ctx, viewer, vitals) })
	wg.Go(func() { counts, errs[3] = s.monitoring.ActiveAlertCounts(ctx, viewer, alerts) })
	wg.Go(func() { entries, errs[4] = s.readings.LatestEntries(ctx, viewer, journal) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Dashboard{}, err // the first, keeping its kind for the API
		}
	}
	var shown []readings.Reading
	for _, list := range latest {
		for _, x := range list {
			if slices.Contains(Vitals, x.Type) {
				shown = append(shown, x)
			}
		}
	}
	ranges, err := s.monitoring.OutOfRange(ctx, viewer, monitoring.FromReadings(shown))
	if err != nil {
		return Dashboard{}, err
	}
	for i := range rows {
		r := &rows[i]
		if slices.Contains(r.Scopes, access.Vitals) {
			r.Vitals = []Vital{}
			byType := map[string]readings.Reading{}
			for _, x := range latest[r.ID] {
				byType[x.Type] = x
				if x.TakenAt.After(r.LastReadingAt) {
					r.LastReadingAt = x.TakenAt
				}
			}
			for _, t := range Vitals {
				if x, ok := byType[t]; ok {
					r.Vitals = append(r.Vitals, Vital{Type: t, Value: x.Value, Components: x.Components, Unit: x.Unit,
						TakenAt: x.TakenAt, Source: x.Source, ReadingID: x.ID, OutOfRange: ranges[x.ID]})
				}
			}
			if c, ok := today[r.ID]; ok {
				r.Today = &c
			}
			if n, ok := scores[r.ID]; ok && n.Available {
				r.NEWS2 = &NEWS2{Available: true, Total: n.Total, Partial: n.Partial, SingleThree: n.SingleThree,
					Risk: n.Risk, Response: n.Response, At: n.At}
			}
		}
		if slices.Contains(r.Scopes, access.Alerts) {
			c := counts[r.ID]
			r.Alerts = &c
		}
		if e, ok := entries[r.ID]; ok {
			r.Journal = &JournalBrief{ID: e.ID, Kind: e.Kind, Name: e.Name, OccurredAt: e.OccurredAt}
		}
	}
	slices.SortStableFunc(rows, compare)
	due := s.toAudit(viewer.UserID, all, now)
	if err := s.audit.RecordEach(ctx, audit.Event{Action: "dashboard.read", Resource: "dashboard", Outcome: audit.Success, ActorID: viewer.UserID}, due); err != nil {
		s.forget(viewer.UserID, due)
		return Dashboard{}, err
	}
	return Dashboard{At: now, Patients: rows}, nil
}

// compare orders rows worst first.
func compare(a, b Row) int {
	if c := b.openCritical() - a.openCritical(); c != 0 {
		return c
	}
	if c := b.news2() - a.news2(); c != 0 {
		return c
	}
	if c := b.missed() - a.missed(); c != 0 {
		return c
	}
	if c := b.openAlerts() - a.openAlerts(); c != 0 {
		return c
	}
	// Longest without a reading first; a patient who never measured, before everyone.
	if c := a.LastReadingAt.Compare(b.LastReadingAt); c != 0 && slices.Contains(a.Scopes, access.Vitals) && slices.Contains(b.Scopes, access.Vitals) {
		return c
	}
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func (r Row) openCritical() int {
	if r.Alerts == nil {
		return 0
	}
	return r.Alerts.OpenCritical
}

func (r Row) openAlerts() int {
	if r.Alerts == nil {
		return 0
	}
	return r.Alerts.Open
}

// news2 is the score for ordering; none counts as 0, so that a missed
// measurement still ranks a patient without recent vitals above one
// whose score is 0.
func (r Row) news2() int {
	if r.NEWS2 == nil {
		return 0
	}
	return r.NEWS2.Total
}

func (r Row) missed() int {
	if r.Today == nil {
		return 0
	}
	return r.Today.Missed
}
