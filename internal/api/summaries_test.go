package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/readings"
	"github.com/tend-health/tend/internal/summaries"
)

func init() {
	w, o := only(200, 404, "patA", "nurseCare", "family")
	addRows(map[string]row{
		"summaries.read":  {method: "GET", path: "/api/v1/patients/{patA}/summaries?days=7", want: w, other: o},
		"readings.export": {method: "GET", path: "/api/v1/patients/{patA}/readings.csv?from=2026-01-01T00:00:00Z", want: w, other: o},
	})
}

// enter stores readings for a patient as that patient, by hand.
func (e *env) enter(patient string, items ...readings.Item) []readings.Result {
	e.t.Helper()
	p := e.principal(patient)
	var out []readings.Result
	for len(items) > 0 {
		n := min(len(items), 5000)
		rs, err := e.readings.Ingest(context.Background(), readings.Batch{Door: readings.DoorWeb, Source: readings.SourceManual,
			By: &p, PatientID: p.UserID, Items: items[:n]})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range rs {
			if r.Outcome != readings.Stored {
				e.t.Fatalf("a reading was not stored: %+v", r)
			}
		}
		out, items = append(out, rs...), items[n:]
	}
	return out
}

func bpItem(at time.Time, sys, dia float64) readings.Item {
	return readings.Item{Type: "blood_pressure", Unit: "mm[Hg]", TakenAt: at,
		Components: []readings.Component{{Key: "systolic", Value: sys}, {Key: "diastolic", Value: dia}}}
}

func valueItem(typ, unit string, at time.Time, v float64) readings.Item {
	return readings.Item{Type: typ, Unit: unit, TakenAt: at, Value: &v}
}

