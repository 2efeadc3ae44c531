package notify

import (
	"testing"
	"time"
)

func TestQuietHoursWindow(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	night := QuietHours{Start: "22:00", End: "07:00"}
	lunch := QuietHours{Start: "12:00", End: "13:30"}
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, oslo) }
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	cases := []struct {
		name  string
		q     QuietHours
		at    time.Time
		quiet bool
		until time.Time
	}{
		{"evening before the window", night, local(2026, 1, 14, 21, 59), false, time.Time{}},
		{"window starts", night, local(2026, 1, 14, 22, 0), true, local(2026, 1, 15, 7, 0)},
		{"before midnight", night, local(2026, 1, 14, 23, 30), true, local(2026, 1, 15, 7, 0)},
		{"after midnight", night, local(2026, 1, 15, 3, 0), true, local(2026, 1, 15, 7, 0)},
		{"window ends", night, local(2026, 1, 15, 7, 0), false, time.Time{}},
		{"daytime", night, local(2026, 1, 15, 12, 0), false, time.Time{}},
		{"new year's eve", night, local(2025, 12, 31, 23, 0), true, local(2026, 1, 1, 7, 0)},
		// Summer time starts in Oslo on Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
		// The night is an hour shorter; it still ends at 07:00 on the wall clock (05:00 UTC, not 06:00).
		{"spring forward, before midnight", night, utc(2026, 3, 28, 22, 30), true, utc(2026, 3, 29, 5, 0)},
		{"spring forward, in the lost hour's aftermath", night, utc(2026, 3, 29, 1, 30), true, utc(2026, 3, 29, 5, 0)},
		{"spring forward, just after 07:00 CEST", night, utc(2026, 3, 29, 5, 0), false, time.Time{}},
		{"spring forward, 06:30 UTC is 08:30 CEST", night, utc(2026, 3, 29, 6, 30), false, time.Time{}},
		// Summer time ends on Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET. A 10-hour night.
		{"fall back, start", night, utc(2026, 10, 24, 20, 0), true, utc(2026, 10, 25, 6, 0)},
		{"fall back, in the repeated hour", night, utc(2026, 10, 25, 0, 30), true, utc(2026, 10, 25, 6, 0)},
		{"fall back, 05:59 UTC is 06:59 CET", night, utc(2026, 10, 25, 5, 59), true, utc(2026, 10, 25, 6, 0)},
		{"a window within the day", lunch, local(2026, 5, 4, 12, 45), true, local(2026, 5, 4, 13, 30)},
		{"after a window within the day", lunch, local(2026, 5, 4, 13, 30), false, time.Time{}},
		{"before a window within the day", lunch, local(2026, 5, 4, 2, 0), false, time.Time{}},
	}
	for _, c := range cases {
		until, quiet := c.q.until(c.at, oslo)
		if quiet != c.quiet || (quiet && !until.Equal(c.until)) {
			t.Errorf("%s: at %s quiet=%v until %s; want quiet=%v until %s", c.name,
				c.at.In(oslo).Format(time.RFC3339), quiet, until.In(oslo).Format(time.RFC3339), c.quiet, c.until.In(oslo).Format(time.RFC3339))
		}
	}
	p := Preferences{QuietHours: &night}
	if _, held := p.heldUntil(local(2026, 1, 15, 3, 0), Critical, oslo); held {
		t.Error("a critical notification is held by quiet hours")
	}
}

func TestRuleMatching(t *testing.T) {
	cases := []struct {
		pattern, kind string
		match         bool
	}{
		{"*", "alert.opened", true},
		{"alert.*", "alert.opened", true},
		{"alert.*", "alert.news2.high", true},
		{"alert.*", "alerting.x", false},
		{"alert.*", "alert", false},
		{"alert.opened", "alert.opened", true},
		{"alert.opened", "alert.opened.twice", false},
	}
	for _, c := range cases {
		if got := matchLen(c.pattern, c.kind) >= 0; got != c.match {
			t.Errorf("%s matches %s: %v, want %v", c.pattern, c.kind, got, c.match)
		}
	}
	if !(matchLen("alert.opened", "alert.opened") > matchLen("alert.*", "alert.opened") &&
		matchLen("alert.news2.*", "alert.news2.high") > matchLen("alert.*", "alert.news2.high") &&
		matchLen("alert.*", "alert.opened") > matchLen("*", "alert.opened")) {
		t.Error("a more specific rule does not win")
	}
}

func TestBackoff(t *testing.T) {
	s := &Service{cfg: Config{RetryFirst: 30 * time.Second, RetryMax: time.Hour}}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := s.backoff(i + 1); got != w {
			t.Errorf("after attempt %d: %v, want %v", i+1, got, w)
		}
	}
}
