package hl7

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var ackTime = time.Date(2026, 11, 22, 10, 30, 1, 0, time.UTC)

func TestACKSample(t *testing.T) {
	m := mustParse(t, sample)
	got, err := BuildACK(m, ACKOptions{Code: AA, ControlID: "ACK00001", Time: ackTime})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleACK {
		t.Errorf("ACK =\n%q\nwant\n%q", got, sampleACK)
	}
	got, err = ACKFor(m, nil, "ACK00001", ackTime)
	if err != nil || string(got) != sampleACK {
		t.Errorf("ACKFor(nil error) = %q, %v", got, err)
	}
}

func TestACKUsesTriggerVersionAndProcessingID(t *testing.T) {
	in := strings.Replace(strings.Replace(sample, "ORU^R01^ORU_R01|MSG00001|P|2.6", "ORU^R30^ORU_R30|X&1|T|2.5.1", 1), "||EHR||", "|FAC^1.2^ISO|EHR|SITE|", 1)
	m := mustParse(t, in)
	ack, err := BuildACK(m, ACKOptions{Code: AA, ControlID: "A2", Time: ackTime.In(time.FixedZone("", 3600))})
	if err != nil {
		t.Fatal(err)
	}
	want := "MSH|^~\\&|EHR|SITE|GW^0123456789ABCDEF^EUI-64|FAC^1.2^ISO|20261122113001+0100||ACK^R30^ACK|A2|T|2.5.1\r" +
		"MSA|AA|X&1\r"
	if string(ack) != want {
		t.Errorf("ACK =\n%q\nwant\n%q", ack, want)
	}
}

