package monitoring

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/gatt"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/news2"
)

// Reading is a stored measurement as monitoring needs it. Values are in
// the type's canonical unit (package measure).
type Reading struct {
	ID        string
	PatientID string
	Type      string  // measurement type key, e.g. blood_pressure
	Value     float64 // single-valued types
	// Components holds a panel's values, e.g. systolic and diastolic.
	Components map[string]float64
	TakenAt    time.Time
	DeviceID   string   // empty for manual entry
	Flags      []string // device flags reported with it (gatt flag names, e.g. battery-low)
}

// DeviceIntervals tells how long each device may stay silent before that
// is a problem (the devices service). A device it does not list gets
// Service.DeviceSilentAfter; a zero duration turns the watch off for it.
type DeviceIntervals interface {
	ExpectedIntervals(ctx context.Context, deviceIDs []string) (map[string]time.Duration, error)
}

// faultFlags are the device flags that raise a device-fault alert.
var faultFlags = []string{gatt.FlagSensorMalfunction.Name, gatt.FlagGeneralDeviceFault.Name,
	gatt.FlagEquipmentMalfunction.Name, gatt.FlagUnknownSensor.Name, gatt.FlagSensorDisconnected.Name}

// OnReadings is what the ingest path calls after it has committed a batch
// of readings. In one transaction it marks the due measurements the
// readings fulfil, keeps each patient's latest NEWS2 inputs, runs the
// patient's alert rules over the readings in the order they were taken,
// scores NEWS2 again where an input changed, and watches the devices that
// sent them. Alerts and notifications it raises are handed over after the
// commit.
//
// It is called directly rather than from a subscription to the event bus,
// so that a slow or lagging subscriber can never skip a reading: an error
// here is returned to ingest, which may log it and call again with the same
// readings (a repeat only counts again on an open alert). The cost per
// reading is a few indexed reads and writes, shared by the whole batch.
func (s *Service) OnReadings(ctx context.Context, rs []Reading) error {
	list := make([]Reading, 0, len(rs))
	for _, r := range rs {
		if r.PatientID != "" && r.Type != "" && !r.TakenAt.IsZero() {
			list = append(list, r)
		}
	}
	if len(list) == 0 {
		return nil
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].PatientID != list[j].PatientID {
			return list[i].PatientID < list[j].PatientID
		}
		return list[i].TakenAt.Before(list[j].TakenAt)
	})
	var patients, devices []string
	for _, r := range list {
		if n := len(patients); n == 0 || patients[n-1] != r.PatientID {
			patients = append(patients, r.PatientID)
		}
		if r.DeviceID != "" && !slices.Contains(devices, r.DeviceID) {
			devices = append(devices, r.DeviceID)
		}
	}
	intervals := map[string]time.Duration{}
	if s.deps.Devices != nil && len(devices) > 0 {
		got, err := s.deps.Devices.ExpectedIntervals(ctx, devices)
		if err != nil {
			slog.Warn("monitoring: device intervals unavailable, using the default", "err", err)
		}
		for k, v := range got {
			intervals[k] = v
		}
	}
	now := s.clock.Now()
	return s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		ev := newEvaluation(s, now)
		ev.intervals = intervals
		if err := ev.load(ctx, tx, patients); err != nil {
			return err
		}
		for _, r := range list {
			ev.reading(r)
		}
		return ev.finish(ctx, tx, "", out)
	})
}

// evaluation is one batch of observations being run through a set of
// patients' schedules and rules inside one transaction.
type evaluation struct {
	s            *Service
	now          time.Time
	schedules    map[string][]sched
	overrides    map[string]map[string]override
	settings     map[string]NEWS2Settings
	states       map[stateKey]*ruleState
	latest       map[string]map[string]latestValue
	rules        map[string][]Rule
	intervals    map[string]time.Duration
	news2Touched map[string]bool
	hits         []hit
	clears       []stateKey
	fulfil       []fulfilRow
	watch        map[string]watchRow
	back         []stateKey // (patient, device) pairs heard from
}

type fulfilRow struct {
	scheduleID, patientID, readingID string
	due, takenAt                     time.Time
}

type watchRow struct {
	patientID          string
	lastSeen, silentAt time.Time
}

func newEvaluation(s *Service, now time.Time) *evaluation {
	return &evaluation{s: s, now: now, rules: map[string][]Rule{}, news2Touched: map[string]bool{},
		watch: map[string]watchRow{}, intervals: map[string]time.Duration{}}
}

