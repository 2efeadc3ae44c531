package gatt_test

import (
	"testing"
	"time"

	"github.com/tend-health/tend/internal/gatt"
)

func TestDecodeDateTime(t *testing.T) {
	// From the temperature vector of standards.md §2.3.
	d, err := gatt.DecodeDateTime(bytesOf(t, "DC 07 0C 05 0B 32 1B"))
	if err != nil {
		t.Fatal(err)
	}
	want := gatt.DateTime{Year: 2012, Month: 12, Day: 5, Hours: 11, Minutes: 50, Seconds: 27}
	if d != want {
		t.Fatalf("got %+v, want %+v", d, want)
	}
	if got := d.String(); got != "2012-12-05T11:50:27" {
		t.Errorf("String() = %q", got)
	}
	loc := time.FixedZone("UTC+2", 2*3600)
	at, ok := d.In(loc)
	if !ok || !at.Equal(time.Date(2012, 12, 5, 9, 50, 27, 0, time.UTC)) {
		t.Errorf("In(UTC+2) = %v, %v", at, ok)
	}

	for _, n := range []int{0, 6, 8} {
		if _, err := gatt.DecodeDateTime(make([]byte, n)); err == nil {
			t.Errorf("%d bytes: want an error", n)
		}
	}
}

func TestDateTimeCompleteness(t *testing.T) {
	tests := []struct {
		d        gatt.DateTime
		complete bool
		text     string
	}{
		// The blood pressure vector of §2.2: the year is unknown.
		{gatt.DateTime{Year: 0, Month: 4, Day: 17, Hours: 20, Minutes: 41, Seconds: 59}, false, "????-04-17T20:41:59"},
		{gatt.DateTime{Year: 2020, Month: 0, Day: 17}, false, "2020-??-17T00:00:00"},
		{gatt.DateTime{Year: 2020, Month: 4, Day: 0}, false, "2020-04-??T00:00:00"},
		{gatt.DateTime{}, false, "????-??-??T00:00:00"},
		{gatt.DateTime{Year: 2024, Month: 2, Day: 29}, true, "2024-02-29T00:00:00"},
		{gatt.DateTime{Year: 2023, Month: 2, Day: 29}, false, "2023-02-29T00:00:00"},
		{gatt.DateTime{Year: 2023, Month: 13, Day: 1}, false, "2023-13-01T00:00:00"},
		{gatt.DateTime{Year: 2023, Month: 1, Day: 1, Hours: 24}, false, "2023-01-01T24:00:00"},
		{gatt.DateTime{Year: 2023, Month: 1, Day: 1, Minutes: 60}, false, "2023-01-01T00:60:00"},
		{gatt.DateTime{Year: 2023, Month: 1, Day: 1, Seconds: 60}, false, "2023-01-01T00:00:60"},
		{gatt.DateTime{Year: 1581, Month: 1, Day: 1}, false, "1581-01-01T00:00:00"},
		{gatt.DateTime{Year: 1582, Month: 1, Day: 1}, true, "1582-01-01T00:00:00"},
		{gatt.DateTime{Year: 9999, Month: 12, Day: 31, Hours: 23, Minutes: 59, Seconds: 59}, true, "9999-12-31T23:59:59"},
	}
	for _, tt := range tests {
		if got := tt.d.Complete(); got != tt.complete {
			t.Errorf("%+v: Complete() = %v, want %v", tt.d, got, tt.complete)
		}
		if got := tt.d.String(); got != tt.text {
			t.Errorf("%+v: String() = %q, want %q", tt.d, got, tt.text)
		}
		if at, ok := tt.d.In(time.UTC); ok != tt.complete || (!ok && !at.IsZero()) {
			t.Errorf("%+v: In() = %v, %v", tt.d, at, ok)
		}
	}
}
