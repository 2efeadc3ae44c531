package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/readings"
)

// fhirEnv is the API's env with a device assigned to patA.
type fhirEnv struct {
	*env
	dev    devices.Device
	secret string
}

func newFHIREnv(t *testing.T, d *db.DB) *fhirEnv {
	t.Helper()
	e := &fhirEnv{env: newEnv(t, d)}
	res, err := http.Get(e.srv.URL + "/fhir/metadata")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		t.Fatal("the FHIR routes are missing from routes.go")
	}
	e.dev, e.secret = e.fhirAddDevice("BPM-0001", "patA", true)
	return e
}

// addDevice registers a device, assigned to the user key (or to nobody when
// empty), enabled or not, and returns it with its secret.
func (e *env) fhirAddDevice(serial, patient string, enabled bool) (devices.Device, string) {
	e.t.Helper()
	ctx := context.Background()
	d, cred, err := e.devices.Add(ctx, devices.NewDevice{Kind: devices.BloodPressureMonitor, Maker: "Acme", Model: "BP-1", Serial: serial})
	if err != nil {
		e.t.Fatal(err)
	}
	if patient != "" {
		if d, err = e.devices.Assign(ctx, d.ID, e.users[patient].ID); err != nil {
			e.t.Fatal(err)
		}
	}
	if !enabled {
		if d, err = e.devices.SetEnabled(ctx, d.ID, false); err != nil {
			e.t.Fatal(err)
		}
	}
	return d, cred.Secret
}

// as says who sends a FHIR request.
type fhirAs struct {
	user           string // a user key of env: by API token
	device, secret string // a device: by HTTP Basic
}

func fhirPerson(key string) fhirAs { return fhirAs{user: key} }

func (e *fhirEnv) deviceCaller() fhirAs { return fhirAs{device: e.dev.ID, secret: e.secret} }

// fhirResp is an answer of the FHIR door.
type fhirResp struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r fhirResp) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// fhirDo sends a FHIR request. Headers come in pairs; a body is sent as
// application/fhir+json unless a Content-Type is among them.
func (e *env) fhirDo(who fhirAs, method, path string, body []byte, headers ...string) fhirResp {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	switch {
	case who.device != "":
		req.SetBasicAuth(who.device, who.secret)
	case who.user != "" && e.tokens[who.user] != "":
		req.Header.Set("Authorization", "Bearer "+e.tokens[who.user])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := fhirResp{status: res.StatusCode, header: res.Header, body: b}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out.json); err != nil {
			e.t.Errorf("%s %s: the answer is not JSON: %v: %.300s", method, path, err, b)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
			e.t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	if res.StatusCode >= 400 {
		if out.json["resourceType"] != "OperationOutcome" {
			e.t.Errorf("%s %s: error %d is not an OperationOutcome: %.300s", method, path, res.StatusCode, b)
		}
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		e.t.Errorf("%s %s: Cache-Control %q", method, path, res.Header.Get("Cache-Control"))
	}
	return out
}

// issues returns the OperationOutcome's issues as "code expression: diagnostics" lines.
func fhirIssues(r fhirResp) string {
	var lines []string
	list, _ := r.json["issue"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		expr := ""
		if ex, ok := m["expression"].([]any); ok && len(ex) > 0 {
			expr = fmt.Sprint(ex[0])
		}
		lines = append(lines, fmt.Sprintf("%v %s: %v", m["code"], expr, m["diagnostics"]))
	}
	return strings.Join(lines, "\n")
}

// at is a time a minute ago, as FHIR writes it: readings must not be from
// the future, nor from before the device was assigned.
func fhirAt(ago time.Duration) string {
	return time.Now().Add(-ago).UTC().Truncate(time.Second).Format(time.RFC3339)
}

// bpExample is the blood pressure Observation of standards.md §1, for a
// subject and device, taken at when.
func fhirBP(subject, device, when string) []byte {
	return []byte(`{
  "resourceType": "Observation",
  "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/bp"]},
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs", "display": "Vital Signs"}]}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9",
                       "display": "Blood pressure panel with all children optional"}]},
  "subject": {"reference": "Patient/` + subject + `"},
  "effectiveDateTime": "` + when + `",
  "device": {"reference": "Device/` + device + `"},
  "component": [
    {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure"}]},
     "valueQuantity": {"value": 138, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
    {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic blood pressure"}]},
     "valueQuantity": {"value": 88, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}
  ]
}`)
}

// obs is a single-valued vital sign: a map to tweak before sending.
func fhirObs(code, subject string, value any, unit, when string) map[string]any {
	return map[string]any{
		"resourceType": "Observation",
		"status":       "final",
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}}}},
		"code":              map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code}}},
		"subject":           map[string]any{"reference": "Patient/" + subject},
		"effectiveDateTime": when,
		"valueQuantity":     map[string]any{"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
	}
}

