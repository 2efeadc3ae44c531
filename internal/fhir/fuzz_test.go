package fhir

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

func observationSeeds(t testing.TB) []string {
	return []string{
		standardsBP,
		temperature,
		edit(t, temperature, `category=`, `valueQuantity.code="[degF]"`, `valueQuantity.value=99.50`),
		edit(t, temperature, `effectiveDateTime=`, `effectivePeriod={"start": "2026-11-22", "end": "2026-11-23T00:00:00Z"}`),
		edit(t, temperature, `subject={"identifier": {"system": "urn:oid:1.2.3", "value": "MRN-7"}, "reference": "Patient/p1"}`),
		edit(t, standardsBP, `component.2={"code": {"coding": [{"system": "http://loinc.org", "code": "8478-0"}]}, "dataAbsentReason": {"text": "x"}}`),
		edit(t, temperature, `code={"coding": [{"system": "http://loinc.org", "code": "59408-5"}]}`, `valueQuantity={"value": 0.97, "system": "http://unitsofmeasure.org", "code": "1"}`),
		edit(t, temperature, `code={"coding": [{"system": "http://loinc.org", "code": "14743-9"}]}`, `valueQuantity={"value": 5.5, "system": "http://unitsofmeasure.org", "code": "mmol/L"}`),
		edit(t, temperature, `text={"status": "generated"}`, `_status={"id": "s"}`, `extension=[]`, `meta={"profile": []}`),
		edit(t, temperature, `status="entered-in-error"`),
		`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/1"},"effectiveDateTime":"2026-11-22","valueQuantity":{"value":60,"system":"http://unitsofmeasure.org","code":"/min"}}`,
		`{"resourceType":"Observation","component":[{},{"code":{}}],"category":[{}],"meta":{}}`,
		`{"resourceType":"Observation","valueQuantity":{"value":-0}}`,
		`[1,2,{"a":null}]`,
		`{"resourceType":"Observation","status":"final","status":"final"}`,
		``,
		`{`,
	}
}

func FuzzParseObservation(f *testing.F) {
	for _, s := range observationSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := ParseObservation(data)
		if err != nil {
			checkError(t, err)
			if obs != nil {
				t.Fatal("an Observation with an error")
			}
			return
		}
		checkRewrite(t, obs, func(b []byte) (any, error) { return ParseObservation(b) })
		r, err := ToReading(obs)
		if err != nil {
			checkError(t, err)
			return
		}
		checkUsable(t, r)
	})
}

func FuzzParseBundle(f *testing.F) {
	seeds := []string{
		bundleOf("batch", post(temperature), post(standardsBP)),
		bundleOf("transaction", post(temperature, `"ifNoneExist": "identifier=urn:tend:test|t-1"`), post(temperature)),
		bundleOf("batch", `{"request": {"method": "PUT", "url": "Observation/1"}}`, `[]`, `{"resource": {"resourceType": "Patient"}}`),
		bundleOf("searchset", `{"resource": `+standardsBP+`, "search": {"mode": "match", "score": 1.0}}`),
		`{"resourceType": "Bundle", "type": "batch-response", "total": 0, "entry": [{"response": {"status": "201 Created", "outcome": {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "value"}]}}}]}`,
		`{"resourceType": "Bundle", "type": "batch", "entry": {}}`,
		`{"resourceType": "Bundle"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, s := range observationSeeds(f)[:4] {
		f.Add([]byte(bundleOf("batch", post(s))))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data)
		if err != nil {
			checkError(t, err)
		} else {
			checkRewrite(t, b, func(b []byte) (any, error) { return ParseBundle(b) })
		}
		tx, err := ParseTransaction(data)
		if err != nil {
			checkError(t, err)
			return
		}
		if tx.Type != BundleBatch && tx.Type != BundleTransaction {
			t.Fatalf("type %q", tx.Type)
		}
		results := make([]Result, len(tx.Entries))
		for i, e := range tx.Entries {
			if e.Err != nil {
				checkError(t, e.Err)
				continue
			}
			checkUsable(t, e.Reading)
			results[i] = Created("o", time.Unix(0, 0), e.Reading.Warnings)
		}
		resp, err := tx.Response(results)
		if (err != nil) != (tx.IsTransaction() && tx.Err() != nil) {
			t.Fatalf("Response: %v, with Err %v", err, tx.Err())
		}
		if err == nil {
			if _, err := json.Marshal(resp); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{"patient=p1&code=http://loinc.org|8867-4,8310-5&date=ge2026-11&date=lt2026-11-22T10:30&_count=20&_sort=date",
		"subject:Patient=Patient/1&code=8480-6&_page=abc&_summary=count", "date=eq2026&date=ne2026", "code=a\\|b\\,c|d", "%zz", "_count=99999"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, lenient bool) {
		q, err := ParseSearch(raw, SearchOptions{Lenient: lenient})
		if err != nil {
			checkError(t, err)
			return
		}
		if q.Count < 0 || q.Count > MaxCount {
			t.Fatalf("count %d", q.Count)
		}
		q2, err := ParseSearch(q.Encode(), SearchOptions{})
		if err != nil {
			t.Fatalf("Encode %q: %v", q.Encode(), err)
		}
		if q2.PatientID != q.PatientID || !slices.Equal(q2.TypeKeys, q.TypeKeys) || !q2.From.Equal(q.From) || !q2.To.Equal(q.To) || q2.NoMatch != q.NoMatch {
			t.Fatalf("Encode %q reads back as %+v, was %+v", q.Encode(), q2, q)
		}
	})
}

// checkError checks that a refusal is an *Error a client can be answered
// with.
func checkError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || len(e.Issues) == 0 {
		t.Fatalf("error %T %v", err, err)
	}
	for _, i := range e.Issues {
		if i.Code == "" || i.Severity == "" || i.Message == "" {
			t.Fatalf("incomplete issue %+v", i)
		}
	}
	if s := e.Status(); s < 400 || s >= 500 {
		t.Fatalf("status %d for %v", s, err)
	}
	if _, err := json.Marshal(NewOutcome(e.Issues...)); err != nil {
		t.Fatal(err)
	}
}

// checkRewrite checks that a parsed resource writes out as JSON that
// parses again and writes out the same.
func checkRewrite(t *testing.T, v any, parse func([]byte) (any, error)) {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	v2, err := parse(out)
	if err != nil {
		t.Fatalf("parsing what was written: %v\n%s", err, out)
	}
	out2, err := json.Marshal(v2)
	if err != nil || string(out2) != string(out) {
		t.Fatalf("rewrite changed:\n%s\n%s", out, out2)
	}
}

// checkUsable checks that a reading ToReading accepted can be stored: it
// has a known type, a patient, a time and a status, its values pass the
// catalogue, and it writes back as the same reading.
func checkUsable(t *testing.T, r Reading) {
	t.Helper()
	typ, ok := measure.ByKey(r.TypeKey)
	if !ok || r.Subject.IsZero() || r.TakenAt.IsZero() || r.TakenPrecision < PrecisionDay ||
		!slices.Contains(acceptedStatuses, r.Status) {
		t.Fatalf("unusable reading %+v", r)
	}
	if typ.IsPanel() {
		canonical := map[string]float64{}
		for key, v := range r.Components {
			f, err := v.Float64()
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			n, err := measure.Normalize(r.TypeKey, key, f, v.Unit)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			canonical[key] = n.Value
		}
		if err := measure.CheckPanel(r.TypeKey, canonical); err != nil {
			t.Fatal(err)
		}
	} else {
		f, err := r.Value.Float64()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := measure.Normalize(r.TypeKey, "", f, r.Value.Unit); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip(t, r)
}
