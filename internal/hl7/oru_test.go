package hl7

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustORU(t *testing.T, s string) *ORU {
	t.Helper()
	o, err := ParseORU(mustParse(t, s), time.UTC)
	if err != nil {
		t.Fatalf("ParseORU: %v", err)
	}
	return o
}

func TestParseORUSample(t *testing.T) {
	o := mustORU(t, sample)
	at := Timestamp{Time: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC), Precision: PrecisionSecond, HasOffset: true}

	if o.ControlID != "MSG00001" || o.Version != "2.6" || o.ProcessingID != "P" {
		t.Errorf("header: %q %q %q", o.ControlID, o.Version, o.ProcessingID)
	}
	if want := (HD{"GW", "0123456789ABCDEF", "EUI-64"}); o.SendingApplication != want {
		t.Errorf("SendingApplication = %+v", o.SendingApplication)
	}
	if o.SendingEUI64 != "0123456789ABCDEF" || o.SendingFacility != (HD{}) {
		t.Errorf("SendingEUI64 %q, facility %+v", o.SendingEUI64, o.SendingFacility)
	}
	if !reflect.DeepEqual(o.MessageTime, at) {
		t.Errorf("MessageTime = %+v", o.MessageTime)
	}
	wantPatient := Patient{
		Identifiers: []PatientID{{ID: "12345", AssigningAuthority: HD{Namespace: "HOSP"}, TypeCode: "PI"}},
		Name:        PersonName{Family: "DOE", Given: "JOHN", TypeCode: "L"},
	}
	if !reflect.DeepEqual(o.Patient, wantPatient) {
		t.Errorf("Patient = %+v", o.Patient)
	}

	const eui = "0123456789ABCDEF"
	metric := func(set int, code, ref, path string, c []int, value string, n float64, unit, unitRef string) Observation {
		return Observation{
			SetID: set, ValueType: "NM",
			Code: CodedElement{code, ref, "MDC"},
			Path: path, Containment: c,
			Value: value, Number: n, HasNumber: true, Values: []Repetition{{{value}}},
			Unit:   CodedElement{unit, unitRef, "MDC"},
			Status: "R", Time: at, TimeFrom: "OBX-14",
			DeviceEUI64: eui, DeviceInherited: true,
			Request: 1,
		}
	}
	want := []Observation{
		{
			SetID: 1, Code: CodedElement{"69965", "MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS", "MDC"},
			Path: "1.0.0.0", Containment: []int{1, 0, 0, 0},
			Status: "X", Time: at, TimeFrom: "OBR-7",
			Equipment:   []EntityID{{ID: eui, Namespace: "EUI-64"}},
			DeviceEUI64: eui, IsDevice: true, Request: 1,
		},
		metric(2, "150456", "MDC_PULS_OXIM_SAT_O2", "1.1.1.1", []int{1, 1, 1, 1}, "97", 97, "262688", "MDC_DIM_PERCENT"),
		metric(3, "149530", "MDC_PULS_OXIM_PULS_RATE", "1.1.1.2", []int{1, 1, 1, 2}, "72", 72, "264864", "MDC_DIM_BEAT_PER_MIN"),
		metric(4, "150021", "MDC_PRESS_BLD_NONINV_SYS", "1.2.1.1", []int{1, 2, 1, 1}, "128", 128, "266016", "MDC_DIM_MMHG"),
		metric(5, "150022", "MDC_PRESS_BLD_NONINV_DIA", "1.2.1.2", []int{1, 2, 1, 2}, "82", 82, "266016", "MDC_DIM_MMHG"),
		metric(6, "150023", "MDC_PRESS_BLD_NONINV_MEAN", "1.2.1.3", []int{1, 2, 1, 3}, "97", 97, "266016", "MDC_DIM_MMHG"),
	}
	if len(o.Observations) != len(want) {
		t.Fatalf("%d observations, want %d", len(o.Observations), len(want))
	}
	for i, got := range o.Observations {
		got.seg = nil // the segment pointer is for error locations only
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("observation %d:\n got %+v\nwant %+v", i+1, got, want[i])
		}
		if o.Observations[i].seg.Sequence() != i+1 {
			t.Errorf("observation %d points at OBX %d", i+1, o.Observations[i].seg.Sequence())
		}
	}
}

