package hl7

import (
	"bytes"
	"fmt"
	"strings"
)

// Delimiters are the separators and escape character of one message, read
// from MSH-1 and MSH-2.
type Delimiters struct {
	Field        byte // MSH-1, usually '|'
	Component    byte // first character of MSH-2, usually '^'
	Repetition   byte // second character of MSH-2, usually '~'
	Escape       byte // third character of MSH-2, usually '\'
	Subcomponent byte // fourth character of MSH-2, usually '&'
	// Truncation is the optional fifth character of MSH-2 that HL7 v2.7
	// added (usually '#'); 0 when MSH-2 has only four characters.
	Truncation byte
}

// DefaultDelimiters returns the delimiters almost every sender uses,
// `|` and `^~\&`, which are also the ones this package writes.
func DefaultDelimiters() Delimiters {
	return Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', Subcomponent: '&'}
}

// EncodingCharacters returns MSH-2 for d, such as `^~\&`.
func (d Delimiters) EncodingCharacters() string {
	s := []byte{d.Component, d.Repetition, d.Escape, d.Subcomponent}
	if d.Truncation != 0 {
		s = append(s, d.Truncation)
	}
	return string(s)
}

// Message is a parsed HL7 v2 message, made by Parse or ParseHeader. It
// keeps each field as it arrived on the wire and decodes escape sequences
// when a value is asked for, so its size stays close to that of the input.
// Parse has already checked every escape sequence, so the accessors cannot
// fail.
type Message struct {
	delims   Delimiters
	segments []*Segment
}

// Segment is one segment of a message, such as MSH, PID or OBX.
type Segment struct {
	name string
	// fields[0] is the segment name; fields[n] is field n as it arrived,
	// still escaped. For MSH, fields[1] is the field separator and
	// fields[2] the encoding characters.
	fields []string
	d      Delimiters
	index  int // position among all segments, 1-based
	seq    int // occurrence among segments with this name, 1-based
}

// Repetition is one repetition of a field, split into components.
type Repetition []Component

// Component is one component of a field, split into subcomponents. Each
// subcomponent has had its escape sequences decoded.
type Component []string

// Component returns the first subcomponent of component c (1-based) of r,
// or "" if there is none.
func (r Repetition) Component(c int) string { return r.Subcomponent(c, 1) }

// Subcomponent returns subcomponent s of component c of r (both 1-based), or
// "" if there is none.
func (r Repetition) Subcomponent(c, s int) string {
	if c < 1 || c > len(r) || s < 1 || s > len(r[c-1]) {
		return ""
	}
	return r[c-1][s-1]
}

// Parse parses one HL7 v2 message.
//
// The message must start with an MSH segment; its delimiters are taken from
// MSH-1 and MSH-2 (four encoding characters, or five with the v2.7
// truncation character). Segments may end with CR, LF or CRLF; empty lines
// are skipped. Every segment name must be three upper-case letters or digits
// and every escape sequence must be one that this package can decode (see
// Unescape). A second MSH segment, or an FHS/BHS batch header, is an error:
// one message per call.
//
// On failure the error is an *Error naming the segment and field.
func Parse(data []byte) (*Message, error) {
	lines := splitSegments(string(data))
	if len(lines) == 0 {
		return nil, &Error{Code: CodeSegmentSequence, Msg: "message is empty: no segments"}
	}
	msh, err := parseMSH(lines[0])
	if err != nil {
		return nil, err
	}
	m := &Message{delims: msh.d, segments: make([]*Segment, 0, len(lines))}
	m.segments = append(m.segments, msh)
	seen := map[string]int{"MSH": 1}
	for i, line := range lines[1:] {
		seg, err := parseSegment(line, i+2, msh.d)
		if err != nil {
			return nil, err
		}
		seen[seg.name]++
		seg.seq = seen[seg.name]
		switch seg.name {
		case "MSH":
			return nil, errAt(seg, 0, CodeSegmentSequence, "second MSH segment: send one message per frame")
		case "FHS", "BHS", "FTS", "BTS":
			return nil, errAt(seg, 0, CodeSegmentSequence, "batch segment %s inside a message: batches are not supported", seg.name)
		}
		if err := seg.checkEscapes(1); err != nil {
			return nil, err
		}
		m.segments = append(m.segments, seg)
	}
	return m, nil
}