func (ev *evaluation) load(ctx context.Context, tx querier, patients []string) error {
	slices.Sort(patients)
	var err error
	if err = lockPatients(ctx, tx, patients); err != nil {
		return err
	}
	if ev.schedules, err = runningSchedules(ctx, tx, patients); err != nil {
		return err
	}
	if ev.overrides, err = loadOverrides(ctx, tx, patients); err != nil {
		return err
	}
	if ev.settings, err = loadSettings(ctx, tx, patients); err != nil {
		return err
	}
	if ev.states, err = loadStates(ctx, tx, patients); err != nil {
		return err
	}
	ev.latest, err = loadLatest(ctx, tx, patients)
	return err
}

func (ev *evaluation) rulesFor(pid string) []Rule {
	rs, ok := ev.rules[pid]
	if !ok {
		rs = ev.s.effectiveRules(ev.overrides[pid], ev.settings[pid].Scale)
		ev.rules[pid] = rs
	}
	return rs
}

func (ev *evaluation) state(k stateKey) *ruleState {
	st, ok := ev.states[k]
	if !ok {
		st = &ruleState{}
		ev.states[k] = st
	}
	return st
}

// observe keeps a NEWS2 input if it is newer than the one held.
func (ev *evaluation) observe(pid, param string, v float64, at time.Time, readingID string) {
	m := ev.latest[pid]
	if m == nil {
		m = map[string]latestValue{}
		ev.latest[pid] = m
	}
	if cur, ok := m[param]; ok && cur.takenAt.After(at) {
		return
	}
	m[param] = latestValue{value: v, takenAt: at, readingID: readingID, changed: true}
	ev.news2Touched[pid] = true
}

func (ev *evaluation) reading(r Reading) {
	pid := r.PatientID
	for _, sc := range ev.schedules[pid] {
		if sc.typeKey != r.Type {
			continue
		}
		if due, ok := sc.pattern.Containing(r.TakenAt, sc.loc, sc.early, sc.grace); ok && sc.counts(due) {
			ev.fulfil = append(ev.fulfil, fulfilRow{scheduleID: sc.id, patientID: pid, readingID: r.ID, due: due, takenAt: r.TakenAt})
		}
	}
	for param, v := range news2Inputs(r) {
		ev.observe(pid, param, v, r.TakenAt, r.ID)
	}
	ev.applyRules(pid, r, KindVital, nil)
	if r.DeviceID != "" {
		ev.device(r)
	}
}

// judge reads a reading against a rule's conditions; ok is false when the
// reading carries none of the values the rule reads.
func judge(rule Rule, r Reading) (breached, cleared, ok bool) {
	cleared = true
	for _, c := range rule.Conditions {
		v, has := r.Value, true
		if c.Component != "" {
			v, has = r.Components[c.Component]
		}
		if !has {
			continue
		}
		ok = true
		v = chart(v, resolution(rule.Measure))
		if c.breached(v) {
			breached = true
		}
		if !c.cleared(v) {
			cleared = false
		}
	}
	return breached, cleared && ok, ok
}

// applyRules steps every enabled rule of a kind that reads r's type, and
// turns the firing ones into hits: of rules in one group, only the most
// severe that fired raises an alert.
func (ev *evaluation) applyRules(pid string, r Reading, kind string, score *NEWS2) {
	var fired []Rule
	for _, rule := range ev.rulesFor(pid) {
		if !rule.Enabled || rule.Kind != kind || rule.Measure != r.Type {
			continue
		}
		breached, cleared, ok := judge(rule, r)
		if !ok {
			continue
		}
		k := stateKey{pid, rule.Key}
		st := ev.state(k)
		if r.TakenAt.Before(st.lastAt) {
			continue // older than what the rule has already seen: history, not news
		}
		fire, clear := st.step(breached, cleared, rule.Consecutive, r.TakenAt)
		if fire {
			fired = append(fired, rule)
		}
		if clear {
			ev.clears = append(ev.clears, k)
		}
	}
	for _, rule := range fired {
		if rule.Group != "" && slices.ContainsFunc(fired, func(o Rule) bool {
			return o.Group == rule.Group && o.Severity.rank() > rule.Severity.rank()
		}) {
			continue
		}
		if rule.Key == RuleNEWS2Single && score != nil && ev.coveredByVitals(pid, *score) {
			continue
		}
		h := hit{patientID: pid, ruleKey: rule.Key, kind: rule.Kind, severity: rule.Severity, title: rule.Name,
			readingID: r.ID, deviceID: r.DeviceID, at: r.TakenAt}
		if score != nil {
			h.detail = news2Detail(*score)
			if rule.Key == RuleNEWS2 && score.Total >= news2Critical {
				h.severity, h.title = Critical, "NEWS2 aggregate 7 or more"
			}
		} else {
			h.detail = describe(r)
			if rule.Consecutive > 1 {
				h.detail += fmt.Sprintf(" (%d readings in a row)", rule.Consecutive)
			}
		}
		ev.hits = append(ev.hits, h)
	}
}

