package readings

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
)

// Door names the way a reading came in.
type Door string

// The doors.
const (
	DoorHTTP Door = "http" // JSON batch endpoint
	DoorFHIR Door = "fhir" // FHIR Observation
	DoorMQTT Door = "mqtt"
	DoorMLLP Door = "mllp" // HL7 v2 ORU^R01
	DoorGATT Door = "gatt" // raw Bluetooth characteristic values
	DoorWeb  Door = "web"  // the web app's forms
)

var doors = []Door{DoorHTTP, DoorFHIR, DoorMQTT, DoorMLLP, DoorGATT, DoorWeb}

// Source says who produced a reading.
type Source string

// The sources.
const (
	SourceDevice Source = "device" // measured and sent by a registered device
	SourceManual Source = "manual" // typed in by a person
	SourceImport Source = "import" // imported by a person from elsewhere (a phone's health store, a file)
)

// Status is the state of a stored reading.
type Status string

// The statuses. A reading is never deleted; a wrong one is marked.
const (
	StatusFinal          Status = "final"
	StatusEnteredInError Status = "entered-in-error"
)

// Component is one number of a panel reading, such as the systolic pressure
// of a blood pressure. On input it is named by Key or by its LOINC code, and
// Unit, when empty, is the item's. On output both Key and LOINC are set and
// Unit is empty: values are in the reading's unit.
type Component struct {
	Key   string  `json:"key,omitempty" example:"systolic"`
	LOINC string  `json:"loinc,omitempty" example:"8480-6"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Item is one reading as a door hands it to Ingest, in neutral terms: each
// door decodes its own format into Items.
type Item struct {
	// Type is the measurement type's key ("heart_rate"); LOINC may name it
	// instead, or as well ("8867-4"). A LOINC code of a panel's component
	// ("8480-6") with a Value stands for that one component.
	Type  string `json:"type,omitempty" example:"heart_rate"`
	LOINC string `json:"loinc,omitempty" example:"8867-4"`
	// Value is the number of a single-valued type; Components the numbers
	// of a panel.
	Value      *float64    `json:"value,omitempty"`
	Components []Component `json:"components,omitempty"`
	// Unit is a UCUM code or a common spelling ("mmHg", "bpm", "°F").
	Unit string `json:"unit,omitempty" example:"/min"`
	// TakenAt is when the measurement was made.
	TakenAt time.Time `json:"takenAt"`
	// ExternalID is the sender's own id for the reading. A reading sent
	// again with the same id by the same device (or person) is answered
	// "duplicate" and not stored twice. Up to 256 characters.
	ExternalID string `json:"externalId,omitempty" maxLength:"256"`
	// Flags are status conditions the device reported with the value, such
	// as "cuff-too-loose" or "irregular-pulse".
	Flags []string `json:"flags,omitempty"`
	// BatteryPercent and DeviceStatus are what the device said about
	// itself; they update the device's record, not the reading.
	BatteryPercent *int   `json:"batteryPercent,omitempty" minimum:"0" maximum:"100"`
	DeviceStatus   string `json:"deviceStatus,omitempty" maxLength:"100"`
}

// Batch is what one caller hands to Ingest: items from one source.
type Batch struct {
	Door Door
	// Source is SourceDevice when DeviceID is set, and SourceManual (or
	// SourceImport) when a person enters the readings.
	Source Source
	// DeviceID is the device that sent the readings, already authenticated
	// by the door. Its current assignment says whose readings they are.
	DeviceID string
	// By is the person entering the readings (manual entry, import) or
	// relaying a device's readings (a phone posting GATT values). Without a
	// device it is required, and must be allowed to write the patient's
	// vitals: the patient, or someone granted vitals.
	By *people.Principal
	// PatientID is whose readings these are: required without a device;
	// with one it is a check (an HL7 message names its patient), and a
	// device assigned to someone else is refused.
	PatientID string
	Items     []Item
	// Audit, when set, gives the audit event that records this batch, from
	// its results (ids set), or false for none. It is asked inside the
	// transaction that stores the batch's readings, and the event commits
	// with them: one commit, not two. It is asked only when some item
	// reaches the store (not when every item is refused); when it was, and
	// Ingest returns no error, the event is committed. It must not block.
	Audit func(results []Result) (audit.Event, bool)
}

// MaxItems is the most items one batch may carry.
const MaxItems = 10000

// ClockSkew is how far ahead of Tend's clock a reading's time may be, and
// how long before its device's assignment, before it is refused.
const ClockSkew = 5 * time.Minute

// Outcome is what became of one item.
type Outcome string

// The outcomes.
const (
	Stored    Outcome = "stored"
	Duplicate Outcome = "duplicate" // stored before, from the same source with the same external id
	Refused   Outcome = "refused"
)

// Reason is a stable word for why an item was refused; Result.Message says
// it for people.
type Reason string

// The reasons for refusing an item.
const (
	ReasonInvalid          Reason = "invalid"           // malformed: no value, bad time, bad flag …
	ReasonUnknownType      Reason = "unknown_type"      // not a type the catalogue knows
	ReasonUnit             Reason = "unit"              // a unit not accepted for the type
	ReasonImplausible      Reason = "implausible"       // outside what a living body can show
	ReasonIncomplete       Reason = "incomplete"        // a panel without a required component
	ReasonFuture           Reason = "future"            // taken after now (beyond ClockSkew)
	ReasonDisabled         Reason = "disabled"          // the device is disabled
	ReasonUnassigned       Reason = "unassigned"        // the device is assigned to nobody
	ReasonPatientMismatch  Reason = "patient_mismatch"  // the device is assigned to someone else
	ReasonBeforeAssignment Reason = "before_assignment" // taken before the device was given to its patient
)

// Result answers one item of a batch, in the batch's order.
type Result struct {
	Outcome    Outcome `json:"outcome" enum:"stored,duplicate,refused"`
	ID         string  `json:"id,omitempty" doc:"The reading's id: the new one, or the one stored before for a duplicate"`
	ExternalID string  `json:"externalId,omitempty"`
	Reason     Reason  `json:"reason,omitempty"`
	Message    string  `json:"message,omitempty"`
	// Fields names each wrong field of the item ("value", "unit",
	// "components.diastolic", "takenAt").
	Fields []errs.FieldError `json:"fields,omitempty"`
}

// Tally counts the outcomes of a batch.
func Tally(rs []Result) (stored, duplicate, refused int) {
	for _, r := range rs {
		switch r.Outcome {
		case Stored:
			stored++
		case Duplicate:
			duplicate++
		default:
			refused++
		}
	}
	return
}

func refuse(reason Reason, field, format string, args ...any) Result {
	msg := fmt.Sprintf(format, args...)
	r := Result{Outcome: Refused, Reason: reason, Message: msg}
	if field != "" {
		r.Fields = []errs.FieldError{{Field: field, Message: msg}}
	}
	return r
}

// typeInfo is what ingest needs of a catalogue type, worked out once.
type typeInfo struct {
	t     measure.Type
	comps []string // component keys in column order (v1, v2, v3); the type key for a single value
}

const maxComponents = 3 // v1, v2, v3

var types = map[string]*typeInfo{}

func init() {
	for _, t := range measure.Types() {
		ti := &typeInfo{t: t}
		if t.IsPanel() {
			for _, c := range t.Components {
				ti.comps = append(ti.comps, c.Key)
			}
		} else {
			ti.comps = []string{t.Key}
		}
		if len(ti.comps) > maxComponents {
			panic("readings: measurement type " + t.Key + " has more components than the table holds")
		}
		types[t.Key] = ti
	}
}

func (ti *typeInfo) index(key string) int {
	for i, k := range ti.comps {
		if k == key {
			return i
		}
	}
	return -1
}

// componentCode returns the LOINC code of column i of the type.
func (ti *typeInfo) componentCode(i int) string {
	if !ti.t.IsPanel() {
		return ti.t.Code.Code
	}
	return ti.t.Components[i].Code.Code
}

func typeList() string {
	var keys []string
	for _, t := range measure.Types() {
		keys = append(keys, t.Key)
	}
	return strings.Join(keys, ", ")
}

// values is a checked reading, ready to become a row.
type values struct {
	ti       *typeInfo
	loinc    string
	v        [maxComponents]float64
	has      [maxComponents]bool
	orig     [maxComponents]float64
	origUnit string // empty when the values arrived in the canonical unit
	flags    string
}

// check resolves, converts and checks an item's type, values, unit and
// flags. Time and source are checked by the caller.
func check(it *Item) (values, Result, bool) {
	var out values
	ti, comp, res, ok := resolveType(it)
	if !ok {
		return out, res, false
	}
	out.ti = ti
	type number struct {
		key, field, unit string
		value            float64
	}
	var nums []number
	switch {
	case !ti.t.IsPanel():
		if len(it.Components) > 0 {
			return out, refuse(ReasonInvalid, "components", "%s is a single value: send value, not components", lower(ti.t.Name)), false
		}
		if it.Value == nil {
			return out, refuse(ReasonInvalid, "value", "%s needs a value", lower(ti.t.Name)), false
		}
		nums = append(nums, number{field: "value", unit: it.Unit, value: *it.Value})
	case comp != "":
		// A component's own LOINC code with one value.
		if it.Value == nil || len(it.Components) > 0 {
			return out, refuse(ReasonInvalid, "value", "the code %s is the %s of a %s: send its value as value", it.LOINC, comp, lower(ti.t.Name)), false
		}
		nums = append(nums, number{key: comp, field: "value", unit: it.Unit, value: *it.Value})
	default:
		if it.Value != nil {
			return out, refuse(ReasonInvalid, "value", "%s is a panel: send its components (%s), not a value", lower(ti.t.Name), strings.Join(ti.comps, ", ")), false
		}
		if len(it.Components) == 0 {
			return out, refuse(ReasonIncomplete, "components", "%s needs its components: %s", lower(ti.t.Name), strings.Join(ti.comps, ", ")), false
		}
		for i, c := range it.Components {
			key := strings.TrimSpace(c.Key)
			if c.LOINC != "" {
				t2, k2, ok := measure.ByLOINC(c.LOINC)
				if !ok || t2.Key != ti.t.Key || k2 == "" || (key != "" && key != k2) {
					return out, refuse(ReasonInvalid, fmt.Sprintf("components[%d].loinc", i),
						"the code %s is not a component of %s", c.LOINC, lower(ti.t.Name)), false
				}
				key = k2
			}
			unit := c.Unit
			if unit == "" {
				unit = it.Unit
			}
			nums = append(nums, number{key: key, field: "components." + key, unit: unit, value: c.Value})
		}
	}

	var fields []errs.FieldError
	var first Reason
	note := func(reason Reason, field, msg string) {
		if first == "" {
			first = reason
		}
		fields = append(fields, errs.FieldError{Field: field, Message: msg})
	}
	panel := map[string]float64{}
	for _, n := range nums {
		i := 0
		if ti.t.IsPanel() {
			i = ti.index(n.key)
			if i < 0 {
				note(ReasonInvalid, "components", fmt.Sprintf("%s has no component %q; use %s", lower(ti.t.Name), n.key, strings.Join(ti.comps, ", ")))
				continue
			}
			if out.has[i] {
				note(ReasonInvalid, n.field, fmt.Sprintf("the %s is given twice", n.key))
				continue
			}
		}
		norm, err := measure.Normalize(ti.t.Key, n.key, n.value, n.unit)
		if err != nil {
			reason, field := ReasonInvalid, n.field
			switch {
			case errors.Is(err, measure.ErrUnit):
				reason = ReasonUnit
				if n.field == "value" || n.unit == it.Unit {
					field = "unit"
				} else {
					field = n.field + ".unit"
				}
			case errors.Is(err, measure.ErrImplausible):
				reason = ReasonImplausible
			}
			note(reason, field, err.Error())
			continue
		}
		if norm.OriginalUnit != norm.Unit {
			if out.origUnit != "" && out.origUnit != norm.OriginalUnit {
				note(ReasonUnit, n.field, "the components of one reading must share a unit")
				continue
			}
			out.origUnit = norm.OriginalUnit
		} else if out.origUnit != "" {
			note(ReasonUnit, n.field, "the components of one reading must share a unit")
			continue
		}
		out.v[i], out.orig[i], out.has[i] = norm.Value, norm.Original, true
		panel[n.key] = norm.Value
	}
	if first == "" && ti.t.IsPanel() {
		if err := measure.CheckPanel(ti.t.Key, panel); err != nil {
			reason := ReasonImplausible
			if errors.Is(err, measure.ErrIncomplete) {
				reason = ReasonIncomplete
			}
			note(reason, "components", err.Error())
		}
	}
	if first != "" {
		msgs := make([]string, len(fields))
		for i, f := range fields {
			msgs[i] = f.Message
		}
		return out, Result{Outcome: Refused, Reason: first, Message: strings.Join(msgs, "; "), Fields: fields}, false
	}
	// The code sent is kept when it still describes the stored value; a
	// converted value (glucose sent in mmol/L under 15074-8) takes the
	// type's own code, since the values are in its canonical unit.
	out.loinc = ti.t.Code.Code
	if it.LOINC != "" && comp == "" && out.origUnit == "" {
		out.loinc = strings.TrimSpace(it.LOINC)
	}
	flags, res, ok := checkFlags(it.Flags)
	if !ok {
		return out, res, false
	}
	out.flags = flags
	return out, Result{}, true
}

// resolveType finds the item's type from its key or LOINC code, and the
// component a component's code names.
func resolveType(it *Item) (ti *typeInfo, comp string, res Result, ok bool) {
	key, code := strings.TrimSpace(it.Type), strings.TrimSpace(it.LOINC)
	if key == "" && code == "" {
		return nil, "", refuse(ReasonInvalid, "type", "say what was measured: type (one of %s) or a LOINC code", typeList()), false
	}
	if key != "" {
		ti = types[key]
		if ti == nil {
			return nil, "", refuse(ReasonUnknownType, "type", "unknown measurement type %q; known types: %s", key, typeList()), false
		}
	}
	if code != "" {
		t, c, found := measure.ByLOINC(code)
		switch {
		case !found:
			return nil, "", refuse(ReasonUnknownType, "loinc", "the LOINC code %q is not a measurement Tend stores; known types: %s", code, typeList()), false
		case ti != nil && t.Key != ti.t.Key:
			return nil, "", refuse(ReasonInvalid, "loinc", "the LOINC code %s is %s, not %s", code, lower(t.Name), lower(ti.t.Name)), false
		}
		ti, comp = types[t.Key], c
	}
	return ti, comp, Result{}, true
}

const (
	maxFlags   = 32
	maxFlagLen = 64
)

func checkFlags(in []string) (string, Result, bool) {
	if len(in) == 0 {
		return "", Result{}, true
	}
	if len(in) > maxFlags {
		return "", refuse(ReasonInvalid, "flags", "at most %d flags per reading", maxFlags), false
	}
	var kept []string
	for _, f := range in {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case len(f) > maxFlagLen:
			return "", refuse(ReasonInvalid, "flags", "a flag has at most %d characters", maxFlagLen), false
		case strings.ContainsAny(f, ",\n\r\t"):
			return "", refuse(ReasonInvalid, "flags", "a flag is one word, without commas: %q", f), false
		}
		dup := false
		for _, k := range kept {
			dup = dup || k == f
		}
		if !dup {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, ","), Result{}, true
}

// earliest is the earliest time a reading may have been taken: anything
// before is a clock that was never set.
var earliest = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

func checkTime(t, now time.Time) (Result, bool) {
	switch {
	case t.IsZero():
		return refuse(ReasonInvalid, "takenAt", "say when the reading was taken (takenAt)"), false
	case t.Before(earliest):
		return refuse(ReasonInvalid, "takenAt", "taken at %s: before 1990, so the device's clock is probably not set", t.UTC().Format(time.RFC3339)), false
	case t.After(now.Add(ClockSkew)):
		return refuse(ReasonFuture, "takenAt", "taken at %s, which is in the future; check the device's clock", t.UTC().Format(time.RFC3339)), false
	}
	return Result{}, true
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
