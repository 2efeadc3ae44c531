package hl7

import (
	"strconv"
	"strings"
	"time"
)

// ORU is what Tend takes from an IHE PCD-01 ORU^R01 message: who sent it,
// which patient it is about, and the observations. It is neutral: codes and
// units are as the sender wrote them (see MapObservation for LOINC and
// UCUM).
type ORU struct {
	ControlID          string    // MSH-10, echoed in the acknowledgement
	SendingApplication HD        // MSH-3
	SendingFacility    HD        // MSH-4
	SendingEUI64       string    // MSH-3.2 when MSH-3.3 is "EUI-64": 16 upper-case hex digits
	MessageTime        Timestamp // MSH-7
	ProcessingID       string    // MSH-11.1: P production, T training, D debugging
	Version            string    // MSH-12.1, such as "2.6"
	Patient            Patient   // from PID; zero if the message has none
	Observations       []Observation
}

// HD is an HL7 hierarchic designator: a name and, optionally, a universal
// id with its type (ISO, DNS, EUI-64, …).
type HD struct {
	Namespace       string
	UniversalID     string
	UniversalIDType string
}

// Patient holds the patient identification from PID.
type Patient struct {
	Identifiers []PatientID // PID-3, one per repetition, in order
	Name        PersonName  // PID-5, first repetition
}

// PatientID is one repetition of PID-3 (data type CX).
type PatientID struct {
	ID                 string // CX.1
	AssigningAuthority HD     // CX.4, whose subcomponents are an HD
	TypeCode           string // CX.5, identifier type (HL7 table 0203): MR, PI, …
}

// PersonName is an XPN: PID-5.
type PersonName struct {
	Family   string // XPN.1 (its first subcomponent, the surname)
	Given    string // XPN.2
	Middle   string // XPN.3, second and further given names or initials
	Suffix   string // XPN.4
	Prefix   string // XPN.5
	Degree   string // XPN.6
	TypeCode string // XPN.7, name type (HL7 table 0200): L legal, …
}

// CodedElement is the first triplet of a CWE/CE: identifier, text and coding
// system, such as 150456, MDC_PULS_OXIM_SAT_O2, MDC.
type CodedElement struct {
	Code   string
	Text   string
	System string
}

// EntityID is an EI: one repetition of OBX-18, the equipment instance.
type EntityID struct {
	ID              string // EI.1
	Namespace       string // EI.2
	UniversalID     string // EI.3
	UniversalIDType string // EI.4
}

// Observation is one OBX row.
type Observation struct {
	SetID     int          // OBX-1; 0 when empty
	ValueType string       // OBX-2: NM, ST, CWE, …; empty on device rows
	Code      CodedElement // OBX-3: MDC code number, reference id, "MDC"
	// Path is OBX-4 as sent: the PCD-01 containment path
	// <MDS>.<VMD>.<channel>.<metric>, such as "1.1.1.1"; 0 marks a level
	// that does not apply ("1.0.0.0" is the device itself).
	Path        string
	Containment []int // Path split at the dots; nil when OBX-4 is empty
	// Value is OBX-5 (first repetition, first component) with escapes
	// decoded and nothing else changed: "97.50" stays "97.50".
	Value string
	// Number is Value parsed, when ValueType is NM and Value is not empty;
	// HasNumber says whether it was.
	Number    float64
	HasNumber bool
	// Values is all of OBX-5, decoded, for values with components (CWE,
	// …) or repetitions.
	Values         []Repetition
	Unit           CodedElement // OBX-6: MDC (262688^MDC_DIM_PERCENT^MDC) or UCUM
	ReferenceRange string       // OBX-7
	AbnormalFlags  []string     // OBX-8, one per repetition
	// Status is OBX-11 (HL7 table 0085): R not verified, F final, X
	// results cannot be obtained (PCD-01 device rows), C, D, I, N, O, P,
	// S, U, W.
	Status string
	// Time is OBX-14 or, when that is empty, OBR-7 of the row's OBR, or
	// else MSH-7. TimeFrom names the field used: "OBX-14", "OBR-7" or
	// "MSH-7".
	Time     Timestamp
	TimeFrom string
	// Equipment is OBX-18 as sent.
	Equipment []EntityID
	// DeviceEUI64 is the EUI-64 (16 upper-case hex digits) of the device
	// that made the observation: from this row's OBX-18, or, when that has
	// none, from the device row that contains this row in the PCD-01
	// containment tree (the row of the same OBR whose path is the longest
	// prefix of this row's path, with zeros read as "not this level"). In
	// the latter case DeviceInherited is true. Empty when neither says.
	DeviceEUI64     string
	DeviceInherited bool
	// IsDevice marks a device row, which describes the equipment rather
	// than a measurement: OBX-11 is X or OBX-5 is empty.
	IsDevice bool
	// Request is which OBR the row belongs to, 1-based.
	Request int

	seg *Segment // the OBX, for error locations
}

