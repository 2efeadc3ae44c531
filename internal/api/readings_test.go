package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// newDevice registers a device, assigned to the patient when given.
func (e *env) newDevice(patientKey string) (devices.Device, string) {
	e.t.Helper()
	ctx := context.Background()
	d, cred, err := e.devices.Add(ctx, devices.NewDevice{Kind: devices.BloodPressureMonitor, Maker: "Acme",
		Serial: fmt.Sprintf("SN-%d", e.counter.Add(1))})
	if err != nil {
		e.t.Fatal(err)
	}
	if patientKey != "" {
		if d, err = e.devices.Assign(ctx, d.ID, e.users[patientKey].ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return d, cred.Secret
}

// asDevice sends a request signed in as a device.
func (e *env) asDevice(id, secret, method, path string, body any) (int, string) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

func heartRate(v float64, ext string) map[string]any {
	return map[string]any{"type": "heart_rate", "value": v, "unit": "/min", "takenAt": time.Now().Add(-time.Minute).Format(time.RFC3339Nano), "externalId": ext}
}

func init() {
	admin := func(method, path string, status int, prepare func(e *env) map[string]string, body func(e *env) any) row {
		w, o := only(status, 403, "admin")
		return row{method: method, path: path, want: w, other: o, prepare: prepare, body: body}
	}
	device := func(patient string) func(e *env) map[string]string {
		return func(e *env) map[string]string {
			d, _ := e.newDevice(patient)
			return map[string]string{"{device}": d.ID}
		}
	}
	reading := func(e *env) map[string]string {
		hr := 70.0
		rs, err := e.readings.Ingest(context.Background(), readings.Batch{Door: readings.DoorWeb, Source: readings.SourceManual,
			By: ptr(e.principal("patA")), PatientID: e.users["patA"].ID,
			Items: []readings.Item{{Type: "heart_rate", Value: &hr, Unit: "/min", TakenAt: time.Now().Add(-time.Hour)}}})
		if err != nil || rs[0].Outcome != readings.Stored {
			e.t.Fatalf("%v %+v", err, rs)
		}
		return map[string]string{"{reading}": rs[0].ID}
	}
	entry := func(e *env) map[string]string {
		en, err := e.readings.AddEntry(context.Background(), e.principal("patA"), e.users["patA"].ID,
			readings.NewEntry{Kind: "note", OccurredAt: time.Now().Add(-time.Hour), Note: "felt dizzy"})
		if err != nil {
			e.t.Fatal(err)
		}
		return map[string]string{"{entry}": en.ID}
	}
	vitals := func(status int) (map[string]int, int) { return only(status, 404, "patA", "nurseCare", "family") }
	journal := func(status int) (map[string]int, int) { return only(status, 404, "patA", "nurseCare") }
	rows := map[string]row{
		"devices.list": admin("GET", "/api/v1/devices", 200, nil, nil),
		"devices.create": admin("POST", "/api/v1/devices", 201, nil, func(e *env) any {
			return map[string]any{"kind": "thermometer", "maker": "Acme", "serial": fmt.Sprintf("T-%d", e.counter.Add(1))}
		}),
		"devices.read":     admin("GET", "/api/v1/devices/{device}", 200, device(""), nil),
		"devices.update":   admin("PATCH", "/api/v1/devices/{device}", 200, device(""), func(*env) any { return map[string]any{"enabled": false} }),
		"devices.rotate":   admin("POST", "/api/v1/devices/{device}/credential", 200, device(""), nil),
		"devices.assign":   admin("PUT", "/api/v1/devices/{device}/assignment", 200, device(""), func(*env) any { return map[string]any{"patientId": "{patA}"} }),
		"devices.unassign": admin("DELETE", "/api/v1/devices/{device}/assignment", 200, device("patA"), nil),
		"devices.history":  admin("GET", "/api/v1/devices/{device}/history", 200, device("patA"), nil),
		"measure.types":    {method: "GET", path: "/api/v1/measurement-types", want: signedIn(200)},
	}
	w, o := vitals(200)
	rows["patientdevices.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/devices", want: w, other: o}
	rows["readings.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/readings", want: w, other: o}
	rows["readings.latest"] = row{method: "GET", path: "/api/v1/patients/{patA}/readings/latest", want: w, other: o}
	rows["readings.buckets"] = row{method: "GET", path: "/api/v1/patients/{patA}/readings/buckets?type=heart_rate&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", want: w, other: o}
	rows["readings.read"] = row{method: "GET", path: "/api/v1/patients/{patA}/readings/{reading}", want: w, other: o, prepare: reading}
	rows["readings.ingest"] = row{method: "POST", path: "/api/v1/readings", want: w, other: o,
		body: func(e *env) any { return map[string]any{"patientId": "{patA}", "readings": []any{heartRate(72, "")}} }}
	rows["readings.enter"] = row{method: "POST", path: "/api/v1/patients/{patA}/readings", want: w, other: o,
		body: func(e *env) any { return map[string]any{"readings": []any{heartRate(72, "")}} }}
	rows["readings.gatt"] = row{method: "POST", path: "/api/v1/devices/{device}/gatt", want: w, other: o, prepare: device("patA"),
		body: func(e *env) any {
			return map[string]any{"values": []any{map[string]string{"characteristic": "2A37", "hex": "0055"}}}
		}}
	w, o = vitals(200)
	w["family"] = 403 // may see the reading, but only its patient, a professional or whoever entered it corrects it
	rows["readings.correct"] = row{method: "POST", path: "/api/v1/patients/{patA}/readings/{reading}/entered-in-error", want: w, other: o,
		prepare: reading, body: func(*env) any { return map[string]string{"reason": "wrong arm"} }}
	w, o = journal(200)
	rows["journal.list"] = row{method: "GET", path: "/api/v1/patients/{patA}/journal", want: w, other: o}
	rows["journal.correct"] = row{method: "POST", path: "/api/v1/patients/{patA}/journal/{entry}/entered-in-error", want: w, other: o,
		prepare: entry, body: func(*env) any { return map[string]string{"reason": "typo"} }}
	w, o = journal(201)
	rows["journal.add"] = row{method: "POST", path: "/api/v1/patients/{patA}/journal", want: w, other: o,
		body: func(*env) any {
			return map[string]any{"kind": "food", "occurredAt": time.Now().Add(-time.Hour).Format(time.RFC3339), "name": "porridge", "carbsGrams": 45}
		}}
	addRows(rows)
}

func ptr[T any](v T) *T { return &v }

func TestDeviceBatchIsIdempotentAndReadBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		dev, secret := e.newDevice("patA")
		batch := map[string]any{"readings": []any{
			heartRate(61, "hr-1"),
			map[string]any{"type": "blood_pressure", "unit": "mmHg", "takenAt": time.Now().Add(-2 * time.Minute).Format(time.RFC3339),
				"components": []any{map[string]any{"key": "systolic", "value": 138}, map[string]any{"key": "diastolic", "value": 88}}, "externalId": "bp-1"},
			heartRate(900, "hr-bad"),
			map[string]any{"type": "body_temperature", "value": 99.5, "unit": "[degF]", "takenAt": time.Now().Add(-3 * time.Minute).Format(time.RFC3339), "externalId": "t-1"},
		}}
		var first, second struct {
			Results                    []readings.Result
			Stored, Duplicate, Refused int
		}
		status, body := e.asDevice(dev.ID, secret, "POST", "/api/v1/readings", batch)
		json.Unmarshal([]byte(body), &first)
		if status != 200 || first.Stored != 3 || first.Refused != 1 || first.Results[2].Reason != readings.ReasonImplausible {
			t.Fatalf("first send: %d %s", status, body)
		}
		if !strings.Contains(first.Results[2].Message, "900") {
			t.Errorf("the refusal does not say what was wrong: %q", first.Results[2].Message)
		}
		status, body = e.asDevice(dev.ID, secret, "POST", "/api/v1/readings", batch)
		json.Unmarshal([]byte(body), &second)
		if status != 200 || second.Duplicate != 3 || second.Results[0].ID != first.Results[0].ID {
			t.Fatalf("a retry must answer duplicates with the first ids: %d %s", status, body)
		}
		status, body = e.do("nurseCare", "GET", "/api/v1/patients/"+e.users["patA"].ID+"/readings", nil)
		var page readings.Page
		json.Unmarshal([]byte(body), &page)
		if status != 200 || len(page.Readings) != 3 {
			t.Fatalf("nurse reads back %d: %s", status, body)
		}
		for _, r := range page.Readings {
			if r.DeviceID != dev.ID || r.Source != readings.SourceDevice || r.Door != readings.DoorHTTP {
				t.Errorf("provenance lost: %+v", r)
			}
			if r.Type == "body_temperature" && (r.Original == nil || r.Original.Unit != "[degF]" || *r.Value < 37.4 || *r.Value > 37.6) {
				t.Errorf("°F not converted with the original kept: %+v", r)
			}
		}
		// Nobody else sees them.
		for _, who := range []string{"patB", "nurseNone", "admin"} {
			if status, body := e.do(who, "GET", "/api/v1/patients/"+e.users["patA"].ID+"/readings", nil); status != 404 || strings.Contains(body, "hr-1") {
				t.Errorf("%s: %d %s", who, status, body)
			}
		}
	})
}

func TestDeviceRefusalsAndLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		dev, secret := e.newDevice("patA")
		lonely, lonelySecret := e.newDevice("")
		one := map[string]any{"readings": []any{heartRate(70, "")}}
		if status, _ := e.asDevice(dev.ID, "wrong", "POST", "/api/v1/readings", one); status != 401 {
			t.Errorf("wrong credential: %d", status)
		}
		if status, body := e.asDevice(dev.ID, secret, "GET", "/api/v1/users", nil); status != 403 {
			t.Errorf("a device reached an administrator's route: %d %s", status, body)
		}
		if status, body := e.asDevice(dev.ID, secret, "POST", "/api/v1/readings", map[string]any{"readings": []any{heartRate(70, "")}, "patientId": e.users["patB"].ID}); status != 200 || !strings.Contains(body, "patient_mismatch") {
			t.Errorf("a device sending for another patient: %d %s", status, body)
		}
		if status, body := e.asDevice(lonely.ID, lonelySecret, "POST", "/api/v1/readings", one); status != 200 || !strings.Contains(body, "unassigned") {
			t.Errorf("an unassigned device: %d %s", status, body)
		}
		if _, err := e.devices.SetEnabled(context.Background(), dev.ID, false); err != nil {
			t.Fatal(err)
		}
		status, body := e.asDevice(dev.ID, secret, "POST", "/api/v1/readings", one)
		if status != 200 || !strings.Contains(body, "disabled") {
			t.Errorf("a disabled device: %d %s", status, body)
		}
		e.devices.Flush(context.Background())
		got, _ := e.devices.Get(context.Background(), dev.ID)
		if len(got.Refusals) == 0 {
			t.Errorf("refusals are not counted: %+v", got)
		}
		status, body = e.asDevice(dev.ID, secret, "POST", "/api/v1/readings", "not an object")
		if status < 400 || status >= 500 {
			t.Errorf("a broken body: %d %s", status, body)
		}
	})
}

