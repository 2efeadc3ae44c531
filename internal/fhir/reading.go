package fhir

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// Systems and codes the vital-signs profile fixes.
const (
	SystemObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	SystemDataAbsentReason    = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	ProfileVitalSigns         = "http://hl7.org/fhir/StructureDefinition/vitalsigns"

	// systemObservationCategorySTU3 is what FHIR STU3 called the category
	// system; senders still write it, and it is taken with a warning.
	systemObservationCategorySTU3 = "http://hl7.org/fhir/observation-category"
)

// Observation statuses Tend stores. A reading is created final, amended,
// corrected or preliminary; entered-in-error marks a stored reading as
// wrong and never creates one.
const (
	StatusFinal          = "final"
	StatusAmended        = "amended"
	StatusCorrected      = "corrected"
	StatusPreliminary    = "preliminary"
	StatusEnteredInError = "entered-in-error"
)

// A Reading is what an Observation says, in Tend's terms and without FHIR's
// wrapping: the door hands it to the ingest path, which converts the value
// with measure.Normalize and stores it. Values and units are kept exactly as
// sent (a UCUM code that measure accepts for the type), so nothing is lost
// before the catalogue converts them.
type Reading struct {
	TypeKey string // measure key: "body_temperature", "blood_pressure", …
	Code    string // the LOINC code that named the type (8310-5, or 59408-5 for SpO2 by oximetry)

	// Value is the value of a single-valued type and is zero for a panel;
	// Components holds a panel's values by component key ("systolic").
	Value      ValueWithUnit
	Components map[string]ValueWithUnit

	// TakenAt is when the measurement was made, in the offset it was sent
	// with (UTC for a date without a time). TakenPrecision says whether it
	// was a day or a time; TakenUntil is the end of an effectivePeriod, or
	// zero.
	TakenAt        time.Time
	TakenPrecision Precision
	TakenUntil     time.Time

	Subject    Ref        // the patient: by id, or by identifier (an MRN)
	Device     Ref        // the device that measured, or zero
	ExternalID ExternalID // the sender's identifier, for idempotency; may be zero
	Status     string     // final, amended, corrected or preliminary

	// Warnings are remarks that did not stop the reading, such as a missing
	// category; answer them in the OperationOutcome of the response.
	Warnings []Issue
}

// ValueWithUnit is one number of a reading with its UCUM unit, both as sent.
type ValueWithUnit struct {
	Value Decimal
	Unit  string // UCUM code, such as "Cel", "[degF]" or "mm[Hg]"
}

// Float64 returns the value as a number.
func (v ValueWithUnit) Float64() (float64, error) { return v.Value.Float64() }

// Ref identifies a patient or a device, by the id of the resource in Tend
// ("Patient/123" gives ID "123"), by a business identifier (System and
// Value, such as a hospital's MRN or a device's EUI-64), or by both.
type Ref struct {
	Type   string // "Patient" or "Device"; empty for no reference
	ID     string
	System string
	Value  string
}

// IsZero reports whether r refers to nothing.
func (r Ref) IsZero() bool { return r.ID == "" && r.Value == "" }

// Reference returns r as a FHIR Reference, or nil for no reference.
func (r Ref) Reference() *Reference {
	if r.IsZero() {
		return nil
	}
	ref := &Reference{}
	if r.ID != "" {
		ref.Reference = r.Type + "/" + r.ID
	}
	if r.Value != "" {
		ref.Identifier = &Identifier{System: r.System, Value: r.Value}
		if r.ID == "" {
			ref.Type = r.Type
		}
	}
	return ref
}

// ExternalID is the identifier a sender gave a reading. A second reading
// with the same ExternalID from the same sender is the same reading sent
// again. System may be empty.
type ExternalID struct {
	System string
	Value  string
}

// IsZero reports whether no identifier was given.
func (e ExternalID) IsZero() bool { return e.Value == "" }

// maxIdentifier bounds the length of an identifier's system and value, and
// of a reference's id: they are stored and indexed.
const maxIdentifier = 256

