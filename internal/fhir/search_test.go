package fhir

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

func utc(y int, m time.Month, d, h, min, s, ns int) time.Time {
	return time.Date(y, m, d, h, min, s, ns, time.UTC)
}

func TestParseSearch(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		query string
		opts  SearchOptions
		check func(t *testing.T, q Query)
	}{
		{"", SearchOptions{}, func(t *testing.T, q Query) {
			if q.Count != DefaultCount || q.Ascending || q.PatientID != "" || q.NoMatch || !q.From.IsZero() || !q.To.IsZero() {
				t.Errorf("defaults %+v", q)
			}
		}},
		{"patient=Patient/p-1.2", SearchOptions{}, func(t *testing.T, q Query) {
			if q.PatientID != "p-1.2" {
				t.Errorf("patient %q", q.PatientID)
			}
		}},
		{"subject=p1&patient=Patient/p1", SearchOptions{}, func(t *testing.T, q Query) {
			if q.PatientID != "p1" {
				t.Errorf("patient %q", q.PatientID)
			}
		}},
		{"subject:Patient=p1", SearchOptions{}, func(t *testing.T, q Query) {
			if q.PatientID != "p1" {
				t.Errorf("patient %q", q.PatientID)
			}
		}},
		{"code=http://loinc.org|8867-4,8310-5", SearchOptions{}, func(t *testing.T, q Query) {
			if !slices.Equal(q.TypeKeys, []string{measure.HeartRate, measure.BodyTemperature}) || len(q.Codes) != 2 ||
				q.Codes[0].System != "http://loinc.org" || q.Codes[0].Any || !q.Codes[1].Any {
				t.Errorf("codes %+v types %v", q.Codes, q.TypeKeys)
			}
		}},
		{"code=59408-5,2708-6", SearchOptions{}, func(t *testing.T, q Query) {
			if !slices.Equal(q.TypeKeys, []string{measure.SpO2}) {
				t.Errorf("types %v", q.TypeKeys)
			}
		}},
		{"code=8867-4,8310-5&code=8310-5", SearchOptions{}, func(t *testing.T, q Query) { // AND of ORs
			if !slices.Equal(q.TypeKeys, []string{measure.BodyTemperature}) || q.NoMatch {
				t.Errorf("types %v", q.TypeKeys)
			}
		}},
		{"code=8867-4&code=8310-5", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.NoMatch {
				t.Errorf("heart rate AND temperature should match nothing: %+v", q)
			}
		}},
		{"code=1234-5", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.NoMatch || len(q.Warnings) != 1 || !strings.Contains(q.Warnings[0].Message, "1234-5") {
				t.Errorf("unknown code: %+v", q)
			}
		}},
		{"code=8480-6", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.NoMatch || !strings.Contains(q.Warnings[0].Message, "search for 85354-9") {
				t.Errorf("component code: %+v", q)
			}
		}},
		{"code=http://snomed.info/sct|364075005", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.NoMatch || !strings.Contains(q.Warnings[0].Message, "LOINC") {
				t.Errorf("SNOMED code: %+v", q)
			}
		}},
		{"date=2026-11", SearchOptions{}, func(t *testing.T, q Query) { // the whole month
			if !q.From.Equal(utc(2026, 11, 1, 0, 0, 0, 0)) || !q.To.Equal(utc(2026, 12, 1, 0, 0, 0, 0)) {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=eq2026", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.From.Equal(utc(2026, 1, 1, 0, 0, 0, 0)) || !q.To.Equal(utc(2027, 1, 1, 0, 0, 0, 0)) {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=ge2026-11-22&date=le2026-11-23", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.From.Equal(utc(2026, 11, 22, 0, 0, 0, 0)) || !q.To.Equal(utc(2026, 11, 24, 0, 0, 0, 0)) {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=gt2026-11-22&date=lt2026-12", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.From.Equal(utc(2026, 11, 23, 0, 0, 0, 0)) || !q.To.Equal(utc(2026, 12, 1, 0, 0, 0, 0)) {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=ge2026-11-22T10:30:00.5%2B01:00", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.From.Equal(utc(2026, 11, 22, 9, 30, 0, 5e8)) || !q.To.IsZero() {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=eq2026-11-22T10:30:00Z", SearchOptions{}, func(t *testing.T, q Query) { // one second
			if !q.From.Equal(utc(2026, 11, 22, 10, 30, 0, 0)) || !q.To.Equal(utc(2026, 11, 22, 10, 30, 1, 0)) {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=le2026-11-22T10:30", SearchOptions{}, func(t *testing.T, q Query) { // minutes, no zone: UTC
			if !q.To.Equal(utc(2026, 11, 22, 10, 31, 0, 0)) {
				t.Errorf("to %v", q.To)
			}
		}},
		{"date=2026-11-22", SearchOptions{Location: paris}, func(t *testing.T, q Query) { // the day in the caller's zone
			if !q.From.Equal(utc(2026, 11, 21, 23, 0, 0, 0)) || !q.To.Equal(utc(2026, 11, 22, 23, 0, 0, 0)) {
				t.Errorf("range %v – %v", q.From, q.To)
			}
		}},
		{"date=lt2026-11-01&date=ge2026-11-01", SearchOptions{}, func(t *testing.T, q Query) {
			if !q.NoMatch {
				t.Errorf("dates that exclude each other: %+v", q)
			}
		}},
		{"_count=10&_sort=date", SearchOptions{}, func(t *testing.T, q Query) {
			if q.Count != 10 || !q.Ascending {
				t.Errorf("%+v", q)
			}
		}},
		{"_count=5000", SearchOptions{}, func(t *testing.T, q Query) {
			if q.Count != MaxCount || len(q.Warnings) != 1 {
				t.Errorf("%+v", q)
			}
		}},
		{"_count=0&_summary=count&_total=accurate&_format=application/fhir%2Bjson&_pretty=true&_sort=-date", SearchOptions{}, func(t *testing.T, q Query) {
			if q.Count != 0 || !q.SummaryCount || q.Total != "accurate" || !q.Pretty || q.Ascending {
				t.Errorf("%+v", q)
			}
		}},
		{"_page=abc_-.~=", SearchOptions{}, func(t *testing.T, q Query) {
			if q.Page != "abc_-.~=" {
				t.Errorf("page %q", q.Page)
			}
		}},
		{"patient=p1&_include=Observation:subject&status=final&code=", SearchOptions{Lenient: true}, func(t *testing.T, q Query) {
			if q.PatientID != "p1" || !slices.Equal(q.Ignored, []string{"_include", "code", "status"}) || len(q.Warnings) != 3 {
				t.Errorf("lenient: %+v", q)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseSearch(tt.query, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, q)
			// What Encode writes reads back as the same conditions.
			q2, err := ParseSearch(q.Encode(), SearchOptions{})
			if err != nil {
				t.Fatalf("Encode gave %q: %v", q.Encode(), err)
			}
			if q2.PatientID != q.PatientID || !slices.Equal(q2.TypeKeys, q.TypeKeys) || !q2.From.Equal(q.From) ||
				!q2.To.Equal(q.To) || q2.Count != q.Count || q2.Ascending != q.Ascending || q2.NoMatch != q.NoMatch {
				t.Errorf("Encode %q reads back as %+v", q.Encode(), q2)
			}
		})
	}
}

func TestParseSearchErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{"status=final", "search parameter status: not supported"},
		{"patient=Group/1", `"Group/1" is not a patient`},
		{"patient=a,b", "one patient at a time"},
		{"patient=p1&subject=p2", "search one patient at a time"},
		{"patient=a%20b", "not a patient id"},
		{"patient:identifier=x", "only modifier Tend takes is :Patient"},
		{"code:text=pulse", "modifiers of code are not supported"},
		{"code=http://loinc.org|", "no code after the system"},
		{"date=ne2026-11-22", "prefix ne is not supported"},
		{"date=ap2026-11-22", "prefix ap is not supported"},
		{"date=xx2026-11-22", `"xx" is not a date prefix`},
		{"date=2026-13", "the month must be two digits"},
		{"date=22-11-2026", "the year must be four digits"},
		{"date=2026-11-22T25:00", "hours 00 to 23"},
		{"date:missing=true", "modifiers of date are not supported"},
		{"_count=-1", "not a whole number"},
		{"_count=ten", "not a whole number"},
		{"_count=1&_count=2", "_count: give it once"},
		{"_sort=code", "Tend sorts by date or -date only"},
		{"_page=a/b", "not a page token"},
		{"_format=xml", "JSON only"},
		{"_summary=true", "_summary=count or false"},
		{"_total=all", "none, estimate or accurate"},
		{"code=", "code: has no value"},
		{"a=%zz", "cannot be read"},
	}
	for _, tt := range tests {
		_, err := ParseSearch(tt.query, SearchOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.query, err, tt.want)
			continue
		}
		if AsError(err).Status() >= 500 {
			t.Errorf("%q: status %d", tt.query, AsError(err).Status())
		}
	}
	// Every bad parameter is named, not only the first.
	_, err := ParseSearch("status=final&_count=x&date=2026-13", SearchOptions{})
	if e := AsError(err); len(e.Issues) != 3 {
		t.Errorf("issues %+v", e.Issues)
	}
}

func TestLenientHandling(t *testing.T) {
	tests := map[string]bool{
		"":                                  false,
		"handling=lenient":                  true,
		"return=minimal, handling=lenient":  true,
		"handling=strict":                   false,
		"HANDLING = \"lenient\"":            true,
		"handling=lenient; handling=strict": false,
		"respond-async":                     false,
	}
	for in, want := range tests {
		if got := LenientHandling(in); got != want {
			t.Errorf("LenientHandling(%q) = %v", in, got)
		}
	}
}
