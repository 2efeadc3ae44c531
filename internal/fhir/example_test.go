package fhir_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tend-health/tend/internal/fhir"
)

// The single create, as POST /fhir/Observation serves it.
func Example() {
	body := []byte(`{
	  "resourceType": "Observation",
	  "identifier": [{"system": "urn:dev:thermo-7", "value": "r-1001"}],
	  "status": "final",
	  "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]},
	  "subject": {"reference": "Patient/p1"},
	  "effectiveDateTime": "2026-11-22T10:30:00+01:00",
	  "valueQuantity": {"value": 99.50, "unit": "°F", "system": "http://unitsofmeasure.org", "code": "[degF]"}
	}`)
	obs, err := fhir.ParseObservation(body)
	if err != nil {
		oo, status := fhir.OutcomeFor(err)
		fmt.Println(status, oo)
		return
	}
	r, err := fhir.ToReading(obs)
	if err != nil {
		oo, status := fhir.OutcomeFor(err)
		fmt.Println(status, oo)
		return
	}
	fmt.Println(r.TypeKey, r.Value.Value, r.Value.Unit, r.Subject.ID, r.ExternalID.Value, r.TakenAt.UTC().Format(time.RFC3339))
	for _, w := range r.Warnings {
		fmt.Println("warning:", w)
	}
	// … ingest stores r as reading "o-17", then:
	fmt.Println("Location:", fhir.Location("o-17", "1"), "ETag:", fhir.ETag("1"))
	// Output:
	// body_temperature 99.50 [degF] p1 r-1001 2026-11-22T09:30:00Z
	// warning: Observation.category: category is missing; taken as vital-signs (the vital-signs profile requires it)
	// Location: Observation/o-17/_history/1 ETag: W/"1"
}

func ExampleOutcomeFor() {
	_, err := fhir.ToReading(&fhir.Observation{Status: "entered-in-error"})
	oo, status := fhir.OutcomeFor(err)
	fmt.Println(status)
	for _, i := range oo.Issue {
		fmt.Println(i.Code, i.Expression)
	}
	// Output:
	// 422
	// business-rule [Observation.status]
	// required [Observation.code]
	// required [Observation.subject]
	// required [Observation.effective[x]]
}

func ExampleParseSearch() {
	q, err := fhir.ParseSearch("patient=Patient/p1&code=http://loinc.org|85354-9&date=ge2026-11&date=lt2026-11-15&_count=100", fhir.SearchOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.PatientID, q.TypeKeys, q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), q.Count, q.Ascending)
	// Output:
	// p1 [blood_pressure] 2026-11-01 2026-11-15 100 false
}

func ExampleTransaction_Response() {
	tx, err := fhir.ParseTransaction([]byte(`{"resourceType": "Bundle", "type": "batch", "entry": [
	  {"request": {"method": "POST", "url": "Observation"}, "resource": {"resourceType": "Observation", "status": "cancelled"}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	results := make([]fhir.Result, len(tx.Entries))
	for i, e := range tx.Entries {
		if e.Err != nil {
			results[i] = fhir.Failed(e.Err)
			continue
		}
		// … store e.Reading, then results[i] = fhir.Created(id, storedAt, e.Reading.Warnings)
	}
	b, _ := tx.Response(results)
	out, _ := json.Marshal(b.Entry[0].Response.Status)
	fmt.Println(b.Type, string(out), len(b.Entry[0].Response.Outcome.Issue))
	// Output:
	// batch-response "422 Unprocessable Entity" 4
}