func TestGATTRelay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		dev, secret := e.newDevice("patA")
		values := map[string]any{"values": []any{
			// standards.md §2.2, first vector: 138/88 mmHg, pulse 60, movement, cuff loose, irregular pulse, improper position.
			map[string]string{"characteristic": "2A35", "hex": "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00", "externalId": "phone-1"},
			map[string]string{"characteristic": "2A37", "hex": "17 01 01"},
			map[string]string{"characteristic": "2A1C", "base64": "not base64!"},
		}}
		status, body := e.asDevice(dev.ID, secret, "POST", "/api/v1/devices/"+dev.ID+"/gatt", values)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var out struct {
			Values []struct {
				Error   string
				Results []readings.Result
			}
		}
		json.Unmarshal([]byte(body), &out)
		if len(out.Values) != 3 || out.Values[0].Error != "" || len(out.Values[0].Results) == 0 || out.Values[1].Error == "" || out.Values[2].Error == "" {
			t.Fatalf("per-value answers: %s", body)
		}
		page, _ := e.readings.List(context.Background(), e.principal("patA"), readings.Query{PatientID: e.users["patA"].ID, Types: []string{"blood_pressure"}})
		if len(page.Readings) != 1 {
			t.Fatalf("stored %d blood pressures", len(page.Readings))
		}
		r := page.Readings[0]
		if r.Components[0].Value != 138 || r.Components[1].Value != 88 || !strings.Contains(strings.Join(r.Flags, ","), "cuff") || r.Door != readings.DoorGATT {
			t.Errorf("stored %+v", r)
		}
		// Another device may not post for this one.
		other, otherSecret := e.newDevice("patA")
		if status, _ := e.asDevice(other.ID, otherSecret, "POST", "/api/v1/devices/"+dev.ID+"/gatt", values); status != 403 {
			t.Errorf("a device posted another's values: %d", status)
		}
	})
}

