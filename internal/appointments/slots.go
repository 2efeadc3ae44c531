package appointments

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// date is a day on a calendar, without a zone.
type date struct {
	y int
	m time.Month
	d int
}

func parseDate(s string) (date, bool) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return date{}, false
	}
	return date{t.Year(), t.Month(), t.Day()}, true
}

func dateOf(t time.Time) date { return date{t.Year(), t.Month(), t.Day()} }

func (d date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

// add moves the date by n days; it counts in UTC, where every day has 24 hours.
func (d date) add(n int) date { return dateOf(time.Date(d.y, d.m, d.d+n, 0, 0, 0, 0, time.UTC)) }

func (d date) weekday() time.Weekday { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Weekday() }

func (d date) before(o date) bool { return d.String() < o.String() }

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func parseWeekday(s string) (time.Weekday, bool) {
	i := slices.Index(weekdays, strings.ToLower(strings.TrimSpace(s)))
	return time.Weekday(i), i >= 0
}

// parseClock reads HH:MM as minutes after midnight; 24:00 is allowed.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

func clockText(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

// wall says how a local wall-clock time maps to instants.
type wall int

const (
	wallOnce     wall = iota // the usual case: one instant
	wallRepeated             // the hour that falls back happens twice
	wallSkipped              // the hour that springs forward never happens
)

// resolveWall finds the instant of minute (after midnight) on day in loc. A
// repeated wall time gives its first occurrence; a skipped one gives the
// instant the same reading has with the offset in force before the jump,
// i.e. as far after the jump as the reading is into the gap.
func resolveWall(loc *time.Location, day date, minute int) (time.Time, wall) {
	u := time.Date(day.y, day.m, day.d, 0, minute, 0, 0, time.UTC)
	var offsets []int
	for _, probe := range []time.Duration{-26 * time.Hour, -13 * time.Hour, 0, 13 * time.Hour, 26 * time.Hour} {
		if _, off := u.Add(probe).In(loc).Zone(); !slices.Contains(offsets, off) {
			offsets = append(offsets, off)
		}
	}
	var hits []time.Time
	for _, off := range offsets {
		c := u.Add(-time.Duration(off) * time.Second)
		if _, got := c.In(loc).Zone(); got == off && !slices.ContainsFunc(hits, c.Equal) {
			hits = append(hits, c)
		}
	}
	slices.SortFunc(hits, func(a, b time.Time) int { return a.Compare(b) })
	switch len(hits) {
	case 0:
		return u.Add(-time.Duration(offsets[0]) * time.Second).UTC(), wallSkipped
	case 1:
		return hits[0].UTC(), wallOnce
	default:
		return hits[0].UTC(), wallRepeated
	}
}

// block is a run of hours on one local date, cut into slots.
type block struct {
	start, end int // minutes after local midnight
	slot       int // minutes
	kind       Kind
}

type dayRange struct{ first, last date }

// schedule is a professional's availability, ready to produce slots.
type schedule struct {
	professionalID string
	zone           string
	loc            *time.Location
	weekly         [7][]block
	off            []dayRange
	extra          map[date][]block
}

func (s *schedule) isOff(d date) bool {
	for _, r := range s.off {
		if !d.before(r.first) && !r.last.before(d) {
			return true
		}
	}
	return false
}

// slots returns every slot of the schedule that starts in [from, to),
// ignoring bookings, sorted by start. See the package comment for what
// happens around daylight-saving changes.
func (s *schedule) slots(from, to time.Time) []Slot {
	var out []Slot
	first, last := dateOf(from.In(s.loc)).add(-1), dateOf(to.In(s.loc)).add(1)
	for d := first; !last.before(d); d = d.add(1) {
		var blocks []block
		if !s.isOff(d) {
			blocks = append(blocks, s.weekly[d.weekday()]...)
		}
		blocks = append(blocks, s.extra[d]...)
		for _, b := range blocks {
			out = append(out, s.cut(d, b, from, to)...)
		}
	}
	slices.SortFunc(out, func(a, b Slot) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := a.End.Compare(b.End); c != 0 {
			return c
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	return slices.CompactFunc(out, func(a, b Slot) bool {
		return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Kind == b.Kind
	})
}

// cut lays the slots of one block on one date.
func (s *schedule) cut(d date, b block, from, to time.Time) []Slot {
	var out []Slot
	length := time.Duration(b.slot) * time.Minute
	blockEnd, _ := resolveWall(s.loc, d, b.end)
	var prevEnd time.Time
	for m := b.start; m+b.slot <= b.end; m += b.slot {
		start, w := resolveWall(s.loc, d, m)
		if w == wallSkipped {
			continue // this local time does not exist today
		}
		end := start.Add(length)
		if end.After(blockEnd) || start.Before(prevEnd) {
			continue // an hour vanished: the slot would overrun the block or its neighbour
		}
		prevEnd = end
		if start.Before(from) || !start.Before(to) {
			continue
		}
		out = append(out, Slot{ProfessionalID: s.professionalID, Start: start, End: end, Kind: b.kind,
			ProfessionalTime: Span(start, end, s.zone)})
	}
	return out
}
