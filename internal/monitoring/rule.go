package monitoring

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
)

// Severity says how urgent an alert is; the values are notify's, so that
// critical alerts pass quiet hours.
type Severity string

// The severities, least urgent first.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

func (s Severity) rank() int {
	switch s {
	case Critical:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Kinds of rule, and of the alerts they raise.
const (
	KindVital  = "vital"  // a reading out of range
	KindNEWS2  = "news2"  // the early warning score
	KindMissed = "missed" // a scheduled measurement did not come
	KindDevice = "device" // a device needs attention
)

// Keys of the default rules.
const (
	RuleBPCrisis          = "bp_crisis"
	RuleGlucoseLow        = "glucose_low"      // hypoglycaemia level 1
	RuleGlucoseVeryLow    = "glucose_very_low" // hypoglycaemia level 2
	RuleGlucoseHigh       = "glucose_high"     // above 180 mg/dL
	RuleGlucoseVeryHigh   = "glucose_very_high"
	RuleSpO2Low           = "spo2_low"
	RuleHeartRateLow      = "heart_rate_low"
	RuleHeartRateHigh     = "heart_rate_high"
	RuleTemperatureLow    = "temperature_low"
	RuleTemperatureHigh   = "temperature_high"
	RuleNEWS2             = "news2"
	RuleNEWS2Single       = "news2_single_parameter"
	RuleMissedMeasurement = "missed_measurement"
	RuleDeviceBattery     = "device_battery"
	RuleDeviceFault       = "device_fault"
	RuleDeviceSilent      = "device_silent"
)

// Condition is one threshold of a rule. Op compares the reading's value
// (rounded as the chart writes it: whole numbers, tenths of a degree) with
// Value; the condition is breached when the comparison holds. Clear is the
// hysteresis: once the rule has fired, it stays active until the value is
// back at or beyond Clear on the safe side (at or below it for > and >=,
// at or above it for < and <=), so a value hovering at the threshold does
// not raise an alert each time it crosses.
type Condition struct {
	Component string  `json:"component,omitempty" doc:"Panel component (systolic, diastolic); empty for a single-valued type"`
	Op        string  `json:"op" enum:">,>=,<,<="`
	Value     float64 `json:"value"`
	Clear     float64 `json:"clear"`
}

func (c Condition) high() bool { return c.Op == ">" || c.Op == ">=" }

func (c Condition) breached(v float64) bool {
	switch c.Op {
	case ">":
		return v > c.Value
	case ">=":
		return v >= c.Value
	case "<":
		return v < c.Value
	case "<=":
		return v <= c.Value
	}
	return false
}

func (c Condition) cleared(v float64) bool {
	if c.high() {
		return v <= c.Clear
	}
	return v >= c.Clear
}

// Rule is an alert rule as it applies to a patient: a default, or a
// professional's override of it for this patient.
type Rule struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Kind string `json:"kind" enum:"vital,news2,missed,device"`
	// Measure is the measurement type a vital rule reads ("news2" for the
	// score); empty for missed and device rules.
	Measure string `json:"measure,omitempty"`
	// Conditions: the rule is breached when any is, and clears when all
	// are cleared. Missed and device rules have none.
	Conditions []Condition `json:"conditions"`
	// Consecutive is how many breaching readings in a row fire the rule.
	Consecutive int      `json:"consecutive" minimum:"1" maximum:"20"`
	Severity    Severity `json:"severity" enum:"info,warning,critical"`
	Enabled     bool     `json:"enabled"`
	// Group names rules on one measure of which only the most severe
	// breached one raises an alert for a reading (hypoglycaemia levels).
	Group string `json:"group,omitempty"`
	// Overridden is set when a professional changed the default for this patient.
	Overridden bool      `json:"overridden"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
	UpdatedBy  string    `json:"updatedBy,omitempty"`
}

// DefaultRules returns the rules every patient starts with, from the
// thresholds of the shared standards reference (section 4).
func DefaultRules() []Rule {
	one := func(key, name, m, comp, op string, v, clear float64, sev Severity, group string) Rule {
		return Rule{Key: key, Name: name, Kind: KindVital, Measure: m, Severity: sev, Enabled: true, Consecutive: 1,
			Group: group, Conditions: []Condition{{Component: comp, Op: op, Value: v, Clear: clear}}}
	}
	return []Rule{
		{Key: RuleBPCrisis, Name: "Hypertensive crisis", Kind: KindVital, Measure: measure.BloodPressure,
			Severity: Critical, Enabled: true, Consecutive: 1, Conditions: []Condition{
				{Component: measure.Systolic, Op: ">", Value: 180, Clear: 170},
				{Component: measure.Diastolic, Op: ">", Value: 120, Clear: 110},
			}},
		one(RuleGlucoseVeryLow, "Hypoglycaemia level 2", measure.BloodGlucose, "", "<", 54, 60, Critical, "glucose_low"),
		one(RuleGlucoseLow, "Hypoglycaemia level 1", measure.BloodGlucose, "", "<", 70, 75, Warning, "glucose_low"),
		one(RuleGlucoseVeryHigh, "Hyperglycaemia above 250 mg/dL", measure.BloodGlucose, "", ">", 250, 230, Warning, "glucose_high"),
		one(RuleGlucoseHigh, "Hyperglycaemia above 180 mg/dL", measure.BloodGlucose, "", ">", 180, 170, Info, "glucose_high"),
		one(RuleSpO2Low, "Low oxygen saturation", measure.SpO2, "", "<=", 91, 94, Critical, ""),
		one(RuleHeartRateLow, "Heart rate below 40", measure.HeartRate, "", "<", 40, 45, Critical, ""),
		one(RuleHeartRateHigh, "Heart rate above 130", measure.HeartRate, "", ">", 130, 120, Critical, ""),
		one(RuleTemperatureLow, "Temperature 35.0 °C or below", measure.BodyTemperature, "", "<=", 35.0, 35.5, Critical, ""),
		one(RuleTemperatureHigh, "Temperature 39.1 °C or above", measure.BodyTemperature, "", ">=", 39.1, 38.5, Critical, ""),
		{Key: RuleNEWS2, Name: "NEWS2 aggregate 5 or more", Kind: KindNEWS2, Measure: "news2", Severity: Warning, Enabled: true,
			Consecutive: 1, Conditions: []Condition{{Component: "total", Op: ">=", Value: 5, Clear: 4}}},
		{Key: RuleNEWS2Single, Name: "NEWS2 single parameter scoring 3", Kind: KindNEWS2, Measure: "news2", Severity: Warning,
			Enabled: true, Consecutive: 1, Conditions: []Condition{{Component: "max_parameter", Op: ">=", Value: 3, Clear: 2}}},
		{Key: RuleMissedMeasurement, Name: "Scheduled measurement missed", Kind: KindMissed, Severity: Warning, Enabled: true, Consecutive: 1, Conditions: []Condition{}},
		{Key: RuleDeviceBattery, Name: "Device battery low", Kind: KindDevice, Severity: Info, Enabled: true, Consecutive: 1, Conditions: []Condition{}},
		{Key: RuleDeviceFault, Name: "Device or sensor fault", Kind: KindDevice, Severity: Warning, Enabled: true, Consecutive: 1, Conditions: []Condition{}},
		{Key: RuleDeviceSilent, Name: "Device silent", Kind: KindDevice, Severity: Info, Enabled: true, Consecutive: 1, Conditions: []Condition{}},
	}
}

// news2Critical is the aggregate from which a NEWS2 alert is critical
// (the chart's emergency response); below it, from 5, it is urgent.
const news2Critical = 7

// spo2Scale2 adapts the default low-saturation rule to a patient on NEWS2
// scale 2 (target 88–92 %): 83 % or below is the scale's 3-point band.
func spo2Scale2(r Rule) Rule {
	r.Conditions = []Condition{{Op: "<=", Value: 83, Clear: 86}}
	return r
}

// resolution is how many decimals a value is compared at, as the charts
// write them: tenths of a degree, whole numbers otherwise.
func resolution(measureKey string) int {
	if measureKey == measure.BodyTemperature {
		return 1
	}
	return 0
}

// chart rounds v half away from zero to d decimals, deciding ties on the
// decimal value as written (36.05 is 36.1, though its float is a hair less).
func chart(v float64, d int) float64 {
	p := math.Pow10(d)
	x := v * p
	r := math.Round(x)
	if math.Abs(x-r) > 0.5-1e-9 && math.Abs(x-r) < 0.5+1e-9 {
		r = math.Trunc(x) + math.Copysign(1, x)
	}
	return r / p
}

// RulePatch changes a rule for one patient; nil fields keep the current value.
type RulePatch struct {
	Enabled     *bool       `json:"enabled,omitempty"`
	Conditions  []Condition `json:"conditions,omitempty" doc:"Replaces the thresholds; same components as the default"`
	Consecutive *int        `json:"consecutive,omitempty" minimum:"1" maximum:"20"`
	Severity    *Severity   `json:"severity,omitempty" enum:"info,warning,critical"`
}

type ruleSettings struct {
	Conditions  []Condition `json:"conditions"`
	Consecutive int         `json:"consecutive"`
	Severity    Severity    `json:"severity"`
}

// override is a stored per-patient change.
type override struct {
	enabled   bool
	settings  ruleSettings
	updatedAt time.Time
	updatedBy string
}

func (s *Service) defaultRule(key string) (Rule, bool) {
	i := slices.IndexFunc(s.defRule, func(r Rule) bool { return r.Key == key })
	if i < 0 {
		return Rule{}, false
	}
	r := s.defRule[i]
	r.Conditions = slices.Clone(r.Conditions)
	return r, true
}

// effectiveRules applies a patient's overrides and settings to the defaults.
func (s *Service) effectiveRules(ov map[string]override, scale int) []Rule {
	out := make([]Rule, 0, len(s.defRule))
	for _, d := range s.defRule {
		r := d
		r.Conditions = slices.Clone(d.Conditions)
		if r.Key == RuleSpO2Low && scale == 2 {
			r = spo2Scale2(r)
		}
		if o, ok := ov[r.Key]; ok {
			r.Enabled = o.enabled
			if len(o.settings.Conditions) > 0 {
				r.Conditions = o.settings.Conditions
			}
			if o.settings.Consecutive > 0 {
				r.Consecutive = o.settings.Consecutive
			}
			if o.settings.Severity != "" {
				r.Severity = o.settings.Severity
			}
			r.Overridden, r.UpdatedAt, r.UpdatedBy = true, o.updatedAt, o.updatedBy
		}
		out = append(out, r)
	}
	return out
}

// loadOverrides reads the overrides of some patients.
func loadOverrides(ctx context.Context, q querier, patientIDs []string) (map[string]map[string]override, error) {
	out := map[string]map[string]override{}
	if len(patientIDs) == 0 {
		return out, nil
	}
	var args db.Args
	rows, err := q.QueryContext(ctx, `SELECT patient_id, rule_key, enabled, settings, updated_at, updated_by
		FROM alert_rule_overrides WHERE patient_id IN (`+placeholders(&args, patientIDs)+`)`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading rule overrides")
	}
	defer rows.Close()
	for rows.Next() {
		var pid, key, settings, by string
		var enabled bool
		var at int64
		if err := rows.Scan(&pid, &key, &enabled, &settings, &at, &by); err != nil {
			return nil, errs.Wrap(err, "reading rule overrides")
		}
		var o override
		if err := json.Unmarshal([]byte(settings), &o.settings); err != nil {
			return nil, errs.Wrap(err, "reading rule overrides")
		}
		o.enabled, o.updatedAt, o.updatedBy = enabled, db.Time(at), by
		if out[pid] == nil {
			out[pid] = map[string]override{}
		}
		out[pid][key] = o
	}
	return out, errs.Wrap(rows.Err(), "reading rule overrides")
}

// Rules lists the rules that apply to a patient, overrides applied.
func (s *Service) Rules(ctx context.Context, viewer people.Principal, patientID string) ([]Rule, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Alerts); err != nil {
		return nil, err
	}
	ov, err := loadOverrides(ctx, s.db.R, []string{patientID})
	if err != nil {
		return nil, err
	}
	st, err := s.settings(ctx, s.db.R, patientID)
	if err != nil {
		return nil, err
	}
	return s.effectiveRules(ov[patientID], st.Scale), nil
}

// SetRule changes a rule for one patient. Only a nurse or doctor who may
// see the patient's alerts may.
func (s *Service) SetRule(ctx context.Context, viewer people.Principal, patientID, key string, p RulePatch) (Rule, error) {
	if err := s.mayChange(ctx, viewer, patientID, access.Alerts); err != nil {
		return Rule{}, err
	}
	def, ok := s.defaultRule(key)
	if !ok {
		return Rule{}, errs.NotFoundf("no alert rule %q", key)
	}
	rules, err := s.Rules(ctx, viewer, patientID)
	if err != nil {
		return Rule{}, err
	}
	cur := rules[slices.IndexFunc(rules, func(r Rule) bool { return r.Key == key })]
	if p.Enabled != nil {
		cur.Enabled = *p.Enabled
	}
	if p.Conditions != nil {
		if err := checkConditions(def, p.Conditions); err != nil {
			return Rule{}, err
		}
		cur.Conditions = p.Conditions
	}
	if p.Consecutive != nil {
		if *p.Consecutive < 1 || *p.Consecutive > 20 {
			return Rule{}, errs.Field("consecutive", "consecutive readings must be between 1 and 20")
		}
		if def.Kind != KindVital && def.Kind != KindNEWS2 && *p.Consecutive != 1 {
			return Rule{}, errs.Field("consecutive", "this rule fires on a single event")
		}
		cur.Consecutive = *p.Consecutive
	}
	if p.Severity != nil {
		if p.Severity.rank() == 0 {
			return Rule{}, errs.Field("severity", "severity must be info, warning or critical")
		}
		cur.Severity = *p.Severity
	}
	settings, _ := json.Marshal(ruleSettings{Conditions: cur.Conditions, Consecutive: cur.Consecutive, Severity: cur.Severity})
	now := s.clock.Now()
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO alert_rule_overrides (patient_id, rule_key, enabled, settings, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (patient_id, rule_key) DO UPDATE SET enabled = excluded.enabled,
		settings = excluded.settings, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		patientID, key, db.Bool(cur.Enabled), string(settings), db.Millis(now), viewer.UserID)
	if err != nil {
		return Rule{}, errs.Wrap(err, "saving the rule")
	}
	s.record(ctx, audit.Event{Action: "alert_rule.update", PatientID: patientID, Resource: "alert-rules/" + key, Outcome: audit.Success})
	cur.Overridden, cur.UpdatedAt, cur.UpdatedBy = true, now, viewer.UserID
	return cur, nil
}

// ResetRule returns a patient's rule to the default.
func (s *Service) ResetRule(ctx context.Context, viewer people.Principal, patientID, key string) error {
	if err := s.mayChange(ctx, viewer, patientID, access.Alerts); err != nil {
		return err
	}
	if _, ok := s.defaultRule(key); !ok {
		return errs.NotFoundf("no alert rule %q", key)
	}
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM alert_rule_overrides WHERE patient_id = $1 AND rule_key = $2`, patientID, key); err != nil {
		return errs.Wrap(err, "resetting the rule")
	}
	s.record(ctx, audit.Event{Action: "alert_rule.reset", PatientID: patientID, Resource: "alert-rules/" + key, Outcome: audit.Success})
	return nil
}