// ToReading checks an Observation against the FHIR R4 vital-signs profile
// as Tend applies it, and returns the reading it carries. The error is an
// *Error listing every problem found, each at its FHIRPath location. The
// package documentation lists the rules.
func ToReading(obs *Observation) (Reading, error) {
	return toReading(obs, "Observation")
}

func toReading(obs *Observation, p string) (Reading, error) {
	if obs == nil {
		return Reading{}, Errorf(CodeRequired, p, "no Observation was given")
	}
	c := &obsChecker{p: p}
	var r Reading
	r.Status = c.status(obs.Status)
	typ, ok := c.code(obs.Code)
	if ok {
		r.TypeKey, r.Code = typ.t.Key, typ.code
		c.category(obs.Category, typ.t)
		if typ.t.IsPanel() {
			r.Components = c.panel(obs, typ.t)
		} else {
			r.Value = c.single(obs, typ.t)
		}
	}
	r.Subject = c.subject(obs.Subject)
	r.TakenAt, r.TakenPrecision, r.TakenUntil = c.effective(obs)
	if obs.Issued != "" {
		if _, err := ParseInstant(obs.Issued); err != nil {
			c.errorf(CodeValue, p+".issued", "%v", err)
		}
	}
	r.Device = c.device(obs.Device)
	r.ExternalID = c.identifier(obs.Identifier)
	if err := c.err(); err != nil {
		return Reading{}, err
	}
	r.Warnings = c.warnings()
	return r, nil
}

type obsChecker struct {
	issues
	p string // "Observation", or "Bundle.entry[3].resource"
}

var acceptedStatuses = []string{StatusFinal, StatusAmended, StatusCorrected, StatusPreliminary}

func (c *obsChecker) status(s string) string {
	loc := c.p + ".status"
	switch s {
	case StatusFinal, StatusAmended, StatusCorrected, StatusPreliminary:
		return s
	case "":
		c.errorf(CodeRequired, loc, "status is required: final, amended, corrected or preliminary")
	case StatusEnteredInError:
		c.errorf(CodeBusinessRule, loc, "a new reading cannot be entered-in-error; that status marks a stored reading as wrong, and is set on the stored reading, never by creating one")
	case "cancelled":
		c.errorf(CodeBusinessRule, loc, "status cancelled means the measurement was not made, so there is nothing to store")
	case "registered":
		c.errorf(CodeBusinessRule, loc, "status registered means there is no result yet; send the Observation once it has one (final or preliminary)")
	case "unknown":
		c.errorf(CodeBusinessRule, loc, "status unknown is not accepted; send final, amended, corrected or preliminary")
	default:
		c.errorf(CodeCodeInvalid, loc, "%q is not an Observation status; use final, amended, corrected or preliminary", clip(s, 40))
	}
	return ""
}

type typedCode struct {
	t    measure.Type
	code string
}

