package fhir

import (
	"fmt"
	"time"
)

// Precision is how much of a FHIR date or dateTime was given.
type Precision int

// Precisions, coarsest first.
const (
	PrecisionYear   Precision = iota + 1 // 2026
	PrecisionMonth                       // 2026-11
	PrecisionDay                         // 2026-11-22
	PrecisionMinute                      // 2026-11-22T10:30 (search values only)
	PrecisionSecond                      // 2026-11-22T10:30:00, with any fraction
)

func (p Precision) String() string {
	switch p {
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	case PrecisionMinute:
		return "minute"
	case PrecisionSecond:
		return "second"
	}
	return "none"
}

// DateTime is a parsed FHIR date or dateTime: the first instant it covers,
// how precise it is, and whether it carried a time zone.
type DateTime struct {
	Time      time.Time
	Precision Precision
	Digits    int  // digits of the fraction of a second
	HasZone   bool // Z or ±hh:mm was given
}

// End returns the instant just after the period the value covers: a month
// for "2026-11", a second for "…T10:30:00", a millisecond for "…T10:30:00.123".
func (d DateTime) End() time.Time {
	switch d.Precision {
	case PrecisionYear:
		return d.Time.AddDate(1, 0, 0)
	case PrecisionMonth:
		return d.Time.AddDate(0, 1, 0)
	case PrecisionDay:
		return d.Time.AddDate(0, 0, 1)
	case PrecisionMinute:
		return d.Time.Add(time.Minute)
	}
	step := time.Second
	for range min(d.Digits, 9) {
		step /= 10
	}
	return d.Time.Add(step)
}

// dateOptions relax the FHIR dateTime grammar for search values.
type dateOptions struct {
	allowMinute bool           // hh:mm without seconds
	zoneless    *time.Location // a time without zone is read here; nil refuses it
}

// ParseDateTime parses a FHIR dateTime as the R4 grammar defines it:
// YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss[.fff] with Z or ±hh:mm,
// which is required once there is a time. A date without a time is taken
// in UTC.
func ParseDateTime(s string) (DateTime, error) {
	return parseDateTime(s, dateOptions{})
}

// ParseInstant parses a FHIR instant: a dateTime precise to the second,
// with its time zone.
func ParseInstant(s string) (time.Time, error) {
	d, err := parseDateTime(s, dateOptions{})
	if err != nil {
		return time.Time{}, err
	}
	if d.Precision != PrecisionSecond {
		return time.Time{}, fmt.Errorf("%q is not an instant: it needs a time to the second and a time zone, as in 2026-11-22T10:30:00Z", s)
	}
	return d.Time, nil
}

func parseDateTime(s string, o dateOptions) (DateTime, error) {
	bad := func(why string) (DateTime, error) {
		return DateTime{}, fmt.Errorf("%q is not a FHIR dateTime: %s (write it as 2026-11-22T10:30:00Z, 2026-11-22 or 2026-11)", clip(s, 40), why)
	}
	num := func(at, n int) (int, bool) {
		if at+n > len(s) {
			return 0, false
		}
		v := 0
		for i := at; i < at+n; i++ {
			if !isDigit(s[i]) {
				return 0, false
			}
			v = v*10 + int(s[i]-'0')
		}
		return v, true
	}
	year, ok := num(0, 4)
	if !ok || year == 0 {
		return bad("the year must be four digits, from 0001")
	}
	d := DateTime{Precision: PrecisionYear}
	month, day := 1, 1
	i := 4
	if i < len(s) {
		if s[i] != '-' {
			return bad("a dash must follow the year")
		}
		if month, ok = num(i+1, 2); !ok || month < 1 || month > 12 {
			return bad("the month must be two digits, 01 to 12")
		}
		d.Precision, i = PrecisionMonth, i+3
	}
	if i < len(s) {
		if s[i] != '-' {
			return bad("a dash must follow the month")
		}
		if day, ok = num(i+1, 2); !ok || day < 1 || day > daysIn(year, month) {
			return bad("the day does not exist in that month")
		}
		d.Precision, i = PrecisionDay, i+3
	}
	loc := time.UTC
	hour, minute, sec, nsec := 0, 0, 0, 0
	if i < len(s) {
		if s[i] != 'T' {
			return bad("a T must separate the date from the time")
		}
		if hour, ok = num(i+1, 2); !ok || hour > 23 || i+3 >= len(s) || s[i+3] != ':' {
			return bad("the time must be hh:mm:ss, hours 00 to 23")
		}
		if minute, ok = num(i+4, 2); !ok || minute > 59 {
			return bad("the minutes must be two digits, 00 to 59")
		}
		d.Precision, i = PrecisionMinute, i+6
		if i < len(s) && s[i] == ':' {
			if sec, ok = num(i+1, 2); !ok || sec > 60 {
				return bad("the seconds must be two digits, 00 to 60")
			}
			d.Precision, i = PrecisionSecond, i+3
			if i < len(s) && s[i] == '.' {
				i++
				start := i
				for i < len(s) && isDigit(s[i]) {
					if i-start < 9 {
						nsec = nsec*10 + int(s[i]-'0')
					}
					i++
				}
				d.Digits = i - start
				if d.Digits == 0 {
					return bad("a fraction of a second needs digits after the point")
				}
				for k := min(d.Digits, 9); k < 9; k++ {
					nsec *= 10
				}
			}
		} else if !o.allowMinute {
			return bad("the time needs seconds")
		}
		switch {
		case i < len(s) && s[i] == 'Z':
			d.HasZone, i = true, i+1
		case i < len(s) && (s[i] == '+' || s[i] == '-'):
			zh, ok1 := num(i+1, 2)
			zm, ok2 := num(i+4, 2)
			if !ok1 || !ok2 || s[i+3] != ':' || zm > 59 || zh*60+zm > 14*60 {
				return bad("the time zone must be Z or ±hh:mm, at most 14:00")
			}
			off := (zh*60 + zm) * 60
			if s[i] == '-' {
				off = -off
			}
			if off == 0 {
				loc = time.UTC
			} else {
				loc = time.FixedZone("", off)
			}
			d.HasZone, i = true, i+6
		case o.zoneless != nil:
			loc = o.zoneless
		default:
			return bad("a time must carry its time zone (Z or ±hh:mm)")
		}
	} else if o.zoneless != nil {
		loc = o.zoneless
	}
	if i != len(s) {
		return bad("unexpected characters at the end")
	}
	d.Time = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	return d, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// formatDateTime writes t as a FHIR dateTime to the second (with the
// fraction it has), in its own offset, Z for UTC.
func formatDateTime(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.999999999Z07:00")
}

// clip shortens s for quoting in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
