package recur

import (
	"slices"
	"testing"
	"time"
)

func oslo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWallAcrossDaylightSaving(t *testing.T) {
	loc := oslo(t)
	tests := []struct {
		name   string
		date   Date
		clock  string
		want   string // UTC
		showAs string // local clock the instant shows
	}{
		{"winter", Date{2026, 3, 28}, "08:00", "2026-03-28 07:00", "08:00"},
		{"spring-forward day, 08:00 stays 08:00", Date{2026, 3, 29}, "08:00", "2026-03-29 06:00", "08:00"},
		{"before the gap", Date{2026, 3, 29}, "01:59", "2026-03-29 00:59", "01:59"},
		{"in the skipped hour: as many minutes after midnight, shown an hour later", Date{2026, 3, 29}, "02:30", "2026-03-29 01:30", "03:30"},
		{"start of the gap", Date{2026, 3, 29}, "02:00", "2026-03-29 01:00", "03:00"},
		{"right after the gap", Date{2026, 3, 29}, "03:00", "2026-03-29 01:00", "03:00"},
		{"summer", Date{2026, 7, 1}, "08:00", "2026-07-01 06:00", "08:00"},
		{"fall-back day, 08:00 stays 08:00", Date{2026, 10, 25}, "08:00", "2026-10-25 07:00", "08:00"},
		{"repeated hour: first pass, in summer time", Date{2026, 10, 25}, "02:30", "2026-10-25 00:30", "02:30"},
		{"after the repeated hour", Date{2026, 10, 25}, "03:00", "2026-10-25 02:00", "03:00"},
		{"midnight", Date{2026, 10, 25}, "00:00", "2026-10-24 22:00", "00:00"},
	}
	for _, tt := range tests {
		m, err := ParseClock(tt.clock)
		if err != nil {
			t.Fatal(err)
		}
		got := Wall(tt.date, m, loc)
		if !got.Equal(utc(tt.want)) {
			t.Errorf("%s: %s %s = %s UTC, want %s UTC", tt.name, tt.date, tt.clock, got.UTC().Format("2006-01-02 15:04"), tt.want)
		}
		if shown := got.In(loc).Format("15:04"); shown != tt.showAs {
			t.Errorf("%s: shows %s, want %s", tt.name, shown, tt.showAs)
		}
	}
}

func TestWallInZoneChangingAtMidnight(t *testing.T) {
	// Chile springs forward at 24:00 → 01:00 on the first Sunday of September.
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Skip("no America/Santiago zone")
	}
	d := Date{2026, 9, 6}
	got := Wall(d, 0, loc)
	if DateOf(got, loc) != d {
		t.Errorf("midnight of %s falls on %s (%s)", d, DateOf(got, loc), got.In(loc))
	}
	if n := len((Pattern{Times: []int{0, 8 * 60}}).On(d, loc)); n != 2 {
		t.Errorf("%d occurrences on the change day, want 2", n)
	}
}