// code finds the measurement type among the LOINC codings.
func (c *obsChecker) code(cc *CodeableConcept) (typedCode, bool) {
	loc := c.p + ".code"
	if cc == nil {
		c.errorf(CodeRequired, loc, "code is required: a coding with system %s naming the measurement, such as 8867-4 for heart rate", measure.SystemLOINC)
		return typedCode{}, false
	}
	before := len(c.list)
	var found []typedCode
	var unknown, components []string
	var mdcHint string
	for i, cd := range cc.Coding {
		if cd.System == "" {
			c.errorf(CodeRequired, fmt.Sprintf("%s.coding[%d].system", loc, i), "every coding needs its system (the vital-signs profile requires it); for LOINC that is %s", measure.SystemLOINC)
			continue
		}
		switch cd.System {
		case measure.SystemLOINC:
			if cd.Code == "" {
				c.errorf(CodeRequired, fmt.Sprintf("%s.coding[%d].code", loc, i), "a LOINC coding needs its code")
				continue
			}
			t, comp, ok := measure.ByLOINC(cd.Code)
			switch {
			case !ok:
				unknown = append(unknown, cd.Code)
			case comp != "":
				components = append(components, fmt.Sprintf("%s is the %s component of the %s panel %s",
					cd.Code, comp, lowerName(t.Name), t.Code.Code))
			default:
				found = append(found, typedCode{t: t, code: cd.Code})
			}
		case measure.SystemMDC:
			if t, _, ok := measure.ByMDC(cd.Code); ok && mdcHint == "" {
				mdcHint = fmt.Sprintf("; the MDC code %s means %s, LOINC %s", cd.Code, lowerName(t.Name), t.Code.Code)
			}
		}
	}
	for _, f := range found[min(1, len(found)):] {
		if f.t.Key != found[0].t.Key {
			c.errorf(CodeInvariant, loc, "the LOINC codes %s and %s name different measurements (%s and %s); send one Observation for each",
				found[0].code, f.code, lowerName(found[0].t.Name), lowerName(f.t.Name))
			return typedCode{}, false
		}
	}
	if len(found) > 0 {
		// A more specific code of the same type (59408-5, SpO2 by pulse
		// oximetry, beside 2708-6) is the one to remember.
		for _, f := range found {
			if f.code != f.t.Code.Code {
				return f, true
			}
		}
		return found[0], true
	}
	switch {
	case len(components) > 0:
		c.errorf(CodeBusinessRule, loc, "%s; send the panel, with its values as components", components[0])
	case len(unknown) > 0:
		c.errorf(CodeCodeInvalid, loc, "LOINC %s is not a measurement Tend takes; it takes %s", strings.Join(unknown, ", "), knownCodes())
	case len(cc.Coding) > 0 && len(c.list) == before:
		c.errorf(CodeRequired, loc, "a coding with system %s is required%s", measure.SystemLOINC, mdcHint)
	case len(cc.Coding) == 0:
		c.errorf(CodeRequired, loc+".coding", "a coding with system %s is required; text alone does not say what was measured", measure.SystemLOINC)
	}
	return typedCode{}, false
}

// knownCodes lists the LOINC codes of the catalogue, for messages.
func knownCodes() string {
	var s []string
	for _, t := range measure.Types() {
		s = append(s, t.Code.Code+" ("+lowerName(t.Name)+")")
	}
	return strings.Join(s, ", ")
}

// category checks Observation.category. The profile requires vital-signs
// (laboratory is the glucose's category). A missing category is accepted
// with a warning: the code already says what was measured. A category that
// says something else is refused, as a sign that the sender meant another
// kind of Observation.
func (c *obsChecker) category(cats []CodeableConcept, t measure.Type) {
	loc := c.p + ".category"
	if len(cats) == 0 {
		c.warnf(CodeRequired, loc, "category is missing; taken as %s (the vital-signs profile requires it)", t.Category)
		return
	}
	accepted := []string{measure.CategoryVitalSigns}
	if t.Category != measure.CategoryVitalSigns {
		accepted = append(accepted, t.Category)
	}
	for i, cat := range cats {
		for j, cd := range cat.Coding {
			if !slices.Contains(accepted, cd.Code) {
				continue
			}
			switch cd.System {
			case SystemObservationCategory:
				return
			case systemObservationCategorySTU3:
				c.warnf(CodeValue, fmt.Sprintf("%s[%d].coding[%d].system", loc, i, j),
					"%s is the STU3 name of the category system; R4 names it %s", cd.System, SystemObservationCategory)
				return
			}
			c.errorf(CodeValue, fmt.Sprintf("%s[%d].coding[%d].system", loc, i, j),
				"category %s needs its system %s", cd.Code, SystemObservationCategory)
			return
		}
	}
	c.errorf(CodeValue, loc, "the category must include %s (system %s) for %s",
		strings.Join(accepted, " or "), SystemObservationCategory, lowerName(t.Name))
}

// single checks the value of a single-valued type.
func (c *obsChecker) single(obs *Observation, t measure.Type) ValueWithUnit {
	if len(obs.Component) > 0 {
		c.errorf(CodeBusinessRule, c.p+".component", "%s has no components; send its value as valueQuantity", lowerName(t.Name))
	}
	if !c.otherValues(c.p, obs.ValueCodeableConcept, obs.ValueString) {
		return ValueWithUnit{}
	}
	if !c.absent(c.p, obs.ValueQuantity != nil, obs.DataAbsentReason, t.Name) {
		return ValueWithUnit{}
	}
	v, _, _ := c.quantity(c.p+".valueQuantity", obs.ValueQuantity, t.Key, "", t.Value)
	return v
}