func TestParseORUValues(t *testing.T) {
	obx := func(vt, value string) string {
		return withLine(5, `OBX|2|`+vt+`|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|`+value+`|262688^MDC_DIM_PERCENT^MDC|90-100|L~H|||F`)
	}
	tests := []struct {
		vt, value string
		want      string
		n         float64
		hasNumber bool
	}{
		{"NM", "97.50", "97.50", 97.5, true},
		{"NM", "-0.5", "-0.5", -0.5, true},
		{"NM", "+3", "+3", 3, true},
		{"NM", ".5", ".5", 0.5, true},
		{"NM", "7.", "7.", 7, true},
		{"NM", "007", "007", 7, true},
		{"ST", "probe off", "probe off", 0, false},
		{"ST", `a\F\b`, "a|b", 0, false},
		{"CWE", "1^MDC_EVT_LO^MDC", "1", 0, false},
	}
	for _, tt := range tests {
		o := mustORU(t, obx(tt.vt, tt.value))
		got := o.Observations[1]
		if got.Value != tt.want || got.Number != tt.n || got.HasNumber != tt.hasNumber || got.IsDevice {
			t.Errorf("%s %q: Value %q Number %v HasNumber %v IsDevice %v", tt.vt, tt.value, got.Value, got.Number, got.HasNumber, got.IsDevice)
		}
		if got.ReferenceRange != "90-100" || !reflect.DeepEqual(got.AbnormalFlags, []string{"L", "H"}) || got.Status != "F" {
			t.Errorf("OBX-7/8/11: %q %q %q", got.ReferenceRange, got.AbnormalFlags, got.Status)
		}
	}
	o := mustORU(t, obx("CWE", "1^MDC_EVT_LO^MDC"))
	if want := []Repetition{{{"1"}, {"MDC_EVT_LO"}, {"MDC"}}}; !reflect.DeepEqual(o.Observations[1].Values, want) {
		t.Errorf("Values = %q", o.Observations[1].Values)
	}
}

func TestParseORUTimeFallback(t *testing.T) {
	berlin := time.FixedZone("site", 3600)
	in := strings.Join([]string{
		`MSH|^~\&|GW||EHR||20261122103000||ORU^R01^ORU_R01|M1|P|2.6`,
		`OBR|1|||182777000^monitoring of patient^SCT|||20261122102900+0000`,
		`OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||202611221028+0000`,
		`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|96|262688^MDC_DIM_PERCENT^MDC|||||R`,
		`OBR|2|||182777000^monitoring of patient^SCT`,
		`OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|95|262688^MDC_DIM_PERCENT^MDC|||||R|||`,
		`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|94|262688^MDC_DIM_PERCENT^MDC|||||R|||20261122102700`,
	}, "\r")
	o, err := ParseORU(mustParse(t, in), berlin)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from      string
		at        time.Time
		prec      Precision
		hasOffset bool
		request   int
	}{
		{"OBX-14", time.Date(2026, 11, 22, 10, 28, 0, 0, time.UTC), PrecisionMinute, true, 1},
		{"OBR-7", time.Date(2026, 11, 22, 10, 29, 0, 0, time.UTC), PrecisionSecond, true, 1},
		{"MSH-7", time.Date(2026, 11, 22, 10, 30, 0, 0, berlin), PrecisionSecond, false, 2},
		{"OBX-14", time.Date(2026, 11, 22, 10, 27, 0, 0, berlin), PrecisionSecond, false, 2},
	}
	for i, tt := range tests {
		got := o.Observations[i]
		if got.TimeFrom != tt.from || !got.Time.Time.Equal(tt.at) || got.Time.Precision != tt.prec ||
			got.Time.HasOffset != tt.hasOffset || got.Request != tt.request {
			t.Errorf("observation %d: %s %v %v offset %v request %d", i+1, got.TimeFrom, got.Time.Time, got.Time.Precision, got.Time.HasOffset, got.Request)
		}
	}
}

func TestParseORUDevices(t *testing.T) {
	in := strings.Join([]string{
		`MSH|^~\&|GW||EHR||20261122103000+0000||ORU^R01^ORU_R01|M1|P|2.6`,
		`OBR|1|||182777000^monitoring of patient^SCT|||20261122103000+0000`,
		// A metric before its device row still inherits.
		`OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`,
		`OBX|2||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||1111111111111111^EUI-64`,
		`OBX|3||70000^MDC_DEV_VMD^MDC|1.2.0.0|||||||X|||||||^^2222222222222222^EUI-64`,
		`OBX|4|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.2.1.1|128|266016^MDC_DIM_MMHG^MDC|||||R`,
		`OBX|5||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|2.0.0.0|||||||X|||||||aaaaaaaaaaaaaaaa^EUI-64`,
		`OBX|6|NM|188736^MDC_MASS_BODY_ACTUAL^MDC|2.1.1.1|80.2|263875^MDC_DIM_KILO_G^MDC|||||R|||||||3333333333333333^EUI-64`,
		`OBX|7|NM|151562^MDC_RESP_RATE^MDC|3.1.1.1|16|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R`,
		`OBX|8|NM|151562^MDC_RESP_RATE^MDC||16|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R`,
		`OBR|2|||182777000^monitoring of patient^SCT|||20261122103000+0000`,
		// Containment does not reach across OBRs.
		`OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`,
	}, "\r")
	o := mustORU(t, in)
	tests := []struct {
		eui       string
		inherited bool
		device    bool
	}{
		{"1111111111111111", true, false},
		{"1111111111111111", false, true},
		{"2222222222222222", false, true},
		{"2222222222222222", true, false},
		{"AAAAAAAAAAAAAAAA", false, true},
		{"3333333333333333", false, false},
		{"", false, false},
		{"", false, false},
		{"", false, false},
	}
	for i, tt := range tests {
		got := o.Observations[i]
		if got.DeviceEUI64 != tt.eui || got.DeviceInherited != tt.inherited || got.IsDevice != tt.device {
			t.Errorf("observation %d (%s): EUI %q inherited %v device %v; want %q %v %v",
				i+1, got.Path, got.DeviceEUI64, got.DeviceInherited, got.IsDevice, tt.eui, tt.inherited, tt.device)
		}
	}
}