func TestManualEntryRecordsWhoAndAudits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		patient := e.users["patA"].ID
		status, body := e.do("nurseCare", "POST", "/api/v1/patients/"+patient+"/readings", map[string]any{"readings": []any{heartRate(88, "n-1")}})
		if status != 200 || !strings.Contains(body, `"stored":1`) {
			t.Fatalf("%d %s", status, body)
		}
		page, _ := e.readings.List(context.Background(), e.principal("patA"), readings.Query{PatientID: patient})
		if len(page.Readings) != 1 || page.Readings[0].EnteredBy != e.users["nurseCare"].ID || page.Readings[0].Source != readings.SourceManual {
			t.Fatalf("%+v", page.Readings)
		}
		if status, _ := e.do("nurseNone", "POST", "/api/v1/patients/"+patient+"/readings", map[string]any{"readings": []any{heartRate(88, "")}}); status != 404 {
			t.Errorf("a stranger entered a reading: %d", status)
		}
		page, _ = e.readings.List(context.Background(), e.principal("patA"), readings.Query{PatientID: patient})
		if len(page.Readings) != 1 {
			t.Errorf("a refused entry was stored")
		}
		_ = people.Patient
	})
}

// The patient page opens with the newest reading of each type, in one
// request: newest first, an older reading of a type never shown as its
// latest, entered-in-error ones skipped, and who entered each named.
func TestLatestReadingOfEachType(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		patient := e.users["patA"].ID
		path := "/api/v1/patients/" + patient + "/readings/latest"
		if status, body := e.do("nurseCare", "GET", path, nil); status != 200 || !strings.Contains(body, `"readings":[]`) {
			t.Fatalf("no readings yet: %d %s", status, body)
		}
		at := func(ago time.Duration) string { return time.Now().Add(-ago).Format(time.RFC3339Nano) }
		items := []any{
			map[string]any{"type": "heart_rate", "value": 61, "unit": "/min", "takenAt": at(3 * time.Hour)},
			map[string]any{"type": "heart_rate", "value": 72, "unit": "/min", "takenAt": at(2 * time.Hour)},
			map[string]any{"type": "body_temperature", "value": 37.2, "unit": "Cel", "takenAt": at(time.Hour)},
			map[string]any{"type": "body_weight", "value": 80, "unit": "kg", "takenAt": at(30 * time.Minute)},
		}
		if status, body := e.do("nurseCare", "POST", "/api/v1/patients/"+patient+"/readings", map[string]any{"readings": items}); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		// The weight was wrong: it is no one's latest any more.
		page, _ := e.readings.List(context.Background(), e.principal("patA"), readings.Query{PatientID: patient, Types: []string{"body_weight"}})
		if _, err := e.readings.MarkEnteredInError(context.Background(), e.principal("nurseCare"), page.Readings[0].ID, "wrong scale"); err != nil {
			t.Fatal(err)
		}
		status, body := e.do("family", "GET", path, nil)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var got readings.Page
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Readings) != 2 || got.Readings[0].Type != "body_temperature" || got.Readings[1].Type != "heart_rate" ||
			*got.Readings[1].Value != 72 {
			t.Fatalf("want the temperature, then the newer heart rate: %s", body)
		}
		if got.Readings[1].EnteredByName == "" {
			t.Errorf("who entered the reading is not named: %s", body)
		}
		if status, _ := e.do("nurseNone", "GET", path, nil); status != 404 {
			t.Errorf("a stranger saw the latest readings: %d", status)
		}
	})
}