// otherValues refuses value[x] types other than Quantity.
func (c *obsChecker) otherValues(p string, cc *CodeableConcept, s string) bool {
	ok := true
	if cc != nil {
		c.errorf(CodeValue, p+".valueCodeableConcept", "a vital sign is a number: send valueQuantity with a UCUM unit")
		ok = false
	}
	if s != "" {
		c.errorf(CodeValue, p+".valueString", "a vital sign is a number: send valueQuantity with a UCUM unit, not text")
		ok = false
	}
	return ok
}

// absent applies the rules of dataAbsentReason to an element that holds a
// value or not, and reports whether a value is there to check. Tend stores
// measured values only: a reading without its value is refused, saying
// why, rather than stored as absent.
func (c *obsChecker) absent(p string, hasValue bool, dar *CodeableConcept, name string) bool {
	switch {
	case hasValue && dar != nil:
		c.errorf(CodeInvariant, p+".dataAbsentReason", "dataAbsentReason is only allowed when there is no value (obs-6)")
		return false
	case dar != nil:
		c.errorf(CodeBusinessRule, p+".dataAbsentReason", "%s has no value (%s); Tend stores measured values only, so the reading is not stored", lowerName(name), reasonText(dar))
		return false
	case !hasValue:
		c.errorf(CodeRequired, p+".valueQuantity", "%s needs its value as valueQuantity", lowerName(name))
		return false
	}
	return true
}

func reasonText(cc *CodeableConcept) string {
	for _, cd := range cc.Coding {
		if cd.Code != "" {
			return "dataAbsentReason " + clip(cd.Code, 40)
		}
	}
	if cc.Text != "" {
		return "dataAbsentReason: " + clip(cc.Text, 60)
	}
	return "dataAbsentReason given"
}

// quantity checks one valueQuantity of the type (and component) described
// by q, and returns it as sent and its canonical value.
func (c *obsChecker) quantity(p string, qty *Quantity, typeKey, comp string, q measure.Quantity) (ValueWithUnit, float64, bool) {
	n := len(c.list)
	if qty.Value == "" {
		c.errorf(CodeRequired, p+".value", "the value is required")
	}
	f, err := qty.Value.Float64()
	if qty.Value != "" && err != nil {
		c.errorf(CodeValue, p+".value", "%v", err)
	}
	if qty.Comparator != "" {
		c.errorf(CodeValue, p+".comparator", "a value with comparator %q is a bound, not a measurement; send the measured value", clip(qty.Comparator, 10))
	}
	switch qty.System {
	case measure.SystemUCUM:
	case "":
		c.errorf(CodeRequired, p+".system", "the unit's system is required: %s (UCUM)", measure.SystemUCUM)
	default:
		c.errorf(CodeValue, p+".system", "units must be UCUM, system %s, not %q", measure.SystemUCUM, clip(qty.System, 80))
	}
	code := qty.Code
	switch ucum, known := measure.UnitCode(code); {
	case code == "":
		hint := ""
		if u, ok := measure.UnitCode(qty.Unit); ok && qty.Unit != "" {
			hint = fmt.Sprintf(" (for %q that is %q)", clip(qty.Unit, 20), u)
		}
		c.errorf(CodeRequired, p+".code", "the UCUM code of the unit is required%s; unit is only its display. Accepted: %s", hint, listCodes(q.Units))
	case known && ucum != code:
		c.errorf(CodeValue, p+".code", "%q is not a UCUM code (UCUM is case-sensitive); write %q", clip(code, 20), ucum)
	case !known || !slices.Contains(q.Units, code):
		c.errorf(CodeValue, p+".code", "%q is not a UCUM unit of %s; accepted: %s", clip(code, 20), measureName(typeKey, comp), listCodes(q.Units))
	default:
		if u, ok := measure.UnitCode(qty.Unit); ok && qty.Unit != "" && u != code {
			c.errorf(CodeInvariant, p+".unit", "the unit %q and the code %q disagree", clip(qty.Unit, 20), code)
		}
	}
	if len(c.list) > n {
		return ValueWithUnit{}, 0, false
	}
	norm, err := measure.Normalize(typeKey, comp, f, code)
	if err != nil {
		c.errorf(CodeValue, p+".value", "%v", err)
		return ValueWithUnit{}, 0, false
	}
	return ValueWithUnit{Value: qty.Value, Unit: code}, norm.Value, true
}