// ParseHeader parses only the MSH segment of data. A listener uses it when
// Parse has failed, to learn enough (sender, control id, version) to
// acknowledge the message with AE or AR. The returned message has the MSH
// segment only.
func ParseHeader(data []byte) (*Message, error) {
	lines := splitSegments(string(data))
	if len(lines) == 0 {
		return nil, &Error{Code: CodeSegmentSequence, Msg: "message is empty: no segments"}
	}
	msh, err := parseMSH(lines[0])
	if err != nil {
		return nil, err
	}
	return &Message{delims: msh.d, segments: []*Segment{msh}}, nil
}

// splitSegments splits s at CR, LF and CRLF, dropping empty and blank lines.
func splitSegments(s string) []string {
	var lines []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		line := s
		if i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if strings.Trim(line, " \t") != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// isDelimiterChar reports whether c may serve as a delimiter: printable
// ASCII, not a letter, digit or space.
func isDelimiterChar(c byte) bool {
	if c <= ' ' || c > '~' {
		return false
	}
	return !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')
}

func parseMSH(line string) (*Segment, error) {
	hdr := &Segment{name: "MSH", index: 1, seq: 1}
	if !strings.HasPrefix(line, "MSH") {
		switch {
		case strings.HasPrefix(line, "FHS"), strings.HasPrefix(line, "BHS"):
			return nil, &Error{Code: CodeSegmentSequence, SegmentIndex: 1,
				Msg: "message starts with a batch header (FHS/BHS): batches are not supported, send one message per frame"}
		}
		return nil, &Error{Code: CodeSegmentSequence, SegmentIndex: 1,
			Msg: "message does not start with an MSH segment"}
	}
	if len(line) < 4 {
		return nil, errAt(hdr, 1, CodeRequiredFieldMissing, "MSH segment too short: no field separator")
	}
	sep := line[3]
	if !isDelimiterChar(sep) {
		return nil, errAt(hdr, 1, CodeDataType,
			"field separator %q is not allowed: it must be printable ASCII and not a letter, digit or space", sep)
	}
	enc, rest, more := strings.Cut(line[4:], string(sep))
	switch {
	case enc == "":
		return nil, errAt(hdr, 2, CodeRequiredFieldMissing, "encoding characters missing: want 4, such as ^~\\&")
	case len(enc) < 4:
		return nil, errAt(hdr, 2, CodeDataType,
			"encoding characters %q too short: want component, repetition, escape and subcomponent characters, such as ^~\\&", enc)
	case len(enc) > 5:
		return nil, errAt(hdr, 2, CodeDataType,
			"encoding characters too long (%d characters): want 4, or 5 with the truncation character", len(enc))
	}
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if !isDelimiterChar(c) {
			return nil, errAt(hdr, 2, CodeDataType,
				"encoding character %d (%q) is not allowed: it must be printable ASCII and not a letter, digit or space", i+1, c)
		}
		if strings.IndexByte(enc[:i], c) >= 0 {
			return nil, errAt(hdr, 2, CodeDataType, "encoding character %q appears twice", c)
		}
	}
	hdr.d = Delimiters{Field: sep, Component: enc[0], Repetition: enc[1], Escape: enc[2], Subcomponent: enc[3]}
	if len(enc) == 5 {
		hdr.d.Truncation = enc[4]
	}
	hdr.fields = []string{"MSH", string(sep), enc}
	if more {
		hdr.fields = append(hdr.fields, strings.Split(rest, string(sep))...)
	}
	if err := hdr.checkEscapes(3); err != nil {
		return nil, err
	}
	return hdr, nil
}

func parseSegment(line string, index int, d Delimiters) (*Segment, error) {
	if len(line) < 3 || !isSegmentName(line[:3]) {
		return nil, &Error{Code: CodeSegmentSequence, SegmentIndex: index,
			Msg: "segment does not start with a segment name of three upper-case letters or digits"}
	}
	if len(line) > 3 && line[3] != d.Field {
		return nil, &Error{Code: CodeSegmentSequence, SegmentIndex: index,
			Msg: fmt.Sprintf("segment name is not followed by the field separator %q", d.Field)}
	}
	return &Segment{name: line[:3], fields: strings.Split(line, string(d.Field)), d: d, index: index}, nil
}