// seedWeek gives patA (in Oslo) a week of home blood pressure, a week of
// glucose every 15 minutes, and two weeks of morning weights.
func (e *env) seedWeek(now time.Time) (glucose int) {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	y, m, d := now.In(oslo).Date()
	var items []readings.Item
	// Days 1 to 7 before today: mornings 138/88 and 134/86, evenings 126/80
	// and 122/78. Day 7 falls outside the home week (today and six before).
	for ago := 1; ago <= 7; ago++ {
		day := func(h, min int) time.Time { return time.Date(y, m, d-ago, h, min, 0, 0, oslo) }
		items = append(items, bpItem(day(7, 0), 138, 88), bpItem(day(7, 2), 134, 86),
			bpItem(day(21, 0), 126, 80), bpItem(day(21, 2), 122, 78))
	}
	// Glucose rising 5 mg/dL with each hour of the Oslo day: 80 at midnight,
	// 195 at 23:00, so 21:00–23:59 is above 180.
	for at := now.Add(-7 * 24 * time.Hour).Truncate(15 * time.Minute); at.Before(now.Add(-time.Hour)); at = at.Add(15 * time.Minute) {
		items = append(items, valueItem("blood_glucose", "mg/dL", at, float64(80+5*at.In(oslo).Hour())))
		glucose++
	}
	// Weights losing 0.1 kg a day, 13 days ago to yesterday.
	for ago := 13; ago >= 1; ago-- {
		items = append(items, valueItem("body_weight", "kg", time.Date(y, m, d-ago, 8, 0, 0, 0, oslo), 80-0.1*float64(14-ago)))
	}
	e.enter("patA", items...)
	return glucose
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestSummariesOfAWeek(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		now := time.Now()
		glucose := e.seedWeek(now)

		status, body := e.do("nurseCare", "GET", "/api/v1/patients/"+e.users["patA"].ID+"/summaries?days=14", nil)
		if status != 200 {
			t.Fatalf("summaries: %d %s", status, body)
		}
		var s summaries.Summary
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatal(err)
		}
		if s.Patient.Name != "Agnes Patient" || s.Patient.TimeZone != "Europe/Oslo" || s.Days != 14 ||
			s.Period.To.Sub(s.Period.From) != 14*24*time.Hour || now.Sub(s.Period.To) > time.Minute || s.Period.To.After(time.Now()) {
			t.Errorf("patient %+v period %+v days %d", s.Patient, s.Period, s.Days)
		}

		bp := s.BloodPressure
		oslo, _ := time.LoadLocation("Europe/Oslo")
		y, m, dd := now.In(oslo).Date()
		if !bp.Period.From.Equal(time.Date(y, m, dd-6, 0, 0, 0, 0, oslo)) {
			t.Errorf("the home week starts %v", bp.Period.From.In(oslo))
		}
		if bp.Readings != 24 || bp.Days != 6 || !bp.Sufficient || bp.Note != "" || bp.Threshold.Systolic != 135 || bp.Threshold.Diastolic != 85 {
			t.Errorf("blood pressure: %d readings on %d days, sufficient %v, note %q, threshold %+v", bp.Readings, bp.Days, bp.Sufficient, bp.Note, bp.Threshold)
		}
		for _, tt := range []struct {
			name     string
			got      summaries.BPMean
			sys, dia float64
			count    int
			reaches  bool
		}{
			{"all", bp.All, 130, 83, 24, false},
			{"morning", bp.Morning, 136, 87, 12, true},
			{"evening", bp.Evening, 124, 79, 12, false},
		} {
			if tt.got.Systolic == nil || !near(*tt.got.Systolic, tt.sys) || !near(*tt.got.Diastolic, tt.dia) ||
				tt.got.Count != tt.count || tt.got.ReachesThreshold != tt.reaches {
				t.Errorf("%s: %+v, want %v/%v from %d, reaches %v", tt.name, tt.got, tt.sys, tt.dia, tt.count, tt.reaches)
			}
		}
		if len(bp.Trend) != 7 || bp.Trend[0].Date != time.Date(y, m, dd-7, 0, 0, 0, 0, oslo).Format(time.DateOnly) ||
			bp.Trend[0].Count != 4 || bp.Trend[0].Systolic != 130 {
			t.Errorf("daily trend: %+v", bp.Trend)
		}

		g := s.Glucose
		if g.Readings != glucose || g.Sufficient || g.GMI != nil || !strings.Contains(g.Note, "14 days") || g.Mean == nil || len(g.Checks) != 6 {
			t.Errorf("glucose: %d readings (want %d), sufficient %v, GMI %v, note %q, checks %d", g.Readings, glucose, g.Sufficient, g.GMI, g.Note, len(g.Checks))
		}
		if g.Above == nil || math.Abs(*g.Above-12.5) > 1 || g.Targets.Low != 70 || g.Targets.High != 180 || g.Targets.Population != "adults" {
			t.Errorf("above range %v %%, targets %+v", g.Above, g.Targets)
		}
		if len(g.Profile) != 24 {
			t.Fatalf("profile has %d hours", len(g.Profile))
		}
		// Hours are the patient's: every reading of 03:00–03:59 in Oslo is 95.
		if h := g.Profile[3]; h.Count < 20 || *h.P5 != 95 || *h.P50 != 95 || *h.P95 != 95 {
			t.Errorf("03:00 in Oslo: %+v", h)
		}
		if h := g.Profile[22]; *h.P50 != 190 {
			t.Errorf("22:00 in Oslo: median %v", *h.P50)
		}

		w := s.Weight
		if w.Readings != 13 || w.First.Value != 79.9 || !near(w.Latest.Value, 78.7) || !near(*w.Change, -1.2) ||
			!near(*w.PerWeek, -0.7) || w.Note != "" || len(w.Daily) != 13 {
			t.Errorf("weight: %+v", w)
		}

		// A patient with nothing gets every summary, each saying so.
		status, body = e.do("patB", "GET", "/api/v1/patients/"+e.users["patB"].ID+"/summaries", nil)
		if status != 200 {
			t.Fatalf("empty summaries: %d %s", status, body)
		}
		s = summaries.Summary{}
		json.Unmarshal([]byte(body), &s)
		if s.Days != 14 || s.BloodPressure.Note == "" || s.Glucose.Note == "" || s.Weight.Note == "" ||
			s.Glucose.Mean != nil || s.BloodPressure.All.Systolic != nil || s.Weight.First != nil || len(s.Glucose.Profile) != 24 {
			t.Errorf("empty summaries: %s", body)
		}
		if !strings.Contains(body, `"mean":null`) || !strings.Contains(body, `"trend":[]`) {
			t.Errorf("missing numbers are not null, or lists not empty lists: %s", body)
		}

		// A period in the past ends where it is asked to.
		// Midnight starting the fourth day before today ends a week whose
		// home days are five to eleven days ago.
		end := time.Date(y, m, dd-4, 0, 0, 0, 0, oslo).UTC().Format(time.RFC3339)
		_, body = e.do("patA", "GET", "/api/v1/patients/"+e.users["patA"].ID+"/summaries?days=7&end="+end, nil)
		s = summaries.Summary{}
		json.Unmarshal([]byte(body), &s)
		if s.Period.To.Format(time.RFC3339) != end || s.BloodPressure.Readings != 12 || s.Weight.Readings != 7 {
			t.Errorf("an earlier week: period %+v, %d blood pressures, %d weights", s.Period, s.BloodPressure.Readings, s.Weight.Readings)
		}

		for _, q := range []string{"days=400", "population=children", "days=-1"} {
			status, body = e.do("patA", "GET", "/api/v1/patients/"+e.users["patA"].ID+"/summaries?"+q, nil)
			if status != 422 {
				t.Errorf("?%s: %d %s", q, status, body)
			}
		}
	})
}