// A patient's page opened directly asks once for the patient, the latest
// readings and the first chart: the chart is of the first type in the
// viewer's order that has readings, over the range asked for; a viewer
// who may not see vitals gets the patient alone, and that is no refusal.
func TestPatientOverview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		patient := e.users["patA"].ID
		at := func(ago time.Duration) string { return time.Now().Add(-ago).Format(time.RFC3339Nano) }
		items := []any{
			map[string]any{"type": "heart_rate", "value": 64, "unit": "/min", "takenAt": at(3 * time.Hour)},
			map[string]any{"type": "heart_rate", "value": 70, "unit": "/min", "takenAt": at(2 * time.Hour)},
			map[string]any{"type": "body_temperature", "value": 37.1, "unit": "Cel", "takenAt": at(time.Hour)},
		}
		if status, body := e.do("patA", "POST", "/api/v1/patients/"+patient+"/readings", map[string]any{"readings": items}); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		from := time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
		to := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
		path := "/api/v1/patients/" + patient + "/overview?chart=blood_pressure&chart=heart_rate&chart=body_temperature&n=24&from=" + from + "&to=" + to
		status, body := e.do("nurseCare", "GET", path, nil)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var got struct {
			Patient struct{ ID, Access string }
			Latest  []readings.Reading
			Series  *readings.Series
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got.Patient.ID != patient || got.Patient.Access != "care" {
			t.Errorf("patient: %+v", got.Patient)
		}
		if len(got.Latest) != 2 || got.Latest[0].Type != "body_temperature" || got.Latest[0].EnteredByName == "" {
			t.Errorf("latest: %s", body)
		}
		// No blood pressure: the chart is of heart rate, the next in the order, with both its readings.
		if got.Series == nil || got.Series.Type != "heart_rate" || len(got.Series.Buckets) == 0 {
			t.Fatalf("series: %s", body)
		}
		var n int64
		for _, b := range got.Series.Buckets {
			n += b.Count
		}
		if n != 2 {
			t.Errorf("the chart counts %d readings, want 2", n)
		}
		// Without a range, no chart.
		if _, body := e.do("nurseCare", "GET", "/api/v1/patients/"+patient+"/overview", nil); strings.Contains(body, `"series"`) {
			t.Errorf("a chart nobody asked for: %s", body)
		}

		// A journal-only share sees the patient, no readings, and is not refused.
		if _, err := e.access.Share(ctx, e.principal("patA"), patient,
			access.NewShare{GranteeEmail: "doctorX@example.org", Scopes: []access.Scope{access.Journal}}); err != nil {
			t.Fatal(err)
		}
		status, body = e.do("doctorX", "GET", path, nil)
		if status != 200 || strings.Contains(body, `"latest"`) || strings.Contains(body, `"series"`) || !strings.Contains(body, `"access":"share"`) {
			t.Errorf("journal-only viewer: %d %s", status, body)
		}
		if status, _ := e.do("nurseNone", "GET", path, nil); status != 404 {
			t.Errorf("a stranger saw the overview: %d", status)
		}
	})
}
