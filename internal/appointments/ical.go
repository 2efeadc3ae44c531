package appointments

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// icsWriter writes iCalendar content lines (RFC 5545 §3.1): CRLF endings,
// lines folded so that none is longer than 75 octets, never inside a UTF-8
// sequence.
type icsWriter struct{ b bytes.Buffer }

const icsLineOctets = 75

// line writes one content line; value must already be escaped if it is TEXT.
func (w *icsWriter) line(nameAndParams, value string) {
	l := nameAndParams + ":" + value
	limit := icsLineOctets
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		w.b.WriteString(l[:cut])
		w.b.WriteString("\r\n ")
		l = l[cut:]
		limit = icsLineOctets - 1 // the leading space of a continuation counts
	}
	w.b.WriteString(l)
	w.b.WriteString("\r\n")
}

func (w *icsWriter) text(name, value string) { w.line(name, icsEscape(value)) }

func (w *icsWriter) utc(name string, t time.Time) { w.line(name, t.UTC().Format("20060102T150405Z")) }

var icsEscaper = strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// icsEscape escapes a TEXT value (RFC 5545 §3.3.11).
func icsEscape(s string) string {
	s = strings.Map(func(r rune) rune { // other control characters are not allowed in TEXT
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return icsEscaper.Replace(s)
}