func measureName(typeKey, comp string) string {
	t, _ := measure.ByKey(typeKey)
	if cp, ok := t.Component(comp); ok {
		return lowerName(cp.Name)
	}
	return lowerName(t.Name)
}

func listCodes(codes []string) string {
	q := make([]string, len(codes))
	for i, s := range codes {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// panel checks a panel's components (the blood pressure).
func (c *obsChecker) panel(obs *Observation, t measure.Type) map[string]ValueWithUnit {
	name := t.Name
	if obs.ValueQuantity != nil || obs.ValueCodeableConcept != nil || obs.ValueString != "" {
		c.errorf(CodeBusinessRule, c.p+".value[x]", "the %s panel has no value of its own; send its values as components (%s)", lowerName(name), componentCodes(t))
		return nil
	}
	if obs.DataAbsentReason != nil {
		c.errorf(CodeBusinessRule, c.p+".dataAbsentReason", "%s has no value (%s); Tend stores measured values only, so the reading is not stored", lowerName(name), reasonText(obs.DataAbsentReason))
		return nil
	}
	if len(obs.Component) == 0 {
		c.errorf(CodeRequired, c.p+".component", "the %s panel needs its values as components: %s", lowerName(name), componentCodes(t))
		return nil
	}
	n := len(c.list)
	values := map[string]ValueWithUnit{}
	canonical := map[string]float64{}
	where := map[string]int{}
	for i, comp := range obs.Component {
		p := c.p + ".component[" + strconv.Itoa(i) + "]"
		key, ok := c.componentCode(p, comp.Code, t)
		if !ok {
			continue
		}
		cp, _ := t.Component(key)
		if j, dup := where[key]; dup {
			c.errorf(CodeDuplicate, p+".code", "%s appears twice (also in component[%d])", lowerName(cp.Name), j)
			continue
		}
		where[key] = i
		if !c.otherValues(p, comp.ValueCodeableConcept, comp.ValueString) {
			continue
		}
		if comp.ValueQuantity == nil && comp.DataAbsentReason != nil && !cp.Required {
			c.warnf(CodeInformational, p, "%s has no value (%s) and is left out", lowerName(cp.Name), reasonText(comp.DataAbsentReason))
			continue
		}
		if !c.absent(p, comp.ValueQuantity != nil, comp.DataAbsentReason, cp.Name) {
			continue
		}
		v, f, ok := c.quantity(p+".valueQuantity", comp.ValueQuantity, t.Key, key, cp.Value)
		if ok {
			values[key], canonical[key] = v, f
		}
	}
	if len(c.list) > n && c.failed() {
		return nil
	}
	for _, cp := range t.Components {
		if _, ok := where[cp.Key]; cp.Required && !ok {
			c.errorf(CodeRequired, c.p+".component", "the %s panel needs a component %s (%s, LOINC %s)", lowerName(name), cp.Key, lowerName(cp.Name), cp.Code.Code)
		}
	}
	if c.failed() {
		return nil
	}
	if err := measure.CheckPanel(t.Key, canonical); err != nil {
		c.errorf(CodeValue, c.p+".component", "%v", err)
		return nil
	}
	return values
}

func componentCodes(t measure.Type) string {
	var s []string
	for _, cp := range t.Components {
		s = append(s, cp.Code.Code+" "+lowerName(cp.Name))
	}
	return strings.Join(s, ", ")
}

// componentCode finds which component of panel t a component's code names.
func (c *obsChecker) componentCode(p string, cc *CodeableConcept, t measure.Type) (string, bool) {
	if cc == nil {
		c.errorf(CodeRequired, p+".code", "each component needs a code, such as %s", componentCodes(t))
		return "", false
	}
	var other string
	for i, cd := range cc.Coding {
		if cd.System == "" {
			c.errorf(CodeRequired, fmt.Sprintf("%s.code.coding[%d].system", p, i), "every coding needs its system; for LOINC that is %s", measure.SystemLOINC)
			return "", false
		}
		if cd.System != measure.SystemLOINC {
			continue
		}
		pt, key, ok := measure.ByLOINC(cd.Code)
		if ok && pt.Key == t.Key && key != "" {
			return key, true
		}
		if ok && other == "" {
			other = fmt.Sprintf("LOINC %s (%s) is not part of the %s panel; send it as an Observation of its own", cd.Code, lowerName(pt.Name), lowerName(t.Name))
		}
	}
	if other != "" {
		c.errorf(CodeBusinessRule, p+".code", "%s", other)
	} else {
		c.errorf(CodeCodeInvalid, p+".code", "a component of the %s panel needs a LOINC code: %s", lowerName(t.Name), componentCodes(t))
	}
	return "", false
}

// subject reads the patient reference.
func (c *obsChecker) subject(ref *Reference) Ref {
	loc := c.p + ".subject"
	if ref == nil {
		c.errorf(CodeRequired, loc, "subject is required: {\"reference\": \"Patient/{id}\"}, or an identifier with system and value (such as an MRN)")
		return Ref{}
	}
	return c.reference(loc, ref, "Patient")
}

// device reads the device reference, if any.
func (c *obsChecker) device(ref *Reference) Ref {
	if ref == nil {
		return Ref{}
	}
	return c.reference(c.p+".device", ref, "Device")
}

// reference reads a reference to a resource of type want, as
// "want/{id}" (optionally with /_history/{version}) or as an identifier.
func (c *obsChecker) reference(loc string, ref *Reference, want string) Ref {
	if ref.Type != "" && ref.Type != want {
		if want == "Device" && ref.Type == "DeviceMetric" {
			c.errorf(CodeNotSupported, loc+".type", "Tend records the Device that measured, not a DeviceMetric; reference Device/{id}")
		} else {
			c.errorf(CodeValue, loc+".type", "must be %s, not %q", want, clip(ref.Type, 40))
		}
		return Ref{}
	}
	r := Ref{Type: want}
	if ref.Reference != "" {
		id, err := parseReference(ref.Reference, want)
		if err != nil {
			code := CodeValue
			if strings.HasPrefix(ref.Reference, "DeviceMetric/") {
				code = CodeNotSupported
			}
			c.errorf(code, loc+".reference", "%v", err)
			return Ref{}
		}
		r.ID = id
	}
	if id := ref.Identifier; id != nil {
		switch {
		case id.Value == "" && r.ID == "":
			c.errorf(CodeRequired, loc+".identifier.value", "an identifier needs its value")
		case id.System == "" && r.ID == "":
			c.errorf(CodeRequired, loc+".identifier.system", "an identifier needs its system, which says whose identifier it is (a hospital's MRN, a maker's serial)")
		case len(id.System) > maxIdentifier || len(id.Value) > maxIdentifier:
			c.errorf(CodeValue, loc+".identifier", "system and value must be at most %d characters", maxIdentifier)
		default:
			r.System, r.Value = id.System, id.Value
		}
	}
	if r.ID == "" && r.Value == "" && ref.Identifier == nil {
		c.errorf(CodeRequired, loc, "needs a reference %s/{id} or an identifier with system and value", want)
	}
	return r
}

// parseReference reads a literal reference "Type/id" or
// "Type/id/_history/version" to a resource of type want, and returns id.
func parseReference(s, want string) (string, error) {
	switch {
	case strings.HasPrefix(s, "#"):
		return "", fmt.Errorf("contained resources are not accepted; reference %s/{id}", want)
	case strings.HasPrefix(s, "urn:"):
		return "", fmt.Errorf("%q does not name a %s Tend knows; reference %s/{id} of an existing %s", clip(s, 60), want, want, strings.ToLower(want))
	case strings.Contains(s, "://"):
		return "", fmt.Errorf("write the reference relative to this server, as %s/{id}, not as a full URL", want)
	}
	parts := strings.Split(s, "/")
	if len(parts) == 4 && parts[2] == "_history" && validID(parts[3]) {
		parts = parts[:2]
	}
	if len(parts) != 2 {
		return "", fmt.Errorf("%q is not a reference of the form %s/{id}", clip(s, 60), want)
	}
	if parts[0] != want {
		return "", fmt.Errorf("must refer to a %s, not a %s", want, clip(parts[0], 40))
	}
	if !validID(parts[1]) {
		return "", fmt.Errorf("%q is not a valid id: 1 to 64 letters, digits, '-' and '.'", clip(parts[1], 70))
	}
	return parts[1], nil
}

// validID reports whether s is a FHIR id: [A-Za-z0-9\-\.]{1,64}.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || isDigit(ch) || ch == '-' || ch == '.') {
			return false
		}
	}
	return true
}