// checkConditions validates new thresholds for a rule: the same components
// as its default, a known comparison, and a clear threshold on the safe side.
func checkConditions(def Rule, cs []Condition) error {
	if def.Kind != KindVital && def.Kind != KindNEWS2 {
		return errs.Field("conditions", "this rule has no thresholds to set")
	}
	if len(cs) == 0 {
		return errs.Field("conditions", "give at least one threshold")
	}
	comps := map[string]bool{}
	for _, c := range def.Conditions {
		comps[c.Component] = true
	}
	for i, c := range cs {
		f := fmt.Sprintf("conditions[%d]", i)
		switch {
		case !comps[c.Component]:
			return errs.Field(f+".component", "this rule reads %s", componentList(def))
		case c.Op != ">" && c.Op != ">=" && c.Op != "<" && c.Op != "<=":
			return errs.Field(f+".op", "op must be >, >=, < or <=")
		case math.IsNaN(c.Value) || math.IsInf(c.Value, 0) || math.IsNaN(c.Clear) || math.IsInf(c.Clear, 0):
			return errs.Field(f+".value", "thresholds must be numbers")
		case c.high() && c.Clear > c.Value:
			return errs.Field(f+".clear", "for a high threshold the clear value must be at or below %g", c.Value)
		case !c.high() && c.Clear < c.Value:
			return errs.Field(f+".clear", "for a low threshold the clear value must be at or above %g", c.Value)
		}
	}
	return nil
}

