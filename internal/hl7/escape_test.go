package hl7

import (
	"strings"
	"testing"
)

func TestUnescape(t *testing.T) {
	d := DefaultDelimiters()
	tests := []struct{ in, want string }{
		{``, ``},
		{`plain`, `plain`},
		{`\F\`, `|`},
		{`\S\`, `^`},
		{`\T\`, `&`},
		{`\R\`, `~`},
		{`\E\`, `\`},
		{`a\E\F\E\b`, `a\F\b`},
		{`\X41\`, `A`},
		{`\X0D0A\`, "\r\n"},
		{`\Xc3a9\`, "é"},
		{`line 1\.br\line 2`, "line 1\nline 2"},
		{`a\.sp\b\.sp3\c\.sp 2\d`, "a\nb\nc\nd"},
		{`\.ce\centred`, "\ncentred"},
		{`a\.sk 4\b`, "a b"},
		{`\.fi\\.nf\\.in+4\\.ti-2\\.in 3\x`, "x"},
		{`\H\bold\N\ normal`, "bold normal"},
		{`50\S\60\T\70\R\80\F\90`, `50^60&70~80|90`},
	}
	for _, tt := range tests {
		got, err := Unescape(tt.in, d)
		if err != nil || got != tt.want {
			t.Errorf("Unescape(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEscape(t *testing.T) {
	d := DefaultDelimiters()
	tests := []struct{ in, want string }{
		{``, ``},
		{`plain text 97.5 %`, `plain text 97.5 %`},
		{`|`, `\F\`},
		{`^`, `\S\`},
		{`&`, `\T\`},
		{`~`, `\R\`},
		{`\`, `\E\`},
		// The escape character is replaced first, in the same pass, so
		// the sequences written for the others are not escaped again.
		{`a\F\b`, `a\E\F\E\b`},
		{`C:\temp|x`, `C:\E\temp\F\x`},
		{"two\nlines", `two\.br\lines`},
		{"cr\rhere", `cr\X0D\here`},
		{"mllp\x0b\x1cbytes", `mllp\X0B\\X1C\bytes`},
		{"é", "é"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in, d); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	trunc := d
	trunc.Truncation = '#'
	if got := Escape("a#b", trunc); got != `a\P\b` {
		t.Errorf("Escape with truncation character = %q", got)
	}
	if got := Escape("a#b", d); got != "a#b" {
		t.Errorf("Escape without truncation character = %q", got)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	delims := []Delimiters{
		DefaultDelimiters(),
		{Field: '#', Component: '*', Repetition: '@', Escape: '!', Subcomponent: '$', Truncation: '%'},
	}
	inputs := []string{
		``, `x`, `|^~\&#`, `\\\\`, `\F\S\T\R\E\`, "a\nb\r\nc", "\x0b\x1c\x00\xff",
		`!*@$%#`, `C:\Program Files\Tend|v2^x~y&z`, strings.Repeat(`\E\`, 50), "ünïcödé ✓",
	}
	for _, d := range delims {
		for _, in := range inputs {
			enc := Escape(in, d)
			for i := 0; i < len(enc); i++ {
				switch enc[i] {
				case d.Field, d.Component, d.Repetition, d.Subcomponent, '\r', '\n', 0x0b, 0x1c:
					t.Errorf("Escape(%q) = %q leaves byte %q", in, enc, enc[i])
				}
			}
			got, err := Unescape(enc, d)
			if err != nil || got != in {
				t.Errorf("Unescape(Escape(%q)) = %q, %v", in, got, err)
			}
		}
	}
}

// TestEscapeThroughMessage writes awkward text into a segment with the
// encoder and reads it back with the parser.
func TestEscapeThroughMessage(t *testing.T) {
	d := DefaultDelimiters()
	text := "BP 120/80 | note: ^~&\\ done\nsecond line"
	m := mustParse(t, withExtra("NTE|1||"+Escape(text, d)+"^"+Escape("c2", d)))
	if got := m.First("NTE").Component(3, 1); got != text {
		t.Errorf("NTE-3.1 = %q, want %q", got, text)
	}
	if got := m.First("NTE").Component(3, 2); got != "c2" {
		t.Errorf("NTE-3.2 = %q", got)
	}
}

func TestEncodeField(t *testing.T) {
	d := DefaultDelimiters()
	reps := []Repetition{
		{{"GW"}, {"0123456789ABCDEF"}, {"EUI-64"}},
		{{"a|b", "s2", ""}, {""}, {""}},
		{{""}},
	}
	if got, want := encodeField(reps, d), `GW^0123456789ABCDEF^EUI-64~a\F\b&s2~`; got != want {
		t.Errorf("encodeField = %q, want %q", got, want)
	}
}