func fhirHR(subject string, bpm any, when string) map[string]any {
	return fhirObs("8867-4", subject, bpm, "/min", when)
}

func fhirWithID(o map[string]any, system, value string) map[string]any {
	o["identifier"] = []any{map[string]any{"system": system, "value": value}}
	return o
}

func fhirJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// bundle wraps Observations in a transaction or batch Bundle.
func fhirBundleOf(typ string, entries ...map[string]any) []byte {
	var es []any
	for _, o := range entries {
		es = append(es, map[string]any{"request": map[string]any{"method": "POST", "url": "Observation"}, "resource": o})
	}
	return fhirJSON(map[string]any{"resourceType": "Bundle", "type": typ, "entry": es})
}

// stored lists patA's stored readings, as patA sees them.
func (e *env) fhirStored(patient string) []readings.Reading {
	e.t.Helper()
	p, err := e.readings.List(context.Background(), e.principal(patient), readings.Query{PatientID: e.users[patient].ID, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Readings
}

// fhirSansTimes returns an Observation's JSON without meta.lastUpdated and
// issued, after checking that they are the same instant and recent.
func fhirSansTimes(t *testing.T, r fhirResp) string {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(r.body, &o); err != nil {
		t.Fatal(err)
	}
	meta, _ := o["meta"].(map[string]any)
	updated, _ := meta["lastUpdated"].(string)
	issued, _ := o["issued"].(string)
	when, err := time.Parse(time.RFC3339Nano, updated)
	if err != nil || updated != issued || time.Since(when).Abs() > time.Minute {
		t.Errorf("lastUpdated %q, issued %q", updated, issued)
	}
	delete(meta, "lastUpdated")
	delete(o, "issued")
	return string(fhirJSON(o))
}

var fhirLocationRE = regexp.MustCompile(`/fhir/Observation/([0-9a-f-]{36})/_history/1$`)

func TestFHIRMetadataIsPublic(t *testing.T) {
	e := newFHIREnv(t, dbtest.SQLite(t))
	r := e.fhirDo(fhirAs{}, "GET", "/fhir/metadata", nil)
	if r.status != 200 || r.json["resourceType"] != "CapabilityStatement" || r.json["fhirVersion"] != "4.0.1" {
		t.Fatalf("metadata: %s", r)
	}
	if !strings.Contains(string(r.body), `"transaction"`) || !strings.Contains(string(r.body), e.srv.URL+"/fhir") {
		t.Errorf("the statement does not show the transaction interaction or its base: %s", r.body)
	}
	if r := e.fhirDo(fhirAs{}, "GET", "/fhir/metadata", nil, "Accept", "application/fhir+xml"); r.status != 406 {
		t.Errorf("XML asked for: %s", r)
	}
}

// The blood pressure of standards.md §1, sent by the patient's cuff, read
// back by the nurse caring for her and by family with a vitals share, and
// by nobody else.
func TestFHIRBloodPressureFromDeviceToNurse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA := e.users["patA"].ID
		r := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", fhirBP(patA, e.dev.ID, fhirAt(time.Minute)))
		if r.status != 201 {
			t.Fatalf("create: %s\n%s", r, fhirIssues(r))
		}
		m := fhirLocationRE.FindStringSubmatch(r.header.Get("Location"))
		if m == nil || r.header.Get("ETag") != `W/"1"` || r.header.Get("Last-Modified") == "" {
			t.Fatalf("Location %q, ETag %q", r.header.Get("Location"), r.header.Get("ETag"))
		}
		id := m[1]
		if r.json["id"] != id || r.json["resourceType"] != "Observation" {
			t.Errorf("the created Observation: %s", r.body)
		}
		for _, want := range []string{`"85354-9"`, `"8480-6"`, `"value":138`, `"value":88`, `"Patient/` + patA + `"`, `"Device/` + e.dev.ID + `"`,
			`"http://hl7.org/fhir/StructureDefinition/bp"`, `"versionId":"1"`} {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("the created Observation lacks %s: %s", want, r.body)
			}
		}
		created := fhirSansTimes(t, r)

		// The nurse caring for patA reads it back, by id and by search,
		// as it was answered when created (but for the times of receipt:
		// the create answers the door's, taken just before the store's).
		got := e.fhirDo(fhirPerson("nurseCare"), "GET", "/fhir/Observation/"+id, nil)
		if got.status != 200 || fhirSansTimes(t, got) != created {
			t.Errorf("read by the nurse:\n got %s\nwant %s", got.body, r.body)
		}
		if got.header.Get("ETag") != `W/"1"` {
			t.Errorf("read ETag %q", got.header.Get("ETag"))
		}
		s := e.fhirDo(fhirPerson("nurseCare"), "GET", "/fhir/Observation?patient=Patient/"+patA+"&code=http://loinc.org|85354-9", nil)
		if s.status != 200 || s.json["type"] != "searchset" || !strings.Contains(string(s.body), `"id":"`+id+`"`) {
			t.Errorf("search by the nurse: %s", s)
		}
		if f := e.fhirDo(fhirPerson("family"), "GET", "/fhir/Observation/"+id, nil); f.status != 200 {
			t.Errorf("family with a vitals share: %s", f)
		}
		// Nobody else sees it, whether they ask for it or search for all.
		for _, who := range []string{"nurseNone", "patB", "doctorX", "admin"} {
			if r := e.fhirDo(fhirPerson(who), "GET", "/fhir/Observation/"+id, nil); r.status != 404 || !strings.Contains(fhirIssues(r), "not-found") {
				t.Errorf("read by %s: %s", who, r)
			}
			if r := e.fhirDo(fhirPerson(who), "GET", "/fhir/Observation?patient="+patA, nil); r.status != 404 {
				t.Errorf("search of patA by %s: %s", who, r)
			}
			r := e.fhirDo(fhirPerson(who), "GET", "/fhir/Observation", nil)
			if r.status != 200 || strings.Contains(string(r.body), id) || strings.Contains(string(r.body), patA) {
				t.Errorf("search of everything by %s shows patA's reading: %s", who, r)
			}
		}
		// The device may send, not read.
		if r := e.fhirDo(e.deviceCaller(), "GET", "/fhir/Observation/"+id, nil); r.status != 403 {
			t.Errorf("read by the device: %s", r)
		}
		// And the store has it as the device's reading through the FHIR door.
		rs := e.fhirStored("patA")
		if len(rs) != 1 || rs[0].Source != readings.SourceDevice || rs[0].Door != readings.DoorFHIR || rs[0].DeviceID != e.dev.ID {
			t.Errorf("stored: %+v", rs)
		}
	})
}

