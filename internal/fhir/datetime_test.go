package fhir

import (
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in    string
		want  time.Time
		prec  Precision
		end   time.Time
		zoned bool
	}{
		{"2026", utc(2026, 1, 1, 0, 0, 0, 0), PrecisionYear, utc(2027, 1, 1, 0, 0, 0, 0), false},
		{"2026-02", utc(2026, 2, 1, 0, 0, 0, 0), PrecisionMonth, utc(2026, 3, 1, 0, 0, 0, 0), false},
		{"2028-02-29", utc(2028, 2, 29, 0, 0, 0, 0), PrecisionDay, utc(2028, 3, 1, 0, 0, 0, 0), false},
		{"2026-11-22T10:30:00Z", utc(2026, 11, 22, 10, 30, 0, 0), PrecisionSecond, utc(2026, 11, 22, 10, 30, 1, 0), true},
		{"2026-11-22T10:30:00.25-05:00", utc(2026, 11, 22, 15, 30, 0, 25e7), PrecisionSecond, utc(2026, 11, 22, 15, 30, 0, 26e7), true},
		{"2026-11-22T23:59:60+14:00", utc(2026, 11, 22, 10, 0, 0, 0), PrecisionSecond, utc(2026, 11, 22, 10, 0, 1, 0), true},
		{"2026-11-22T10:30:00.1234567891Z", utc(2026, 11, 22, 10, 30, 0, 123456789), PrecisionSecond, utc(2026, 11, 22, 10, 30, 0, 123456790), true},
	}
	for _, tt := range tests {
		d, err := ParseDateTime(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !d.Time.Equal(tt.want) || d.Precision != tt.prec || !d.End().Equal(tt.end) || d.HasZone != tt.zoned {
			t.Errorf("%s = %v %v end %v zone %v", tt.in, d.Time, d.Precision, d.End(), d.HasZone)
		}
	}
	for _, in := range []string{"", "26", "0000", "2026-", "2026-1", "2026-00", "2026-02-29", "2026-11-22T", "2026-11-22T10:30Z",
		"2026-11-22T10:30:00", "2026-11-22 10:30:00Z", "2026-11-22T10:30:00+1:00", "2026-11-22T10:30:00+15:00",
		"2026-11-22T10:30:00.Z", "2026-11-22T10:61:00Z", "2026-11-22T10:30:00Zjunk", "2026/11/22"} {
		if d, err := ParseDateTime(in); err == nil {
			t.Errorf("ParseDateTime(%q) = %v, want an error", in, d)
		}
	}
	if _, err := ParseInstant("2026-11-22"); err == nil {
		t.Error("a date was read as an instant")
	}
	if got := formatDateTime(time.Date(2026, 11, 22, 10, 30, 0, 5e8, time.FixedZone("", -5*3600))); got != "2026-11-22T10:30:00.5-05:00" {
		t.Errorf("formatDateTime = %s", got)
	}
}
