package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

func TestStandardsBPExampleIn(t *testing.T) {
	r := mustReading(t, standardsBP)
	want := Reading{
		TypeKey: measure.BloodPressure,
		Code:    "85354-9",
		Components: map[string]ValueWithUnit{
			measure.Systolic:  {Value: "138", Unit: "mm[Hg]"},
			measure.Diastolic: {Value: "88", Unit: "mm[Hg]"},
		},
		TakenAt:        time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC),
		TakenPrecision: PrecisionSecond,
		Subject:        Ref{Type: "Patient", ID: "example"},
		Device:         Ref{Type: "Device", ID: "bpm-0123456789ABCDEF"},
		Status:         StatusFinal,
	}
	if !sameReading(r, want) || len(r.Warnings) != 0 {
		t.Errorf("reading =\n%+v\nwant\n%+v", r, want)
	}
}

func TestStandardsBPExampleOut(t *testing.T) {
	r := Reading{
		TypeKey: measure.BloodPressure,
		Components: map[string]ValueWithUnit{
			measure.Systolic:  {Value: "138", Unit: "mm[Hg]"},
			measure.Diastolic: {Value: "88", Unit: "mm[Hg]"},
		},
		TakenAt: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC),
		Subject: Ref{Type: "Patient", ID: "example"},
		Device:  Ref{Type: "Device", ID: "bpm-0123456789ABCDEF"},
		Status:  StatusFinal,
	}
	obs, err := FromReading(r, Stored{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(obs)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, got, []byte(standardsBP)) {
		t.Errorf("FromReading =\n%s\nwant the standards.md example\n%s", got, standardsBP)
	}
	// And the example itself survives parsing and writing unchanged.
	parsed, err := ParseObservation([]byte(standardsBP))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(parsed)
	if !sameJSON(t, again, []byte(standardsBP)) {
		t.Errorf("round trip =\n%s", again)
	}
	if !strings.HasPrefix(string(got), `{"resourceType":"Observation",`) {
		t.Errorf("resourceType is not first: %.60s", got)
	}
}

