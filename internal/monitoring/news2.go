package monitoring

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/news2"
	"github.com/tend-health/tend/internal/people"
)

// The NEWS2 inputs kept per patient (vital_latest.param).
const (
	paramRespiratoryRate = "respiratory_rate"
	paramSpO2            = "spo2"
	paramSystolic        = "systolic"
	paramPulse           = "pulse"
	paramTemperature     = "temperature"
	paramConsciousness   = "consciousness"
	paramOnOxygen        = "on_oxygen"
)

// news2Inputs maps a reading to the NEWS2 inputs it carries.
func news2Inputs(r Reading) map[string]float64 {
	switch r.Type {
	case measure.RespiratoryRate:
		return map[string]float64{paramRespiratoryRate: r.Value}
	case measure.SpO2:
		return map[string]float64{paramSpO2: r.Value}
	case measure.HeartRate:
		return map[string]float64{paramPulse: r.Value}
	case measure.BodyTemperature:
		return map[string]float64{paramTemperature: r.Value}
	case measure.BloodPressure:
		if v, ok := r.Components[measure.Systolic]; ok {
			return map[string]float64{paramSystolic: v}
		}
	}
	return nil
}

// NEWS2Settings are a patient's NEWS2 settings.
type NEWS2Settings struct {
	// Scale is the SpO2 scale: 2 only for hypercapnic respiratory failure
	// with a prescribed target of 88–92 %. It also moves the low-saturation
	// alert rule to scale 2's 3-point band (83 % or below).
	Scale int `json:"scale" enum:"1,2"`
	// OnOxygen says whether the patient breathes supplemental oxygen
	// (true) or air (false); unset leaves the parameter unscored unless an
	// observation records it.
	OnOxygen *bool `json:"onOxygen,omitempty"`
}

func (s *Service) settings(ctx context.Context, q querier, patientID string) (NEWS2Settings, error) {
	m, err := loadSettings(ctx, q, []string{patientID})
	return m[patientID], err
}

func loadSettings(ctx context.Context, q querier, patientIDs []string) (map[string]NEWS2Settings, error) {
	out := map[string]NEWS2Settings{}
	for _, id := range patientIDs {
		out[id] = NEWS2Settings{Scale: 1}
	}
	for start := 0; start < len(patientIDs); start += idsPerQuery {
		var args db.Args
		rows, err := q.QueryContext(ctx, `SELECT patient_id, spo2_scale, on_oxygen FROM monitoring_patients
			WHERE patient_id IN (`+placeholders(&args, patientIDs[start:min(start+idsPerQuery, len(patientIDs))])+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading NEWS2 settings")
		}
		for rows.Next() {
			var id string
			var st NEWS2Settings
			var ox sql.NullInt64
			if err := rows.Scan(&id, &st.Scale, &ox); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading NEWS2 settings")
			}
			if ox.Valid {
				b := ox.Int64 == 1
				st.OnOxygen = &b
			}
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading NEWS2 settings")
		}
	}
	return out, nil
}

// NEWS2Settings returns a patient's NEWS2 settings.
func (s *Service) NEWS2Settings(ctx context.Context, viewer people.Principal, patientID string) (NEWS2Settings, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Vitals); err != nil {
		return NEWS2Settings{}, err
	}
	return s.settings(ctx, s.db.R, patientID)
}

// SetNEWS2Settings changes a patient's NEWS2 settings; a nurse or doctor
// who may see the patient's vitals may.
func (s *Service) SetNEWS2Settings(ctx context.Context, viewer people.Principal, patientID string, st NEWS2Settings) (NEWS2Settings, error) {
	if err := s.mayChange(ctx, viewer, patientID, access.Vitals); err != nil {
		return NEWS2Settings{}, err
	}
	if st.Scale != 1 && st.Scale != 2 {
		return NEWS2Settings{}, errs.Field("scale", "the SpO2 scale is 1 or 2")
	}
	var ox any
	if st.OnOxygen != nil {
		ox = db.Bool(*st.OnOxygen)
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO monitoring_patients (patient_id, version, spo2_scale, on_oxygen, updated_at, updated_by)
		VALUES ($1, 1, $2, $3, $4, $5) ON CONFLICT (patient_id) DO UPDATE SET spo2_scale = excluded.spo2_scale,
		on_oxygen = excluded.on_oxygen, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		patientID, st.Scale, ox, db.Millis(s.clock.Now()), viewer.UserID)
	if err != nil {
		return NEWS2Settings{}, errs.Wrap(err, "saving NEWS2 settings")
	}
	s.record(ctx, audit.Event{Action: "news2_settings.update", PatientID: patientID, Resource: "news2-settings", Outcome: audit.Success})
	return st, nil
}

// latestValue is the latest value of one NEWS2 input.
type latestValue struct {
	value     float64
	takenAt   time.Time
	readingID string
	changed   bool
}

