package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// bundleOf wraps entries (JSON objects) in a Bundle of the given type.
func bundleOf(typ string, entries ...string) string {
	return fmt.Sprintf(`{"resourceType": "Bundle", "type": %q, "entry": [%s]}`, typ, strings.Join(entries, ","))
}

func post(resource string, extra ...string) string {
	req := `"method": "POST", "url": "Observation"`
	for _, e := range extra {
		req += ", " + e
	}
	posts++
	return fmt.Sprintf(`{"fullUrl": "urn:uuid:%s", "resource": %s, "request": {%s}}`, uuidFor(fmt.Sprint(posts, resource, req)), resource, req)
}

var posts int // makes each post's fullUrl its own

// uuidFor makes a stable urn:uuid-shaped id from text.
func uuidFor(s string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(h>>32), h&0xffffffffffff)
}

func TestBatch(t *testing.T) {
	second := edit(t, temperature, `identifier.0.value="t-2"`, `valueQuantity.value=38.1`)
	data := bundleOf("batch",
		post(temperature), // 0: fine
		post(standardsBP), // 1: fine
		post(edit(t, temperature, `status="cancelled"`)),              // 2: refused
		post(second, `"ifNoneExist": "identifier=urn:tend:test|t-2"`), // 3: conditional
		post(temperature), // 4: the same identifier as entry 0
		`{"resource": {"resourceType": "Patient", "id": "p"}, "request": {"method": "POST", "url": "Patient"}}`,                    // 5
		`{"request": {"method": "DELETE", "url": "Observation/1"}}`,                                                                // 6
		post(second, `"ifNoneExist": "identifier=urn:tend:test|other"`),                                                            // 7
		post(edit(t, temperature, `identifier.0.value="t-8"`, `valueQuantity.unit="°F"`)),                                          // 8
		`{"resource": `+temperature+`, "request": {"method": "POST", "url": "Observation"}, "bogus": 1}`,                           // 9
		`{"resource": `+edit(t, temperature, `identifier.0.value="t-10"`)+`, "request": {"method": "POST", "url": "Observation"}}`, // 10: fine
	)
	tx, err := ParseTransaction([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if tx.IsTransaction() || len(tx.Entries) != 11 {
		t.Fatalf("type %q, %d entries", tx.Type, len(tx.Entries))
	}
	wantErr := map[int]string{
		2: "Bundle.entry[2].resource.status: status cancelled",
		5: "Bundle.entry[5].request.url: Tend creates only Observations here",
		6: "Bundle.entry[6].request.method: Tend takes only POST entries",
		7: "Bundle.entry[7].request.ifNoneExist: the Observation must carry the identifier",
		8: "Bundle.entry[8].resource.valueQuantity.unit: the unit",
		9: `Bundle.entry[9].bogus: unknown element "bogus"`,
	}
	for i, e := range tx.Entries {
		want, bad := wantErr[i]
		switch {
		case bad && e.Err == nil:
			t.Errorf("entry %d accepted, want %q", i, want)
		case bad && !strings.HasPrefix(e.Err.Issues[0].String(), want):
			t.Errorf("entry %d: %v, want %q", i, e.Err, want)
		case !bad && e.Err != nil:
			t.Errorf("entry %d: %v", i, e.Err)
		}
	}
	if e := tx.Entries[3]; !e.Conditional || e.Reading.ExternalID.Value != "t-2" {
		t.Errorf("entry 3: %+v", e)
	}
	if tx.Entries[4].DuplicateOf != 0 || tx.Entries[0].DuplicateOf != -1 {
		t.Errorf("DuplicateOf = %d, %d", tx.Entries[4].DuplicateOf, tx.Entries[0].DuplicateOf)
	}
	if err := tx.Err(); err == nil || len(err.(*Error).Issues) < 6 {
		t.Errorf("Err() = %v", err)
	}

	at := time.Date(2026, 11, 22, 10, 31, 0, 0, time.UTC)
	results := make([]Result, len(tx.Entries))
	for i, e := range tx.Entries {
		switch {
		case e.Err != nil: // left zero: Response answers with e.Err
		case e.DuplicateOf >= 0:
			results[i] = AlreadyStored(fmt.Sprint("obs-", e.DuplicateOf), "1", at)
		case i == 10:
			results[i] = Failed(EntryError(i, Errorf(CodeForbidden, "", "the device is disabled")))
		default:
			results[i] = Created(fmt.Sprint("obs-", i), at, e.Reading.Warnings)
		}
	}
	resp, err := tx.Response(results)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type != BundleBatchResponse || len(resp.Entry) != 11 {
		t.Fatalf("response %+v", resp)
	}
	checks := map[int]string{
		0:  `{"status":"201 Created","location":"Observation/obs-0/_history/1","etag":"W/\"1\"","lastModified":"2026-11-22T10:31:00Z"}`,
		4:  `{"status":"200 OK","location":"Observation/obs-0/_history/1","etag":"W/\"1\"","lastModified":"2026-11-22T10:31:00Z"}`,
		2:  `{"status":"422 Unprocessable Entity","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"business-rule","diagnostics":"status cancelled means the measurement was not made, so there is nothing to store","expression":["Bundle.entry[2].resource.status"]}]}}`,
		9:  `{"status":"400 Bad Request","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"structure","diagnostics":"unknown element \"bogus\"","expression":["Bundle.entry[9].bogus"]}]}}`,
		10: `{"status":"403 Forbidden","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"the device is disabled","expression":["Bundle.entry[10]"]}]}}`,
	}
	for i, want := range checks {
		got, _ := json.Marshal(resp.Entry[i].Response)
		if string(got) != want {
			t.Errorf("entry %d response\n%s\nwant\n%s", i, got, want)
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseBundle(out)
	if err != nil || len(back.Entry) != 11 {
		t.Fatalf("reading the response back: %v", err)
	}
}

func TestTransactionAllOrNothing(t *testing.T) {
	good := bundleOf("transaction", post(temperature), post(standardsBP))
	tx, err := ParseTransaction([]byte(good))
	if err != nil || tx.Err() != nil || !tx.IsTransaction() {
		t.Fatalf("ParseTransaction: %v, %v", err, tx.Err())
	}
	at := time.Date(2026, 11, 22, 10, 31, 0, 0, time.UTC)
	resp, err := tx.Response([]Result{Created("a", at, nil), Created("b", at, nil)})
	if err != nil || resp.Type != BundleTransactionResponse || resp.Entry[1].Response.Location != "Observation/b/_history/1" {
		t.Fatalf("Response: %+v, %v", resp, err)
	}
	// The store refusing one entry fails the whole transaction.
	if _, err := tx.Response([]Result{Created("a", at, nil), Failed(fmt.Errorf("disk full"))}); err == nil {
		t.Error("a failed transaction got a response Bundle")
	}
	oo, status := OutcomeFor(EntryError(1, fmt.Errorf("disk full")))
	if status != 500 || oo.Issue[0].Code != "exception" || strings.Contains(oo.Issue[0].Diagnostics, "disk") {
		t.Errorf("internal error leaked or mislabelled: %d %+v", status, oo.Issue[0])
	}

	bad := bundleOf("transaction", post(temperature), post(edit(t, standardsBP, `component=`)), post(edit(t, temperature, `subject=`)))
	tx, err = ParseTransaction([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	terr := tx.Err()
	if terr == nil {
		t.Fatal("a transaction with bad entries has no Err")
	}
	oo, status = OutcomeFor(terr)
	if status != 422 || len(oo.Issue) != 2 ||
		oo.Issue[0].Expression[0] != "Bundle.entry[1].resource.component" ||
		oo.Issue[1].Expression[0] != "Bundle.entry[2].resource.subject" {
		b, _ := json.Marshal(oo)
		t.Errorf("outcome %d %s", status, b)
	}
}

func TestTransactionWhole(t *testing.T) {
	many := make([]string, MaxBundleEntries+1)
	for i := range many {
		many[i] = `{}`
	}
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{`, "not valid JSON"},
		{"not a Bundle", temperature, `expected a Bundle of type transaction or batch, got "Observation"`},
		{"searchset", bundleOf("searchset"), `Bundle.type: Tend takes Bundles of type transaction or batch here, not "searchset"`},
		{"no type", `{"resourceType": "Bundle", "entry": []}`, "Bundle.type: type is required"},
		{"entry not an array", `{"resourceType": "Bundle", "type": "batch", "entry": {}}`, "Bundle.entry: must be an array"},
		{"too many", bundleOf("batch", many...), "at most 1000 entries"},
		{"unknown element", `{"resourceType": "Bundle", "type": "batch", "entries": []}`, `unknown element "entries"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTransaction([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	tx, err := ParseTransaction([]byte(`{"resourceType": "Bundle", "type": "batch"}`))
	if err != nil || len(tx.Entries) != 0 {
		t.Errorf("empty batch: %v", err)
	}
	if _, err := ParseTransaction([]byte(bundleOf("batch", many...))); AsError(err).Status() != 413 {
		t.Errorf("too many entries: status %d", AsError(err).Status())
	}
}

func TestEntryErrors(t *testing.T) {
	tests := []struct{ entry, want string }{
		{`[]`, "Bundle.entry[0]: an entry must be an object"},
		{`{"resource": ` + temperature + `}`, "Bundle.entry[0].request: each entry"},
		{`{"resource": ` + temperature + `, "request": {"url": "Observation"}}`, "Bundle.entry[0].request.method: method is required"},
		{`{"resource": ` + temperature + `, "request": {"method": "FETCH", "url": "Observation"}}`, `Bundle.entry[0].request.method: "FETCH" is not an HTTP method`},
		{`{"resource": ` + temperature + `, "request": {"method": "POST"}}`, "Bundle.entry[0].request.url: url is required"},
		{`{"request": {"method": "POST", "url": "Observation"}}`, "Bundle.entry[0].resource: a POST entry needs"},
		{`{"resource": "x", "request": {"method": "POST", "url": "Observation"}}`, "Bundle.entry[0].resource: must be a resource"},
		{`{"resource": {"status": "final"}, "request": {"method": "POST", "url": "Observation"}}`, "Bundle.entry[0].resource.resourceType: resourceType is required"},
		{post(temperature, `"ifNoneExist": "code=8310-5"`), "Bundle.entry[0].request.ifNoneExist: Tend supports only identifier"},
		{post(temperature, `"ifNoneExist": "identifier=a,b"`), "Bundle.entry[0].request.ifNoneExist: one value only"},
		{post(edit(t, temperature, `valueQuantity.value="1"`)), "Bundle.entry[0].resource.valueQuantity.value: must be a JSON number"},
	}
	for _, tt := range tests {
		tx, err := ParseTransaction([]byte(bundleOf("batch", tt.entry)))
		if err != nil {
			t.Errorf("%s: whole Bundle refused: %v", tt.want, err)
			continue
		}
		if e := tx.Entries[0].Err; e == nil || !strings.HasPrefix(e.Issues[0].String(), tt.want) {
			t.Errorf("entry error %v, want %q", e, tt.want)
		}
	}
	// Two entries with one fullUrl.
	tx, _ := ParseTransaction([]byte(bundleOf("batch",
		`{"fullUrl": "urn:uuid:1", "resource": `+temperature+`, "request": {"method": "POST", "url": "Observation"}}`,
		`{"fullUrl": "urn:uuid:1", "resource": `+temperature+`, "request": {"method": "POST", "url": "Observation"}}`)))
	if tx.Entries[1].Err == nil || tx.Entries[0].Err != nil {
		t.Errorf("duplicate fullUrl: %v / %v", tx.Entries[0].Err, tx.Entries[1].Err)
	}
}

func TestIfNoneExist(t *testing.T) {
	obs, _ := ParseObservation([]byte(edit(t, temperature, `identifier.1={"system": "urn:b", "value": "v|2"}`)))
	tests := []struct {
		criteria string
		want     ExternalID
		err      string
	}{
		{"identifier=urn:tend:test|t-1", ExternalID{"urn:tend:test", "t-1"}, ""},
		{"Observation?identifier=urn%3Atend%3Atest%7Ct-1", ExternalID{"urn:tend:test", "t-1"}, ""},
		{"identifier=t-1", ExternalID{"urn:tend:test", "t-1"}, ""},
		{`identifier=urn:b|v\|2`, ExternalID{"urn:b", "v|2"}, ""},
		{"identifier=|t-1", ExternalID{}, "must carry the identifier"},
		{"identifier=urn:x|t-1", ExternalID{}, "must carry the identifier"},
		{"identifier=urn:x|", ExternalID{}, "no code after the system"},
		{"identifier=a&identifier=b", ExternalID{}, "only identifier"},
		{"%zz", ExternalID{}, "cannot read"},
	}
	for _, tt := range tests {
		var r Reading
		err := ApplyIfNoneExist(&r, obs, tt.criteria)
		switch {
		case tt.err == "" && (err != nil || r.ExternalID != tt.want):
			t.Errorf("%q: %+v, %v", tt.criteria, r.ExternalID, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.criteria, err, tt.err)
		case err != nil && !strings.HasPrefix(err.(*Error).Issues[0].Location, "If-None-Exist"):
			t.Errorf("%q: location %q", tt.criteria, err.(*Error).Issues[0].Location)
		}
	}
}

func TestSearchSet(t *testing.T) {
	q, err := ParseSearch("patient=p1&code=http://loinc.org|8867-4,999-9&date=ge2026-11&_count=2", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustReading(t, edit(t, temperature, `code.coding.0.code="8867-4"`, `valueQuantity={"value": 72, "system": "http://unitsofmeasure.org", "code": "/min"}`))
	o1, _ := FromReading(r, Stored{ID: "o1", VersionID: "1"})
	o2, _ := FromReading(r, Stored{ID: "o2", VersionID: "1"})
	b := SearchSet("https://tend.example/fhir/", q, []*Observation{o1, o2}, 7, "c2VjcmV0")
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseBundle(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if *back.Total != 7 || back.Type != "searchset" || len(back.Entry) != 3 {
		t.Fatalf("bundle %s", out)
	}
	self := "https://tend.example/fhir/Observation?patient=Patient%2Fp1&code=http%3A%2F%2Floinc.org%7C8867-4%2C999-9&date=ge2026-11-01T00%3A00%3A00Z&_sort=-date&_count=2"
	if back.Link[0].Relation != "self" || back.Link[0].URL != self {
		t.Errorf("self = %s\nwant   %s", back.Link[0].URL, self)
	}
	if back.Link[1].Relation != "next" || back.Link[1].URL != self+"&_page=c2VjcmV0" {
		t.Errorf("next = %s", back.Link[1].URL)
	}
	if back.Entry[0].FullURL != "https://tend.example/fhir/Observation/o1" || back.Entry[0].Search.Mode != "match" {
		t.Errorf("entry 0 %+v", back.Entry[0])
	}
	if oo, ok := back.Entry[2].Resource.(*OperationOutcome); !ok || back.Entry[2].Search.Mode != "outcome" ||
		!strings.Contains(oo.Issue[0].Diagnostics, "999-9") {
		t.Errorf("outcome entry %+v", back.Entry[2])
	}
	if o, ok := back.Entry[1].Resource.(*Observation); !ok || o.ValueQuantity.Value != "72" {
		t.Errorf("entry 1 %+v", back.Entry[1].Resource)
	}
	// The next link parses back to the same query, on its next page.
	_, raw, _ := strings.Cut(back.Link[1].URL, "?")
	nq, err := ParseSearch(raw, SearchOptions{})
	if err != nil || nq.Page != "c2VjcmV0" || nq.PatientID != "p1" || !nq.From.Equal(q.From) || nq.Count != 2 {
		t.Errorf("next query %+v, %v", nq, err)
	}
	// An empty last page, total counted: total 0 is written.
	b = SearchSet("https://tend.example/fhir", Query{Count: 50}, nil, 0, "")
	out, _ = json.Marshal(b)
	if !strings.Contains(string(out), `"total":0`) || strings.Contains(string(out), "next") {
		t.Errorf("empty page %s", out)
	}
}