func TestFHIRTemperatureInFahrenheitIsStoredInCelsius(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA := e.users["patA"].ID
		o := fhirObs("8310-5", patA, json.Number("99.5"), "[degF]", fhirAt(time.Hour))
		r := e.fhirDo(fhirPerson("patA"), "POST", "/fhir/Observation", fhirJSON(o))
		if r.status != 201 {
			t.Fatalf("create: %s", r)
		}
		q := r.json["valueQuantity"].(map[string]any)
		if q["code"] != "Cel" || q["value"] != 37.5 {
			t.Errorf("answered as %v", q)
		}
		rs := e.fhirStored("patA")
		if len(rs) != 1 || *rs[0].Value != 37.5 || rs[0].Unit != "Cel" || rs[0].Original == nil ||
			*rs[0].Original.Value != 99.5 || rs[0].Original.Unit != "[degF]" || rs[0].Source != readings.SourceManual {
			t.Fatalf("stored: %+v", rs)
		}
		got := e.fhirDo(fhirPerson("patA"), "GET", "/fhir/Observation/"+rs[0].ID, nil)
		if !strings.Contains(string(got.body), `"value":37.5`) || !strings.Contains(string(got.body), `"code":"Cel"`) ||
			!strings.Contains(string(got.body), `"http://hl7.org/fhir/StructureDefinition/bodytemp"`) {
			t.Errorf("read back: %s", got)
		}
	})
}

func TestFHIRRetryAndIfNoneExistStoreOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA := e.users["patA"].ID
		when := fhirAt(2 * time.Minute)
		body := fhirJSON(fhirWithID(fhirHR(patA, 72, when), "urn:acme:bpm", "r-1"))
		first := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", body)
		again := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", body)
		if first.status != 201 || again.status != 200 || first.json["id"] != again.json["id"] {
			t.Fatalf("retry: %s then %s", first, again)
		}
		if first.header.Get("Location") != again.header.Get("Location") {
			t.Errorf("Locations %q and %q", first.header.Get("Location"), again.header.Get("Location"))
		}
		if !strings.Contains(string(again.body), `"system":"urn:acme:bpm","value":"r-1"`) {
			t.Errorf("the identifier is not kept: %s", again.body)
		}

		// A conditional create by a person: the second, with another value,
		// answers the reading stored the first time.
		o := fhirWithID(fhirHR(patA, 80, when), "urn:tend:manual", "m-7")
		hdr := []string{"If-None-Exist", "identifier=urn:tend:manual|m-7"}
		c1 := e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir/Observation", fhirJSON(o), hdr...)
		o["valueQuantity"].(map[string]any)["value"] = 81
		c2 := e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir/Observation", fhirJSON(o), hdr...)
		if c1.status != 201 || c2.status != 200 || c1.json["id"] != c2.json["id"] || !strings.Contains(string(c2.body), `"value":80`) {
			t.Errorf("conditional create: %s then %s", c1, c2)
		}
		bad := e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir/Observation", fhirJSON(o), "If-None-Exist", "identifier=urn:other|x")
		if bad.status != 422 || !strings.Contains(fhirIssues(bad), "If-None-Exist") {
			t.Errorf("criteria the Observation does not carry: %s", bad)
		}
		if n := len(e.fhirStored("patA")); n != 2 {
			t.Errorf("%d readings stored, want 2", n)
		}

		// Prefer says what the answer holds.
		min := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", fhirJSON(fhirHR(patA, 70, when)), "Prefer", "return=minimal")
		if min.status != 201 || len(min.body) != 0 || min.header.Get("Location") == "" {
			t.Errorf("return=minimal: %s", min)
		}
		oo := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", fhirJSON(fhirHR(patA, 71, when)), "Prefer", "return=OperationOutcome")
		if oo.status != 201 || oo.json["resourceType"] != "OperationOutcome" || !strings.Contains(fhirIssues(oo), "stored as Observation/") {
			t.Errorf("return=OperationOutcome: %s", oo)
		}
	})
}