func TestPatternOnAndNext(t *testing.T) {
	loc := oslo(t)
	p, err := NewPattern([]string{"20:00", "08:00", "08:00"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.ClockTimes(), []string{"08:00", "20:00"}) {
		t.Errorf("times %v", p.ClockTimes())
	}
	// Across the October change the real gap from 20:00 to 08:00 grows by an hour.
	if got := p.Next(utc("2026-10-24 18:00"), loc); !got.Equal(utc("2026-10-25 07:00")) {
		t.Errorf("next = %s, want 2026-10-25 07:00 UTC (08:00 CET)", got)
	}
	// Across the March change the gap shrinks by an hour.
	if got := p.Next(utc("2026-03-28 19:00"), loc); !got.Equal(utc("2026-03-29 06:00")) {
		t.Errorf("next = %s, want 2026-03-29 06:00 UTC (08:00 CEST)", got)
	}
	// Weekdays: Monday and Friday only.
	w, err := ParseWeekdays([]string{"Mon", "friday"})
	if err != nil {
		t.Fatal(err)
	}
	p.Weekdays = w
	// 2026-03-27 is a Friday; after its 20:00 the next is Monday 08:00.
	if got := p.Next(utc("2026-03-27 19:00"), loc); !got.Equal(utc("2026-03-30 06:00")) {
		t.Errorf("next = %s, want Monday 2026-03-30 06:00 UTC", got)
	}
	if got := w.Names(); !slices.Equal(got, []string{"mon", "fri"}) {
		t.Errorf("names %v", got)
	}
	if len(p.On(Date{2026, 3, 28}, loc)) != 0 {
		t.Error("a Saturday has occurrences")
	}
}

func TestSkippedTimeLandingOnAnother(t *testing.T) {
	loc := oslo(t)
	p, _ := NewPattern([]string{"02:30", "03:30"}, 0)
	got := p.On(Date{2026, 3, 29}, loc)
	if len(got) != 1 || !got[0].Equal(utc("2026-03-29 01:30")) {
		t.Errorf("on the spring-forward day: %v", got)
	}
	if len(p.On(Date{2026, 3, 30}, loc)) != 2 {
		t.Error("an ordinary day lost an occurrence")
	}
	// The repeated hour: 02:30 once.
	p, _ = NewPattern([]string{"02:30"}, 0)
	occ := p.On(Date{2026, 10, 25}, loc)
	if len(occ) != 1 {
		t.Fatalf("on the fall-back day: %v", occ)
	}
	if next := p.Next(occ[0], loc); !next.Equal(utc("2026-10-26 01:30")) {
		t.Errorf("the second pass through 02:30 is an occurrence: next = %s", next)
	}
}

func TestContaining(t *testing.T) {
	loc := oslo(t)
	p, _ := NewPattern([]string{"08:00", "20:00"}, 0)
	early, grace := 30*time.Minute, 2*time.Hour
	tests := []struct {
		at   string
		want string
		ok   bool
	}{
		{"2026-03-29 05:30", "2026-03-29 06:00", true}, // 07:30 CEST, early
		{"2026-03-29 07:59", "2026-03-29 06:00", true}, // 09:59 CEST
		{"2026-03-29 08:00", "", false},                // 10:00 CEST: the window has closed
		{"2026-03-29 05:29", "", false},
		{"2026-10-25 08:30", "2026-10-25 07:00", true}, // 09:30 CET
		{"2026-10-24 23:00", "", false},
	}
	for _, tt := range tests {
		got, ok := p.Containing(utc(tt.at), loc, early, grace)
		if ok != tt.ok || (ok && !got.Equal(utc(tt.want))) {
			t.Errorf("containing %s = %s %v, want %s %v", tt.at, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEveryAndParsing(t *testing.T) {
	got, err := Every(6, 8*60)
	if err != nil || !slices.Equal(got, []int{2 * 60, 8 * 60, 14 * 60, 20 * 60}) {
		t.Errorf("every 6 h from 08:00 = %v %v", got, err)
	}
	if _, err := Every(5, 0); err == nil {
		t.Error("every 5 hours accepted")
	}
	for _, bad := range []string{"24:00", "8", "08:0", "-1:00", "ab:cd"} {
		if _, err := ParseClock(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseWeekdays([]string{"mo"}); err == nil {
		t.Error("mo accepted")
	}
	if _, err := ParseWeekdays([]string{"monx"}); err == nil {
		t.Error("monx accepted")
	}
	if w, _ := ParseWeekdays([]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}); w != 0 {
		t.Errorf("every day = %b, want 0", w)
	}
	p, _ := NewPattern([]string{"08:00", "09:00", "22:00"}, 0)
	if p.MinGap() != time.Hour {
		t.Errorf("min gap %s", p.MinGap())
	}
	p, _ = NewPattern([]string{"23:30", "00:15"}, 0)
	if p.MinGap() != 45*time.Minute {
		t.Errorf("min gap across midnight %s", p.MinGap())
	}
}