func isSegmentName(s string) bool {
	if len(s) != 3 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < 3; i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// checkEscapes checks the escape sequences of fields from..end.
func (s *Segment) checkEscapes(from int) error {
	for n := from; n < len(s.fields); n++ {
		raw := s.fields[n]
		if strings.IndexByte(raw, s.d.Escape) < 0 {
			continue
		}
		rep, comp, sub, start := 1, 1, 1, 0
		for i := 0; i <= len(raw); i++ {
			if i < len(raw) && raw[i] != s.d.Repetition && raw[i] != s.d.Component && raw[i] != s.d.Subcomponent {
				continue
			}
			if _, err := unescape(raw[start:i], &s.d); err != nil {
				e := errAt(s, n, CodeDataType, "%v", err)
				e.Location.Repetition = rep
				if comp > 1 || sub > 1 {
					e.Location.Component = comp
				}
				if sub > 1 {
					e.Location.Subcomponent = sub
				}
				return e
			}
			if i < len(raw) {
				switch raw[i] {
				case s.d.Repetition:
					rep, comp, sub = rep+1, 1, 1
				case s.d.Component:
					comp, sub = comp+1, 1
				case s.d.Subcomponent:
					sub++
				}
			}
			start = i + 1
		}
	}
	return nil
}

// Delimiters returns the delimiters the message was written with.
func (m *Message) Delimiters() Delimiters { return m.delims }

// MSH returns the message header segment.
func (m *Message) MSH() *Segment { return m.segments[0] }

// All returns every segment in order, MSH first. The slice is the message's
// own; do not modify it.
func (m *Message) All() []*Segment { return m.segments }

// Segments returns the segments named name, in order.
func (m *Message) Segments(name string) []*Segment {
	var out []*Segment
	for _, s := range m.segments {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// First returns the first segment named name, or nil.
func (m *Message) First(name string) *Segment {
	for _, s := range m.segments {
		if s.name == name {
			return s
		}
	}
	return nil
}

// Type returns MSH-9: message code, trigger event and message structure,
// such as "ORU", "R01", "ORU_R01".
func (m *Message) Type() (code, event, structure string) {
	h := m.MSH()
	return h.Component(9, 1), h.Component(9, 2), h.Component(9, 3)
}

// ControlID returns MSH-10, the message control id that an acknowledgement
// echoes in MSA-2.
func (m *Message) ControlID() string { return m.MSH().Field(10) }

// Version returns MSH-12, the HL7 version id such as "2.6".
func (m *Message) Version() string { return m.MSH().Field(12) }

// Bytes returns the message written out with its own delimiters, each
// segment ended by CR. Field contents are kept exactly as they arrived; only
// segment terminators are normalised and blank lines dropped.
func (m *Message) Bytes() []byte {
	var b bytes.Buffer
	for _, s := range m.segments {
		sep := s.d.Field
		if s.name == "MSH" {
			b.WriteString("MSH")
			b.WriteByte(sep)
			b.WriteString(s.fields[2])
			for _, f := range s.fields[3:] {
				b.WriteByte(sep)
				b.WriteString(f)
			}
		} else {
			for i, f := range s.fields {
				if i > 0 {
					b.WriteByte(sep)
				}
				b.WriteString(f)
			}
		}
		b.WriteByte('\r')
	}
	return b.Bytes()
}

// Name returns the segment ID, such as "OBX".
func (s *Segment) Name() string { return s.name }

// Index returns the position of the segment in its message, 1-based.
func (s *Segment) Index() int { return s.index }

// Sequence returns which occurrence of its name the segment is: 3 for the
// third OBX. 1-based.
func (s *Segment) Sequence() int { return s.seq }

// NumFields returns the number of the last field present in the segment.
func (s *Segment) NumFields() int { return len(s.fields) - 1 }

// Raw returns field n as it arrived, still escaped and with all its
// repetitions and components, or "" when the segment has no field n.
func (s *Segment) Raw(n int) string {
	if n < 1 || n >= len(s.fields) {
		return ""
	}
	return s.fields[n]
}

// Field returns field n, first repetition, first component, first
// subcomponent, with escapes decoded: the value of a simple field such as
// MSH-10. For MSH-1 and MSH-2 it returns the delimiters themselves.
func (s *Segment) Field(n int) string { return s.Value(n, 1, 1, 1) }

// Component returns component c of the first repetition of field n (first
// subcomponent), with escapes decoded.
func (s *Segment) Component(n, c int) string { return s.Value(n, 1, c, 1) }

// Subcomponent returns subcomponent sc of component c of the first
// repetition of field n, with escapes decoded.
func (s *Segment) Subcomponent(n, c, sc int) string { return s.Value(n, 1, c, sc) }

// Value returns subcomponent sc of component c of repetition r of field n,
// all 1-based, with escapes decoded; "" when any part is absent.
//
// HL7's explicit null, the two characters "", is returned as they are.
func (s *Segment) Value(n, r, c, sc int) string {
	raw := s.Raw(n)
	if raw == "" || r < 1 || c < 1 || sc < 1 {
		return ""
	}
	if s.literal(n) {
		if r == 1 && c == 1 && sc == 1 {
			return raw
		}
		return ""
	}
	p := piece(raw, s.d.Repetition, r-1)
	p = piece(p, s.d.Component, c-1)
	p = piece(p, s.d.Subcomponent, sc-1)
	v, err := unescape(p, &s.d)
	if err != nil {
		// Cannot happen for a parsed segment: Parse checked every escape.
		return p
	}
	return v
}

// Repetitions returns every repetition of field n, split into components
// and subcomponents, with escapes decoded. It returns nil for an absent or
// empty field.
func (s *Segment) Repetitions(n int) []Repetition {
	raw := s.Raw(n)
	if raw == "" {
		return nil
	}
	if s.literal(n) {
		return []Repetition{{{raw}}}
	}
	var out []Repetition
	for _, rr := range strings.Split(raw, string(s.d.Repetition)) {
		var rep Repetition
		for _, cc := range strings.Split(rr, string(s.d.Component)) {
			var comp Component
			for _, ss := range strings.Split(cc, string(s.d.Subcomponent)) {
				v, err := unescape(ss, &s.d)
				if err != nil {
					v = ss // cannot happen after Parse
				}
				comp = append(comp, v)
			}
			rep = append(rep, comp)
		}
		out = append(out, rep)
	}
	return out
}

// literal reports whether field n is one of the MSH fields that hold the
// delimiters and so must not be split or decoded.
func (s *Segment) literal(n int) bool { return s.name == "MSH" && (n == 1 || n == 2) }

// piece returns the i-th (0-based) piece of s split at sep, or "".
func piece(s string, sep byte, i int) string {
	for ; i > 0; i-- {
		j := strings.IndexByte(s, sep)
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, sep); j >= 0 {
		return s[:j]
	}
	return s
}

// encodeField writes reps as one field with delimiters d, escaping each
// subcomponent and dropping trailing empty parts.
func encodeField(reps []Repetition, d Delimiters) string {
	var b strings.Builder
	for i, rep := range reps {
		if i > 0 {
			b.WriteByte(d.Repetition)
		}
		comps := trimComponents(rep)
		for j, comp := range comps {
			if j > 0 {
				b.WriteByte(d.Component)
			}
			subs := trimStrings(comp)
			for k, sub := range subs {
				if k > 0 {
					b.WriteByte(d.Subcomponent)
				}
				b.WriteString(Escape(sub, d))
			}
		}
	}
	return b.String()
}

func trimStrings(s []string) []string {
	for len(s) > 0 && s[len(s)-1] == "" {
		s = s[:len(s)-1]
	}
	return s
}

func trimComponents(r Repetition) Repetition {
	for len(r) > 0 && len(trimStrings(r[len(r)-1])) == 0 {
		r = r[:len(r)-1]
	}
	return r
}