func TestACKWithError(t *testing.T) {
	m := mustParse(t, sample)
	ack, err := BuildACK(m, ACKOptions{
		Code: AE, ControlID: "ACK2", Time: ackTime,
		Error:    CodeDataType,
		Text:     "OBX-5: value is not a number | fix ^ & resend\nthanks",
		Location: Location{Segment: "OBX", Sequence: 2, Field: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantERR := `ERR||OBX^2^5|102^Data type error^HL70357|E||||OBX-5: value is not a number \F\ fix \S\ \T\ resend\.br\thanks`
	lines := strings.Split(strings.TrimSuffix(string(ack), "\r"), "\r")
	if len(lines) != 3 || lines[1] != "MSA|AE|MSG00001" || lines[2] != wantERR {
		t.Errorf("ACK lines = %q", lines)
	}
	// The ACK must itself parse, and give the text back unchanged.
	a := mustParse(t, string(ack))
	e := a.First("ERR")
	if e.Component(3, 1) != "102" || e.Component(3, 3) != "HL70357" || e.Field(4) != "E" {
		t.Errorf("ERR-3/4 read back as %q %q", e.Raw(3), e.Raw(4))
	}
	if got := e.Field(8); got != "OBX-5: value is not a number | fix ^ & resend\nthanks" {
		t.Errorf("ERR-8 read back as %q", got)
	}
	if code, event, structure := a.Type(); code != "ACK" || event != "R01" || structure != "ACK" {
		t.Errorf("ACK MSH-9 = %s^%s^%s", code, event, structure)
	}
}

func TestACKErrorDefaults(t *testing.T) {
	m := mustParse(t, sample)
	ack, err := BuildACK(m, ACKOptions{Code: AR, ControlID: "A3", Time: ackTime})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(ack), "MSA|AR|MSG00001\rERR|||207^Application internal error^HL70357|E||||Application internal error\r") {
		t.Errorf("ACK = %q", ack)
	}
	// A full location.
	ack, _ = BuildACK(m, ACKOptions{Code: CE, ControlID: "A4", Time: ackTime, Error: CodeRequiredFieldMissing,
		Location: Location{Segment: "PID", Sequence: 1, Field: 3, Repetition: 2, Component: 4, Subcomponent: 1}})
	if !strings.Contains(string(ack), "MSA|CE|MSG00001\rERR||PID^1^3^2^4^1|101^") {
		t.Errorf("ACK = %q", ack)
	}
	// A segment-level location.
	ack, _ = BuildACK(m, ACKOptions{Code: AE, ControlID: "A5", Time: ackTime, Error: CodeSegmentSequence,
		Location: Location{Segment: "OBX"}})
	if !strings.Contains(string(ack), "ERR||OBX^1|100^Segment sequence error^HL70357|E||||Segment sequence error\r") {
		t.Errorf("ACK = %q", ack)
	}
	// CA carries no ERR.
	ack, _ = BuildACK(m, ACKOptions{Code: CA, ControlID: "A6", Time: ackTime, Error: CodeDataType})
	if strings.Contains(string(ack), "ERR") {
		t.Errorf("CA ACK has an ERR segment: %q", ack)
	}
}

func TestACKOtherDelimiters(t *testing.T) {
	in := "MSH#*@!$#GW*0123456789ABCDEF*EUI-64##EHR*x|y##20261122103000+0000##ORU*R01*ORU_R01#M!T!1#P#2.6\r"
	ack, err := BuildACK(mustParse(t, in), ACKOptions{Code: AA, ControlID: "A1", Time: ackTime})
	if err != nil {
		t.Fatal(err)
	}
	want := "MSH|^~\\&|EHR^x\\F\\y||GW^0123456789ABCDEF^EUI-64||20261122103001+0000||ACK^R01^ACK|A1|P|2.6\rMSA|AA|M$1\r"
	if string(ack) != want {
		t.Errorf("ACK =\n%q\nwant\n%q", ack, want)
	}
}

func TestACKWithoutOriginal(t *testing.T) {
	ack, err := ACKFor(nil, &Error{Code: CodeSegmentSequence, Msg: "message does not start with an MSH segment", SegmentIndex: 1},
		"A7", ackTime)
	if err != nil {
		t.Fatal(err)
	}
	want := "MSH|^~\\&|||||20261122103001+0000||ACK^^ACK|A7|P|2.6\rMSA|AE|\r" +
		"ERR|||100^Segment sequence error^HL70357|E||||segment 1: message does not start with an MSH segment\r"
	if string(ack) != want {
		t.Errorf("ACK =\n%q\nwant\n%q", ack, want)
	}
	if _, err := Parse(ack); err != nil {
		t.Errorf("ACK does not parse: %v", err)
	}
}

func TestACKFor(t *testing.T) {
	m := mustParse(t, sample)
	tests := []struct {
		name string
		err  error
		want string // MSA and ERR
	}{
		{"accepted", nil, "MSA|AA|MSG00001\r"},
		{"unsupported type", errAt(m.MSH(), 9, CodeUnsupportedMessageType, "message type ADT^A01 is not supported"),
			"MSA|AR|MSG00001\rERR||MSH^1^9|200^Unsupported message type^HL70357|E||||segment 1 MSH-9: message type ADT\\S\\A01 is not supported\r"},
		{"data type, wrapped", fmt.Errorf("ingest: %w", errAt(m.Segments("OBX")[1], 5, CodeDataType, "bad")),
			"MSA|AE|MSG00001\rERR||OBX^2^5|102^Data type error^HL70357|E||||segment 6 OBX-5: bad\r"},
		{"unknown key", &Error{Code: CodeUnknownKeyIdentifier, Msg: "device is not registered",
			Location: Location{Segment: "OBX", Sequence: 1, Field: 18}},
			"MSA|AE|MSG00001\rERR||OBX^1^18|204^Unknown key identifier^HL70357|E||||OBX-18: device is not registered\r"},
		{"internal", errors.New("db: connection refused to 10.0.0.5"),
			"MSA|AR|MSG00001\rERR|||207^Application internal error^HL70357|E||||application internal error; resend later\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack, err := ACKFor(m, tt.err, "A1", ackTime)
			if err != nil {
				t.Fatal(err)
			}
			_, rest, _ := strings.Cut(string(ack), "\r")
			if rest != tt.want {
				t.Errorf("got  %q\nwant %q", rest, tt.want)
			}
			if strings.Contains(string(ack), "10.0.0.5") {
				t.Error("internal error text sent to the sender")
			}
		})
	}
}

func TestBuildACKRefuses(t *testing.T) {
	m := mustParse(t, sample)
	for name, o := range map[string]ACKOptions{
		"bad code":      {Code: "OK", ControlID: "A", Time: ackTime},
		"no code":       {ControlID: "A", Time: ackTime},
		"no control id": {Code: AA, Time: ackTime},
		"no time":       {Code: AA, ControlID: "A"},
	} {
		if _, err := BuildACK(m, o); err == nil {
			t.Errorf("%s: BuildACK succeeded", name)
		}
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		code ErrorCode
		ack  AckCode
		text string
	}{
		{CodeAccepted, AA, "Message accepted"},
		{CodeSegmentSequence, AE, "Segment sequence error"},
		{CodeRequiredFieldMissing, AE, "Required field missing"},
		{CodeDataType, AE, "Data type error"},
		{CodeTableValueNotFound, AE, "Table value not found"},
		{CodeUnsupportedMessageType, AR, "Unsupported message type"},
		{CodeUnsupportedEventCode, AR, "Unsupported event code"},
		{CodeUnsupportedProcessingID, AR, "Unsupported processing id"},
		{CodeUnsupportedVersionID, AR, "Unsupported version id"},
		{CodeUnknownKeyIdentifier, AE, "Unknown key identifier"},
		{CodeDuplicateKeyIdentifier, AE, "Duplicate key identifier"},
		{CodeApplicationRecordLocked, AR, "Application record locked"},
		{CodeApplicationInternalError, AR, "Application internal error"},
		{ErrorCode(999), AE, "Error code 999"},
	}
	for _, tt := range tests {
		if tt.code.AckCode() != tt.ack || tt.code.String() != tt.text {
			t.Errorf("%d: %s %q", tt.code, tt.code.AckCode(), tt.code)
		}
	}
	if ErrorCodeOf(nil) != CodeAccepted || ErrorCodeOf(errors.New("x")) != CodeApplicationInternalError ||
		ErrorCodeOf(fmt.Errorf("w: %w", &Error{Code: CodeDataType})) != CodeDataType {
		t.Error("ErrorCodeOf wrong")
	}
}
