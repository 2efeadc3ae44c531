package fhir

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// A Decimal is a FHIR decimal kept as the exact text it was written in, so
// that "37.60" stays "37.60": in FHIR the trailing zero says the thermometer
// measured to a hundredth of a degree, and a float64 would lose that.
//
// The zero Decimal is empty and means "no value". A non-empty Decimal holds
// a JSON number literal; MarshalJSON writes it unchanged and UnmarshalJSON
// accepts only a JSON number (FHIR JSON never writes decimals as strings).
type Decimal string

// ParseDecimal checks that s is a JSON number literal and returns it as a
// Decimal.
func ParseDecimal(s string) (Decimal, error) {
	if !validNumber(s) {
		return "", fmt.Errorf("%q is not a decimal number", s)
	}
	return Decimal(s), nil
}

// DecimalFromFloat writes f with the given number of decimals, or with the
// fewest digits that read back as f when decimals is negative.
func DecimalFromFloat(f float64, decimals int) Decimal {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	if decimals > 17 {
		decimals = 17
	}
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if s == "-0" || (len(s) > 1 && s[0] == '-' && isZeroText(s[1:])) {
		s = s[1:] // "-0.0" reads badly and means the same
	}
	return Decimal(s)
}

func isZeroText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' && s[i] != '.' {
			return false
		}
	}
	return true
}

// String returns the decimal's text.
func (d Decimal) String() string { return string(d) }

// Float64 returns the decimal's value. It fails for an empty or malformed
// Decimal and for one beyond the range of float64.
func (d Decimal) Float64() (float64, error) {
	if d == "" {
		return 0, errors.New("no value")
	}
	if !validNumber(string(d)) {
		return 0, fmt.Errorf("%q is not a decimal number", string(d))
	}
	f, err := strconv.ParseFloat(string(d), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s is too large", string(d))
	}
	return f, nil
}

// MarshalJSON writes the decimal's text as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if !validNumber(string(d)) {
		return nil, fmt.Errorf("fhir: %q is not a decimal number", string(d))
	}
	return []byte(d), nil
}

// UnmarshalJSON reads a JSON number and keeps its text.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if !validNumber(string(b)) {
		return fmt.Errorf("fhir: decimal must be a JSON number, not %.20s", b)
	}
	*d = Decimal(b)
	return nil
}

// validNumber reports whether s is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