func TestFHIRSubjectByMRN(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		byMRN := func(mrn string) map[string]any {
			o := fhirHR("x", 64, fhirAt(time.Minute))
			o["subject"] = map[string]any{"identifier": map[string]any{"system": "urn:oid:2.16.840.1.113883.3.1", "value": mrn}}
			return o
		}
		if r := e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir/Observation", fhirJSON(byMRN("MRN-AAA-111"))); r.status != 201 ||
			!strings.Contains(string(r.body), "Patient/"+e.users["patA"].ID) {
			t.Errorf("nurse by patA's MRN: %s", r)
		}
		if r := e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir/Observation", fhirJSON(byMRN("MRN-BBB-222"))); r.status != 404 ||
			strings.Contains(string(r.body), e.users["patB"].ID) {
			t.Errorf("nurse by the MRN of a patient she does not care for: %s", r)
		}
		if r := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", fhirJSON(byMRN("MRN-AAA-111"))); r.status != 201 {
			t.Errorf("device by its patient's MRN: %s", r)
		}
		if r := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", fhirJSON(byMRN("MRN-BBB-222"))); r.status != 403 {
			t.Errorf("device by another patient's MRN: %s", r)
		}
		if n := len(e.fhirStored("patA")); n != 2 {
			t.Errorf("%d readings stored for patA, want 2", n)
		}
	})
}

func TestFHIRTransactionIsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA, patB := e.users["patA"].ID, e.users["patB"].ID
		good := func(i int) map[string]any {
			return fhirWithID(fhirHR(patA, 60+i, fhirAt(time.Duration(i)*time.Second)), "urn:acme", fmt.Sprint("tx-", i))
		}
		for name, c := range map[string]struct {
			who  fhirAs
			bad  map[string]any
			want int
			says string
		}{
			"implausible":     {e.deviceCaller(), fhirHR(patA, 900, fhirAt(time.Minute)), 422, "Bundle.entry[1].resource.valueQuantity"},
			"in the future":   {e.deviceCaller(), fhirHR(patA, 70, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), 422, "future"},
			"before assigned": {e.deviceCaller(), fhirHR(patA, 70, fhirAt(24*time.Hour)), 422, "before the device was assigned"},
			"another patient": {e.deviceCaller(), fhirHR(patB, 70, fhirAt(time.Minute)), 403, "assigned to another patient"},
			"two patients":    {fhirPerson("nurseCare"), fhirHR(patB, 70, fhirAt(time.Minute)), 422, "one patient"},
			"entered-in-error": {fhirPerson("nurseCare"), func() map[string]any {
				o := fhirHR(patA, 70, fhirAt(time.Minute))
				o["status"] = "entered-in-error"
				return o
			}(), 422, "status"},
		} {
			r := e.fhirDo(c.who, "POST", "/fhir", fhirBundleOf("transaction", good(1), c.bad, good(2)))
			if r.status != c.want || !strings.Contains(fhirIssues(r), c.says) || !strings.Contains(fhirIssues(r), "nothing was stored") {
				t.Errorf("%s: %s\n%s", name, r, fhirIssues(r))
			}
			if n := len(e.fhirStored("patA")); n != 0 {
				t.Fatalf("%s: %d readings of a failed transaction stayed", name, n)
			}
		}
		// A disabled device's transaction is refused whole by the store.
		off, offSecret := e.fhirAddDevice("BPM-OFF", "patA", false)
		r := e.fhirDo(fhirAs{device: off.ID, secret: offSecret}, "POST", "/fhir", fhirBundleOf("transaction", good(1), good(2)))
		if r.status != 422 || !strings.Contains(fhirIssues(r), "disabled") {
			t.Errorf("disabled device: %s", r)
		}
		if n := len(e.fhirStored("patA")); n != 0 {
			t.Fatalf("a disabled device's transaction stored %d", n)
		}
		// A good one is stored whole, and sent again is stored before.
		body := fhirBundleOf("transaction", good(1), good(2), good(3))
		for i, want := range []string{"201 Created", "200 OK"} {
			r := e.fhirDo(e.deviceCaller(), "POST", "/fhir", body)
			if r.status != 200 || r.json["type"] != "transaction-response" || strings.Count(string(r.body), want) != 3 {
				t.Errorf("good transaction, try %d: %s", i+1, r)
			}
		}
		if n := len(e.fhirStored("patA")); n != 3 {
			t.Errorf("%d readings stored, want 3", n)
		}
	})
}

func TestFHIRBatchAnswersEachEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA := e.users["patA"].ID
		notObs := map[string]any{"resourceType": "Patient", "id": "x"}
		body := fhirBundleOf("batch", fhirHR(patA, 70, fhirAt(time.Minute)), fhirHR(patA, 900, fhirAt(time.Minute)), notObs,
			fhirObs("8310-5", patA, 37.2, "Cel", fhirAt(time.Minute)))
		r := e.fhirDo(e.deviceCaller(), "POST", "/fhir", body)
		if r.status != 200 || r.json["type"] != "batch-response" {
			t.Fatalf("batch: %s", r)
		}
		var statuses []string
		for _, en := range r.json["entry"].([]any) {
			statuses = append(statuses, en.(map[string]any)["response"].(map[string]any)["status"].(string))
		}
		if strings.Join(statuses, ",") != "201 Created,422 Unprocessable Entity,422 Unprocessable Entity,201 Created" {
			t.Errorf("statuses %v: %s", statuses, r.body)
		}
		if !strings.Contains(string(r.body), "Bundle.entry[1].resource.valueQuantity") {
			t.Errorf("the refusal is not located: %s", r.body)
		}
		if n := len(e.fhirStored("patA")); n != 2 {
			t.Errorf("%d readings stored, want 2", n)
		}
		// A person's batch for two patients: each entry on its own.
		r = e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir/", fhirBundleOf("batch", fhirHR(patA, 66, fhirAt(time.Minute)),
			fhirHR(e.users["patB"].ID, 66, fhirAt(time.Minute))))
		if r.status != 200 || !strings.Contains(string(r.body), "201 Created") || !strings.Contains(string(r.body), "404 Not Found") {
			t.Errorf("a batch for two patients: %s", r)
		}
	})
}

