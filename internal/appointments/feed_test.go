package appointments_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// A minimal, strict reader of iCalendar text (RFC 5545 §3.1), written apart
// from the writer: it refuses bare LF or CR, lines over 75 octets, folds
// that split a UTF-8 sequence, unbalanced BEGIN/END, and bad TEXT escapes.

type icsProp struct {
	name   string
	params map[string]string
	value  string
}

type icsComp struct {
	name     string
	props    []icsProp
	children []*icsComp
}

func (c *icsComp) all(name string) []icsProp {
	var out []icsProp
	for _, p := range c.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

// one returns the only property name, failing when there is not exactly one.
func (c *icsComp) one(t *testing.T, name string) icsProp {
	t.Helper()
	ps := c.all(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s properties, want 1", c.name, len(ps), name)
	}
	return ps[0]
}

var icsName = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

func parseICS(t *testing.T, data []byte) *icsComp {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("the calendar does not end with CRLF")
	}
	physical := strings.Split(string(data[:len(data)-2]), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets long: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(logical) == 0 {
				t.Fatal("the calendar starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		if l == "" {
			t.Fatalf("line %d is empty", i+1)
		}
		logical = append(logical, l)
	}
	var stack []*icsComp
	var root *icsComp
	for _, l := range logical {
		p := parseContentLine(t, l)
		switch p.name {
		case "BEGIN":
			c := &icsComp{name: p.value}
			if len(stack) > 0 {
				stack[len(stack)-1].children = append(stack[len(stack)-1].children, c)
			} else if root != nil {
				t.Fatal("more than one top-level component")
			} else {
				root = c
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].name != p.value {
				t.Fatalf("END:%s does not close the open component", p.value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				t.Fatalf("property outside any component: %q", l)
			}
			stack[len(stack)-1].props = append(stack[len(stack)-1].props, p)
		}
	}
	if len(stack) != 0 || root == nil || root.name != "VCALENDAR" {
		t.Fatal("the calendar is not one closed VCALENDAR")
	}
	return root
}

func parseContentLine(t *testing.T, l string) icsProp {
	t.Helper()
	// name *(";" param) ":" value; a param value may be quoted.
	i := strings.IndexAny(l, ";:")
	if i <= 0 || !icsName.MatchString(l[:i]) {
		t.Fatalf("bad property name in %q", l)
	}
	p := icsProp{name: strings.ToUpper(l[:i]), params: map[string]string{}}
	rest := l[i:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || !icsName.MatchString(rest[:eq]) {
			t.Fatalf("bad parameter in %q", l)
		}
		key := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				t.Fatalf("unterminated quote in %q", l)
			}
			val, rest = rest[1:end+1], rest[end+2:]
		} else {
			end := strings.IndexAny(rest, ";:")
			if end < 0 {
				t.Fatalf("no value in %q", l)
			}
			val, rest = rest[:end], rest[end:]
		}
		p.params[key] = val
	}
	if !strings.HasPrefix(rest, ":") {
		t.Fatalf("no colon before the value in %q", l)
	}
	p.value = rest[1:]
	return p
}