func componentList(r Rule) string {
	var out []string
	for _, c := range r.Conditions {
		if c.Component == "" {
			out = append(out, "the reading's value (no component)")
		} else {
			out = append(out, c.Component)
		}
	}
	return fmt.Sprint(out)
}

// ruleState is where a rule stands for a patient (per device for device
// rules).
type ruleState struct {
	consecutive int
	active      bool
	lastAt      time.Time
	dirty       bool
	stored      bool
}

// step moves a rule's state by one observation and tells what follows:
// fire (open an alert, or count a repeat on the open one) or clear (the
// condition went away past its clear threshold).
//
//   - breached while active: a repeat;
//   - breached while inactive: one more in a row; at the rule's count the
//     rule becomes active and fires;
//   - cleared: the rule becomes inactive and the run is reset;
//   - between the threshold and the clear value: an active rule stays
//     active (hysteresis); an inactive one's run is broken.
func (st *ruleState) step(breached, cleared bool, consecutive int, at time.Time) (fire, clear bool) {
	st.dirty = true
	if at.After(st.lastAt) {
		st.lastAt = at
	}
	switch {
	case breached && st.active:
		return true, false
	case breached:
		st.consecutive++
		if st.consecutive >= max(consecutive, 1) {
			st.active, st.consecutive = true, 0
			return true, false
		}
	case cleared:
		wasActive := st.active
		st.active, st.consecutive = false, 0
		return false, wasActive
	default:
		if !st.active {
			st.consecutive = 0
		}
	}
	return false, false
}