// At least fifteen kinds of bad input, each answered with an
// OperationOutcome that says what is wrong, while the server keeps serving.
func TestFHIRBadInputIsAnsweredClearly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA, patB := e.users["patA"].ID, e.users["patB"].ID
		off, offSecret := e.fhirAddDevice("BPM-OFF", "patA", false)
		loose, looseSecret := e.fhirAddDevice("BPM-LOOSE", "", true)
		hr := func(mod func(map[string]any)) []byte {
			o := fhirHR(patA, 72, fhirAt(time.Minute))
			if mod != nil {
				mod(o)
			}
			return fhirJSON(o)
		}
		dev := e.deviceCaller()
		cases := []struct {
			name         string
			who          fhirAs
			method, path string
			body         []byte
			headers      []string
			status       int
			says         string
		}{
			{"broken JSON", dev, "POST", "/fhir/Observation", []byte(`{"resourceType": "Observation", "status": `), nil, 400, "structure"},
			{"not an object", dev, "POST", "/fhir/Observation", []byte(`[1, 2]`), nil, 400, "structure"},
			{"wrong resourceType", dev, "POST", "/fhir/Observation", []byte(`{"resourceType": "Patient"}`), nil, 0, "Observation"},
			{"no subject", dev, "POST", "/fhir/Observation", hr(func(o map[string]any) { delete(o, "subject") }), nil, 422, "Observation.subject"},
			{"non-UCUM unit", dev, "POST", "/fhir/Observation", hr(func(o map[string]any) {
				o["valueQuantity"] = map[string]any{"value": 72, "unit": "bpm", "system": "http://unitsofmeasure.org", "code": "beats"}
			}), nil, 422, "Observation.valueQuantity.code"},
			{"heart rate 900", dev, "POST", "/fhir/Observation", fhirJSON(fhirHR(patA, 900, fhirAt(time.Minute))), nil, 422, "Observation.valueQuantity"},
			{"entered-in-error", dev, "POST", "/fhir/Observation", hr(func(o map[string]any) { o["status"] = "entered-in-error" }), nil, 422, "Observation.status"},
			{"unknown element", dev, "POST", "/fhir/Observation", hr(func(o map[string]any) { o["valueBanana"] = 1 }), nil, 0, "valueBanana"},
			{"in the future", dev, "POST", "/fhir/Observation", fhirJSON(fhirHR(patA, 72, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))), nil, 422, "future"},
			{"oversized body", dev, "POST", "/fhir/Observation", bytes.Repeat([]byte(" "), 300<<10), nil, 413, "too-costly"},
			{"oversized bundle", dev, "POST", "/fhir", bytes.Repeat([]byte(" "), 5<<20), nil, 413, "too-costly"},
			{"empty body", dev, "POST", "/fhir/Observation", []byte{}, nil, 400, "empty"},
			{"wrong content type", dev, "POST", "/fhir/Observation", hr(nil), []string{"Content-Type", "text/plain"}, 415, "application/fhir+json"},
			{"XML", dev, "POST", "/fhir/Observation", []byte(`<Observation/>`), []string{"Content-Type", "application/fhir+xml"}, 415, "application/fhir+json"},
			{"another patient's reading from a device", dev, "POST", "/fhir/Observation", fhirJSON(fhirHR(patB, 72, fhirAt(time.Minute))), nil, 403, "assigned to another patient"},
			{"another device named", dev, "POST", "/fhir/Observation", hr(func(o map[string]any) { o["device"] = map[string]any{"reference": "Device/" + off.ID} }), nil, 403, "Observation.device"},
			{"disabled device", fhirAs{device: off.ID, secret: offSecret}, "POST", "/fhir/Observation", hr(nil), nil, 422, "disabled"},
			{"unassigned device", fhirAs{device: loose.ID, secret: looseSecret}, "POST", "/fhir/Observation", hr(nil), nil, 422, "not assigned"},
			{"person without access", fhirPerson("nurseNone"), "POST", "/fhir/Observation", hr(nil), nil, 404, "not-found"},
			{"family writes a patient they do not share", fhirPerson("family"), "POST", "/fhir/Observation", fhirJSON(fhirHR(patB, 72, fhirAt(time.Minute))), nil, 404, "not-found"},
			{"anonymous create", fhirAs{}, "POST", "/fhir/Observation", hr(nil), nil, 401, "login"},
			{"anonymous search", fhirAs{}, "GET", "/fhir/Observation?patient=" + patA, nil, nil, 401, "login"},
			{"device searching", dev, "GET", "/fhir/Observation?patient=" + patA, nil, nil, 403, "devices may only send"},
			{"unknown search parameter", fhirPerson("nurseCare"), "GET", "/fhir/Observation?colour=red", nil, nil, 0, "colour"},
			{"bad date", fhirPerson("nurseCare"), "GET", "/fhir/Observation?date=xx2026", nil, nil, 0, "date"},
			{"bad _count", fhirPerson("nurseCare"), "GET", "/fhir/Observation?_count=many", nil, nil, 0, "_count"},
			{"bad _page", fhirPerson("nurseCare"), "GET", "/fhir/Observation?patient=" + patA + "&_page=nonsense", nil, nil, 400, "_page"},
			{"bundle of another type", dev, "POST", "/fhir", []byte(`{"resourceType": "Bundle", "type": "collection"}`), nil, 422, "collection"},
			{"transaction entry with PUT", dev, "POST", "/fhir", []byte(`{"resourceType": "Bundle", "type": "transaction", "entry": [{"request": {"method": "PUT", "url": "Observation/1"}, "resource": {"resourceType": "Observation"}}]}`), nil, 422, "POST"},
			{"unknown resource", fhirPerson("nurseCare"), "GET", "/fhir/Patient/" + patA, nil, nil, 404, "no FHIR endpoint"},
			{"unknown method", fhirPerson("nurseCare"), "DELETE", "/fhir/Observation/abc", nil, nil, 405, "not supported"},
			{"unknown Observation", fhirPerson("nurseCare"), "GET", "/fhir/Observation/0190aaaa-0000-7000-8000-000000000000", nil, nil, 404, "no Observation"},
			{"XML asked for", fhirPerson("nurseCare"), "GET", "/fhir/Observation", nil, []string{"Accept", "application/fhir+xml"}, 406, "JSON only"},
		}
		if len(cases) < 15 {
			t.Fatalf("only %d bad inputs", len(cases))
		}
		for _, c := range cases {
			r := e.fhirDo(c.who, c.method, c.path, c.body, c.headers...)
			if (c.status != 0 && r.status != c.status) || r.status < 400 || r.status >= 500 {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.body)
			}
			if !strings.Contains(fhirIssues(r), c.says) {
				t.Errorf("%s: the answer does not say %q:\n%s", c.name, c.says, fhirIssues(r))
			}
			if m := e.fhirDo(fhirAs{}, "GET", "/fhir/metadata", nil); m.status != 200 {
				t.Fatalf("after %s the server stopped serving: %s", c.name, m)
			}
		}
		if n := len(e.fhirStored("patA")); n != 0 {
			t.Errorf("bad input stored %d readings", n)
		}
		if r := e.fhirDo(dev, "POST", "/fhir/Observation", hr(nil)); r.status != 201 {
			t.Errorf("a good reading after the bad ones: %s", r)
		}
		// The refusals from the devices are counted on them.
		for _, id := range []string{off.ID, loose.ID} {
			got, err := e.devices.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.devices.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, _ = e.devices.Get(context.Background(), id); len(got.Refusals) == 0 {
				t.Errorf("device %s: no refusal counted", got.Serial)
			}
		}
	})
}