// unescapeText reads a TEXT value, refusing unescaped , and ; and unknown escapes.
func unescapeText(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 == len(v) {
				t.Fatalf("TEXT ends with a backslash: %q", v)
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				t.Fatalf("unknown escape \\%c in %q", v[i], v)
			}
		case ',', ';':
			t.Fatalf("unescaped %c in TEXT %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var utcStamp = regexp.MustCompile(`^\d{8}T\d{6}Z$`)

func utcTime(t *testing.T, p icsProp) time.Time {
	t.Helper()
	if !utcStamp.MatchString(p.value) || len(p.params) != 0 {
		t.Fatalf("%s is not a UTC date-time: %q %v", p.name, p.value, p.params)
	}
	tm, err := time.Parse("20060102T150405Z", p.value)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

type feedEvent struct {
	uid, summary, description, status, url string
	start, end                             time.Time
}

func readFeed(t *testing.T, data []byte) (map[string]feedEvent, *icsComp) {
	t.Helper()
	cal := parseICS(t, data)
	if v := cal.one(t, "VERSION").value; v != "2.0" {
		t.Errorf("VERSION %q", v)
	}
	if v := unescapeText(t, cal.one(t, "PRODID").value); v == "" {
		t.Error("empty PRODID")
	}
	events := map[string]feedEvent{}
	for _, c := range cal.children {
		if c.name != "VEVENT" {
			t.Errorf("unexpected component %s", c.name)
			continue
		}
		e := feedEvent{uid: unescapeText(t, c.one(t, "UID").value)}
		utcTime(t, c.one(t, "DTSTAMP"))
		e.start, e.end = utcTime(t, c.one(t, "DTSTART")), utcTime(t, c.one(t, "DTEND"))
		if !e.end.After(e.start) {
			t.Errorf("%s ends before it starts", e.uid)
		}
		e.summary = unescapeText(t, c.one(t, "SUMMARY").value)
		e.description = unescapeText(t, c.one(t, "DESCRIPTION").value)
		e.status = c.one(t, "STATUS").value
		if urls := c.all("URL"); len(urls) == 1 {
			e.url = urls[0].value
		}
		if _, dup := events[e.uid]; dup {
			t.Errorf("UID %s twice", e.uid)
		}
		events[e.uid] = e
	}
	return events, cal
}

func TestCalendarFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		w.svc.BaseURL = "https://tend.example.org/"
		// A patient whose name needs folding across multi-byte characters.
		long := w.user(t, "aase@example.org", "Åse Øydis Ærøskøbing-Bjørnstjernesdatter Ødegård Kristiansen", nil, people.Patient)
		w.care(t, long, w.doctor)

		a := w.book(t, w.patient, w.patient, oslo(2026, 3, 2, 9, 0))
		video := w.book(t, w.dad, w.patient, oslo(2026, 3, 6, 9, 30))
		gone := w.book(t, w.patient, w.patient, oslo(2026, 3, 3, 9, 0))
		if _, err := w.svc.Cancel(ctx, w.patient, gone.ID, "feeling better, chest pain gone"); err != nil {
			t.Fatal(err)
		}
		w.book(t, long, long, oslo(2026, 3, 6, 11, 0))
		w.book(t, w.other, w.other, oslo(2026, 3, 4, 9, 0))

		if _, err := w.svc.Feed(ctx, "nope"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown token: %v", err)
		}
		docToken, err := w.svc.ResetFeed(ctx, w.doctor)
		if err != nil {
			t.Fatal(err)
		}
		if on, _ := w.svc.HasFeed(ctx, w.doctor); !on {
			t.Error("the doctor's feed is off after turning it on")
		}
		var stored string
		d.R.QueryRow(`SELECT token_hash FROM calendar_feeds WHERE user_id = $1`, w.doctor.UserID).Scan(&stored)
		if stored == docToken || strings.Contains(stored, docToken) || len(stored) != 64 {
			t.Errorf("the token is not stored hashed: %q", stored)
		}
		data, err := w.svc.Feed(ctx, docToken)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("blood")) || bytes.Contains(data, []byte("chest")) {
			t.Error("the feed carries the reasons")
		}
		events, _ := readFeed(t, data)
		if len(events) != 5 {
			t.Fatalf("the doctor's feed has %d events, want 5:\n%s", len(events), data)
		}
		e := events[a.ID+"@tend"]
		if e.summary != "Appointment: "+patientName || e.status != "CONFIRMED" || !e.start.Equal(a.Start) || !e.end.Equal(a.End) {
			t.Errorf("the doctor's view of the booking: %+v", e)
		}
		if e := events[gone.ID+"@tend"]; e.status != "CANCELLED" || e.description != "Cancelled by "+patientName+"." {
			t.Errorf("the cancelled booking: %+v", e)
		}
		folded := false
		for _, e := range events {
			if strings.Contains(e.summary, "Åse Øydis Ærøskøbing-Bjørnstjernesdatter Ødegård Kristiansen") {
				folded = true
			}
		}
		if !folded || !bytes.Contains(data, []byte("\r\n ")) {
			t.Error("the long name did not come back whole, or nothing was folded")
		}

		// The patient sees their own appointments, named by the professional.
		patToken, _ := w.svc.ResetFeed(ctx, w.patient)
		data, err = w.svc.Feed(ctx, patToken)
		if err != nil {
			t.Fatal(err)
		}
		events, _ = readFeed(t, data)
		if len(events) != 3 {
			t.Errorf("the patient's feed has %d events, want 3", len(events))
		}
		if e := events[video.ID+"@tend"]; e.summary != "Video visit with Ola Nordmann" || e.description != "Video visit in Tend." {
			t.Errorf("the patient's video visit: %+v", e)
		}
		if e := events[video.ID+"@tend"]; e.url != "https://tend.example.org/calls/appointment/"+video.ID {
			t.Errorf("link to the video call: %q", e.url)
		}
		if e := events[a.ID+"@tend"]; e.url != "" {
			t.Errorf("an in-person visit has a link: %q", e.url)
		}
		// Dad may book, so he sees them too; the aunt has no feed content of hers.
		dadToken, _ := w.svc.ResetFeed(ctx, w.dad)
		data, _ = w.svc.Feed(ctx, dadToken)
		if events, _ := readFeed(t, data); len(events) != 3 || events[a.ID+"@tend"].summary != "Appointment: "+patientName+" with Ola Nordmann" {
			t.Errorf("dad's feed: %v", events)
		}
		auntToken, _ := w.svc.ResetFeed(ctx, w.aunt)
		data, _ = w.svc.Feed(ctx, auntToken)
		if events, _ := readFeed(t, data); len(events) != 0 {
			t.Errorf("the aunt's feed: %v", events)
		}

		// An independent parser reads the same text.
		data, _ = w.svc.Feed(ctx, docToken)
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("golang-ical: %v", err)
		}
		if n := len(cal.Events()); n != 5 {
			t.Errorf("golang-ical sees %d events", n)
		}
		for _, ev := range cal.Events() {
			if ev.Id() == a.ID+"@tend" {
				start, err := ev.GetStartAt()
				if err != nil || !start.Equal(a.Start) {
					t.Errorf("golang-ical start %v %v", start, err)
				}
				if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != "Appointment: "+patientName {
					t.Errorf("golang-ical summary %q", got)
				}
			}
		}

		// Resetting kills the old secret; turning it off kills the new one.
		newToken, _ := w.svc.ResetFeed(ctx, w.doctor)
		if _, err := w.svc.Feed(ctx, docToken); !errs.Is(err, errs.NotFound) {
			t.Errorf("the old secret still works: %v", err)
		}
		if _, err := w.svc.Feed(ctx, newToken); err != nil {
			t.Errorf("the new secret: %v", err)
		}
		if err := w.svc.DisableFeed(ctx, w.doctor); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Feed(ctx, newToken); !errs.Is(err, errs.NotFound) {
			t.Errorf("a disabled feed still works: %v", err)
		}
	})
}

// The writer's own edge cases, through the strict reader.
func TestFeedEscapingAndFolding(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.publish(t)
		names := []string{"a,b;c\\d", "line\nbreak", strings.Repeat("é", 80), strings.Repeat("x", 200), "tab\there", "😀" + strings.Repeat("ø", 70)}
		for i, name := range names {
			p := w.user(t, fmt.Sprintf("edge%d@example.org", i), name, nil, people.Patient)
			w.care(t, p, w.doctor)
			w.book(t, p, p, oslo(2026, 3, 2, 9, 30*i))
		}
		token, _ := w.svc.ResetFeed(ctx, w.doctor)
		data, err := w.svc.Feed(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		events, _ := readFeed(t, data)
		got := map[string]bool{}
		for _, e := range events {
			got[strings.TrimPrefix(e.summary, "Appointment: ")] = true
		}
		for _, name := range names {
			want := strings.TrimSpace(name)
			if !got[want] {
				t.Errorf("name %q did not survive the round trip; got %v", want, got)
			}
		}
	})
}
