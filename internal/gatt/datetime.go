package gatt

import (
	"fmt"
	"time"
)

// DateTimeSize is the length in bytes of a Bluetooth Date Time field.
const DateTimeSize = 7

// DateTime is the Bluetooth Date Time field: the device's wall-clock time,
// with no time zone. A zero Year, Month or Day means the device did not know
// that part; the decoder keeps the fields as sent and never fills one in.
type DateTime struct {
	Year    uint16 // 1582–9999, or 0 when unknown
	Month   uint8  // 1–12, or 0 when unknown
	Day     uint8  // 1–31, or 0 when unknown
	Hours   uint8  // 0–23
	Minutes uint8  // 0–59
	Seconds uint8  // 0–59
}

// DecodeDateTime decodes a 7-byte Date Time field: year (uint16,
// little-endian), month, day, hours, minutes, seconds.
func DecodeDateTime(b []byte) (DateTime, error) {
	if len(b) != DateTimeSize {
		return DateTime{}, fmt.Errorf("gatt: a Date Time is %d bytes, got %d", DateTimeSize, len(b))
	}
	return DateTime{
		Year:    uint16(b[0]) | uint16(b[1])<<8,
		Month:   b[2],
		Day:     b[3],
		Hours:   b[4],
		Minutes: b[5],
		Seconds: b[6],
	}, nil
}

// Complete reports whether every field is known and in range, so that d names
// one moment once a time zone is chosen. A time with an unknown year, such as
// the one in the blood pressure example of the reference, is not complete.
func (d DateTime) Complete() bool {
	if d.Year < 1582 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	if d.Hours > 23 || d.Minutes > 59 || d.Seconds > 59 {
		return false
	}
	// time.Date normalises 31 February into March; a day that moves is not a real date.
	t := time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, time.UTC)
	return t.Day() == int(d.Day)
}

// In returns the moment d names when read as wall-clock time in loc. The
// device does not say which zone it uses; the caller knows (usually the
// patient's zone). ok is false, and t the zero Time, unless d is Complete.
func (d DateTime) In(loc *time.Location) (t time.Time, ok bool) {
	if !d.Complete() {
		return time.Time{}, false
	}
	return time.Date(int(d.Year), time.Month(d.Month), int(d.Day),
		int(d.Hours), int(d.Minutes), int(d.Seconds), 0, loc), true
}

// addMinutes returns d moved by the given number of minutes on the calendar,
// ignoring time zones. It needs a complete date; ok is false otherwise.
func (d DateTime) addMinutes(minutes int) (DateTime, bool) {
	t, ok := d.In(time.UTC)
	if !ok {
		return DateTime{}, false
	}
	t = t.Add(time.Duration(minutes) * time.Minute)
	if t.Year() < 1582 || t.Year() > 9999 {
		return DateTime{}, false
	}
	return DateTime{
		Year:    uint16(t.Year()),
		Month:   uint8(t.Month()),
		Day:     uint8(t.Day()),
		Hours:   uint8(t.Hour()),
		Minutes: uint8(t.Minute()),
		Seconds: uint8(t.Second()),
	}, true
}

// String returns d in the form 2012-12-05T11:50:27, with question marks in
// place of an unknown year, month or day ("????-04-17T20:41:59").
func (d DateTime) String() string {
	year, month, day := "????", "??", "??"
	if d.Year != 0 {
		year = fmt.Sprintf("%04d", d.Year)
	}
	if d.Month != 0 {
		month = fmt.Sprintf("%02d", d.Month)
	}
	if d.Day != 0 {
		day = fmt.Sprintf("%02d", d.Day)
	}
	return fmt.Sprintf("%s-%s-%sT%02d:%02d:%02d", year, month, day, d.Hours, d.Minutes, d.Seconds)
}