func TestParseORUEquipmentForms(t *testing.T) {
	for _, obx18 := range []string{
		"0123456789abcdef^EUI-64",
		"^^0123456789ABCDEF^EUI-64",
		"0123456789ABCDEF^GW^0123456789ABCDEF^EUI-64",
		"X-1^LOCAL~0123456789ABCDEF^eui-64",
	} {
		o := mustORU(t, withLine(5, `OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||||||`+obx18))
		got := o.Observations[1]
		if got.DeviceEUI64 != "0123456789ABCDEF" || got.DeviceInherited {
			t.Errorf("OBX-18 %q: EUI %q inherited %v", obx18, got.DeviceEUI64, got.DeviceInherited)
		}
	}
	o := mustORU(t, withLine(5, `OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||||||X-1^LOCAL`))
	if got := o.Observations[1]; got.DeviceEUI64 != "0123456789ABCDEF" || !got.DeviceInherited ||
		!reflect.DeepEqual(got.Equipment, []EntityID{{ID: "X-1", Namespace: "LOCAL"}}) {
		t.Errorf("non-EUI OBX-18: %+v", got)
	}
}

func TestParseORUOtherSegmentsAndNoPatient(t *testing.T) {
	in := strings.Join([]string{
		`MSH|^~\&|GW||EHR||20261122103000+0000||ORU^R01^ORU_R01|M1|P|2.6`,
		`ORC|RE`,
		`OBR|1|||182777000^monitoring of patient^SCT`,
		`NTE|1||note`,
		`OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`,
		`NTE|1||note`,
		`ZX1|custom`,
	}, "\r")
	o := mustORU(t, in)
	if len(o.Observations) != 1 || len(o.Patient.Identifiers) != 0 || o.SendingEUI64 != "" {
		t.Errorf("got %+v", o)
	}
}

func TestParseORUPatient(t *testing.T) {
	o := mustORU(t, withLine(1, `PID|1||12345^^^HOSP&1.2.840.1&ISO^MR~~P-77^^^CLINIC^PI||DOE&&VAN^JANE^Q^JR^DR^MD^L~ALIAS^X`))
	want := Patient{
		Identifiers: []PatientID{
			{ID: "12345", AssigningAuthority: HD{"HOSP", "1.2.840.1", "ISO"}, TypeCode: "MR"},
			{ID: "P-77", AssigningAuthority: HD{Namespace: "CLINIC"}, TypeCode: "PI"},
		},
		Name: PersonName{Family: "DOE", Given: "JANE", Middle: "Q", Suffix: "JR", Prefix: "DR", Degree: "MD", TypeCode: "L"},
	}
	if !reflect.DeepEqual(o.Patient, want) {
		t.Errorf("Patient = %+v", o.Patient)
	}
}