type stateKey struct{ patient, rule string }

func loadStates(ctx context.Context, q querier, patientIDs []string) (map[stateKey]*ruleState, error) {
	out := map[stateKey]*ruleState{}
	if len(patientIDs) == 0 {
		return out, nil
	}
	var args db.Args
	rows, err := q.QueryContext(ctx, `SELECT patient_id, rule_key, consecutive, active, last_at FROM alert_rule_state
		WHERE patient_id IN (`+placeholders(&args, patientIDs)+`)`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading rule states")
	}
	defer rows.Close()
	for rows.Next() {
		var k stateKey
		st := &ruleState{stored: true}
		var at int64
		if err := rows.Scan(&k.patient, &k.rule, &st.consecutive, &st.active, &at); err != nil {
			return nil, errs.Wrap(err, "reading rule states")
		}
		st.lastAt = db.Time(at)
		out[k] = st
	}
	return out, errs.Wrap(rows.Err(), "reading rule states")
}

func saveStates(ctx context.Context, tx querier, states map[stateKey]*ruleState) error {
	type row struct {
		k  stateKey
		st *ruleState
	}
	var rows []row
	for k, st := range states {
		// A state back at rest that was never stored need not be.
		if st.dirty && (st.stored || st.active || st.consecutive > 0) {
			rows = append(rows, row{k, st})
		}
	}
	for start := 0; start < len(rows); start += rowsPerInsert {
		chunk := rows[start:min(start+rowsPerInsert, len(rows))]
		var args db.Args
		q := `INSERT INTO alert_rule_state (patient_id, rule_key, consecutive, active, last_at) VALUES `
		for i, r := range chunk {
			if i > 0 {
				q += ", "
			}
			q += "(" + args.Add(r.k.patient) + ", " + args.Add(r.k.rule) + ", " + args.Add(r.st.consecutive) + ", " +
				args.Add(db.Bool(r.st.active)) + ", " + args.Add(db.Millis(r.st.lastAt)) + ")"
		}
		q += ` ON CONFLICT (patient_id, rule_key) DO UPDATE SET consecutive = excluded.consecutive,
			active = excluded.active, last_at = excluded.last_at`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return errs.Wrap(err, "saving rule states")
		}
	}
	return nil
}
