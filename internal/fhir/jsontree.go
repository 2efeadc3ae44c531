package fhir

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tend-health/tend/internal/measure"
)

// A small JSON reader that builds the tree decode.go lays onto structs.
// encoding/json's Decoder.Token would do, at several times the cost per
// token; a FHIR door reads many small resources, so the tree is built here
// in one pass. It accepts exactly the JSON of RFC 8259 (the fuzz tests
// hold it to json.Valid), replaces invalid UTF-8 in strings with U+FFFD, byte by
// byte as encoding/json does, and keeps every object member in order, duplicates
// included, so that the decoder can refuse them.

// syntaxError is a place in the body where it stops being JSON.
type syntaxError struct {
	offset int
	msg    string
}

type jsonReader struct {
	data  []byte
	pos   int
	depth int
	err   *syntaxError
}

// parseTree reads one JSON value, and nothing after it but white space.
func parseTree(data []byte) (*node, error) {
	r := jsonReader{data: data}
	r.space()
	if r.pos == len(data) {
		return nil, Errorf(CodeStructure, "", "the body is empty; send a FHIR resource as JSON")
	}
	n := &node{}
	if r.valueInto(n) {
		r.space()
		if r.pos != len(data) {
			return nil, Errorf(CodeStructure, "", "the body holds more than one JSON value (extra data at byte %d)", r.pos)
		}
		return n, nil
	}
	if r.err.msg == "" {
		return nil, Errorf(CodeStructure, "", "the body is nested more than %d levels deep", maxDepth)
	}
	return nil, Errorf(CodeStructure, "", "the body is not valid JSON: %s (at byte %d)", r.err.msg, r.err.offset)
}

// fail records the first syntax error and returns false.
func (r *jsonReader) fail(format string, args ...any) bool {
	if r.err == nil {
		r.err = &syntaxError{offset: r.pos, msg: fmt.Sprintf(format, args...)}
	}
	return false
}

// unexpected reports the byte at pos, or the end of the body.
func (r *jsonReader) unexpected(looking string) bool {
	if r.pos >= len(r.data) {
		return r.fail("it ends too early")
	}
	return r.fail("invalid character %s %s", quoteByte(r.data[r.pos]), looking)
}

func quoteByte(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < 0x20 || c >= 0x7f:
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return "'" + string(c) + "'"
}

func (r *jsonReader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// valueInto reads the value at pos into n.
func (r *jsonReader) valueInto(n *node) bool {
	if r.pos >= len(r.data) {
		return r.fail("it ends too early")
	}
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object(n)
	case c == '[':
		return r.array(n)
	case c == '"':
		s, ok := r.str()
		n.kind, n.text = kindString, s
		return ok
	case c == '-' || isDigit(c):
		return r.number(n)
	case c == 't':
		n.kind, n.b = kindBool, true
		return r.literal("true")
	case c == 'f':
		n.kind = kindBool
		return r.literal("false")
	case c == 'n':
		n.kind = kindNull
		return r.literal("null")
	}
	return r.unexpected("looking for the beginning of a value")
}

func (r *jsonReader) literal(word string) bool {
	for i := 0; i < len(word); i++ {
		if r.pos >= len(r.data) || r.data[r.pos] != word[i] {
			return r.unexpected("in literal " + word)
		}
		r.pos++
	}
	return true
}

func (r *jsonReader) enter() bool {
	r.depth++
	if r.depth > maxDepth {
		if r.err == nil {
			r.err = &syntaxError{offset: r.pos}
		}
		return false
	}
	return true
}

func (r *jsonReader) object(n *node) bool {
	if !r.enter() {
		return false
	}
	defer func() { r.depth-- }()
	r.pos++ // {
	n.kind = kindObject
	r.space()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		return true
	}
	for {
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			return r.unexpected("looking for the beginning of an object key")
		}
		key, ok := r.str()
		if !ok {
			return false
		}
		r.space()
		if r.pos >= len(r.data) || r.data[r.pos] != ':' {
			return r.unexpected("after an object key")
		}
		r.pos++
		r.space()
		n.members = append(n.members, member{key: key})
		if !r.valueInto(&n.members[len(n.members)-1].val) {
			return false
		}
		r.space()
		if r.pos >= len(r.data) {
			return r.unexpected("")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
			r.space()
		case '}':
			r.pos++
			return true
		default:
			return r.unexpected("after an object member")
		}
	}
}

func (r *jsonReader) array(n *node) bool {
	if !r.enter() {
		return false
	}
	defer func() { r.depth-- }()
	r.pos++ // [
	n.kind = kindArray
	r.space()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		return true
	}
	for {
		n.elems = append(n.elems, node{})
		if !r.valueInto(&n.elems[len(n.elems)-1]) {
			return false
		}
		r.space()
		if r.pos >= len(r.data) {
			return r.unexpected("")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
			r.space()
		case ']':
			r.pos++
			return true
		default:
			return r.unexpected("after an array element")
		}
	}
}

