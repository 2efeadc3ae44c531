package fhir

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// standardsBP is the minimal blood pressure Observation of standards.md §1,
// as printed there.
const standardsBP = `{
  "resourceType": "Observation",
  "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/bp"]},
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs", "display": "Vital Signs"}]}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9",
                       "display": "Blood pressure panel with all children optional"}]},
  "subject": {"reference": "Patient/example"},
  "effectiveDateTime": "2026-11-22T10:30:00Z",
  "device": {"reference": "Device/bpm-0123456789ABCDEF"},
  "component": [
    {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure"}]},
     "valueQuantity": {"value": 138, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
    {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic blood pressure"}]},
     "valueQuantity": {"value": 88, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}
  ]
}`

// temperature is a body temperature Observation that tests change with
// edit.
const temperature = `{
  "resourceType": "Observation",
  "identifier": [{"system": "urn:tend:test", "value": "t-1"}],
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5", "display": "Body temperature"}]},
  "subject": {"reference": "Patient/p1"},
  "effectiveDateTime": "2026-11-22T10:30:00+01:00",
  "valueQuantity": {"value": 37.60, "unit": "°C", "system": "http://unitsofmeasure.org", "code": "Cel"}
}`

// edit changes a JSON object: each change is "path=json" to set a member
// ("valueQuantity.code=\"mmHg\"", "component.1.code=…") or "path=" to
// delete it. Array elements are named by their index.
func edit(t testing.TB, doc string, changes ...string) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("edit: %v", err)
	}
	for _, ch := range changes {
		path, val, _ := strings.Cut(ch, "=")
		var nv any
		if val != "" {
			d := json.NewDecoder(strings.NewReader(val))
			d.UseNumber()
			if err := d.Decode(&nv); err != nil {
				t.Fatalf("edit %q: %v", ch, err)
			}
		}
		v = set(t, v, strings.Split(path, "."), nv, val == "")
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// set sets (or deletes) the member at keys in cur and returns cur, which
// is a new slice when an element was appended.
func set(t testing.TB, cur any, keys []string, nv any, del bool) any {
	t.Helper()
	k := keys[0]
	switch c := cur.(type) {
	case map[string]any:
		if len(keys) == 1 {
			if del {
				delete(c, k)
			} else {
				c[k] = nv
			}
			return c
		}
		next, ok := c[k]
		if !ok {
			next = map[string]any{}
		}
		c[k] = set(t, next, keys[1:], nv, del)
		return c
	case []any:
		i := atoi(t, k)
		if i == len(c) {
			c = append(c, map[string]any{})
		}
		if len(keys) == 1 {
			if del {
				return append(c[:i], c[i+1:]...)
			}
			c[i] = nv
			return c
		}
		c[i] = set(t, c[i], keys[1:], nv, del)
		return c
	}
	t.Fatalf("edit: cannot step into %T with %q", cur, k)
	return nil
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("edit: %q is not an index", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// sameJSON reports whether two JSON texts hold the same value, numbers
// compared by their text.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	return reflect.DeepEqual(decodeAny(t, a), decodeAny(t, b))
}

func decodeAny(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

func mustReading(t testing.TB, doc string) Reading {
	t.Helper()
	obs, err := ParseObservation([]byte(doc))
	if err != nil {
		t.Fatalf("ParseObservation: %v", err)
	}
	r, err := ToReading(obs)
	if err != nil {
		t.Fatalf("ToReading: %v", err)
	}
	return r
}

// readingOf parses and checks doc, returning the first error of either.
func readingOf(doc string) (Reading, error) {
	obs, err := ParseObservation([]byte(doc))
	if err != nil {
		return Reading{}, err
	}
	return ToReading(obs)
}