// get fetches a path as caller and returns the whole response.
func (e *env) get(caller, path string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens[caller])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("reading %s: %v", path, err)
	}
	return res, string(b)
}

func TestReadingsCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		patA := e.users["patA"].ID
		dev, secret := e.newDevice("patA")
		// The device's reading comes after its assignment; the others, by hand, before it.
		at := time.Now().UTC().Truncate(time.Millisecond)
		oslo, _ := time.LoadLocation("Europe/Oslo")
		status, body := e.asDevice(dev.ID, secret, "POST", "/api/v1/readings", map[string]any{"readings": []any{
			map[string]any{"type": "blood_pressure", "unit": "kPa", "takenAt": at.Format(time.RFC3339Nano), "externalId": "bp-1",
				"components": []any{map[string]any{"key": "systolic", "value": 18.4}, map[string]any{"key": "diastolic", "value": 11.7}}},
		}})
		if status != 200 || !strings.Contains(body, `"stored":1`) {
			t.Fatalf("device batch: %d %s", status, body)
		}
		rs := e.enter("patA",
			valueItem("body_temperature", "[degF]", at.Add(-3*time.Hour), 100.4),
			valueItem("heart_rate", "/min", at.Add(-2*time.Hour), 64),
			valueItem("blood_glucose", "mg/dL", at.Add(-time.Hour), 112),
		)
		if _, err := e.readings.MarkEnteredInError(context.Background(), e.principal("nurseCare"), rs[1].ID, "=HYPERLINK(\"x\") wrong patient"); err != nil {
			t.Fatal(err)
		}
		e.enter("patB", valueItem("heart_rate", "/min", at, 99))

		from, to := at.Add(-4*time.Hour), at.Add(time.Second)
		path := "/api/v1/patients/" + patA + "/readings.csv?from=" + from.Format(time.RFC3339) + "&to=" + to.Format(time.RFC3339)
		res, text := e.get("family", path)
		filename := fmt.Sprintf(`attachment; filename="readings-%s-to-%s.csv"`, from.In(oslo).Format(time.DateOnly), to.In(oslo).Format(time.DateOnly))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8; header=present" ||
			res.Header.Get("Content-Disposition") != filename ||
			res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v\n%s", res.StatusCode, res.Header, text)
		}
		if !strings.HasSuffix(text, "\r\n") || strings.Count(text, "\r\n") != 5 {
			t.Errorf("want a header and four rows, each ending in CRLF: %q", text)
		}
		records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(records[0], ",") != strings.Join(summaries.CSVColumns, ",") || len(records) != 5 {
			t.Fatalf("header %v, %d records", records[0], len(records))
		}
		rows := make([]map[string]string, 0, 4)
		for _, rec := range records[1:] {
			r := map[string]string{}
			for i, c := range records[0] {
				r[c] = rec[i]
			}
			rows = append(rows, r)
		}
		temp, hr, glu, bp := rows[0], rows[1], rows[2], rows[3]
		for col, want := range map[string]string{"taken_at_utc": at.Format(time.RFC3339Nano), "taken_at_local": at.In(oslo).Format(time.RFC3339Nano),
			"time_zone": "Europe/Oslo", "type": "blood_pressure", "name": "Blood pressure", "loinc": "85354-9", "value": "",
			"unit": "mm[Hg]", "original_value": "18.4/11.7", "original_unit": "kPa", "source": "device", "door": "http",
			"device_id": dev.ID, "device": "Acme (serial " + dev.Serial + ")", "status": "final", "entered_by": ""} {
			if bp[col] != want {
				t.Errorf("blood pressure %s = %q, want %q", col, bp[col], want)
			}
		}
		if bp["systolic"] == "" || bp["diastolic"] == "" || !strings.HasPrefix(bp["systolic"], "138") {
			t.Errorf("blood pressure values %q/%q", bp["systolic"], bp["diastolic"])
		}
		if temp["value"] != "38" || temp["unit"] != "Cel" || temp["original_value"] != "100.4" || temp["original_unit"] != "[degF]" ||
			temp["entered_by"] != "Agnes Patient" || temp["source"] != "manual" || temp["loinc"] != "8310-5" {
			t.Errorf("temperature: %v", temp)
		}
		if hr["status"] != "entered-in-error" || hr["error_reason"] != `'=HYPERLINK("x") wrong patient` || hr["error_by"] != "Nina Care" || hr["error_at_utc"] == "" {
			t.Errorf("the reading in error: %v", hr)
		}
		if glu["value"] != "112" || glu["type"] != "blood_glucose" {
			t.Errorf("glucose: %v", glu)
		}
		if strings.Contains(text, "99") && strings.Contains(text, e.users["patB"].ID) {
			t.Error("another patient's reading is in the export")
		}

		// Without the readings in error, and one type only.
		_, text = e.get("patA", path+"&includeEnteredInError=false")
		if strings.Contains(text, "entered-in-error") || strings.Count(text, "\r\n") != 4 {
			t.Errorf("without readings in error: %q", text)
		}
		_, text = e.get("patA", "/api/v1/patients/"+patA+"/readings.csv?type=blood_glucose&type=heart_rate&includeEnteredInError=false")
		if n := strings.Count(text, "\r\n"); n != 2 || !strings.Contains(text, "blood_glucose") {
			t.Errorf("one type: %d lines: %q", n, text)
		}

		// Refusals come before any row, as problems.
		for _, tt := range []struct{ caller, path, want string }{
			{"nurseNone", path, "no access"},
			{"patA", "/api/v1/patients/" + patA + "/readings.csv?type=nonsense", "unknown measurement type"},
			{"patA", "/api/v1/patients/" + patA + "/readings.csv?from=2026-07-02T00:00:00Z&to=2026-07-01T00:00:00Z", "after its start"},
		} {
			res, text := e.get(tt.caller, tt.path)
			if res.StatusCode < 400 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(text, tt.want) {
				t.Errorf("%s %s: %d %s", tt.caller, tt.path, res.StatusCode, text)
			}
		}
	})
}

// The CSV of thousands of readings arrives whole, across the export's pages.
func TestReadingsCSVAcrossPages(t *testing.T) {
	d := dbtest.SQLite(t)
	e := newEnv(t, d)
	start := time.Now().Add(-24 * time.Hour).Truncate(time.Minute)
	items := make([]readings.Item, 12000)
	for i := range items {
		items[i] = valueItem("heart_rate", "/min", start.Add(time.Duration(i)*time.Second*7), float64(50+i%60))
	}
	e.enter("patA", items...)
	res, text := e.get("nurseCare", "/api/v1/patients/"+e.users["patA"].ID+"/readings.csv")
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, text)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.ReuseRecord = true
	n := 0
	last := ""
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n > 1 && rec[1] < last {
			t.Fatalf("row %d is older than the one before", n)
		}
		last = rec[1]
		n++
	}
	if n != len(items)+1 {
		t.Errorf("%d rows, want %d and a header", n-1, len(items))
	}
}