// A bad device credential is refused before the FHIR door by the shared
// middleware; it should answer in FHIR's terms too.
func TestFHIRBadDeviceCredential(t *testing.T) {
	e := newFHIREnv(t, dbtest.SQLite(t))
	req, _ := http.NewRequest("POST", e.srv.URL+"/fhir/Observation", strings.NewReader("{}"))
	req.SetBasicAuth(e.dev.ID, "wrong")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("wrong credential: %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("a bad credential on /fhir is answered with %s, not an OperationOutcome", ct)
	}
}

func TestFHIRSearchFiltersSortsAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA := e.users["patA"].ID
		base := time.Now().Add(-50 * time.Minute).UTC().Truncate(time.Minute)
		var entries []map[string]any
		for i := range 5 {
			entries = append(entries, fhirHR(patA, 60+i, base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)))
		}
		entries = append(entries, fhirObs("8310-5", patA, 37.1, "Cel", base.Format(time.RFC3339)))
		// Entered by the nurse: the device was assigned only now.
		if r := e.fhirDo(fhirPerson("nurseCare"), "POST", "/fhir", fhirBundleOf("transaction", entries...)); r.status != 200 {
			t.Fatalf("seed: %s", r)
		}
		values := func(r fhirResp) []float64 {
			var out []float64
			list, _ := r.json["entry"].([]any)
			for _, en := range list {
				res := en.(map[string]any)["resource"].(map[string]any)
				if q, ok := res["valueQuantity"].(map[string]any); ok {
					out = append(out, q["value"].(float64))
				}
			}
			return out
		}
		nurse := fhirPerson("nurseCare")
		q := func(params string) fhirResp {
			r := e.fhirDo(nurse, "GET", "/fhir/Observation?"+params, nil)
			if r.status != 200 || r.json["type"] != "searchset" {
				t.Fatalf("search %s: %s", params, r)
			}
			return r
		}
		if v := values(q("patient=" + patA + "&code=8867-4")); fmt.Sprint(v) != "[64 63 62 61 60]" {
			t.Errorf("heart rate, newest first: %v", v)
		}
		if v := values(q("subject=Patient/" + patA + "&code=http://loinc.org|8867-4&_sort=date")); fmt.Sprint(v) != "[60 61 62 63 64]" {
			t.Errorf("oldest first: %v", v)
		}
		from, to := base.Add(time.Minute).Format(time.RFC3339), base.Add(3*time.Minute).Format(time.RFC3339)
		if v := values(q("patient=" + patA + "&code=8867-4&date=ge" + url.QueryEscape(from) + "&date=le" + url.QueryEscape(to))); fmt.Sprint(v) != "[63 62 61]" {
			t.Errorf("ge/le: %v", v)
		}
		if v := values(q("patient=" + patA + "&code=8310-5")); fmt.Sprint(v) != "[37.1]" {
			t.Errorf("temperature: %v", v)
		}
		if r := q("patient=" + patA + "&_summary=count"); r.json["total"] != 6.0 || r.json["entry"] != nil {
			t.Errorf("count: %s", r)
		}
		// Paging by the next link.
		var all []float64
		r := q("patient=" + patA + "&code=8867-4&_count=2")
		for pages := 0; ; pages++ {
			all = append(all, values(r)...)
			next := ""
			for _, l := range r.json["link"].([]any) {
				if l.(map[string]any)["relation"] == "next" {
					next = l.(map[string]any)["url"].(string)
				}
			}
			if next == "" || pages > 5 {
				break
			}
			u, _ := url.Parse(next)
			r = q(u.RawQuery)
		}
		if fmt.Sprint(all) != "[64 63 62 61 60]" {
			t.Errorf("paged: %v", all)
		}
		// By form POST, and with lenient handling of what Tend ignores.
		f := e.fhirDo(nurse, "POST", "/fhir/Observation/_search", []byte("patient="+patA+"&code=8310-5"),
			"Content-Type", "application/x-www-form-urlencoded")
		if f.status != 200 || fmt.Sprint(values(f)) != "[37.1]" {
			t.Errorf("POST _search: %s", f)
		}
		l := e.fhirDo(nurse, "GET", "/fhir/Observation?patient="+patA+"&colour=red&_count=1", nil, "Prefer", "handling=lenient")
		if l.status != 200 || len(values(l)) != 1 || !strings.Contains(string(l.body), "colour") {
			t.Errorf("lenient: %s", l)
		}
	})
}

