package hl7

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Escape returns s ready to be written as one subcomponent of a message
// with delimiters d: each delimiter and the escape character become an
// escape sequence (\F\ \S\ \T\ \R\ \E\, and \P\ for a v2.7 truncation
// character), a line feed becomes \.br\, and CR and the MLLP framing bytes
// 0x0B and 0x1C become hex escapes, so that the result can never end a
// segment or a frame.
//
// The escape character is replaced in the same single pass as the others,
// so its own sequences are never escaped twice (the "escape \ first" rule).
func Escape(s string, d Delimiters) string {
	if !needsEscape(s, &d) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	seq := func(body string) {
		b.WriteByte(d.Escape)
		b.WriteString(body)
		b.WriteByte(d.Escape)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == d.Escape:
			seq("E")
		case c == d.Field:
			seq("F")
		case c == d.Component:
			seq("S")
		case c == d.Subcomponent:
			seq("T")
		case c == d.Repetition:
			seq("R")
		case d.Truncation != 0 && c == d.Truncation:
			seq("P")
		case c == '\n':
			seq(".br")
		case c == '\r' || c == 0x0B || c == 0x1C:
			seq(fmt.Sprintf("X%02X", c))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEscape(s string, d *Delimiters) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case d.Escape, d.Field, d.Component, d.Subcomponent, d.Repetition, '\n', '\r', 0x0B, 0x1C:
			return true
		default:
			if d.Truncation != 0 && c == d.Truncation {
				return true
			}
		}
	}
	return false
}

// Unescape decodes the escape sequences in s, one subcomponent of a message
// with delimiters d:
//
//	\F\ \S\ \T\ \R\ \E\  the field, component, subcomponent and repetition
//	                     separators and the escape character
//	\P\                  the truncation character (v2.7, when MSH-2 has one)
//	\Xhh…\               the bytes given in hex (an even number of digits)
//	\.br\                a line feed; \.sp\ and \.ce\ also start a new line
//	\H\ \N\              highlighting on and off: dropped
//	\.fi\ \.nf\ \.in±n\ \.ti±n\ \.sk n\
//	                     other formatting commands: dropped (\.sk\ leaves a space)
//
// Character-set switches (\C…\, \M…\), locally defined escapes (\Z…\), an
// unterminated or empty sequence and anything else are errors: the text
// cannot be decoded faithfully.
func Unescape(s string, d Delimiters) (string, error) {
	return unescape(s, &d)
}

var errUnterminated = errors.New("escape sequence is not terminated")

func unescape(s string, d *Delimiters) (string, error) {
	i := strings.IndexByte(s, d.Escape)
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		b.WriteString(s[:i])
		s = s[i+1:]
		j := strings.IndexByte(s, d.Escape)
		if j < 0 {
			return "", errUnterminated
		}
		if err := decodeSequence(&b, s[:j], d); err != nil {
			return "", err
		}
		s = s[j+1:]
		i = strings.IndexByte(s, d.Escape)
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
	}
}

// decodeSequence writes the meaning of one escape sequence body (the text
// between the two escape characters) to b. Error texts show at most the
// first character of the body: it is message content.
func decodeSequence(b *strings.Builder, seq string, d *Delimiters) error {
	if seq == "" {
		return errors.New("empty escape sequence")
	}
	switch seq {
	case "F":
		b.WriteByte(d.Field)
		return nil
	case "S":
		b.WriteByte(d.Component)
		return nil
	case "T":
		b.WriteByte(d.Subcomponent)
		return nil
	case "R":
		b.WriteByte(d.Repetition)
		return nil
	case "E":
		b.WriteByte(d.Escape)
		return nil
	case "P":
		if d.Truncation == 0 {
			return errors.New(`escape \P\ used but MSH-2 defines no truncation character`)
		}
		b.WriteByte(d.Truncation)
		return nil
	case "H", "N":
		return nil
	}
	switch seq[0] {
	case 'X':
		h := seq[1:]
		if h == "" {
			return errors.New(`hex escape \X\ has no digits`)
		}
		if len(h)%2 != 0 {
			return errors.New("hex escape has an odd number of digits")
		}
		raw, err := hex.DecodeString(h)
		if err != nil {
			return errors.New("hex escape has a character that is not a hex digit")
		}
		b.Write(raw)
		return nil
	case '.':
		return decodeFormatting(b, seq[1:])
	case 'C', 'M':
		return errors.New(`character set escapes (\C…\ and \M…\) are not supported`)
	case 'Z':
		return errors.New(`locally defined escapes (\Z…\) are not supported`)
	}
	return fmt.Errorf("unknown escape sequence starting with %q", seq[0])
}

// decodeFormatting handles the formatted-text commands (\.br\ and friends);
// cmd is the body without its leading dot.
func decodeFormatting(b *strings.Builder, cmd string) error {
	if len(cmd) < 2 {
		return errors.New("unknown formatting escape")
	}
	name, arg := cmd[:2], strings.TrimLeft(cmd[2:], " ")
	signed := strings.TrimLeft(arg, "+-")
	if len(arg)-len(signed) > 1 {
		return errors.New("formatting escape has a malformed number")
	}
	for i := 0; i < len(signed); i++ {
		if signed[i] < '0' || signed[i] > '9' {
			return errors.New("formatting escape has a malformed number")
		}
	}
	switch name {
	case "br", "ce", "fi", "nf":
		if arg != "" {
			return fmt.Errorf("formatting escape .%s takes no argument", name)
		}
	case "sp", "sk":
		if signed != arg {
			return fmt.Errorf("formatting escape .%s takes an unsigned number", name)
		}
	case "in", "ti":
	default:
		return errors.New("unknown formatting escape")
	}
	switch name {
	case "br", "sp", "ce":
		b.WriteByte('\n')
	case "sk":
		b.WriteByte(' ')
	}
	return nil
}