func loadLatest(ctx context.Context, q querier, patientIDs []string) (map[string]map[string]latestValue, error) {
	out := map[string]map[string]latestValue{}
	for _, id := range patientIDs {
		out[id] = map[string]latestValue{}
	}
	for start := 0; start < len(patientIDs); start += idsPerQuery {
		var args db.Args
		rows, err := q.QueryContext(ctx, `SELECT patient_id, param, value, taken_at, reading_id FROM vital_latest
			WHERE patient_id IN (`+placeholders(&args, patientIDs[start:min(start+idsPerQuery, len(patientIDs))])+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading latest vitals")
		}
		for rows.Next() {
			var id, param string
			var v latestValue
			var at int64
			if err := rows.Scan(&id, &param, &v.value, &at, &v.readingID); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading latest vitals")
			}
			v.takenAt = db.Time(at)
			out[id][param] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading latest vitals")
		}
	}
	return out, nil
}

func saveLatest(ctx context.Context, tx querier, latest map[string]map[string]latestValue, recordedBy string) error {
	var args db.Args
	var values []string
	flush := func() error {
		if len(values) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO vital_latest (patient_id, param, value, taken_at, reading_id, recorded_by) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (patient_id, param) DO UPDATE SET value = excluded.value,
			taken_at = excluded.taken_at, reading_id = excluded.reading_id, recorded_by = excluded.recorded_by`, args...)
		args, values = nil, nil
		return errs.Wrap(err, "saving latest vitals")
	}
	for pid, params := range latest {
		for param, v := range params {
			if !v.changed {
				continue
			}
			values = append(values, "("+args.Add(pid)+", "+args.Add(param)+", "+args.Add(v.value)+", "+
				args.Add(db.Millis(v.takenAt))+", "+args.Add(v.readingID)+", "+args.Add(nullString(recordedBy))+")")
			if len(values) >= rowsPerInsert {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// NEWS2 is a patient's early warning score from their latest vitals.
type NEWS2 struct {
	// Available is false when no vital sign within the window could be
	// scored; the rest is then empty.
	Available bool `json:"available"`
	Total     int  `json:"total"`
	// Partial is set when some parameters had no recent value: the total
	// can only be lower than the full score, so it is no reassurance.
	Partial     bool              `json:"partial"`
	SingleThree bool              `json:"singleThree" doc:"Some parameter scored 3"`
	Risk        string            `json:"risk" enum:"low,low-medium,medium,high"`
	Response    string            `json:"response"`
	Scale       int               `json:"scale"`
	Parameters  []NEWS2Parameter  `json:"parameters"`
	Missing     []news2.Parameter `json:"missing"`
	// At is the time of the newest value used; Since the oldest a value
	// may be to count.
	At    time.Time `json:"at,omitzero"`
	Since time.Time `json:"since"`
}

// NEWS2Parameter is one scored parameter with the value it came from.
type NEWS2Parameter struct {
	Parameter news2.Parameter `json:"parameter"`
	Points    int             `json:"points"`
	Value     float64         `json:"value"`
	TakenAt   time.Time       `json:"takenAt,omitzero" doc:"Zero for the patient's standing air/oxygen setting"`
}

// scoreNEWS2 scores a patient's latest inputs that are no older than since.
func scoreNEWS2(latest map[string]latestValue, st NEWS2Settings, since time.Time) (NEWS2, error) {
	out := NEWS2{Scale: max(st.Scale, 1), Since: since, Parameters: []NEWS2Parameter{}}
	obs := news2.Observations{Scale: news2.Scale(out.Scale)}
	used := map[news2.Parameter]latestValue{}
	take := func(param string, p news2.Parameter) *float64 {
		v, ok := latest[param]
		if !ok || v.takenAt.Before(since) {
			return nil
		}
		used[p] = v
		if v.takenAt.After(out.At) {
			out.At = v.takenAt
		}
		x := v.value
		return &x
	}
	obs.RespiratoryRate = take(paramRespiratoryRate, news2.RespiratoryRate)
	obs.SpO2 = take(paramSpO2, news2.OxygenSaturation)
	obs.Systolic = take(paramSystolic, news2.SystolicBP)
	obs.Pulse = take(paramPulse, news2.Pulse)
	obs.Temperature = take(paramTemperature, news2.Temperature)
	if c := take(paramConsciousness, news2.Consciousness); c != nil {
		obs.Consciousness = news2.ACVPU(*c)
	}
	if o := take(paramOnOxygen, news2.AirOrOxygen); o != nil {
		b := *o == 1
		obs.OnOxygen = &b
	} else if st.OnOxygen != nil {
		obs.OnOxygen = st.OnOxygen
		used[news2.AirOrOxygen] = latestValue{value: float64(db.Bool(*st.OnOxygen))}
	}
	measured := 0
	for p, v := range used {
		if p != news2.AirOrOxygen || !v.takenAt.IsZero() {
			measured++
		}
	}
	if measured == 0 {
		// Nothing observed: a standing air/oxygen setting alone is no score.
		return out, nil
	}
	r, err := news2.Score(obs)
	if err != nil {
		return out, err
	}
	out.Available = true
	out.Total, out.Partial, out.SingleThree, out.Risk, out.Response = r.Total, r.Partial, r.SingleThree, r.Risk.String(), r.Response
	out.Missing = r.Missing
	if out.Missing == nil {
		out.Missing = []news2.Parameter{}
	}
	for _, ps := range r.Scores {
		v := used[ps.Parameter]
		out.Parameters = append(out.Parameters, NEWS2Parameter{Parameter: ps.Parameter, Points: ps.Points, Value: v.value, TakenAt: v.takenAt})
	}
	return out, nil
}

func (n NEWS2) maxPoints() int {
	m := 0
	for _, p := range n.Parameters {
		m = max(m, p.Points)
	}
	return m
}

// LatestNEWS2 scores a patient's latest vitals within the NEWS2 window, for
// display beside the patient, to anyone who may see their vitals.
func (s *Service) LatestNEWS2(ctx context.Context, viewer people.Principal, patientID string) (NEWS2, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Vitals); err != nil {
		return NEWS2{}, err
	}
	st, err := s.settings(ctx, s.db.R, patientID)
	if err != nil {
		return NEWS2{}, err
	}
	latest, err := loadLatest(ctx, s.db.R, []string{patientID})
	if err != nil {
		return NEWS2{}, err
	}
	n, err := scoreNEWS2(latest[patientID], st, s.clock.Now().Add(-s.NEWS2Window))
	return n, errs.Wrap(err, "scoring NEWS2")
}

// Observation is what a professional records for NEWS2 that no device
// measures: the level of consciousness, and whether the patient is on
// supplemental oxygen at the time.
type Observation struct {
	// Consciousness on the ACVPU scale: alert, confusion (new), voice,
	// pain or unresponsive; empty when not assessed.
	Consciousness string `json:"consciousness,omitempty" enum:"alert,confusion,voice,pain,unresponsive,"`
	// OnOxygen, when set, records air (false) or oxygen (true) now.
	OnOxygen *bool `json:"onOxygen,omitempty"`
	// At is when it was observed (default now; not in the future).
	At time.Time `json:"at,omitzero"`
}

var acvpu = map[string]news2.ACVPU{"alert": news2.Alert, "confusion": news2.NewConfusion, "voice": news2.Voice,
	"pain": news2.Pain, "unresponsive": news2.Unresponsive}

// RecordObservation records consciousness and air/oxygen for NEWS2, scores
// the patient again (raising NEWS2 alerts as readings do), and returns the
// new score. A nurse or doctor who may see the patient's vitals may.
func (s *Service) RecordObservation(ctx context.Context, viewer people.Principal, patientID string, o Observation) (NEWS2, error) {
	if err := s.mayChange(ctx, viewer, patientID, access.Vitals); err != nil {
		return NEWS2{}, err
	}
	now := s.clock.Now()
	if o.At.IsZero() {
		o.At = now
	}
	if o.At.After(now.Add(time.Minute)) {
		return NEWS2{}, errs.Field("at", "an observation cannot be in the future")
	}
	values := map[string]float64{}
	if o.Consciousness != "" {
		level, ok := acvpu[strings.ToLower(o.Consciousness)]
		if !ok {
			return NEWS2{}, errs.Field("consciousness", "consciousness is alert, confusion, voice, pain or unresponsive")
		}
		values[paramConsciousness] = float64(level)
	}
	if o.OnOxygen != nil {
		values[paramOnOxygen] = float64(db.Bool(*o.OnOxygen))
	}
	if len(values) == 0 {
		return NEWS2{}, errs.Invalidf("record consciousness, air or oxygen, or both")
	}
	err := s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		ev := newEvaluation(s, now)
		if err := ev.load(ctx, tx, []string{patientID}); err != nil {
			return err
		}
		for param, v := range values {
			ev.observe(patientID, param, v, o.At, "")
		}
		ev.news2Touched[patientID] = true
		return ev.finish(ctx, tx, viewer.UserID, out)
	})
	if err != nil {
		return NEWS2{}, err
	}
	s.record(ctx, audit.Event{Action: "news2_observation.create", PatientID: patientID, Resource: "news2", Outcome: audit.Success})
	return s.LatestNEWS2(ctx, viewer, patientID)
}

// news2Reading turns a score into the derived reading the NEWS2 rules read.
func news2Reading(patientID string, n NEWS2) Reading {
	return Reading{PatientID: patientID, Type: "news2", TakenAt: n.At,
		Components: map[string]float64{"total": float64(n.Total), "max_parameter": float64(n.maxPoints())}}
}

func news2Detail(n NEWS2) string {
	d := fmt.Sprintf("NEWS2 %d (%s risk): %s", n.Total, n.Risk, n.Response)
	if n.Partial {
		var miss []string
		for _, m := range n.Missing {
			miss = append(miss, strings.ReplaceAll(string(m), "_", " "))
		}
		d += fmt.Sprintf(". Partial score, without %s: the full score may be higher.", strings.Join(miss, ", "))
	}
	return d
}
