package hl7

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600) // no tzdata: good enough here
	}
	plus5 := time.FixedZone("", 5*3600+30*60)
	minus3 := time.FixedZone("", -3*3600)
	tests := []struct {
		in        string
		loc       *time.Location
		want      time.Time
		prec      Precision
		hasOffset bool
	}{
		{"20261122103000+0000", nil, time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC), PrecisionSecond, true},
		{"20261122103000+0530", nil, time.Date(2026, 11, 22, 10, 30, 0, 0, plus5), PrecisionSecond, true},
		{"20261122103000-0300", berlin, time.Date(2026, 11, 22, 10, 30, 0, 0, minus3), PrecisionSecond, true},
		{"2026", nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), PrecisionYear, false},
		{"202611", nil, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), PrecisionMonth, false},
		{"20261122", nil, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), PrecisionDay, false},
		{"2026112210", nil, time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), PrecisionHour, false},
		{"202611221030", nil, time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC), PrecisionMinute, false},
		{"20261122103005", nil, time.Date(2026, 11, 22, 10, 30, 5, 0, time.UTC), PrecisionSecond, false},
		{"20261122103005.1", nil, time.Date(2026, 11, 22, 10, 30, 5, 100e6, time.UTC), PrecisionFraction, false},
		{"20261122103005.1234+0100", nil, time.Date(2026, 11, 22, 10, 30, 5, 123400000, time.FixedZone("", 3600)), PrecisionFraction, true},
		{"20261122103005.123456", nil, time.Date(2026, 11, 22, 10, 30, 5, 123456000, time.UTC), PrecisionFraction, false},
		{"2026+0100", nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)), PrecisionYear, true},
		// No offset: wall-clock time in the caller's location.
		{"20260701120000", berlin, time.Date(2026, 7, 1, 12, 0, 0, 0, berlin), PrecisionSecond, false},
		{"20240229", nil, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), PrecisionDay, false},
		{"20261122235959-1200", nil, time.Date(2026, 11, 22, 23, 59, 59, 0, time.FixedZone("", -12*3600)), PrecisionSecond, true},
		{"20261122000000+1400", nil, time.Date(2026, 11, 22, 0, 0, 0, 0, time.FixedZone("", 14*3600)), PrecisionSecond, true},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in, tt.loc)
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		if !got.Time.Equal(tt.want) || got.Precision != tt.prec || got.HasOffset != tt.hasOffset {
			t.Errorf("ParseTimestamp(%q) = %v %v offset %v; want %v %v offset %v",
				tt.in, got.Time, got.Precision, got.HasOffset, tt.want, tt.prec, tt.hasOffset)
		}
		if _, off := got.Time.Zone(); tt.hasOffset {
			_, wantOff := tt.want.Zone()
			if off != wantOff {
				t.Errorf("ParseTimestamp(%q) zone offset %d, want %d", tt.in, off, wantOff)
			}
		}
	}
}

func TestParseTimestampErrors(t *testing.T) {
	tests := []struct{ in, text string }{
		{"", "empty"},
		{"202", "3 digits"},
		{"20261", "5 digits"},
		{"202611221030001", "15 digits"},
		{"2026-11-22", "offset is malformed"},
		{"2026112210300O", "not a digit"},
		{" 20261122", "not a digit"},
		{"20261122103000Z", "not a digit"},
		{"20261122.5", "fraction but no seconds"},
		{"20261122103000.", "without fraction digits"},
		{"20261122103000.1234567890", "more than 9 digits"},
		{"20261122103000.12a", "not a digit"},
		{"00001122", "year is 0000"},
		{"20261322", "month is out of range"},
		{"20260022", "month is out of range"},
		{"20260230", "day does not exist"},
		{"20250229", "day does not exist"},
		{"20261100", "day does not exist"},
		{"2026112224", "hour is out of range"},
		{"202611221060", "minute is out of range"},
		{"20261122105960", "second is out of range"},
		{"20261122103000+00", "offset is malformed"},
		{"20261122103000+00000", "offset is malformed"},
		{"20261122103000+0a00", "offset is malformed"},
		{"20261122103000+1500", "offset is out of range"},
		{"20261122103000-0060", "offset is out of range"},
		{"+0000", "0 digits"},
	}
	for _, tt := range tests {
		_, err := ParseTimestamp(tt.in, nil)
		if err == nil {
			t.Errorf("ParseTimestamp(%q) succeeded", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.text) {
			t.Errorf("ParseTimestamp(%q) error %q does not say %q", tt.in, err, tt.text)
		}
	}
}

func TestFormatTimestamp(t *testing.T) {
	if got := FormatTimestamp(time.Date(2026, 11, 22, 10, 30, 1, 999, time.UTC)); got != "20261122103001+0000" {
		t.Errorf("FormatTimestamp UTC = %q", got)
	}
	if got := FormatTimestamp(time.Date(2026, 11, 22, 10, 30, 1, 0, time.FixedZone("", -4*3600-1800))); got != "20261122103001-0430" {
		t.Errorf("FormatTimestamp -0430 = %q", got)
	}
	ts, err := ParseTimestamp(FormatTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), nil)
	if err != nil || !ts.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("round trip: %v %v", ts, err)
	}
}

func TestPrecisionString(t *testing.T) {
	if PrecisionNone.String() != "none" || PrecisionMinute.String() != "minute" || PrecisionFraction.String() != "fraction" {
		t.Error("Precision names wrong")
	}
	if !(Timestamp{}).IsZero() {
		t.Error("zero Timestamp is not IsZero")
	}
}