// TestParseORUErrors: each message parses but is not a usable PCD-01
// ORU^R01. The error must name where and carry the table 0357 code.
func TestParseORUErrors(t *testing.T) {
	obx := func(line string) string { return withLine(5, line) }
	msh := func(old, new string) string { return strings.Replace(sample, old, new, 1) }
	tests := []struct {
		name string
		in   string
		code ErrorCode
		ack  AckCode
		loc  string
		text string
	}{
		{"ADT message", msh("ORU^R01^ORU_R01", "ADT^A01^ADT_A01"), CodeUnsupportedMessageType, AR, "MSH-9", `message type "ADT"^"A01" is not supported`},
		{"ORU with another event", msh("ORU^R01^ORU_R01", "ORU^R30^ORU_R30"), CodeUnsupportedMessageType, AR, "MSH-9", `"ORU"^"R30"`},
		{"no message type", msh("ORU^R01^ORU_R01", ""), CodeRequiredFieldMissing, AE, "MSH-9", "message type missing"},
		{"no control id", msh("|MSG00001|", "||"), CodeRequiredFieldMissing, AE, "MSH-10", "message control id missing"},
		{"no version", msh("|P|2.6|", "|P||"), CodeUnsupportedVersionID, AR, "MSH-12", "version id missing"},
		{"version 3", msh("|P|2.6|", "|P|3.0|"), CodeUnsupportedVersionID, AR, "MSH-12", `version "3.0" is not supported`},
		{"bad sender EUI-64", msh("GW^0123456789ABCDEF^EUI-64", "GW^0123456789ABCDEG^EUI-64"), CodeDataType, AE, "MSH-3.2", "not an EUI-64"},
		{"no message time", msh("|20261122103000+0000||ORU", "|||ORU"), CodeRequiredFieldMissing, AE, "MSH-7", "date/time of message missing"},
		{"bad message time", msh("|20261122103000+0000||ORU", "|2026-11-22||ORU"), CodeDataType, AE, "MSH-7", "offset is malformed"},
		{"no OBR", strings.Join(sampleLines[:3], "\r"), CodeSegmentSequence, AE, "MSH", "no OBR segment"},
		{"OBX before OBR", strings.Join([]string{sampleLines[0], sampleLines[1], sampleLines[4], sampleLines[3]}, "\r"), CodeSegmentSequence, AE, "OBX", "OBX segment before any OBR"},
		{"two patients", withExtra(sampleLines[1], sampleLines[3], sampleLines[5]), CodeSegmentSequence, AE, "PID", "only one patient per message"},
		{"PID after OBR", strings.Join([]string{sampleLines[0], sampleLines[3], sampleLines[1]}, "\r"), CodeSegmentSequence, AE, "PID", "PID segment after OBR"},
		{"bad OBR-7", withLine(3, `OBR|1|||182777000^monitoring of patient^SCT|||20261322103000+0000`), CodeDataType, AE, "OBR-7", "month is out of range"},
		{"bad set id", obx(`OBX|two|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-1", "set id"},
		{"no observation id", obx(`OBX|2|NM||1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeRequiredFieldMissing, AE, "OBX-3", "observation identifier missing"},
		{"bad containment", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.a.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-4", "containment path"},
		{"empty containment level", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1..1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-4", "containment path"},
		{"value without type", obx(`OBX|2||150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeRequiredFieldMissing, AE, "OBX-2", "value type missing"},
		{"NM not a number", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|9x7|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "not a valid NM number"},
		{"NM with exponent", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|9.7e1|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "not a valid NM number"},
		{"NM with space", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1| 97|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "not a valid NM number"},
		{"NM NaN", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|NaN|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "not a valid NM number"},
		{"NM two points", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|9.7.1|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "not a valid NM number"},
		{"NM sign only", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|-|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "not a valid NM number"},
		{"NM repeated", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97~98|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "repetitions or components"},
		{"NM with components", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97^x|262688^MDC_DIM_PERCENT^MDC|||||R`), CodeDataType, AE, "OBX-5", "repetitions or components"},
		{"no status", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC`), CodeRequiredFieldMissing, AE, "OBX-11", "result status missing"},
		{"unknown status", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||Q`), CodeTableValueNotFound, AE, "OBX-11", `status "Q" is not in HL7 table 0085`},
		{"long status", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||RF`), CodeTableValueNotFound, AE, "OBX-11", "table 0085"},
		{"bad OBX-14", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||20261122253000`), CodeDataType, AE, "OBX-14", "hour is out of range"},
		{"bad EUI-64 in OBX-18", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||||||01234567^EUI-64`), CodeDataType, AE, "OBX-18", "not 16 hex digits"},
		{"bad EUI-64 in OBX-18 second repetition", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||||||A^B~^^XYZ^EUI-64`), CodeDataType, AE, "OBX-18(2)", "not 16 hex digits"},
		{"conflicting EUI-64s in OBX-18", obx(`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||||||1111111111111111^^2222222222222222^EUI-64`), CodeDataType, AE, "OBX-18", "two different EUI-64s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseORU(mustParse(t, tt.in), time.UTC)
			if err == nil {
				t.Fatalf("ParseORU succeeded: %+v", o)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T", err, err)
			}
			if e.Code != tt.code || e.Code.AckCode() != tt.ack || e.Location.String() != tt.loc {
				t.Errorf("code %d (%s), location %q; want %d (%s), %q: %v", e.Code, e.Code.AckCode(), e.Location, tt.code, tt.ack, tt.loc, err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
			if e.SegmentIndex == 0 {
				t.Errorf("error %q names no segment", err)
			}
		})
	}
}
