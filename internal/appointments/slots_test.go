package appointments

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

func TestResolveWall(t *testing.T) {
	loc := oslo(t)
	cases := []struct {
		day    date
		minute int
		want   string // UTC
		kind   wall
	}{
		{date{2026, 3, 28}, 9 * 60, "2026-03-28T08:00:00Z", wallOnce},
		{date{2026, 3, 30}, 9 * 60, "2026-03-30T07:00:00Z", wallOnce},
		// 2026-03-29: 02:00 CET jumps to 03:00 CEST.
		{date{2026, 3, 29}, 1*60 + 59, "2026-03-29T00:59:00Z", wallOnce},
		{date{2026, 3, 29}, 2*60 + 30, "2026-03-29T01:30:00Z", wallSkipped},
		{date{2026, 3, 29}, 3 * 60, "2026-03-29T01:00:00Z", wallOnce},
		// 2026-10-25: 03:00 CEST falls back to 02:00 CET.
		{date{2026, 10, 25}, 2*60 + 30, "2026-10-25T00:30:00Z", wallRepeated},
		{date{2026, 10, 25}, 3 * 60, "2026-10-25T02:00:00Z", wallOnce},
		{date{2026, 10, 25}, 24 * 60, "2026-10-25T23:00:00Z", wallOnce},
	}
	for _, c := range cases {
		got, kind := resolveWall(loc, c.day, c.minute)
		if got.Format(time.RFC3339) != c.want || kind != c.kind {
			t.Errorf("%s %s: got %s (%d), want %s (%d)", c.day, clockText(c.minute), got.Format(time.RFC3339), kind, c.want, c.kind)
		}
	}
}

func nightSchedule(loc *time.Location, slot int) *schedule {
	s := &schedule{professionalID: "p", zone: loc.String(), loc: loc}
	s.weekly[time.Sunday] = []block{{start: 60, end: 4 * 60, slot: slot, kind: InPerson}}
	return s
}

func starts(slots []Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.ProfessionalTime.Start.Format("15:04-07:00")+"/"+s.End.Sub(s.Start).String())
	}
	return out
}

func TestSlotsAcrossTheSkippedHour(t *testing.T) {
	loc := oslo(t)
	s := nightSchedule(loc, 30)
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, loc)
	got := starts(s.slots(from, from.Add(12*time.Hour)))
	want := []string{"01:00+01:00/30m0s", "01:30+01:00/30m0s", "03:00+02:00/30m0s", "03:30+02:00/30m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("spring forward, 30-minute slots: got %v, want %v", got, want)
	}
	// 90-minute slots: 01:00–02:30 would end at 03:30 CEST; the 02:30 slot does not exist.
	s = nightSchedule(loc, 90)
	got = starts(s.slots(from, from.Add(12*time.Hour)))
	want = []string{"01:00+01:00/1h30m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("spring forward, 90-minute slots: got %v, want %v", got, want)
	}
	// 45-minute slots: 01:00, 01:45 (ends 03:30 CEST), 02:30 is skipped,
	// 03:15 would start before 01:45's end and is dropped.
	s = nightSchedule(loc, 45)
	got = starts(s.slots(from, from.Add(12*time.Hour)))
	want = []string{"01:00+01:00/45m0s", "01:45+01:00/45m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("spring forward, 45-minute slots: got %v, want %v", got, want)
	}
}

func TestSlotsAcrossTheRepeatedHour(t *testing.T) {
	loc := oslo(t)
	s := nightSchedule(loc, 30)
	from := time.Date(2026, 10, 25, 0, 0, 0, 0, loc)
	got := starts(s.slots(from, from.Add(12*time.Hour)))
	want := []string{"01:00+02:00/30m0s", "01:30+02:00/30m0s", "02:00+02:00/30m0s", "02:30+02:00/30m0s",
		"03:00+01:00/30m0s", "03:30+01:00/30m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("fall back: got %v, want %v", got, want)
	}
}

func TestNineOClockStaysNineOClock(t *testing.T) {
	loc := oslo(t)
	s := &schedule{professionalID: "p", zone: "Europe/Oslo", loc: loc}
	s.weekly[time.Monday] = []block{{start: 9 * 60, end: 10 * 60, slot: 60, kind: Video}}
	from := time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)
	got := s.slots(from, from.AddDate(0, 0, 21))
	var utc []string
	for _, sl := range got {
		if sl.ProfessionalTime.StartClock != "09:00" {
			t.Errorf("slot at %s local", sl.ProfessionalTime.StartClock)
		}
		utc = append(utc, sl.Start.Format("01-02T15:04Z"))
	}
	want := []string{"03-16T08:00Z", "03-23T08:00Z", "03-30T07:00Z"}
	if !slices.Equal(utc, want) {
		t.Errorf("got %v, want %v", utc, want)
	}
}

func TestDaysOffAndExtraHours(t *testing.T) {
	loc := oslo(t)
	s := &schedule{professionalID: "p", zone: "Europe/Oslo", loc: loc, extra: map[date][]block{}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		s.weekly[wd] = []block{{start: 9 * 60, end: 10 * 60, slot: 30, kind: InPerson}}
	}
	s.off = []dayRange{{date{2026, 12, 24}, date{2026, 12, 28}}}
	s.extra[date{2026, 12, 27}] = []block{{start: 12 * 60, end: 13 * 60, slot: 60, kind: Video}}
	from := time.Date(2026, 12, 23, 0, 0, 0, 0, loc)
	var got []string
	for _, sl := range s.slots(from, time.Date(2026, 12, 30, 0, 0, 0, 0, loc)) {
		got = append(got, sl.ProfessionalTime.Date+" "+sl.ProfessionalTime.StartClock+" "+string(sl.Kind))
	}
	want := []string{"2026-12-23 09:00 in_person", "2026-12-23 09:30 in_person", "2026-12-27 12:00 video",
		"2026-12-29 09:00 in_person", "2026-12-29 09:30 in_person"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"00:00": 0, "09:30": 570, "24:00": 1440} {
		if got, ok := parseClock(in); !ok || got != want {
			t.Errorf("%s: %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"9:30", "24:01", "12:60", "ab:cd", "", "12"} {
		if _, ok := parseClock(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