func sameReading(a, b Reading) bool {
	if !a.TakenAt.Equal(b.TakenAt) || !a.TakenUntil.Equal(b.TakenUntil) ||
		a.TakenAt.Format(time.RFC3339Nano) != b.TakenAt.Format(time.RFC3339Nano) {
		return false
	}
	a.TakenAt, b.TakenAt, a.TakenUntil, b.TakenUntil = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	a.Warnings, b.Warnings = nil, nil
	if len(a.Components) == 0 && len(b.Components) == 0 {
		a.Components, b.Components = nil, nil
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestTemperatureKeepsPrecision(t *testing.T) {
	r := mustReading(t, temperature)
	if r.Value != (ValueWithUnit{Value: "37.60", Unit: "Cel"}) {
		t.Fatalf("value = %+v, want 37.60 Cel exactly", r.Value)
	}
	if got := r.TakenAt.Format(time.RFC3339); got != "2026-11-22T10:30:00+01:00" {
		t.Errorf("TakenAt = %s, want the sender's offset kept", got)
	}
	if r.ExternalID != (ExternalID{System: "urn:tend:test", Value: "t-1"}) {
		t.Errorf("ExternalID = %+v", r.ExternalID)
	}
	obs, err := FromReading(r, Stored{ID: "42", VersionID: "1", Issued: time.Date(2026, 11, 22, 9, 31, 2, 500e6, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(obs)
	for _, want := range []string{`"value":37.60,`, `"effectiveDateTime":"2026-11-22T10:30:00+01:00"`,
		`"issued":"2026-11-22T09:31:02.5Z"`, `"profile":["http://hl7.org/fhir/StructureDefinition/bodytemp"]`,
		`"unit":"°C"`, `"id":"42"`, `"versionId":"1"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

func TestFahrenheitKeptAsSent(t *testing.T) {
	r := mustReading(t, edit(t, temperature, `valueQuantity={"value": 99.5, "unit": "°F", "system": "http://unitsofmeasure.org", "code": "[degF]"}`))
	if r.Value != (ValueWithUnit{Value: "99.5", Unit: "[degF]"}) {
		t.Fatalf("value = %+v", r.Value)
	}
	f, _ := r.Value.Float64()
	n, err := measure.Normalize(r.TypeKey, "", f, r.Value.Unit)
	if err != nil || n.Unit != "Cel" {
		t.Errorf("Normalize = %+v, %v", n, err)
	}
}

func TestValidObservations(t *testing.T) {
	spo2 := edit(t, temperature,
		`code={"coding": [{"system": "http://loinc.org", "code": "2708-6"}, {"system": "http://loinc.org", "code": "59408-5"}, {"system": "urn:iso:std:iso:11073:10101", "code": "150456"}]}`,
		`valueQuantity={"value": 97, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}`)
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, r Reading)
	}{
		{"temperature", temperature, nil},
		{"status amended", edit(t, temperature, `status="amended"`), func(t *testing.T, r Reading) {
			if r.Status != StatusAmended {
				t.Errorf("status %q", r.Status)
			}
		}},
		{"status corrected", edit(t, temperature, `status="corrected"`), nil},
		{"status preliminary", edit(t, temperature, `status="preliminary"`), nil},
		{"no category: warning", edit(t, temperature, `category=`), func(t *testing.T, r Reading) {
			if len(r.Warnings) != 1 || r.Warnings[0].Location != "Observation.category" || r.Warnings[0].Severity != SeverityWarning {
				t.Errorf("warnings %+v", r.Warnings)
			}
		}},
		{"STU3 category system: warning", edit(t, temperature, `category.0.coding.0.system="http://hl7.org/fhir/observation-category"`), func(t *testing.T, r Reading) {
			if len(r.Warnings) != 1 || r.Warnings[0].Location != "Observation.category[0].coding[0].system" {
				t.Errorf("warnings %+v", r.Warnings)
			}
		}},
		{"SpO2 with oximetry code and MDC", spo2, func(t *testing.T, r Reading) {
			if r.TypeKey != measure.SpO2 || r.Code != "59408-5" {
				t.Errorf("type %q code %q", r.TypeKey, r.Code)
			}
		}},
		{"SpO2 as a fraction", edit(t, spo2, `valueQuantity={"value": 0.97, "system": "http://unitsofmeasure.org", "code": "1"}`), nil},
		{"heart rate with SNOMED beside", edit(t, temperature,
			`code={"coding": [{"system": "http://snomed.info/sct", "code": "364075005"}, {"system": "http://loinc.org", "code": "8867-4"}]}`,
			`valueQuantity={"value": 72, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"}`), func(t *testing.T, r Reading) {
			if r.TypeKey != measure.HeartRate {
				t.Errorf("type %q", r.TypeKey)
			}
		}},
		{"glucose, laboratory", edit(t, temperature,
			`category=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}]`,
			`code={"coding": [{"system": "http://loinc.org", "code": "15074-8"}]}`,
			`valueQuantity={"value": 5.5, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"}`), func(t *testing.T, r Reading) {
			if r.TypeKey != measure.BloodGlucose || r.Value.Value != "5.5" {
				t.Errorf("reading %+v", r)
			}
		}},
		{"glucose, vital-signs", edit(t, temperature,
			`code={"coding": [{"system": "http://loinc.org", "code": "41653-7"}]}`,
			`valueQuantity={"value": 99, "system": "http://unitsofmeasure.org", "code": "mg/dL"}`), nil},
		{"weight in pounds", edit(t, temperature,
			`code={"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}`,
			`valueQuantity={"value": 150.0, "unit": "lb", "system": "http://unitsofmeasure.org", "code": "[lb_av]"}`), nil},
		{"height in cm", edit(t, temperature,
			`code={"coding": [{"system": "http://loinc.org", "code": "8302-2"}]}`,
			`valueQuantity={"value": 172.5, "system": "http://unitsofmeasure.org", "code": "cm"}`), nil},
		{"respiratory rate", edit(t, temperature,
			`code={"coding": [{"system": "http://loinc.org", "code": "9279-1"}]}`,
			`valueQuantity={"value": 16, "system": "http://unitsofmeasure.org", "code": "/min"}`), nil},
		{"date only", edit(t, temperature, `effectiveDateTime="2026-11-22"`), func(t *testing.T, r Reading) {
			if r.TakenPrecision != PrecisionDay || !r.TakenAt.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("taken %v %v", r.TakenAt, r.TakenPrecision)
			}
		}},
		{"fractional seconds", edit(t, temperature, `effectiveDateTime="2026-11-22T10:30:00.123-05:00"`), nil},
		{"period", edit(t, temperature, `effectiveDateTime=`, `effectivePeriod={"start": "2026-11-22T10:30:00Z", "end": "2026-11-22T10:31:00Z"}`),
			func(t *testing.T, r Reading) {
				if r.TakenUntil.IsZero() || r.TakenAt.Minute() != 30 {
					t.Errorf("period %v – %v", r.TakenAt, r.TakenUntil)
				}
			}},
		{"subject by MRN", edit(t, temperature, `subject={"identifier": {"system": "urn:oid:1.2.3", "value": "MRN-7"}}`), func(t *testing.T, r Reading) {
			if r.Subject != (Ref{Type: "Patient", System: "urn:oid:1.2.3", Value: "MRN-7"}) {
				t.Errorf("subject %+v", r.Subject)
			}
		}},
		{"versioned subject reference", edit(t, temperature, `subject={"reference": "Patient/p1/_history/3", "type": "Patient"}`), nil},
		{"device by identifier", edit(t, temperature, `device={"identifier": {"system": "urn:ietf:rfc:7042", "value": "0123456789ABCDEF"}}`), nil},
		{"issued", edit(t, temperature, `issued="2026-11-22T10:30:05.250Z"`), nil},
		{"extensions and narrative read over", edit(t, temperature,
			`text={"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">37.6 °C</div>"}`,
			`extension=[{"url": "http://example.org/x", "valueString": "y"}]`,
			`_status={"extension": [{"url": "http://example.org/z", "valueBoolean": true}]}`,
			`code.id="c1"`, `performer=[{"reference": "Practitioner/1"}]`), nil},
		{"empty strings and arrays as absent", edit(t, temperature, `code.text=""`, `note=[]`, `interpretation=[]`), nil},
		{"BP with mean", edit(t, standardsBP, `component.2={"code": {"coding": [{"system": "http://loinc.org", "code": "8478-0"}]}, "valueQuantity": {"value": 105, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}`),
			func(t *testing.T, r Reading) {
				if r.Components[measure.Mean].Value != "105" {
					t.Errorf("components %+v", r.Components)
				}
			}},
		{"BP with absent mean", edit(t, standardsBP, `component.2={"code": {"coding": [{"system": "http://loinc.org", "code": "8478-0"}]}, "dataAbsentReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "error"}]}}`),
			func(t *testing.T, r Reading) {
				if _, ok := r.Components[measure.Mean]; ok || len(r.Warnings) != 1 {
					t.Errorf("components %+v warnings %+v", r.Components, r.Warnings)
				}
			}},
		{"BP in kPa", edit(t, standardsBP, `component.0.valueQuantity={"value": 18.9, "system": "http://unitsofmeasure.org", "code": "kPa"}`), nil},
		{"exponent", edit(t, temperature, `valueQuantity.value=3.76e1`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := readingOf(tt.doc)
			if err != nil {
				t.Fatalf("refused: %v\n%s", err, tt.doc)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
			roundTrip(t, r)
		})
	}
}

// roundTrip checks that a reading written by FromReading reads back as the
// same reading.
func roundTrip(t testing.TB, r Reading) {
	t.Helper()
	obs, err := FromReading(r, Stored{ID: "x1", VersionID: "1"})
	if err != nil {
		t.Fatalf("FromReading: %v", err)
	}
	data, err := json.Marshal(obs)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := readingOf(string(data))
	if err != nil {
		t.Fatalf("reading back %s: %v", data, err)
	}
	if !sameReading(back, r) {
		t.Fatalf("round trip changed the reading:\n%+v\n%+v\n%s", r, back, data)
	}
}

// TestInvalidObservations lists Observations Tend refuses, each with where
// the problem is and words of the message that explains it.
func TestInvalidObservations(t *testing.T) {
	tests := []struct {
		name, doc, loc, msg string
		code                IssueCode
	}{
		{"not JSON", `{"resourceType": "Observation",`, "", "not valid JSON", CodeStructure},
		{"empty body", ``, "", "empty", CodeStructure},
		{"array", `[]`, "", "must be a JSON object", CodeStructure},
		{"two values", temperature + `{}`, "", "more than one JSON value", CodeStructure},
		{"wrong resourceType", edit(t, temperature, `resourceType="Patient"`), "resourceType", `expected a Observation, got a "Patient"`, CodeInvalid},
		{"unknown resourceType", edit(t, temperature, `resourceType="observation"`), "resourceType", "not a FHIR resource type", CodeInvalid},
		{"no resourceType", edit(t, temperature, `resourceType=`), "Observation.resourceType", "required", CodeRequired},
		{"unknown element", edit(t, temperature, `valueQty={"value": 1}`), "Observation.valueQty", "unknown element", CodeStructure},
		{"miscased element", edit(t, temperature, `effectivedatetime="2026-11-22"`), "Observation.effectivedatetime", `did you mean "effectiveDateTime"`, CodeStructure},
		{"duplicate key", strings.Replace(temperature, `"status": "final",`, `"status": "final", "status": "amended",`, 1), "Observation.status", "more than once", CodeStructure},
		{"null", edit(t, temperature, `status=null`), "Observation.status", "null is not allowed", CodeStructure},
		{"value as string", edit(t, temperature, `valueQuantity.value="37.6"`), "Observation.valueQuantity.value", "must be a JSON number", CodeStructure},
		{"category not an array", edit(t, temperature, `category={"coding": []}`), "Observation.category", "must be an array", CodeStructure},
		{"modifier extension", edit(t, temperature, `modifierExtension=[{"url": "http://x", "valueBoolean": true}]`), "Observation.modifierExtension", "modifier extension", CodeNotSupported},
		{"valueInteger", edit(t, temperature, `valueQuantity=`, `valueInteger=37`), "Observation.valueInteger", "valueQuantity", CodeNotSupported},
		{"effectiveInstant", edit(t, temperature, `effectiveDateTime=`, `effectiveInstant="2026-11-22T10:30:00Z"`), "Observation.effectiveInstant", "effectiveDateTime or effectivePeriod", CodeNotSupported},
		{"no status", edit(t, temperature, `status=`), "Observation.status", "status is required", CodeRequired},
		{"entered-in-error", edit(t, temperature, `status="entered-in-error"`), "Observation.status", "marks a stored reading as wrong", CodeBusinessRule},
		{"cancelled", edit(t, temperature, `status="cancelled"`), "Observation.status", "nothing to store", CodeBusinessRule},
		{"registered", edit(t, temperature, `status="registered"`), "Observation.status", "no result yet", CodeBusinessRule},
		{"status not a code", edit(t, temperature, `status="done"`), "Observation.status", "not an Observation status", CodeCodeInvalid},
		{"wrong category", edit(t, temperature, `category.0.coding.0.code="laboratory"`), "Observation.category", "must include vital-signs", CodeValue},
		{"category without system", edit(t, temperature, `category.0.coding.0.system=`), "Observation.category[0].coding[0].system", "needs its system", CodeValue},
		{"no code", edit(t, temperature, `code=`), "Observation.code", "code is required", CodeRequired},
		{"code text only", edit(t, temperature, `code={"text": "temperature"}`), "Observation.code.coding", "text alone", CodeRequired},
		{"coding without system", edit(t, temperature, `code.coding.0.system=`), "Observation.code.coding[0].system", "needs its system", CodeRequired},
		{"unknown LOINC", edit(t, temperature, `code.coding.0.code="1234-5"`), "Observation.code", "not a measurement Tend takes", CodeCodeInvalid},
		{"MDC only", edit(t, temperature, `code={"coding": [{"system": "urn:iso:std:iso:11073:10101", "code": "150364"}]}`), "Observation.code", "LOINC 8310-5", CodeRequired},
		{"conflicting LOINC codes", edit(t, temperature, `code.coding.1={"system": "http://loinc.org", "code": "8867-4"}`), "Observation.code", "different measurements", CodeInvariant},
		{"component code at top", edit(t, temperature, `code.coding.0.code="8480-6"`), "Observation.code", "component of the blood pressure panel 85354-9", CodeBusinessRule},
		{"no subject", edit(t, temperature, `subject=`), "Observation.subject", "subject is required", CodeRequired},
		{"subject a Group", edit(t, temperature, `subject.reference="Group/g1"`), "Observation.subject.reference", "must refer to a Patient", CodeValue},
		{"subject absolute", edit(t, temperature, `subject.reference="https://ehr.example/fhir/Patient/1"`), "Observation.subject.reference", "relative to this server", CodeValue},
		{"subject urn:uuid", edit(t, temperature, `subject.reference="urn:uuid:8f1e2b6c-4a4e-4f31-9c53-0d6b0f3a9a11"`), "Observation.subject.reference", "of an existing patient", CodeValue},
		{"subject contained", edit(t, temperature, `subject.reference="#p"`), "Observation.subject.reference", "contained", CodeValue},
		{"subject bad id", edit(t, temperature, `subject.reference="Patient/a b"`), "Observation.subject.reference", "not a valid id", CodeValue},
		{"subject identifier without system", edit(t, temperature, `subject={"identifier": {"value": "MRN-7"}}`), "Observation.subject.identifier.system", "needs its system", CodeRequired},
		{"subject display only", edit(t, temperature, `subject={"display": "Jane"}`), "Observation.subject", "needs a reference Patient/{id}", CodeRequired},
		{"no effective", edit(t, temperature, `effectiveDateTime=`), "Observation.effective[x]", "is required", CodeRequired},
		{"both effectives", edit(t, temperature, `effectivePeriod={"start": "2026-11-22"}`), "Observation.effective[x]", "not both", CodeInvariant},
		{"month only", edit(t, temperature, `effectiveDateTime="2026-11"`), "Observation.effectiveDateTime", "precise to at least the day", CodeValue},
		{"time without zone", edit(t, temperature, `effectiveDateTime="2026-11-22T10:30:00"`), "Observation.effectiveDateTime", "time zone", CodeValue},
		{"time without seconds", edit(t, temperature, `effectiveDateTime="2026-11-22T10:30Z"`), "Observation.effectiveDateTime", "needs seconds", CodeValue},
		{"31 November", edit(t, temperature, `effectiveDateTime="2026-11-31"`), "Observation.effectiveDateTime", "does not exist", CodeValue},
		{"period without start", edit(t, temperature, `effectiveDateTime=`, `effectivePeriod={"end": "2026-11-22T10:30:00Z"}`), "Observation.effectivePeriod.start", "start of the period is required", CodeRequired},
		{"period backwards", edit(t, temperature, `effectiveDateTime=`, `effectivePeriod={"start": "2026-11-22T10:30:00Z", "end": "2026-11-22T10:00:00Z"}`), "Observation.effectivePeriod", "ends before it starts", CodeInvariant},
		{"bad issued", edit(t, temperature, `issued="2026-11-22"`), "Observation.issued", "not an instant", CodeValue},
		{"no value", edit(t, temperature, `valueQuantity=`), "Observation.valueQuantity", "needs its value", CodeRequired},
		{"absent value", edit(t, temperature, `valueQuantity=`, `dataAbsentReason={"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "asked-unknown"}]}`), "Observation.dataAbsentReason", "stores measured values only", CodeBusinessRule},
		{"value and absent reason", edit(t, temperature, `dataAbsentReason={"text": "error"}`), "Observation.dataAbsentReason", "obs-6", CodeInvariant},
		{"valueString", edit(t, temperature, `valueQuantity=`, `valueString="37.6"`), "Observation.valueString", "not text", CodeValue},
		{"quantity without value", edit(t, temperature, `valueQuantity.value=`), "Observation.valueQuantity.value", "value is required", CodeRequired},
		{"comparator", edit(t, temperature, `valueQuantity.comparator="<"`), "Observation.valueQuantity.comparator", "bound, not a measurement", CodeValue},
		{"no unit system", edit(t, temperature, `valueQuantity.system=`), "Observation.valueQuantity.system", "system is required", CodeRequired},
		{"not UCUM", edit(t, temperature, `valueQuantity.system="http://snomed.info/sct"`), "Observation.valueQuantity.system", "units must be UCUM", CodeValue},
		{"unit without code", edit(t, temperature, `valueQuantity.code=`), "Observation.valueQuantity.code", `for "°C" that is "Cel"`, CodeRequired},
		{"mmHg is not UCUM", edit(t, standardsBP, `component.0.valueQuantity.code="mmHg"`), "Observation.component[0].valueQuantity.code", `write "mm[Hg]"`, CodeValue},
		{"unknown unit", edit(t, temperature, `valueQuantity.code="K"`), "Observation.valueQuantity.code", `"K" is not a UCUM unit of body temperature`, CodeValue},
		{"unit of another kind", edit(t, temperature, `valueQuantity.code="kg"`, `valueQuantity.unit="kg"`), "Observation.valueQuantity.code", "accepted: \"Cel\", \"[degF]\"", CodeValue},
		{"unit and code disagree", edit(t, temperature, `valueQuantity.unit="°F"`), "Observation.valueQuantity.unit", "disagree", CodeInvariant},
		{"implausible", edit(t, temperature, `valueQuantity.value=80`), "Observation.valueQuantity.value", "plausible range", CodeValue},
		{"huge number", edit(t, temperature, `valueQuantity.value=1e400`), "Observation.valueQuantity.value", "too large", CodeValue},
		{"identifier without value", edit(t, temperature, `identifier.0.value=`), "Observation.identifier[0].value", "needs its value", CodeRequired},
		{"device is a DeviceMetric", edit(t, temperature, `device={"reference": "DeviceMetric/m1"}`), "Observation.device.reference", "must refer to a Device", CodeNotSupported},
		{"device type DeviceMetric", edit(t, temperature, `device={"reference": "Device/d1", "type": "DeviceMetric"}`), "Observation.device.type", "not a DeviceMetric", CodeNotSupported},
		{"components on a single value", edit(t, temperature, `component=[{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}}]`), "Observation.component", "has no components", CodeBusinessRule},
		{"BP with top-level value", edit(t, standardsBP, `valueQuantity={"value": 138, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}`), "Observation.value[x]", "no value of its own", CodeBusinessRule},
		{"BP without components", edit(t, standardsBP, `component=`), "Observation.component", "needs its values as components", CodeRequired},
		{"BP without diastolic", edit(t, standardsBP, `component.1.code.coding.0.code="8478-0"`, `component.1.valueQuantity.value=100`), "Observation.component", "needs a component diastolic", CodeRequired},
		{"BP systolic twice", edit(t, standardsBP, `component.1.code.coding.0.code="8480-6"`), "Observation.component[1].code", "appears twice", CodeDuplicate},
		{"BP with heart rate component", edit(t, standardsBP, `component.2={"code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}, "valueQuantity": {"value": 60, "system": "http://unitsofmeasure.org", "code": "/min"}}`), "Observation.component[2].code", "not part of the blood pressure panel", CodeBusinessRule},
		{"BP component without code", edit(t, standardsBP, `component.0.code=`), "Observation.component[0].code", "needs a code", CodeRequired},
		{"BP systolic absent", edit(t, standardsBP, `component.0.valueQuantity=`, `component.0.dataAbsentReason={"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "error"}]}`), "Observation.component[0].dataAbsentReason", "dataAbsentReason error", CodeBusinessRule},
		{"BP swapped", edit(t, standardsBP, `component.0.valueQuantity.value=80`, `component.1.valueQuantity.value=120`), "Observation.component", "swapped", CodeValue},
		{"BP top-level absent reason", edit(t, standardsBP, `component=`, `dataAbsentReason={"text": "cuff error"}`), "Observation.dataAbsentReason", "cuff error", CodeBusinessRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readingOf(tt.doc)
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.doc)
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error is %T: %v", err, err)
			}
			for _, is := range e.Issues {
				if is.Severity == SeverityError && is.Location == tt.loc && strings.Contains(is.Message, tt.msg) {
					if is.Code != tt.code {
						t.Errorf("issue code %q, want %q", is.Code, tt.code)
					}
					return
				}
			}
			t.Errorf("no issue at %q saying %q; got:\n%s", tt.loc, tt.msg, issuesText(e))
		})
	}
	if len(tests) < 25 {
		t.Errorf("only %d invalid Observations", len(tests))
	}
}

func issuesText(e *Error) string {
	var b strings.Builder
	for _, i := range e.Issues {
		b.WriteString("  " + string(i.Severity) + " " + string(i.Code) + " " + i.String() + "\n")
	}
	return b.String()
}

// TestAllIssuesReported checks that ToReading lists every problem, not
// only the first.
func TestAllIssuesReported(t *testing.T) {
	_, err := readingOf(edit(t, temperature, `status="cancelled"`, `subject=`, `valueQuantity.code="C"`))
	e, ok := err.(*Error)
	if !ok || len(e.Issues) != 3 {
		t.Fatalf("error %v", err)
	}
	oo, status := OutcomeFor(err)
	if status != 422 || len(oo.Issue) != 3 || oo.Issue[1].Expression[0] != "Observation.valueQuantity.code" {
		b, _ := json.Marshal(oo)
		t.Errorf("outcome %d %s", status, b)
	}
}