func (r *jsonReader) number(n *node) bool {
	start := r.pos
	d := r.data
	if r.pos < len(d) && d[r.pos] == '-' {
		r.pos++
	}
	switch {
	case r.pos < len(d) && d[r.pos] == '0':
		r.pos++
	case r.pos < len(d) && d[r.pos] >= '1' && d[r.pos] <= '9':
		for r.pos < len(d) && isDigit(d[r.pos]) {
			r.pos++
		}
	default:
		return r.unexpected("in numeric literal")
	}
	if r.pos < len(d) && d[r.pos] == '.' {
		r.pos++
		if r.pos >= len(d) || !isDigit(d[r.pos]) {
			return r.unexpected("after decimal point in numeric literal")
		}
		for r.pos < len(d) && isDigit(d[r.pos]) {
			r.pos++
		}
	}
	if r.pos < len(d) && (d[r.pos] == 'e' || d[r.pos] == 'E') {
		r.pos++
		if r.pos < len(d) && (d[r.pos] == '+' || d[r.pos] == '-') {
			r.pos++
		}
		if r.pos >= len(d) || !isDigit(d[r.pos]) {
			return r.unexpected("in exponent of numeric literal")
		}
		for r.pos < len(d) && isDigit(d[r.pos]) {
			r.pos++
		}
	}
	n.kind, n.text = kindNumber, string(d[start:r.pos])
	return true
}

// str reads a string at pos (which holds its opening quote).
func (r *jsonReader) str() (string, bool) {
	r.pos++
	start := r.pos
	d := r.data
	// Fast path: no escapes and plain ASCII or valid UTF-8.
	for r.pos < len(d) {
		c := d[r.pos]
		if c == '"' {
			s := d[start:r.pos]
			r.pos++
			if v, ok := interned[string(s)]; ok {
				return v, true
			}
			if utf8.Valid(s) {
				return string(s), true
			}
			return validUTF8(s), true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			r.unexpected("in string literal")
			return "", false
		}
		r.pos++
	}
	var b strings.Builder
	b.Write(d[start:r.pos])
	for {
		if r.pos >= len(d) {
			r.fail("it ends too early, inside a string")
			return "", false
		}
		c := d[r.pos]
		switch {
		case c == '"':
			r.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				s = validUTF8([]byte(s))
			}
			return s, true
		case c < 0x20:
			r.unexpected("in string literal")
			return "", false
		case c != '\\':
			b.WriteByte(c)
			r.pos++
			continue
		}
		r.pos++ // the backslash
		if r.pos >= len(d) {
			r.fail("it ends too early, inside a string")
			return "", false
		}
		switch e := d[r.pos]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			c1, bad, ok := r.hex4(r.pos + 1)
			if !ok {
				r.pos = bad
				r.unexpected("in \\u escape")
				return "", false
			}
			r.pos += 4
			ch := rune(c1)
			if utf16.IsSurrogate(ch) {
				ch = utf8.RuneError
				if r.pos+2 < len(d) && d[r.pos+1] == '\\' && d[r.pos+2] == 'u' {
					if c2, _, ok := r.hex4(r.pos + 3); ok {
						if dec := utf16.DecodeRune(rune(c1), rune(c2)); dec != utf8.RuneError {
							ch = dec
							r.pos += 6
						}
					}
				}
			}
			b.WriteRune(ch)
		default:
			r.unexpected("in string escape code")
			return "", false
		}
		r.pos++
	}
}

// hex4 reads the four hex digits at i. When they are not, it returns
// where the first bad one is (or the end of the body).
func (r *jsonReader) hex4(i int) (v int, bad int, ok bool) {
	for k := i; k < i+4; k++ {
		if k >= len(r.data) {
			return 0, len(r.data), false
		}
		c := r.data[k]
		switch {
		case isDigit(c):
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return 0, k, false
		}
	}
	return v, 0, true
}

// validUTF8 replaces each byte of s that is not part of valid UTF-8 with
// U+FFFD.
func validUTF8(s []byte) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for len(s) > 0 {
		ch, size := utf8.DecodeRune(s)
		if ch == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.Write(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// interned holds the strings FHIR JSON repeats (element names, code
// systems, common codes and units), so that reading them allocates nothing.
var interned = func() map[string]string {
	m := map[string]string{}
	add := func(ss ...string) {
		for _, s := range ss {
			m[s] = s
		}
	}
	for _, t := range []reflect.Type{
		reflect.TypeFor[Observation](), reflect.TypeFor[ObservationComponent](), reflect.TypeFor[ObservationReferenceRange](),
		reflect.TypeFor[Bundle](), reflect.TypeFor[BundleEntry](), reflect.TypeFor[BundleLink](),
		reflect.TypeFor[BundleEntryRequest](), reflect.TypeFor[BundleEntryResponse](), reflect.TypeFor[BundleEntrySearch](),
		reflect.TypeFor[OperationOutcome](), reflect.TypeFor[OperationOutcomeIssue](),
		reflect.TypeFor[Coding](), reflect.TypeFor[CodeableConcept](), reflect.TypeFor[Quantity](),
		reflect.TypeFor[Reference](), reflect.TypeFor[Identifier](), reflect.TypeFor[Period](), reflect.TypeFor[Meta](),
	} {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			add(name)
		}
	}
	add("resourceType", "extension", "url", "Observation", "Bundle", "OperationOutcome", "Patient", "Device",
		"transaction", "batch", "POST", StatusFinal, StatusAmended, StatusCorrected, StatusPreliminary,
		SystemObservationCategory, measure.SystemLOINC, measure.SystemUCUM, measure.SystemMDC,
		measure.CategoryVitalSigns, measure.CategoryLaboratory, "Vital Signs", "Laboratory")
	for _, t := range measure.Types() {
		add(t.Code.Code, t.Code.Display)
		for _, c := range t.AltCodes {
			add(c.Code, c.Display)
		}
		for _, c := range t.Components {
			add(c.Code.Code, c.Code.Display)
			add(c.Value.Units...)
		}
		add(t.Value.Units...)
	}
	for code := range m {
		if d := measure.UnitDisplay(code); d != code {
			add(d)
		}
	}
	return m
}()