// obxStatuses is HL7 table 0085, observation result status.
const obxStatuses = "CDFINOPRSUWX"

// ParseORU reads an IHE PCD-01 ORU^R01 message.
//
// It checks that MSH-9 is ORU^R01 (else CodeUnsupportedMessageType, which
// asks for an AR), that MSH-10, MSH-7 and MSH-12 are present, and that the
// segments come in a usable order: at most one PID, before any OBR; at least
// one OBR; every OBX after an OBR. Other segments (PV1, ORC, NTE, Z…) are
// passed over. Each OBX is checked: OBX-3 present, OBX-4 dotted numbers,
// OBX-5 a valid number when OBX-2 is NM, OBX-11 present and in table 0085,
// timestamps well formed, EUI-64s 16 hex digits.
//
// Timestamps without a UTC offset are read in loc (nil means UTC); see
// ParseTimestamp.
//
// A message with more than one PID (several patients) is refused rather
// than risk filing one patient's vitals under another; send one patient per
// message.
//
// Errors are *Error values naming the segment and field.
func ParseORU(m *Message, loc *time.Location) (*ORU, error) {
	h := m.MSH()
	code, event := h.Component(9, 1), h.Component(9, 2)
	if code != "ORU" || event != "R01" {
		if code == "" {
			return nil, errAt(h, 9, CodeRequiredFieldMissing, "message type missing: want ORU^R01")
		}
		return nil, errAt(h, 9, CodeUnsupportedMessageType,
			"message type %s^%s is not supported: want ORU^R01 (IHE PCD-01)", quoteCode(code), quoteCode(event))
	}
	o := &ORU{
		ControlID:          h.Field(10),
		SendingApplication: hdAt(h, 3),
		SendingFacility:    hdAt(h, 4),
		ProcessingID:       h.Field(11),
		Version:            h.Field(12),
	}
	if o.ControlID == "" {
		return nil, errAt(h, 10, CodeRequiredFieldMissing, "message control id missing")
	}
	if o.Version == "" {
		return nil, errAt(h, 12, CodeUnsupportedVersionID, "version id missing: want 2.6 (or another 2.x)")
	}
	if !strings.HasPrefix(o.Version, "2.") {
		return nil, errAt(h, 12, CodeUnsupportedVersionID, "version %s is not supported: want HL7 v2.x", quoteCode(o.Version))
	}
	eui, msg := hdEUI64(o.SendingApplication)
	if msg != "" {
		return nil, errAtComp(h, 3, 2, CodeDataType, "sending application %s", msg)
	}
	o.SendingEUI64 = eui
	ts, err := timeAt(h, 7, loc)
	if err != nil {
		return nil, err
	}
	if ts.IsZero() {
		return nil, errAt(h, 7, CodeRequiredFieldMissing, "date/time of message missing")
	}
	o.MessageTime = ts

	var (
		sawPID  bool
		request int       // OBR count
		obrTime Timestamp // OBR-7 of the current OBR
		groups  [][]int   // indices into o.Observations, per OBR
	)
	for _, seg := range m.All()[1:] {
		switch seg.Name() {
		case "PID":
			if sawPID {
				return nil, errAt(seg, 0, CodeSegmentSequence,
					"second PID segment: only one patient per message is supported")
			}
			if request > 0 {
				return nil, errAt(seg, 0, CodeSegmentSequence, "PID segment after OBR: the patient must come first")
			}
			sawPID = true
			o.Patient = parsePID(seg)
		case "OBR":
			request++
			t, err := timeAt(seg, 7, loc)
			if err != nil {
				return nil, err
			}
			obrTime = t
			groups = append(groups, nil)
		case "OBX":
			if request == 0 {
				return nil, errAt(seg, 0, CodeSegmentSequence, "OBX segment before any OBR")
			}
			obs, err := parseOBX(seg, loc)
			if err != nil {
				return nil, err
			}
			obs.Request = request
			switch {
			case !obs.Time.IsZero():
				obs.TimeFrom = "OBX-14"
			case !obrTime.IsZero():
				obs.Time, obs.TimeFrom = obrTime, "OBR-7"
			default:
				obs.Time, obs.TimeFrom = o.MessageTime, "MSH-7"
			}
			groups[request-1] = append(groups[request-1], len(o.Observations))
			o.Observations = append(o.Observations, obs)
		}
	}
	if request == 0 {
		return nil, errAt(h, 0, CodeSegmentSequence, "no OBR segment: ORU^R01 needs at least one observation request")
	}
	for _, g := range groups {
		inheritDevices(o.Observations, g)
	}
	return o, nil
}

