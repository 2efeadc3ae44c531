// Package recur turns a care schedule written in a person's wall-clock time
// ("08:00 and 20:00 on weekdays, Europe/Oslo") into instants, and finds the
// occurrence a moment belongs to. It is pure logic with no I/O, shared by
// measurement schedules and medication reminders.
//
// # Wall-clock time and daylight saving
//
// A schedule follows the clock on the patient's wall: 08:00 is 08:00 local
// time on both sides of a daylight-saving change, so its UTC instant moves by
// an hour and the real time between two occurrences is an hour shorter or
// longer that night.
//
// Two local times need a rule, and Wall applies it everywhere:
//
//   - A time in the hour that is skipped when clocks spring forward (02:30 on
//     the last Sunday of March in Europe) happens as many real minutes after
//     local midnight as written, which the clock then shows as an hour later
//     (03:30). It is neither dropped nor moved to a different day. Should that
//     land on another time of the same schedule (02:30 and 03:30 both
//     written), the day has that occurrence once.
//   - A time in the hour that happens twice when clocks fall back (02:30 on
//     the last Sunday of October) happens once, at its first pass, in summer
//     time. The second pass is not an occurrence.
//
// The same rules hold in zones whose change happens at midnight, so a local
// date always has its occurrences, and "today" is always the patient's local
// date.
package recur

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the local date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	y, m, dd := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC).Date()
	return Date{y, m, dd}
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Wall returns the instant at which the clocks in loc show minute minutes
// after midnight on date, applying the package's daylight-saving rules: a
// skipped time happens that many real minutes after the last offset before
// the gap (the clock shows it later by the gap's length), and a repeated
// time happens at its first pass.
func Wall(date Date, minute int, loc *time.Location) time.Time {
	naive := time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, time.UTC).Add(time.Duration(minute) * time.Minute)
	// The offsets in force around that wall time; a zone changes its
	// offset at most once in a day, so a day either side covers both.
	before := offsetAt(naive.Add(-26*time.Hour), loc)
	after := offsetAt(naive.Add(26*time.Hour), loc)
	var best time.Time
	for _, off := range []int{before, after, offsetAt(naive, loc)} {
		t := naive.Add(-time.Duration(off) * time.Second)
		if sameWall(t.In(loc), naive) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if !best.IsZero() {
		return best
	}
	// In a gap: as many real minutes after the last pre-gap offset.
	return naive.Add(-time.Duration(before) * time.Second)
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

func sameWall(local, naive time.Time) bool {
	y1, m1, d1 := local.Date()
	y2, m2, d2 := naive.Date()
	return y1 == y2 && m1 == m2 && d1 == d2 && local.Hour() == naive.Hour() && local.Minute() == naive.Minute()
}

// Weekdays is a set of days of the week: bit i is time.Weekday(i). The
// empty set means every day.
type Weekdays uint8

// Has tells whether the set holds d; the empty set holds every day.
func (w Weekdays) Has(d time.Weekday) bool { return w == 0 || w&(1<<uint(d)) != 0 }

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekdays reads day names ("mon", "Tuesday", "SAT"); none means every day.
func ParseWeekdays(names []string) (Weekdays, error) {
	var w Weekdays
	for _, n := range names {
		key := strings.ToLower(strings.TrimSpace(n))
		i := -1
		if len(key) >= 3 {
			i = slices.Index(dayNames, key[:3])
		}
		if i < 0 || (len(key) > 3 && !strings.HasPrefix(strings.ToLower(time.Weekday(i).String()), key)) {
			return 0, fmt.Errorf("%q is not a day of the week: use mon, tue, wed, thu, fri, sat or sun", n)
		}
		w |= 1 << uint(i)
	}
	if w == 0x7f {
		w = 0
	}
	return w, nil
}

// Names returns the days in the set, Monday first; nil for every day.
func (w Weekdays) Names() []string {
	if w == 0 {
		return nil
	}
	var out []string
	for _, d := range []time.Weekday{1, 2, 3, 4, 5, 6, 0} {
		if w&(1<<uint(d)) != 0 {
			out = append(out, dayNames[d])
		}
	}
	return out
}

// ParseClock reads "HH:MM" (24-hour) as minutes after midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day: write HH:MM, 00:00 to 23:59", s)
	}
	return hh*60 + mm, nil
}

