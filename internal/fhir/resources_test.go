package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

func TestResourcesRoundTrip(t *testing.T) {
	active := true
	docs := []Resource{
		&Patient{ID: "p1", Identifier: []Identifier{{System: "urn:oid:1.2.3", Value: "MRN-7"}}, Active: &active,
			Name: []HumanName{{Family: "Doe", Given: []string{"Jane"}}}, Gender: "female", BirthDate: "1960-04-01"},
		&Device{ID: "d1", Status: "active", Manufacturer: "Acme", SerialNumber: "0123456789ABCDEF",
			DeviceName: []DeviceName{{Name: "Cuff 2", Type: "user-friendly-name"}}, Patient: &Reference{Reference: "Patient/p1"}},
		NewOutcome(Issue{Code: CodeValue, Location: "Observation.status", Message: "bad"}),
		Capability(CapabilityOptions{BaseURL: "https://tend.example/fhir", SoftwareVersion: "1.0"}),
	}
	for _, r := range docs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), `{"resourceType":"`+r.ResourceType()+`"`) {
			t.Errorf("%s: %.50s", r.ResourceType(), b)
		}
		back, err := ParseResource(b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", r.ResourceType(), err, b)
		}
		b2, _ := json.Marshal(back)
		if string(b2) != string(b) {
			t.Errorf("%s round trip\n%s\n%s", r.ResourceType(), b, b2)
		}
	}
	if b, _ := json.Marshal(&Patient{}); string(b) != `{"resourceType":"Patient"}` {
		t.Errorf("empty Patient = %s", b)
	}
	if _, err := ParseResource([]byte(`{"resourceType": "Medication"}`)); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("unknown resource type: %v", err)
	}
	if _, err := ParseResource([]byte(`{"id": "x"}`)); err == nil || !strings.Contains(err.Error(), "resourceType is required") {
		t.Errorf("no resource type: %v", err)
	}
	// A Bundle's entries decode to their own types; an unknown one is
	// refused at its place.
	_, err := ParseBundle([]byte(`{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}, {"resource": {"resourceType": "Goal"}}]}`))
	if err == nil || !strings.Contains(err.Error(), "Bundle.entry[1].resource.resourceType") {
		t.Errorf("ParseBundle: %v", err)
	}
	if _, err := ParseBundle([]byte(`{"resourceType": "Bundle", "type": "batch-response", "entry": [{"response": {"status": "201 Created", "outcome": {"resourceType": "Patient"}}}]}`)); err == nil ||
		!strings.Contains(err.Error(), "Bundle.entry[0].response.outcome.resourceType: expected a OperationOutcome") {
		t.Errorf("outcome of the wrong type: %v", err)
	}
}

func TestCapability(t *testing.T) {
	c := Capability(CapabilityOptions{BaseURL: "https://tend.example/fhir", SoftwareVersion: "1.2.3", Date: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)})
	b, _ := json.Marshal(c)
	s := string(b)
	for _, want := range []string{`"fhirVersion":"4.0.1"`, `"format":["application/fhir+json","json"]`, `"kind":"instance"`,
		`"status":"active"`, `"date":"2026-11-20T08:00:00Z"`, `"mode":"server"`, `"type":"Observation"`,
		`{"code":"create"}`, `{"code":"read"}`, `{"code":"search-type"}`, `"conditionalCreate":true`,
		`"code":"transaction"`, `"code":"batch"`, `"name":"patient","definition":"http://hl7.org/fhir/SearchParameter/clinical-patient","type":"reference"`,
		`"name":"code"`, `"name":"date"`, `"name":"subject"`, `"name":"_count"`, `"name":"_sort"`,
		`"http://hl7.org/fhir/StructureDefinition/bp"`, `"software":{"name":"Tend","version":"1.2.3"}`} {
		if !strings.Contains(s, want) {
			t.Errorf("CapabilityStatement lacks %s", want)
		}
	}
	if c.Rest[0].Resource[0].SupportedProfile == nil || len(c.Rest[0].Resource[0].SupportedProfile) != 7 {
		t.Errorf("profiles %v", c.Rest[0].Resource[0].SupportedProfile)
	}
}

func TestOutcomes(t *testing.T) {
	oo, status := OutcomeFor(Errorf(CodeNotFound, "", "no Observation %s", "o9"))
	b, _ := json.Marshal(oo)
	if status != 404 || string(b) != `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"no Observation o9"}]}` {
		t.Errorf("%d %s", status, b)
	}
	for code, want := range map[IssueCode]int{CodeStructure: 400, CodeInvalid: 400, CodeRequired: 422, CodeValue: 422,
		CodeForbidden: 403, CodeLogin: 401, CodeConflict: 409, CodeDuplicate: 409, CodeTooCostly: 413, CodeProcessing: 422,
		CodeException: 500, CodeThrottled: 429} {
		if got := StatusFor(code); got != want {
			t.Errorf("StatusFor(%s) = %d, want %d", code, got, want)
		}
	}
	info := InformationOutcome("stored", Issue{Severity: SeverityWarning, Code: CodeRequired, Location: "Observation.category", Message: "missing"})
	if len(info.Issue) != 2 || info.Issue[0].Severity != "information" || info.Issue[1].Severity != "warning" {
		t.Errorf("%+v", info)
	}
	// The catalogue's refusals are safe to show; other errors are not.
	_, merr := measure.Normalize(measure.HeartRate, "", 900, "/min")
	if e := AsError(merr); e.Issues[0].Code != CodeValue || !strings.Contains(e.Issues[0].Message, "900") || e.Status() != 422 {
		t.Errorf("AsError(measure error) = %+v", e)
	}
	if e := AsError(wrapped{}); e.Issues[0].Code != CodeException || strings.Contains(e.Error(), "secret") {
		t.Errorf("AsError leaked: %v", e)
	}
}

type wrapped struct{}

func (wrapped) Error() string { return "secret: connection refused to 10.0.0.1" }