// effective reads when the measurement was made.
func (c *obsChecker) effective(obs *Observation) (time.Time, Precision, time.Time) {
	switch {
	case obs.EffectiveDateTime != "" && obs.EffectivePeriod != nil:
		c.errorf(CodeInvariant, c.p+".effective[x]", "give effectiveDateTime or effectivePeriod, not both")
	case obs.EffectiveDateTime != "":
		d, ok := c.dateTime(c.p+".effectiveDateTime", obs.EffectiveDateTime)
		if ok {
			return d.Time, d.Precision, time.Time{}
		}
	case obs.EffectivePeriod != nil:
		p := c.p + ".effectivePeriod"
		if obs.EffectivePeriod.Start == "" {
			c.errorf(CodeRequired, p+".start", "the start of the period is required: when the measurement began")
			return time.Time{}, 0, time.Time{}
		}
		start, ok := c.dateTime(p+".start", obs.EffectivePeriod.Start)
		if !ok {
			return time.Time{}, 0, time.Time{}
		}
		var end DateTime
		if obs.EffectivePeriod.End != "" {
			if end, ok = c.dateTime(p+".end", obs.EffectivePeriod.End); !ok {
				return time.Time{}, 0, time.Time{}
			}
			if !end.End().After(start.Time) {
				c.errorf(CodeInvariant, p, "the period ends before it starts (per-1)")
				return time.Time{}, 0, time.Time{}
			}
		}
		return start.Time, start.Precision, end.Time
	default:
		c.errorf(CodeRequired, c.p+".effective[x]", "when the measurement was made is required: effectiveDateTime, such as 2026-11-22T10:30:00Z")
	}
	return time.Time{}, 0, time.Time{}
}