// singleThreeRules names, for each NEWS2 parameter, the vital-sign rules
// that catch the same danger on their own.
var singleThreeRules = map[news2.Parameter][]string{
	news2.OxygenSaturation: {RuleSpO2Low},
	news2.Pulse:            {RuleHeartRateLow, RuleHeartRateHigh},
	news2.Temperature:      {RuleTemperatureLow, RuleTemperatureHigh},
	news2.SystolicBP:       {RuleBPCrisis},
}

// coveredByVitals tells whether every parameter scoring 3 is already the
// subject of an active vital-sign rule: the single-parameter NEWS2 alert
// would then only repeat what the nurse has been told, so it stays quiet
// (its state still moves). A parameter no vital rule watches (respiratory
// rate, consciousness, a pulse of exactly 40) still raises it.
func (ev *evaluation) coveredByVitals(pid string, n NEWS2) bool {
	for _, p := range n.Parameters {
		if p.Points < 3 {
			continue
		}
		covered := false
		for _, key := range singleThreeRules[p.Parameter] {
			if st, ok := ev.states[stateKey{pid, key}]; ok && st.active {
				covered = true
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// describe writes a reading's value for an alert.
func describe(r Reading) string {
	t, ok := measure.ByKey(r.Type)
	if !ok {
		return fmt.Sprintf("%s %g", r.Type, r.Value)
	}
	if t.IsPanel() {
		var parts []string
		unit := ""
		for _, c := range t.Components {
			if v, ok := r.Components[c.Key]; ok && c.Key != measure.Mean {
				parts = append(parts, fmt.Sprintf("%g", v))
				unit = measure.UnitDisplay(c.Value.Unit)
			}
		}
		return fmt.Sprintf("%s %s %s", t.Name, strings.Join(parts, "/"), unit)
	}
	return fmt.Sprintf("%s %g %s", t.Name, r.Value, measure.UnitDisplay(t.Value.Unit))
}

// device runs the device rules on the flags a reading carried, and notes
// that the device was heard from.
func (ev *evaluation) device(r Reading) {
	pid := r.PatientID
	battery := slices.Contains(r.Flags, gatt.FlagBatteryLow.Name)
	fault := slices.ContainsFunc(r.Flags, func(f string) bool { return slices.Contains(faultFlags, f) })
	for _, rule := range ev.rulesFor(pid) {
		if !rule.Enabled || rule.Kind != KindDevice {
			continue
		}
		var on bool
		switch rule.Key {
		case RuleDeviceBattery:
			on = battery
		case RuleDeviceFault:
			on = fault
		default:
			continue
		}
		k := stateKey{pid, rule.Key + ":" + r.DeviceID}
		st := ev.state(k)
		if r.TakenAt.Before(st.lastAt) {
			continue
		}
		fire, clear := st.step(on, !on, 1, r.TakenAt)
		if fire {
			var which []string
			for _, f := range r.Flags {
				if f == gatt.FlagBatteryLow.Name || slices.Contains(faultFlags, f) {
					which = append(which, f)
				}
			}
			ev.hits = append(ev.hits, hit{patientID: pid, ruleKey: k.rule, kind: KindDevice, severity: rule.Severity,
				title: rule.Name, detail: "The device reported: " + strings.Join(which, ", "), readingID: r.ID,
				deviceID: r.DeviceID, at: r.TakenAt})
		}
		if clear {
			ev.clears = append(ev.clears, k)
		}
	}
	interval, ok := ev.intervals[r.DeviceID]
	if !ok {
		interval = ev.s.DeviceSilentAfter
	}
	if interval > 0 {
		ev.watch[r.DeviceID] = watchRow{patientID: pid, lastSeen: ev.now, silentAt: ev.now.Add(interval)}
	}
	if !slices.Contains(ev.back, stateKey{pid, r.DeviceID}) {
		ev.back = append(ev.back, stateKey{pid, r.DeviceID})
	}
}

// finish scores NEWS2 where an input changed and writes everything the
// batch decided.
func (ev *evaluation) finish(ctx context.Context, tx querier, recordedBy string, out *[]outbox.Item) error {
	var touched []string
	for pid := range ev.news2Touched {
		touched = append(touched, pid)
	}
	slices.Sort(touched)
	for _, pid := range touched {
		n, err := scoreNEWS2(ev.latest[pid], ev.settings[pid], ev.now.Add(-ev.s.NEWS2Window))
		if err != nil {
			slog.Warn("monitoring: NEWS2 not scored", "err", err) // no health data: the error names the parameter only
			continue
		}
		if !n.Available {
			continue
		}
		ev.applyRules(pid, news2Reading(pid, n), KindNEWS2, &n)
	}
	if err := ev.saveFulfilments(ctx, tx, out); err != nil {
		return err
	}
	if err := saveLatest(ctx, tx, ev.latest, recordedBy); err != nil {
		return err
	}
	if err := saveStates(ctx, tx, ev.states); err != nil {
		return err
	}
	if err := ev.s.raise(ctx, tx, ev.hits, ev.now, out); err != nil {
		return err
	}
	if err := ev.s.clearAlerts(ctx, tx, ev.clears, ev.now, out); err != nil {
		return err
	}
	return ev.saveWatch(ctx, tx, out)
}

func (ev *evaluation) saveFulfilments(ctx context.Context, tx querier, out *[]outbox.Item) error {
	for start := 0; start < len(ev.fulfil); start += rowsPerInsert {
		chunk := ev.fulfil[start:min(start+rowsPerInsert, len(ev.fulfil))]
		var args db.Args
		var values []string
		for _, f := range chunk {
			values = append(values, "("+args.Add(f.scheduleID)+", "+args.Add(db.Millis(f.due))+", "+args.Add(f.readingID)+", "+
				args.Add(db.Millis(f.takenAt))+", "+args.Add(db.Millis(ev.now))+")")
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO schedule_fulfilments (schedule_id, due_at, reading_id, taken_at, recorded_at) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (schedule_id, due_at) DO NOTHING RETURNING schedule_id, due_at`, args...)
		if err != nil {
			return errs.Wrap(err, "recording fulfilled measurements")
		}
		type done struct {
			id  string
			due int64
		}
		var got []done
		for rows.Next() {
			var d done
			if err := rows.Scan(&d.id, &d.due); err != nil {
				rows.Close()
				return errs.Wrap(err, "recording fulfilled measurements")
			}
			got = append(got, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "recording fulfilled measurements")
		}
		for _, d := range got {
			for _, f := range chunk {
				if f.scheduleID == d.id && db.Millis(f.due) == d.due {
					*out = append(*out, outbox.Event(ScheduleFulfilled, f.patientID, access.Vitals, map[string]any{
						"scheduleId": f.scheduleID, "dueAt": f.due, "readingId": f.readingID, "takenAt": f.takenAt}))
					break
				}
			}
		}
	}
	return nil
}

func (ev *evaluation) saveWatch(ctx context.Context, tx querier, out *[]outbox.Item) error {
	if len(ev.back) == 0 {
		return nil
	}
	// Devices alerted as silent that were heard from have an alert to resolve.
	var devs []string
	for _, b := range ev.back {
		devs = append(devs, b.rule)
	}
	silent := map[string]bool{}
	for start := 0; start < len(devs); start += idsPerQuery {
		var args db.Args
		rows, err := tx.QueryContext(ctx, `SELECT device_id FROM device_watch WHERE alerted = 1 AND device_id IN (`+
			placeholders(&args, devs[start:min(start+idsPerQuery, len(devs))])+`)`, args...)
		if err != nil {
			return errs.Wrap(err, "watching devices")
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return errs.Wrap(err, "watching devices")
			}
			silent[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "watching devices")
		}
	}
	var ids []string
	for id := range ev.watch {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for start := 0; start < len(ids); start += rowsPerInsert {
		var args db.Args
		var values []string
		for _, id := range ids[start:min(start+rowsPerInsert, len(ids))] {
			w := ev.watch[id]
			values = append(values, "("+args.Add(id)+", "+args.Add(w.patientID)+", "+args.Add(db.Millis(w.lastSeen))+", "+
				args.Add(db.Millis(w.silentAt))+", 0)")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_watch (device_id, patient_id, last_seen_at, silent_at, alerted) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (device_id) DO UPDATE SET patient_id = excluded.patient_id,
			last_seen_at = excluded.last_seen_at, silent_at = excluded.silent_at, alerted = 0`, args...); err != nil {
			return errs.Wrap(err, "watching devices")
		}
	}
	for _, b := range ev.back {
		if !silent[b.rule] {
			continue
		}
		if _, watched := ev.watch[b.rule]; !watched {
			// No longer watched (interval turned off): forget the old silence.
			if _, err := tx.ExecContext(ctx, `DELETE FROM device_watch WHERE device_id = $1`, b.rule); err != nil {
				return errs.Wrap(err, "watching devices")
			}
		}
		if err := ev.s.resolveBySystem(ctx, tx, b.patient, RuleDeviceSilent+":"+b.rule, "the device reported again", ev.now, out); err != nil {
			return err
		}
	}
	return nil
}
