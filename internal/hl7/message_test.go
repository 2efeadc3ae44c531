package hl7

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, s string) *Message {
	t.Helper()
	m, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestParseSample(t *testing.T) {
	m := mustParse(t, sample)

	if got, want := m.Delimiters(), DefaultDelimiters(); got != want {
		t.Errorf("Delimiters = %+v, want %+v", got, want)
	}
	var names []string
	for _, s := range m.All() {
		names = append(names, s.Name())
	}
	if got, want := strings.Join(names, " "), "MSH PID PV1 OBR OBX OBX OBX OBX OBX OBX"; got != want {
		t.Errorf("segments = %s, want %s", got, want)
	}

	h := m.MSH()
	checks := []struct {
		what, got, want string
	}{
		{"MSH-1", h.Field(1), "|"},
		{"MSH-2", h.Field(2), `^~\&`},
		{"MSH-2.2", h.Component(2, 2), ""},
		{"MSH-3", h.Field(3), "GW"},
		{"MSH-3.2", h.Component(3, 2), "0123456789ABCDEF"},
		{"MSH-3.3", h.Component(3, 3), "EUI-64"},
		{"MSH-3 raw", h.Raw(3), "GW^0123456789ABCDEF^EUI-64"},
		{"MSH-4", h.Field(4), ""},
		{"MSH-5", h.Field(5), "EHR"},
		{"MSH-7", h.Field(7), "20261122103000+0000"},
		{"MSH-9.1", h.Component(9, 1), "ORU"},
		{"MSH-9.2", h.Component(9, 2), "R01"},
		{"MSH-9.3", h.Component(9, 3), "ORU_R01"},
		{"MSH-10", m.ControlID(), "MSG00001"},
		{"MSH-11", h.Field(11), "P"},
		{"MSH-12", m.Version(), "2.6"},
		{"MSH-15", h.Field(15), "NE"},
		{"MSH-16", h.Field(16), "AL"},
		{"MSH-18", h.Field(18), "UNICODE UTF-8"},
		{"MSH-21.3", h.Component(21, 3), "1.3.6.1.4.1.19376.1.6.1.1.1"},
		{"MSH-99", h.Field(99), ""},
		{"PID-3.1", m.First("PID").Component(3, 1), "12345"},
		{"PID-3.4", m.First("PID").Component(3, 4), "HOSP"},
		{"PID-3.5", m.First("PID").Component(3, 5), "PI"},
		{"PID-5.2", m.First("PID").Component(5, 2), "JOHN"},
		{"PID-5.7", m.First("PID").Component(5, 7), "L"},
		{"PV1-3.3", m.First("PV1").Component(3, 3), "BED1"},
		{"OBR-4.2", m.First("OBR").Component(4, 2), "monitoring of patient"},
		{"OBX(2)-3.2", m.Segments("OBX")[1].Component(3, 2), "MDC_PULS_OXIM_SAT_O2"},
		{"OBX(2)-5", m.Segments("OBX")[1].Field(5), "97"},
		{"OBX(1)-18.2", m.Segments("OBX")[0].Component(18, 2), "EUI-64"},
		{"OBX-3.1.2 (no subcomponent)", m.Segments("OBX")[0].Subcomponent(3, 1, 2), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if n := h.NumFields(); n != 21 {
		t.Errorf("MSH NumFields = %d, want 21", n)
	}
	if n := m.Segments("OBX")[0].NumFields(); n != 18 {
		t.Errorf("OBX(1) NumFields = %d, want 18", n)
	}
	code, event, structure := m.Type()
	if code != "ORU" || event != "R01" || structure != "ORU_R01" {
		t.Errorf("Type = %s %s %s", code, event, structure)
	}
	obx := m.Segments("OBX")
	if len(obx) != 6 {
		t.Fatalf("%d OBX segments, want 6", len(obx))
	}
	if obx[2].Index() != 7 || obx[2].Sequence() != 3 {
		t.Errorf("third OBX: index %d sequence %d, want 7 and 3", obx[2].Index(), obx[2].Sequence())
	}
	if m.First("NTE") != nil || m.Segments("NTE") != nil {
		t.Error("found an NTE segment that is not there")
	}
	if got, want := h.Repetitions(1), []Repetition{{{"|"}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("MSH-1 Repetitions = %q", got)
	}
	if got := h.Repetitions(4); got != nil {
		t.Errorf("empty MSH-4 Repetitions = %q, want nil", got)
	}
}

func TestParseRepetitionsAndSubcomponents(t *testing.T) {
	m := mustParse(t, withLine(1, `PID|||12345^^^HOSP&1.2.3&ISO^MR~A-9^^^CLINIC^PI~~X||DOE&VAN^JOHN`))
	pid := m.First("PID")
	want := []Repetition{
		{{"12345"}, {""}, {""}, {"HOSP", "1.2.3", "ISO"}, {"MR"}},
		{{"A-9"}, {""}, {""}, {"CLINIC"}, {"PI"}},
		{{""}},
		{{"X"}},
	}
	if got := pid.Repetitions(3); !reflect.DeepEqual(got, want) {
		t.Errorf("PID-3 = %q\nwant %q", got, want)
	}
	if got := pid.Value(3, 2, 4, 1); got != "CLINIC" {
		t.Errorf("PID-3(2).4 = %q", got)
	}
	if got := pid.Value(3, 1, 4, 2); got != "1.2.3" {
		t.Errorf("PID-3.4.2 = %q", got)
	}
	if got := pid.Subcomponent(5, 1, 2); got != "VAN" {
		t.Errorf("PID-5.1.2 = %q", got)
	}
	if got := pid.Value(3, 5, 1, 1); got != "" {
		t.Errorf("PID-3(5) = %q, want empty", got)
	}
	if got := pid.Value(3, 0, 1, 1); got != "" {
		t.Errorf("PID-3(0) = %q, want empty", got)
	}
	r := pid.Repetitions(3)[0]
	if r.Component(4) != "HOSP" || r.Subcomponent(4, 3) != "ISO" || r.Component(9) != "" || r.Subcomponent(4, 9) != "" {
		t.Error("Repetition accessors wrong")
	}
}

func TestParseEscapesInFields(t *testing.T) {
	m := mustParse(t, withExtra(`NTE|1||a\F\b\S\c\T\d\R\e\E\f\X0D0A\g\.br\h\H\bold\N\`))
	nte := m.First("NTE")
	if got, want := nte.Field(3), "a|b^c&d~e\\f\r\ng\nhbold"; got != want {
		t.Errorf("NTE-3 = %q, want %q", got, want)
	}
	if got, want := nte.Raw(3), `a\F\b\S\c\T\d\R\e\E\f\X0D0A\g\.br\h\H\bold\N\`; got != want {
		t.Errorf("NTE-3 raw = %q", got)
	}
}

func TestParseLineEndings(t *testing.T) {
	want := mustParse(t, sample)
	for name, in := range map[string]string{
		"LF":              strings.Join(sampleLines, "\n") + "\n",
		"CRLF":            strings.Join(sampleLines, "\r\n") + "\r\n",
		"mixed":           sampleLines[0] + "\r\n" + sampleLines[1] + "\n" + strings.Join(sampleLines[2:], "\r"),
		"no final CR":     strings.Join(sampleLines, "\r"),
		"blank lines":     "\r\n" + strings.Join(sampleLines, "\r\n\r\n") + "\r\n\r\n  \r\n",
		"LFCR (reversed)": strings.Join(sampleLines, "\n\r") + "\n\r",
	} {
		t.Run(name, func(t *testing.T) {
			got := mustParse(t, in)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parsed differently from the CR form")
			}
			if string(got.Bytes()) != sample {
				t.Errorf("Bytes = %q", got.Bytes())
			}
		})
	}
}

func TestParseOtherDelimiters(t *testing.T) {
	// Field #, component *, repetition @, escape !, subcomponent $.
	in := "MSH#*@!$#GW*0123456789ABCDEF*EUI-64##EHR##20261122103000+0000##ORU*R01*ORU_R01#M1#P#2.6\r" +
		"OBX#1#ST#1*X*MDC#1.1.1.1#a!F!b!S!c|d^e~f&g\\h@i$j\r"
	m := mustParse(t, in)
	want := Delimiters{Field: '#', Component: '*', Repetition: '@', Escape: '!', Subcomponent: '$'}
	if m.Delimiters() != want {
		t.Fatalf("Delimiters = %+v", m.Delimiters())
	}
	h := m.MSH()
	if h.Field(1) != "#" || h.Field(2) != "*@!$" || h.Component(3, 2) != "0123456789ABCDEF" || m.ControlID() != "M1" {
		t.Errorf("MSH read wrongly: %q %q %q %q", h.Field(1), h.Field(2), h.Component(3, 2), m.ControlID())
	}
	obx := m.First("OBX")
	if got := obx.Field(5); got != `a#b*c|d^e~f&g\h` {
		t.Errorf("OBX-5 = %q", got)
	}
	if got := obx.Value(5, 2, 1, 1); got != "i" {
		t.Errorf("OBX-5(2) = %q", got)
	}
	if got := obx.Subcomponent(5, 1, 2); got != "" {
		t.Errorf("OBX-5.1.2 = %q", got)
	}
	if got := obx.Value(5, 2, 1, 2); got != "j" {
		t.Errorf("OBX-5(2).1.2 = %q", got)
	}
}

func TestParseTruncationCharacter(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&#|A||B||20261122103000||ORU^R01|1|P|2.7\rNTE|1||x\\P\\y\r")
	if m.Delimiters().Truncation != '#' {
		t.Fatalf("Truncation = %q", m.Delimiters().Truncation)
	}
	if got := m.MSH().Field(2); got != "^~\\&#" {
		t.Errorf("MSH-2 = %q", got)
	}
	if got := m.First("NTE").Field(3); got != "x#y" {
		t.Errorf("NTE-3 = %q", got)
	}
}

func TestParseMinimalMSH(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&")
	if m.MSH().NumFields() != 2 || m.MSH().Field(3) != "" || m.ControlID() != "" {
		t.Errorf("minimal MSH read wrongly")
	}
	m = mustParse(t, "MSH|^~\\&|\rZZ1\r")
	if m.First("ZZ1") == nil || m.First("ZZ1").NumFields() != 0 {
		t.Errorf("segment without fields read wrongly")
	}
}

func TestBytesKeepsFields(t *testing.T) {
	in := withExtra(`NTE|1||a\F\b~c^d&e|||`, `ZX1|x`)
	m := mustParse(t, in)
	if got := string(m.Bytes()); got != in {
		t.Errorf("Bytes = %q\nwant   %q", got, in)
	}
}

func TestParseHeader(t *testing.T) {
	bad := withLine(5, `OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|9\Q\7|262688^MDC_DIM_PERCENT^MDC|||||R`)
	if _, err := Parse([]byte(bad)); err == nil {
		t.Fatal("Parse accepted a bad escape")
	}
	h, err := ParseHeader([]byte(bad))
	if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	if len(h.All()) != 1 || h.ControlID() != "MSG00001" || h.Version() != "2.6" {
		t.Errorf("ParseHeader gave %d segments, control id %q", len(h.All()), h.ControlID())
	}
	if _, err := ParseHeader([]byte("PID|1")); err == nil {
		t.Error("ParseHeader accepted a message without MSH")
	}
	if _, err := ParseHeader(nil); err == nil {
		t.Error("ParseHeader accepted nothing")
	}
}

// TestParseErrors feeds malformed messages to Parse. Each must fail with an
// *Error that names where the problem is and what it is.
func TestParseErrors(t *testing.T) {
	obx := func(value string) string {
		return withLine(5, `OBX|2|ST|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|`+value+`|262688^MDC_DIM_PERCENT^MDC|||||R`)
	}
	tests := []struct {
		name    string
		in      string
		code    ErrorCode
		loc     string // Location.String()
		segment int    // SegmentIndex
		text    string // a part of the error text
	}{
		{"empty", "", CodeSegmentSequence, "", 0, "message is empty"},
		{"only line breaks", "\r\n\r\n", CodeSegmentSequence, "", 0, "message is empty"},
		{"starts with PID", "PID|||1\rMSH|^~\\&|A\r", CodeSegmentSequence, "", 1, "does not start with an MSH segment"},
		{"lower-case msh", "msh|^~\\&|A\r", CodeSegmentSequence, "", 1, "does not start with an MSH segment"},
		{"batch header", "FHS|^~\\&\rBHS|^~\\&\r" + sample, CodeSegmentSequence, "", 1, "batch"},
		{"MSH alone", "MSH", CodeRequiredFieldMissing, "MSH-1", 1, "too short"},
		{"letter as field separator", "MSHX^~\\&X", CodeDataType, "MSH-1", 1, "field separator 'X' is not allowed"},
		{"space as field separator", "MSH ^~\\& A", CodeDataType, "MSH-1", 1, "field separator ' ' is not allowed"},
		{"no encoding characters", "MSH||A", CodeRequiredFieldMissing, "MSH-2", 1, "encoding characters missing"},
		{"encoding characters end the message", "MSH|", CodeRequiredFieldMissing, "MSH-2", 1, "encoding characters missing"},
		{"three encoding characters", "MSH|^~\\|A", CodeDataType, "MSH-2", 1, "too short"},
		{"six encoding characters", "MSH|^~\\&#!|A", CodeDataType, "MSH-2", 1, "too long (6 characters)"},
		{"repeated encoding character", "MSH|^^\\&|A", CodeDataType, "MSH-2", 1, "appears twice"},
		{"letter as encoding character", "MSH|^~\\A|A", CodeDataType, "MSH-2", 1, "encoding character 4 ('A') is not allowed"},
		{"tab as encoding character", "MSH|^~\\\t|A", CodeDataType, "MSH-2", 1, "encoding character 4 ('\\t') is not allowed"},
		{"lower-case segment name", withExtra("nte|1"), CodeSegmentSequence, "", 11, "three upper-case letters or digits"},
		{"short segment name", withExtra("NT"), CodeSegmentSequence, "", 11, "three upper-case letters or digits"},
		{"segment name starting with a digit", withExtra("1TE|x"), CodeSegmentSequence, "", 11, "three upper-case letters or digits"},
		{"long segment name", withExtra("NTEX|1"), CodeSegmentSequence, "", 11, "not followed by the field separator '|'"},
		{"raw line feed in a value", withExtra("NTE|1||first line\nsecond line"), CodeSegmentSequence, "", 12, "three upper-case letters or digits"},
		{"leftover MLLP byte", sample + "\x1c\r", CodeSegmentSequence, "", 11, "three upper-case letters or digits"},
		{"second MSH", sample + sample, CodeSegmentSequence, "MSH", 11, "second MSH segment"},
		{"batch trailer inside", withExtra("BTS|1"), CodeSegmentSequence, "BTS", 11, "batch segment BTS"},
		{"unterminated escape", obx(`97\F`), CodeDataType, "OBX-5", 6, "escape sequence is not terminated"},
		{"lone escape character", obx(`C:\temp`), CodeDataType, "OBX-5", 6, "not terminated"},
		{"empty escape", obx(`a\\b`), CodeDataType, "OBX-5", 6, "empty escape sequence"},
		{"unknown escape", obx(`\Q\`), CodeDataType, "OBX-5", 6, "unknown escape sequence starting with 'Q'"},
		{"hex escape without digits", obx(`\X\`), CodeDataType, "OBX-5", 6, "has no digits"},
		{"odd hex escape", obx(`\X0D0\`), CodeDataType, "OBX-5", 6, "odd number of digits"},
		{"bad hex escape", obx(`\XZZ\`), CodeDataType, "OBX-5", 6, "not a hex digit"},
		{"character set escape", obx(`\C2842\`), CodeDataType, "OBX-5", 6, "character set escapes"},
		{"multi-byte character set escape", obx(`\M2442\`), CodeDataType, "OBX-5", 6, "character set escapes"},
		{"local escape", obx(`\Zfoo\`), CodeDataType, "OBX-5", 6, "locally defined"},
		{"truncation escape without truncation character", obx(`\P\`), CodeDataType, "OBX-5", 6, "no truncation character"},
		{"unknown formatting command", obx(`\.xx\`), CodeDataType, "OBX-5", 6, "unknown formatting escape"},
		{"formatting command with junk", obx(`\.br5\`), CodeDataType, "OBX-5", 6, ".br takes no argument"},
		{"formatting number malformed", obx(`\.in+-4\`), CodeDataType, "OBX-5", 6, "malformed number"},
		{"escape in third component", obx(`a^b^\Q\`), CodeDataType, "OBX-5.3", 6, "unknown escape"},
		{"escape in second repetition", obx(`a~b^\Q\`), CodeDataType, "OBX-5(2).2", 6, "unknown escape"},
		{"escape in a subcomponent", obx(`a^b&\Q\`), CodeDataType, "OBX-5.2.2", 6, "unknown escape"},
		{"escape in MSH", strings.Replace(sample, "|EHR|", `|EHR\|`, 1), CodeDataType, "MSH-5", 1, "not terminated"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %d segments", len(m.All()))
			}
			if m != nil {
				t.Error("Parse returned a message with its error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, not *Error", err, err)
			}
			if e.Code != tt.code || e.Location.String() != tt.loc || e.SegmentIndex != tt.segment {
				t.Errorf("got code %d, location %q, segment %d; want %d, %q, %d (%v)",
					e.Code, e.Location, e.SegmentIndex, tt.code, tt.loc, tt.segment, err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
			if !strings.HasPrefix(err.Error(), "hl7: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			seen[err.Error()] = tt.name
		})
	}
	t.Logf("%d malformed inputs, %d distinct error texts", len(tests), len(seen))
	if len(seen) < 20 {
		t.Errorf("only %d distinct errors", len(seen))
	}
}

// TestParseErrorsHoldNoContent checks that error texts do not repeat field
// contents, since errors get logged.
func TestParseErrorsHoldNoContent(t *testing.T) {
	const secret = "SMITHJANE"
	for _, in := range []string{
		withLine(1, `PID|||12345||`+secret+`\Q\`),
		withLine(1, `PID|||12345||`+secret+`\X4\`),
		withExtra(secret),
		withExtra("NTE|1||" + secret + "\n" + secret),
		secret + "|x",
	} {
		_, err := Parse([]byte(in))
		if err == nil {
			t.Fatalf("Parse accepted %q", in)
		}
		if strings.Contains(err.Error(), "SMI") || strings.Contains(err.Error(), "JANE") {
			t.Errorf("error repeats content: %v", err)
		}
	}
}

func TestEncodingCharacters(t *testing.T) {
	if got := DefaultDelimiters().EncodingCharacters(); got != `^~\&` {
		t.Errorf("EncodingCharacters = %q", got)
	}
	d := DefaultDelimiters()
	d.Truncation = '#'
	if got := d.EncodingCharacters(); got != `^~\&#` {
		t.Errorf("EncodingCharacters with truncation = %q", got)
	}
}