// Clock formats minutes after midnight as "HH:MM".
func Clock(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

// Pattern is when something recurs: at the given local times of day, on
// the given days of the week.
type Pattern struct {
	Times    []int // minutes after local midnight, ascending, no repeats
	Weekdays Weekdays
}

// NewPattern returns a pattern of times of day ("08:00") on some weekdays.
func NewPattern(times []string, weekdays Weekdays) (Pattern, error) {
	if len(times) == 0 {
		return Pattern{}, fmt.Errorf("give at least one time of day")
	}
	p := Pattern{Weekdays: weekdays}
	for _, s := range times {
		m, err := ParseClock(s)
		if err != nil {
			return Pattern{}, err
		}
		p.Times = append(p.Times, m)
	}
	slices.Sort(p.Times)
	p.Times = slices.Compact(p.Times)
	return p, nil
}

// Every returns the times of day of something done every hours hours from
// the local time start (minutes after midnight). hours must divide 24, so
// that every day has the same wall-clock times.
func Every(hours, start int) ([]int, error) {
	if hours < 1 || hours > 24 || 24%hours != 0 {
		return nil, fmt.Errorf("every %d hours does not fit a day: choose 1, 2, 3, 4, 6, 8, 12 or 24 hours, or list the times", hours)
	}
	if start < 0 || start >= 24*60 {
		return nil, fmt.Errorf("the start must be a time of day")
	}
	var out []int
	for m := start % (hours * 60); m < 24*60; m += hours * 60 {
		out = append(out, m)
	}
	return out, nil
}

// ClockTimes returns the pattern's times as "HH:MM".
func (p Pattern) ClockTimes() []string {
	out := make([]string, len(p.Times))
	for i, m := range p.Times {
		out[i] = Clock(m)
	}
	return out
}

// MinGap returns the shortest nominal time between two consecutive
// occurrences, counting the wrap from the last time of a day to the first
// of the next. Windows shorter than this never overlap (a daylight-saving
// night can shorten the real gap by the length of its change).
func (p Pattern) MinGap() time.Duration {
	if len(p.Times) == 0 {
		return 0
	}
	gap := 24*60 - p.Times[len(p.Times)-1] + p.Times[0]
	for i := 1; i < len(p.Times); i++ {
		gap = min(gap, p.Times[i]-p.Times[i-1])
	}
	return time.Duration(gap) * time.Minute
}

// On returns the occurrences on a local date, ascending, each instant once.
func (p Pattern) On(date Date, loc *time.Location) []time.Time {
	if !p.Weekdays.Has(date.Weekday()) {
		return nil
	}
	out := make([]time.Time, 0, len(p.Times))
	for _, m := range p.Times {
		t := Wall(date, m, loc)
		if n := len(out); n > 0 && !t.After(out[n-1]) {
			continue // a skipped time that landed on a later written one
		}
		out = append(out, t)
	}
	return out
}

// Next returns the first occurrence strictly after t, or the zero time when
// the pattern has no times.
func (p Pattern) Next(t time.Time, loc *time.Location) time.Time {
	if len(p.Times) == 0 {
		return time.Time{}
	}
	start := DateOf(t, loc).AddDays(-1)
	for i := 0; i <= 9; i++ {
		for _, o := range p.On(start.AddDays(i), loc) {
			if o.After(t) {
				return o
			}
		}
	}
	return time.Time{}
}

// Containing returns the occurrence whose window holds t: the window opens
// early before the occurrence and closes grace after it (t == close is
// outside). It reports false when t is in no window. Windows that overlap
// are the caller's mistake; the earliest occurrence then wins.
func (p Pattern) Containing(t time.Time, loc *time.Location, early, grace time.Duration) (time.Time, bool) {
	d := DateOf(t, loc)
	for i := -2; i <= 2; i++ {
		for _, o := range p.On(d.AddDays(i), loc) {
			if !t.Before(o.Add(-early)) && t.Before(o.Add(grace)) {
				return o, true
			}
		}
	}
	return time.Time{}, false
}