func (c *obsChecker) dateTime(loc, s string) (DateTime, bool) {
	d, err := ParseDateTime(s)
	if err != nil {
		c.errorf(CodeValue, loc, "%v", err)
		return DateTime{}, false
	}
	if d.Precision < PrecisionDay {
		c.errorf(CodeValue, loc, "must be precise to at least the day (vs-1), not only the %s", d.Precision)
		return DateTime{}, false
	}
	return d, true
}

// identifier reads the sender's identifier of the reading. The first
// identifier is the one Tend keys idempotency on.
func (c *obsChecker) identifier(ids []Identifier) ExternalID {
	var ext ExternalID
	for i, id := range ids {
		switch {
		case id.Value == "":
			c.errorf(CodeRequired, fmt.Sprintf("%s.identifier[%d].value", c.p, i), "an identifier needs its value")
		case len(id.System) > maxIdentifier || len(id.Value) > maxIdentifier:
			c.errorf(CodeValue, fmt.Sprintf("%s.identifier[%d]", c.p, i), "system and value must be at most %d characters", maxIdentifier)
		case ext.IsZero():
			ext = ExternalID{System: id.System, Value: id.Value}
		}
	}
	return ext
}

// lowerName writes a catalogue name inside a sentence: "Body temperature"
// becomes "body temperature", while "SpO2" keeps its capitals.
func lowerName(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