// inheritDevices gives each row of one OBR group that has no EUI-64 of its
// own the EUI-64 of the deepest device row containing it.
func inheritDevices(obs []Observation, group []int) {
	owners := map[string]string{} // trimmed path → EUI-64
	for _, i := range group {
		o := &obs[i]
		if o.IsDevice && o.DeviceEUI64 != "" && len(o.Containment) > 0 {
			key := pathKey(o.Containment)
			if _, dup := owners[key]; !dup {
				owners[key] = o.DeviceEUI64
			}
		}
	}
	if len(owners) == 0 {
		return
	}
	for _, i := range group {
		o := &obs[i]
		if o.DeviceEUI64 != "" || len(o.Containment) == 0 {
			continue
		}
		// Try the containing levels, deepest first. A row whose own path
		// (trimmed) names a device row is that device's row, so include it.
		p := trimZeros(o.Containment)
		for n := len(p); n >= 1; n-- {
			if eui, ok := owners[pathKey(p[:n])]; ok {
				o.DeviceEUI64, o.DeviceInherited = eui, true
				break
			}
		}
	}
}

func trimZeros(p []int) []int {
	for len(p) > 0 && p[len(p)-1] == 0 {
		p = p[:len(p)-1]
	}
	return p
}

func pathKey(p []int) string {
	p = trimZeros(p)
	var b strings.Builder
	for i, n := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

func parsePID(seg *Segment) Patient {
	var p Patient
	for _, rep := range seg.Repetitions(3) {
		id := PatientID{
			ID: rep.Component(1),
			AssigningAuthority: HD{
				Namespace:       rep.Subcomponent(4, 1),
				UniversalID:     rep.Subcomponent(4, 2),
				UniversalIDType: rep.Subcomponent(4, 3),
			},
			TypeCode: rep.Component(5),
		}
		if id.ID != "" {
			p.Identifiers = append(p.Identifiers, id)
		}
	}
	if reps := seg.Repetitions(5); len(reps) > 0 {
		r := reps[0]
		p.Name = PersonName{
			Family:   r.Subcomponent(1, 1),
			Given:    r.Component(2),
			Middle:   r.Component(3),
			Suffix:   r.Component(4),
			Prefix:   r.Component(5),
			Degree:   r.Component(6),
			TypeCode: r.Component(7),
		}
	}
	return p
}

func parseOBX(seg *Segment, loc *time.Location) (Observation, error) {
	o := Observation{
		ValueType:      seg.Field(2),
		Code:           codedAt(seg, 3),
		Path:           seg.Field(4),
		Value:          seg.Component(5, 1),
		Values:         seg.Repetitions(5),
		Unit:           codedAt(seg, 6),
		ReferenceRange: seg.Field(7),
		Status:         seg.Field(11),
		seg:            seg,
	}
	if s := seg.Field(1); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || !allDigits(s) {
			return o, errAt(seg, 1, CodeDataType, "set id is not a positive whole number")
		}
		o.SetID = n
	}
	if o.Code.Code == "" && o.Code.Text == "" {
		return o, errAt(seg, 3, CodeRequiredFieldMissing, "observation identifier missing")
	}
	if o.Path != "" {
		parts := strings.Split(o.Path, ".")
		for _, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || !allDigits(p) || p == "" {
				return o, errAt(seg, 4, CodeDataType,
					"observation sub-id is not a dotted containment path of whole numbers (<MDS>.<VMD>.<channel>.<metric>)")
			}
			o.Containment = append(o.Containment, n)
		}
	}
	hasValue := false
	for _, rep := range o.Values {
		for _, c := range rep {
			for _, s := range c {
				if s != "" {
					hasValue = true
				}
			}
		}
	}
	if hasValue && o.ValueType == "" {
		return o, errAt(seg, 2, CodeRequiredFieldMissing, "value type missing although OBX-5 has a value")
	}
	if o.ValueType == "NM" && hasValue {
		if len(o.Values) > 1 || len(o.Values[0]) > 1 || len(o.Values[0][0]) > 1 {
			return o, errAt(seg, 5, CodeDataType, "NM value has repetitions or components")
		}
		f, ok := parseNM(o.Value)
		if !ok {
			return o, errAt(seg, 5, CodeDataType, "value is not a valid NM number (optional sign, digits, optional decimal point)")
		}
		o.Number, o.HasNumber = f, true
	}
	for _, rep := range seg.Repetitions(8) {
		if f := rep.Component(1); f != "" {
			o.AbnormalFlags = append(o.AbnormalFlags, f)
		}
	}
	switch {
	case o.Status == "":
		return o, errAt(seg, 11, CodeRequiredFieldMissing, "observation result status missing")
	case len(o.Status) != 1 || !strings.Contains(obxStatuses, o.Status):
		return o, errAt(seg, 11, CodeTableValueNotFound,
			"observation result status %s is not in HL7 table 0085 (C D F I N O P R S U W X)", quoteCode(o.Status))
	}
	o.IsDevice = o.Status == "X" || !hasValue
	t, err := timeAt(seg, 14, loc)
	if err != nil {
		return o, err
	}
	o.Time = t
	for i, rep := range seg.Repetitions(18) {
		ei := EntityID{
			ID:              rep.Component(1),
			Namespace:       rep.Component(2),
			UniversalID:     rep.Component(3),
			UniversalIDType: rep.Component(4),
		}
		o.Equipment = append(o.Equipment, ei)
		eui, msg := entityEUI64(ei)
		if msg != "" {
			e := errAt(seg, 18, CodeDataType, "equipment instance identifier %s", msg)
			e.Location.Repetition = i + 1
			return o, e
		}
		if o.DeviceEUI64 == "" {
			o.DeviceEUI64 = eui
		}
	}
	return o, nil
}

