package hl7

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// parseSeeds are inputs for the message fuzzers: the sample, its pieces,
// other delimiters, escapes of every kind, and broken headers.
func parseSeeds() []string {
	return []string{
		sample,
		sampleACK,
		strings.Join(sampleLines, "\n"),
		strings.Join(sampleLines, "\r\n"),
		withExtra(`NTE|1||a\F\b\S\c\T\d\R\e\E\f\X0D0A\g\.br\h\H\bold\N\\.sp2\\.in+4\`),
		"MSH#*@!$#GW*0123456789ABCDEF*EUI-64##EHR##20261122103000+0000##ORU*R01*ORU_R01#M1#P#2.6\r" +
			"OBR#1####20261122103000\rOBX#1#NM#150456*MDC_PULS_OXIM_SAT_O2*MDC#1.1.1.1#97#262688*MDC_DIM_PERCENT*MDC#####R\r",
		"MSH|^~\\&#|A||B||20261122103000||ORU^R01|1|P|2.7\rNTE|1||x\\P\\y\r",
		withLine(5, `OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97.50|262688^MDC_DIM_PERCENT^MDC|90-100|L~H|||F|||20261122103005.123-0500|||||^^0123456789abcdef^EUI-64`),
		withLine(1, `PID|1||12345^^^HOSP&1.2.840.1&ISO^MR~~P-77^^^CLINIC^PI||DOE&&VAN^JANE^Q^JR^DR^MD^L`),
		withLine(5, `OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.a.1|9x7|262688|||||Q`),
		"MSH|^~\\&",
		"MSH|",
		"MSH",
		"MSH|^~\\|A",
		"MSH|^^\\&|A",
		"FHS|^~\\&",
		"PID|||1",
		sample + sample,
		"",
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if _, herr := ParseHeader(data); err == nil && herr != nil {
			t.Fatalf("Parse succeeded but ParseHeader failed: %v", herr)
		}
		if err != nil {
			var e *Error
			if m != nil || !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "hl7: ") {
				t.Fatalf("bad failure: message %v, error %T %v", m != nil, err, err)
			}
			return
		}
		// Writing the message out and parsing it again gives the same
		// message.
		out := m.Bytes()
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Bytes()) failed: %v\n%q", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("Parse(Bytes()) differs\n%q", out)
		}
		if out2 := m2.Bytes(); !bytes.Equal(out, out2) {
			t.Fatalf("Bytes not stable:\n%q\n%q", out, out2)
		}
		// Every field decodes, agrees with the single-value accessors,
		// and survives re-encoding with the default delimiters.
		d := DefaultDelimiters()
		for _, s := range m.All() {
			for n := 1; n <= s.NumFields(); n++ {
				reps := s.Repetitions(n)
				if got, want := s.Field(n), first(reps); got != want {
					t.Fatalf("%s-%d: Field %q, Repetitions %q", s.Name(), n, got, want)
				}
				if s.literal(n) {
					continue
				}
				enc := encodeField(reps, d)
				z, err := Parse([]byte("MSH|^~\\&\rZZZ|" + enc + "\r"))
				if err != nil {
					t.Fatalf("%s-%d re-encoded as %q does not parse: %v", s.Name(), n, enc, err)
				}
				if got := z.First("ZZZ").Repetitions(1); !reflect.DeepEqual(normalize(got), normalize(reps)) {
					t.Fatalf("%s-%d: re-encoded %q reads back as %q, want %q", s.Name(), n, enc, got, reps)
				}
			}
		}
	})
}

func first(reps []Repetition) string {
	if len(reps) == 0 {
		return ""
	}
	return reps[0].Component(1)
}

// normalize drops trailing empty components and subcomponents, which the
// encoder leaves out.
func normalize(reps []Repetition) []Repetition {
	if len(reps) == 0 {
		return nil
	}
	out := make([]Repetition, len(reps))
	for i, r := range reps {
		r = trimComponents(r)
		var nr Repetition
		for _, c := range r {
			nr = append(nr, trimStrings(c))
		}
		out[i] = nr
	}
	if len(out) == 1 && len(out[0]) == 0 {
		return nil
	}
	return out
}

func FuzzParseORU(f *testing.F) {
	for _, s := range parseSeeds() {
		f.Add([]byte(s))
	}
	at := time.Date(2026, 11, 22, 10, 30, 1, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			// The listener's path for messages that do not parse: answer
			// from the header if there is one.
			hdr, _ := ParseHeader(data)
			checkACK(t, hdr, err, at)
			return
		}
		o, err := ParseORU(m, time.UTC)
		checkACK(t, m, err, at)
		if err != nil {
			var e *Error
			if o != nil || !errors.As(err, &e) || e.SegmentIndex == 0 || e.Location.Segment == "" {
				t.Fatalf("bad failure: %T %v", err, err)
			}
			return
		}
		if len(o.Observations) != len(m.Segments("OBX")) {
			t.Fatalf("%d observations from %d OBX", len(o.Observations), len(m.Segments("OBX")))
		}
		if o.ControlID == "" || o.MessageTime.IsZero() {
			t.Fatal("accepted without control id or time")
		}
		for i, obs := range o.Observations {
			if obs.HasNumber != (obs.ValueType == "NM" && obs.Value != "") {
				t.Fatalf("observation %d: HasNumber %v for %s %q", i+1, obs.HasNumber, obs.ValueType, obs.Value)
			}
			if obs.Time.IsZero() || obs.TimeFrom == "" || obs.Request < 1 {
				t.Fatalf("observation %d: time %v from %q, request %d", i+1, obs.Time, obs.TimeFrom, obs.Request)
			}
			if obs.DeviceEUI64 != "" && normalizeEUI64(obs.DeviceEUI64) != obs.DeviceEUI64 {
				t.Fatalf("observation %d: EUI-64 %q", i+1, obs.DeviceEUI64)
			}
			if mp, err := MapObservation(obs); err == nil {
				if mp.Measure.LOINC == "" || mp.UCUM == "" || obs.IsDevice {
					t.Fatalf("observation %d mapped to %+v", i+1, mp)
				}
			}
		}
	})
}

// checkACK builds the acknowledgement the listener would send and checks
// that it is a well-formed, frameable message that answers orig.
func checkACK(t *testing.T, orig *Message, err error, at time.Time) {
	t.Helper()
	ack, aerr := ACKFor(orig, err, "ACK1", at)
	if aerr != nil {
		t.Fatalf("ACKFor: %v", aerr)
	}
	if _, ferr := Frame(ack); ferr != nil {
		t.Fatalf("ACK cannot be framed: %v\n%q", ferr, ack)
	}
	a, perr := Parse(ack)
	if perr != nil {
		t.Fatalf("ACK does not parse: %v\n%q", perr, ack)
	}
	msa := a.First("MSA")
	if msa == nil || AckCode(msa.Field(1)) != ErrorCodeOf(err).AckCode() {
		t.Fatalf("ACK MSA wrong for %v:\n%q", err, ack)
	}
	if orig != nil && msa.Field(2) != orig.ControlID() {
		t.Fatalf("MSA-2 %q, original MSH-10 %q", msa.Field(2), orig.ControlID())
	}
	if (err != nil) != (a.First("ERR") != nil) {
		t.Fatalf("ERR segment present %v for error %v", a.First("ERR") != nil, err)
	}
}

func FuzzMLLPReader(f *testing.F) {
	good := frame(sample)
	for _, s := range []string{
		good,
		good + good,
		good + "\r\n" + frame(sampleACK),
		"junk" + good,
		sample,
		"\x0b\x1c\r" + good,
		"\x0bcut" + good,
		"\x0b" + sample + "\x1cX" + good,
		"\x0b" + sample + "\x1c",
		"\x0b" + strings.Repeat("M", 300) + "\x1c\r" + good,
		"\x1c\r\x0b\x0b\x1c",
		"",
	} {
		f.Add([]byte(s), uint16(256))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		max := int(limit%2048) + 1
		whole := readTranscript(t, NewReader(bytes.NewReader(data), max), len(data), max)
		slow := readTranscript(t, NewReader(iotest.OneByteReader(bytes.NewReader(data)), max), len(data), max)
		if !reflect.DeepEqual(whole, slow) {
			t.Fatalf("messages differ by read size:\n%q\n%q", whole, slow)
		}

		// Messages framed with Frame, with noise the reader must ignore in
		// between, come back exactly.
		clean := bytes.Map(func(r rune) rune {
			if r == rune(StartBlock) || r == rune(EndBlock) {
				return -1
			}
			return r
		}, data)
		var stream []byte
		var want []string
		for _, part := range bytes.Split(clean, []byte{'|'}) {
			if len(part) == 0 {
				continue
			}
			fr, err := Frame(part)
			if err != nil {
				t.Fatalf("Frame: %v", err)
			}
			stream = append(stream, fr...)
			stream = append(stream, "\r\n"...)
			want = append(want, string(part))
		}
		got := readTranscript(t, NewReader(bytes.NewReader(stream), len(clean)+1), len(stream), len(clean)+1)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("framed %q, read back %q", want, got)
		}
	})
}

// readTranscript reads messages until a non-frame error, which must be
// io.EOF, and returns the messages. It fails if the reader does not finish
// within a number of calls bounded by the input size.
func readTranscript(t *testing.T, r *Reader, n, max int) []string {
	t.Helper()
	var msgs []string
	for calls := 0; calls <= n+2; calls++ {
		m, err := r.ReadMessage()
		if err != nil {
			var fe *FrameError
			if errors.As(err, &fe) {
				if fe.Err == nil || !strings.HasPrefix(err.Error(), "mllp: at byte ") {
					t.Fatalf("bad frame error %v", err)
				}
				continue
			}
			if err != io.EOF {
				t.Fatalf("final error %v, want io.EOF", err)
			}
			return msgs
		}
		if len(m) == 0 || len(m) > max || bytes.IndexByte(m, StartBlock) >= 0 || bytes.IndexByte(m, EndBlock) >= 0 {
			t.Fatalf("bad message %q (limit %d)", m, max)
		}
		msgs = append(msgs, string(m))
	}
	t.Fatalf("reader still going after %d calls on %d bytes", n+2, n)
	return nil
}