func TestFHIRCookieSessionNeedsCSRF(t *testing.T) {
	e := newFHIREnv(t, dbtest.SQLite(t))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Post(e.srv.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email": "patA@example.org", "password": "`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csrf := ""
	for _, c := range res.Cookies() {
		if c.Name == "tend_csrf" {
			csrf = c.Value
		}
	}
	post := func(token string) int {
		req, _ := http.NewRequest("POST", e.srv.URL+"/fhir/Observation", bytes.NewReader(fhirJSON(fhirHR(e.users["patA"].ID, 75, fhirAt(time.Minute)))))
		req.Header.Set("Content-Type", "application/fhir+json")
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(""); got != 403 {
		t.Errorf("without the CSRF token: %d", got)
	}
	if got := post(csrf); got != 201 {
		t.Errorf("with the CSRF token: %d", got)
	}
}

// Reads, writes and denials each leave an audit event with the patient.
func TestFHIRAccessIsAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newFHIREnv(t, d)
		patA := e.users["patA"].ID
		r := e.fhirDo(e.deviceCaller(), "POST", "/fhir/Observation", fhirJSON(fhirHR(patA, 70, fhirAt(time.Minute))))
		id, _ := r.json["id"].(string)
		e.fhirDo(fhirPerson("nurseCare"), "GET", "/fhir/Observation/"+id, nil)
		e.fhirDo(fhirPerson("nurseCare"), "GET", "/fhir/Observation?patient="+patA, nil)
		e.fhirDo(fhirPerson("nurseNone"), "GET", "/fhir/Observation?patient="+patA, nil)
		e.fhirDo(fhirPerson("nurseNone"), "POST", "/fhir/Observation", fhirJSON(fhirHR(patA, 70, fhirAt(time.Minute))))
		e.fhirDo(e.deviceCaller(), "POST", "/fhir", fhirBundleOf("transaction", fhirHR(patA, 71, fhirAt(time.Minute))))
		events, err := e.audit.List(context.Background(), audit.Query{PatientID: patA, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range events {
			if !strings.HasPrefix(ev.Action, "fhir.") {
				continue
			}
			got = append([]string{ev.Action + " " + ev.ActorKind + " " + ev.Outcome}, got...)
			if ev.IP == "" || ev.RequestID == "" {
				t.Errorf("event without its origin: %+v", ev)
			}
		}
		want := []string{
			"fhir.observation.create device success",
			"fhir.observation.read user success",
			"fhir.observation.search user success",
			"fhir.observation.search user denied",
			"fhir.observation.create user denied",
			"fhir.transaction device success",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The denied read of a reading the caller may not see is audited
		// too, without naming whose it is.
		before, _ := e.audit.List(context.Background(), audit.Query{ActorID: e.users["patB"].ID})
		e.fhirDo(fhirPerson("patB"), "GET", "/fhir/Observation/"+id, nil)
		after, _ := e.audit.List(context.Background(), audit.Query{ActorID: e.users["patB"].ID})
		if len(after) != len(before)+1 || after[0].Outcome != audit.Denied || after[0].PatientID != "" {
			t.Errorf("denied read: %+v", after)
		}
	})
}

// Bodies mangled at random, as a broken gateway might send them: each is
// stored or answered with an OperationOutcome, never a fault, and the
// server keeps serving.
func TestFHIRMangledBodiesNeverFault(t *testing.T) {
	e := newFHIREnv(t, dbtest.SQLite(t))
	patA := e.users["patA"].ID
	seeds := [][]byte{
		fhirBP(patA, e.dev.ID, fhirAt(time.Minute)),
		fhirBundleOf("batch", fhirHR(patA, 70, fhirAt(time.Minute)), fhirObs("8310-5", patA, 37.2, "Cel", fhirAt(time.Minute))),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]":,.-0123456789eE+ \\u00nulltruefalse`)
	for i := range 200 {
		seed := seeds[i%len(seeds)]
		b := bytes.Clone(seed)
		for range 1 + rng.IntN(4) {
			switch pos := rng.IntN(len(b)); rng.IntN(3) {
			case 0: // change a byte
				b[pos] = alphabet[rng.IntN(len(alphabet))]
			case 1: // cut
				b = b[:pos]
			default: // duplicate a stretch
				end := min(len(b), pos+rng.IntN(40))
				b = append(b[:end:end], b[pos:]...)
			}
			if len(b) == 0 {
				b = []byte("{")
			}
		}
		path := "/fhir/Observation"
		if i%len(seeds) == 1 {
			path = "/fhir"
		}
		r := e.fhirDo(e.deviceCaller(), "POST", path, b)
		if r.status >= 500 || r.status == 0 {
			t.Fatalf("mutation %d: %s\nbody: %s", i, r, b)
		}
	}
	if m := e.fhirDo(fhirAs{}, "GET", "/fhir/metadata", nil); m.status != 200 {
		t.Fatalf("the server stopped serving: %s", m)
	}
}