// parseNM parses an HL7 NM value: an optional sign, digits and at most one
// decimal point, with at least one digit. Exponents, spaces, "NaN" and "Inf"
// are not NM.
func parseNM(s string) (float64, bool) {
	t := s
	if t != "" && (t[0] == '+' || t[0] == '-') {
		t = t[1:]
	}
	digits, dots := 0, 0
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] >= '0' && t[i] <= '9':
			digits++
		case t[i] == '.':
			dots++
		default:
			return 0, false
		}
	}
	if digits == 0 || dots > 1 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false // out of float64 range
	}
	return f, true
}

func codedAt(seg *Segment, n int) CodedElement {
	return CodedElement{Code: seg.Component(n, 1), Text: seg.Component(n, 2), System: seg.Component(n, 3)}
}

func hdAt(seg *Segment, n int) HD {
	return HD{Namespace: seg.Component(n, 1), UniversalID: seg.Component(n, 2), UniversalIDType: seg.Component(n, 3)}
}

// timeAt parses field n (its first component) of seg as a timestamp; an
// empty field gives a zero Timestamp.
func timeAt(seg *Segment, n int, loc *time.Location) (Timestamp, error) {
	s := seg.Component(n, 1)
	if s == "" {
		return Timestamp{}, nil
	}
	t, err := ParseTimestamp(s, loc)
	if err != nil {
		return Timestamp{}, errAt(seg, n, CodeDataType, "%v", err)
	}
	return t, nil
}

// isEUI64Type reports whether an id type names EUI-64.
func isEUI64Type(t string) bool { return strings.EqualFold(t, "EUI-64") }

// normalizeEUI64 returns s as 16 upper-case hex digits, or "" if it is not
// exactly 16 hex digits.
func normalizeEUI64(s string) string {
	if len(s) != 16 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return ""
		}
	}
	return strings.ToUpper(s)
}

// hdEUI64 returns the EUI-64 of an HD whose universal id type is EUI-64; a
// non-empty msg says what is wrong with it.
func hdEUI64(h HD) (eui, msg string) {
	if !isEUI64Type(h.UniversalIDType) {
		return "", ""
	}
	if eui = normalizeEUI64(h.UniversalID); eui == "" {
		return "", "universal id is not an EUI-64 (16 hex digits)"
	}
	return eui, ""
}

// entityEUI64 finds the EUI-64 in one OBX-18 repetition. PCD-01 senders
// write it as id^EUI-64 (EI.1 with EI.2 naming the type) or as
// ^^id^EUI-64 / id^ns^id^EUI-64 (EI.3 with EI.4); both are accepted.
func entityEUI64(ei EntityID) (eui, msg string) {
	switch {
	case isEUI64Type(ei.UniversalIDType):
		id := ei.UniversalID
		if id == "" {
			id = ei.ID
		}
		if eui = normalizeEUI64(id); eui == "" {
			return "", "is marked EUI-64 but is not 16 hex digits"
		}
		if ei.ID != "" && ei.UniversalID != "" && normalizeEUI64(ei.ID) != "" && normalizeEUI64(ei.ID) != eui {
			return "", "gives two different EUI-64s in EI.1 and EI.3"
		}
		return eui, ""
	case isEUI64Type(ei.Namespace):
		if eui = normalizeEUI64(ei.ID); eui == "" {
			return "", "is marked EUI-64 but is not 16 hex digits"
		}
		return eui, ""
	}
	return "", ""
}
