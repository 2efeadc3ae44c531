package hl7

import (
	"errors"
	"fmt"
	"time"
)

// Precision says how much of a timestamp the sender gave.
type Precision int

// Precisions, from none (no timestamp) to a fraction of a second.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
	PrecisionHour
	PrecisionMinute
	PrecisionSecond
	PrecisionFraction // below a second
)

// String returns "year", "month", … "fraction", or "none".
func (p Precision) String() string {
	switch p {
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	case PrecisionHour:
		return "hour"
	case PrecisionMinute:
		return "minute"
	case PrecisionSecond:
		return "second"
	case PrecisionFraction:
		return "fraction"
	}
	return "none"
}

// Timestamp is an HL7 date/time (DTM) with the precision the sender used.
type Timestamp struct {
	// Time is the instant. Parts the sender left out are at their lowest
	// value: "202611" is 1 November 2026, 00:00:00.
	Time      time.Time
	Precision Precision
	// HasOffset reports whether the text carried a UTC offset. When it did
	// not, Time is in the location passed to ParseTimestamp.
	HasOffset bool
}

// IsZero reports whether t holds no timestamp.
func (t Timestamp) IsZero() bool { return t.Precision == PrecisionNone }

// ParseTimestamp parses an HL7 date/time:
//
//	YYYY[MM[DD[HH[MM[SS[.S[S…]]]]]]][+/-ZZZZ]
//
// with one to nine fraction digits (HL7 allows four; longer fractions are
// accepted because some senders write microseconds). Every part is range
// checked; a time that does not exist in the calendar is an error.
//
// A timestamp without an offset is read as wall-clock time in loc, and
// HasOffset is false so that the caller can tell. A nil loc means UTC. PCD-01
// senders should always send an offset; loc is the policy for those that
// do not (typically the device's or the site's configured zone).
//
// Error texts describe the problem without repeating the input.
func ParseTimestamp(s string, loc *time.Location) (Timestamp, error) {
	if s == "" {
		return Timestamp{}, errors.New("timestamp is empty")
	}
	body, off := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '+' || s[i] == '-' {
			body, off = s[:i], s[i:]
			break
		}
	}
	digits, frac := body, ""
	for i := 0; i < len(body); i++ {
		if body[i] == '.' {
			digits, frac = body[:i], body[i+1:]
			if frac == "" {
				return Timestamp{}, errors.New("timestamp has a decimal point without fraction digits")
			}
			break
		}
	}
	if !allDigits(digits) || !allDigits(frac) {
		return Timestamp{}, errors.New("timestamp has a character that is not a digit")
	}
	var p Precision
	switch len(digits) {
	case 4:
		p = PrecisionYear
	case 6:
		p = PrecisionMonth
	case 8:
		p = PrecisionDay
	case 10:
		p = PrecisionHour
	case 12:
		p = PrecisionMinute
	case 14:
		p = PrecisionSecond
	default:
		return Timestamp{}, fmt.Errorf("timestamp has %d digits before any fraction: want 4, 6, 8, 10, 12 or 14 (YYYY[MM[DD[HH[MM[SS]]]]])", len(digits))
	}
	if frac != "" {
		if p != PrecisionSecond {
			return Timestamp{}, errors.New("timestamp has a fraction but no seconds")
		}
		if len(frac) > 9 {
			return Timestamp{}, errors.New("timestamp fraction has more than 9 digits")
		}
		p = PrecisionFraction
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			n = n*10 + int(digits[i]-'0')
		}
		return n
	}
	year, month, day, hour, minute, sec := num(0, 4), 1, 1, 0, 0, 0
	if p >= PrecisionMonth {
		month = num(4, 6)
	}
	if p >= PrecisionDay {
		day = num(6, 8)
	}
	if p >= PrecisionHour {
		hour = num(8, 10)
	}
	if p >= PrecisionMinute {
		minute = num(10, 12)
	}
	if p >= PrecisionSecond {
		sec = num(12, 14)
	}
	nsec := 0
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(frac) {
			nsec += int(frac[i] - '0')
		}
	}
	switch {
	case year < 1:
		return Timestamp{}, errors.New("timestamp year is 0000")
	case month < 1 || month > 12:
		return Timestamp{}, errors.New("timestamp month is out of range 01-12")
	case day < 1 || day > daysIn(year, time.Month(month)):
		return Timestamp{}, errors.New("timestamp day does not exist in that month")
	case hour > 23:
		return Timestamp{}, errors.New("timestamp hour is out of range 00-23")
	case minute > 59:
		return Timestamp{}, errors.New("timestamp minute is out of range 00-59")
	case sec > 59:
		return Timestamp{}, errors.New("timestamp second is out of range 00-59")
	}
	ts := Timestamp{Precision: p}
	zone := loc
	if zone == nil {
		zone = time.UTC
	}
	if off != "" {
		z, err := parseOffset(off)
		if err != nil {
			return Timestamp{}, err
		}
		zone, ts.HasOffset = z, true
	}
	ts.Time = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, zone)
	return ts, nil
}

// parseOffset parses "+HHMM" or "-HHMM".
func parseOffset(s string) (*time.Location, error) {
	if len(s) != 5 || !allDigits(s[1:]) {
		return nil, errors.New("timestamp UTC offset is malformed: want +HHMM or -HHMM")
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 14 || m > 59 {
		return nil, errors.New("timestamp UTC offset is out of range")
	}
	secs := (h*60 + m) * 60
	if s[0] == '-' {
		secs = -secs
	}
	if secs == 0 {
		return time.UTC, nil
	}
	return time.FixedZone("", secs), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FormatTimestamp writes t as an HL7 date/time to the second with its UTC
// offset, such as "20261122103001+0000", in t's own location.
func FormatTimestamp(t time.Time) string {
	return t.Format("20060102150405-0700")
}
