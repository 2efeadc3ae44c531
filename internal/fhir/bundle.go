package fhir

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// MaxBundleEntries bounds the entries of a transaction or batch; a larger
// Bundle is refused as too costly, and the sender should split it.
const MaxBundleEntries = 1000

// Transaction is a transaction or batch Bundle of Observation creates, read
// and checked entry by entry.
//
// A batch is answered entry by entry: store the entries without Err, answer
// the others with Failed(entry.Err). A transaction is all or nothing: if
// Err reports anything, answer it and store nothing; otherwise store every
// reading in one database transaction, and if the store refuses one,
// answer EntryError(i, err) and store nothing.
type Transaction struct {
	Type    string // BundleTransaction or BundleBatch
	Entries []TransactionEntry
}

// TransactionEntry is one entry of a transaction or batch: an Observation
// to create, as a Reading, or the reason it cannot be.
type TransactionEntry struct {
	FullURL     string
	Observation *Observation // nil when the entry could not be read
	Reading     Reading      // valid when Err is nil
	// Conditional is set when the entry carried ifNoneExist. Tend finds a
	// reading sent before by its ExternalID whether or not the entry is
	// conditional, so this is for the record only.
	Conditional bool
	// DuplicateOf is the index of an earlier entry of the same Bundle with
	// the same ExternalID, or -1. Such an entry is the same reading sent
	// twice: answer it as already stored, with the earlier entry's id.
	DuplicateOf int
	Err         *Error // why the entry cannot be stored, located in the Bundle
}

// IsTransaction reports whether the Bundle is all or nothing.
func (t *Transaction) IsTransaction() bool { return t.Type == BundleTransaction }

// Err returns every entry's problems together, or nil when all entries
// can be stored. It is what answers a transaction that fails before the
// store is asked.
// At most maxTransactionIssues issues are listed, and then how many
// more entries are bad.
func (t *Transaction) Err() error {
	var all []Issue
	bad, shown := 0, 0
	for _, e := range t.Entries {
		if e.Err == nil {
			continue
		}
		bad++
		if len(all)+len(e.Err.Issues) <= maxTransactionIssues {
			all = append(all, e.Err.Issues...)
			shown++
		}
	}
	if bad == 0 {
		return nil
	}
	if bad > shown {
		all = append(all, Issue{Severity: SeverityError, Code: CodeProcessing, Location: "Bundle.entry",
			Message: fmt.Sprintf("%d more entries have problems not listed here", bad-shown)})
	}
	return &Error{Issues: all}
}

// maxTransactionIssues bounds the issues that answer a failed transaction.
const maxTransactionIssues = 100

// ParseTransaction reads a transaction or batch Bundle whose entries each
// POST an Observation (url "Observation", with ifNoneExist
// "identifier=[system|]value" for a conditional create), and checks each
// Observation with ToReading. A Bundle that cannot be read as a whole (not
// JSON, not a Bundle, another type, more than MaxBundleEntries entries)
// gives an error; a bad entry only sets that entry's Err.
func ParseTransaction(data []byte) (*Transaction, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	if root.kind != kindObject {
		return nil, Errorf(CodeStructure, "", "the body must be a JSON object (a FHIR Bundle), not %s", root.kind)
	}
	if rt := root.member("resourceType"); rt != nil && rt.kind == kindString && rt.text != "Bundle" {
		return nil, Errorf(CodeInvalid, "resourceType", "expected a Bundle of type transaction or batch, got %q", clip(rt.text, 40))
	}
	var b Bundle
	d := decoder{root: "Bundle"}
	d.object(root, reflect.ValueOf(&b).Elem(), "Bundle", "entry")
	if b.Type == "" && !d.failed() {
		d.errorf(CodeRequired, "Bundle.type", "type is required: transaction or batch")
	} else if b.Type != "" && b.Type != BundleTransaction && b.Type != BundleBatch {
		d.errorf(CodeValue, "Bundle.type", "Tend takes Bundles of type transaction or batch here, not %q", clip(b.Type, 40))
	}
	entries := root.member("entry")
	if entries != nil && entries.kind != kindArray {
		d.errorf(CodeStructure, "Bundle.entry", "must be an array, not %s", entries.kind)
	} else if entries != nil && len(entries.elems) > MaxBundleEntries {
		d.errorf(CodeTooCostly, "Bundle.entry", "a Bundle may hold at most %d entries, not %d; split it", MaxBundleEntries, len(entries.elems))
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	t := &Transaction{Type: b.Type}
	if entries == nil {
		return t, nil
	}
	t.Entries = make([]TransactionEntry, len(entries.elems))
	fullURLs := map[string]int{}
	externalIDs := map[ExternalID]int{}
	for i := range entries.elems {
		e := &t.Entries[i]
		e.DuplicateOf = -1
		readEntry(e, "Bundle.entry["+strconv.Itoa(i)+"]", &entries.elems[i])
		if e.FullURL != "" && e.Err == nil {
			if j, dup := fullURLs[e.FullURL]; dup {
				e.Err = Errorf(CodeInvalid, "Bundle.entry["+strconv.Itoa(i)+"].fullUrl", "the same fullUrl as entry %d; each entry needs its own", j)
			} else {
				fullURLs[e.FullURL] = i
			}
		}
		if e.Err == nil && !e.Reading.ExternalID.IsZero() {
			if j, dup := externalIDs[e.Reading.ExternalID]; dup {
				e.DuplicateOf = j
			} else {
				externalIDs[e.Reading.ExternalID] = i
			}
		}
	}
	return t, nil
}

// readEntry reads one entry of a transaction or batch into e.
func readEntry(e *TransactionEntry, path string, en *node) {
	if en.kind != kindObject {
		e.Err = Errorf(CodeStructure, path, "an entry must be an object, not %s", en.kind)
		return
	}
	var be BundleEntry
	d := decoder{root: path}
	d.object(en, reflect.ValueOf(&be).Elem(), "", "resource")
	e.FullURL = be.FullURL
	req := be.Request
	switch {
	case req == nil:
		d.errorf(CodeRequired, path+".request", "each entry of a transaction or batch needs its request: {\"method\": \"POST\", \"url\": \"Observation\"}")
	case req.Method == "":
		d.errorf(CodeRequired, path+".request.method", "method is required: POST")
	case req.Method != "POST":
		switch req.Method {
		case "GET", "HEAD", "PUT", "DELETE", "PATCH":
			d.errorf(CodeNotSupported, path+".request.method", "Tend takes only POST entries here, creating Observations; %s is not supported", req.Method)
		default:
			d.errorf(CodeCodeInvalid, path+".request.method", "%q is not an HTTP method of FHIR; use POST", clip(req.Method, 20))
		}
	case strings.TrimSuffix(strings.TrimPrefix(req.URL, "/"), "/") != "Observation":
		if req.URL == "" {
			d.errorf(CodeRequired, path+".request.url", "url is required: Observation")
		} else {
			d.errorf(CodeNotSupported, path+".request.url", "Tend creates only Observations here: the url must be Observation, not %q", clip(req.URL, 60))
		}
	}
	rn := en.member("resource")
	switch {
	case rn == nil || (rn.kind == kindObject && len(rn.members) == 0):
		d.errorf(CodeRequired, path+".resource", "a POST entry needs the Observation to create as its resource")
	case rn.kind != kindObject:
		d.errorf(CodeStructure, path+".resource", "must be a resource (an object), not %s", rn.kind)
	}
	if err := d.err(); err != nil {
		e.Err = err.(*Error)
		return
	}
	if rt := rn.member("resourceType"); rt == nil || rt.kind != kindString {
		e.Err = Errorf(CodeRequired, path+".resource.resourceType", "resourceType is required (\"Observation\")")
		return
	} else if rt.text != "Observation" {
		e.Err = Errorf(CodeNotSupported, path+".resource.resourceType", "Tend creates only Observations here, not %q", clip(rt.text, 40))
		return
	}
	var obs Observation
	od := decoder{root: path + ".resource"}
	od.object(rn, reflect.ValueOf(&obs).Elem(), "Observation")
	if err := od.err(); err != nil {
		e.Err = err.(*Error)
		return
	}
	e.Observation = &obs
	r, err := toReading(&obs, path+".resource")
	if err != nil {
		e.Err = err.(*Error)
		return
	}
	if req.IfNoneExist != "" {
		e.Conditional = true
		if err := applyIfNoneExist(&r, &obs, req.IfNoneExist, path+".request.ifNoneExist"); err != nil {
			e.Err = err
			return
		}
	}
	e.Reading = r
}

// ApplyIfNoneExist handles the If-None-Exist header of a single create
// (for a Bundle entry, ParseTransaction does it). Tend supports the
// criteria identifier=[system|]value, and only for an identifier the
// Observation carries, because it finds readings sent before by their
// identifier: that identifier becomes the reading's ExternalID. The
// caller then answers 200 with the stored reading when one exists.
func ApplyIfNoneExist(r *Reading, obs *Observation, criteria string) error {
	if err := applyIfNoneExist(r, obs, criteria, "If-None-Exist"); err != nil {
		return err
	}
	return nil
}

func applyIfNoneExist(r *Reading, obs *Observation, criteria, loc string) *Error {
	q := strings.TrimPrefix(strings.TrimPrefix(criteria, "Observation"), "?")
	vals, err := url.ParseQuery(q)
	if err != nil {
		return Errorf(CodeInvalid, loc, "cannot read %q as search criteria: %v", clip(criteria, 80), err)
	}
	ids := vals["identifier"]
	if len(vals) != 1 || len(ids) != 1 || ids[0] == "" {
		return Errorf(CodeNotSupported, loc, "Tend supports only identifier=[system|]value as the criteria of a conditional create, not %q", clip(criteria, 80))
	}
	system, value, anySystem, err := splitToken(ids[0])
	if err != nil {
		return Errorf(CodeInvalid, loc, "%v", err)
	}
	if obs != nil {
		for _, id := range obs.Identifier {
			if id.Value == value && (anySystem || id.System == system) {
				r.ExternalID = ExternalID{System: id.System, Value: id.Value}
				return nil
			}
		}
	}
	return Errorf(CodeBusinessRule, loc, "the Observation must carry the identifier the criteria search for: Tend finds a reading sent before by the Observation's own identifier")
}

// splitToken splits a FHIR token search value: "system|code", "|code"
// (no system) or "code" (any system). "\|", "\,", "\$" and "\\" escape.
func splitToken(s string) (system, code string, anySystem bool, err error) {
	if hasUnescaped(s, ',') {
		return "", "", false, fmt.Errorf("one value only: %q lists several", clip(s, 80))
	}
	i := indexUnescaped(s, '|')
	if i < 0 {
		code, anySystem = unescape(s), true
	} else {
		system, code = unescape(s[:i]), unescape(s[i+1:])
	}
	if code == "" {
		return "", "", false, fmt.Errorf("%q has no code after the system", clip(s, 80))
	}
	return system, code, anySystem, nil
}

func indexUnescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case c:
			return i
		}
	}
	return -1
}

func hasUnescaped(s string, c byte) bool { return indexUnescaped(s, c) >= 0 }

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Result is how one entry of a transaction or batch fared in the store.
type Result struct {
	Status       int // 201 created, 200 stored before, or an error status
	ID           string
	VersionID    string
	LastModified time.Time
	Err          error   // why it failed; for an error Status only
	Warnings     []Issue // the reading's warnings, for its outcome
}

// Created is the result of a reading stored now, as version 1.
func Created(id string, lastModified time.Time, warnings []Issue) Result {
	return Result{Status: 201, ID: id, VersionID: "1", LastModified: lastModified, Warnings: warnings}
}

// AlreadyStored is the result of a reading stored before (found by its
// identifier): the version stored then.
func AlreadyStored(id, versionID string, lastModified time.Time) Result {
	return Result{Status: 200, ID: id, VersionID: versionID, LastModified: lastModified}
}

// Failed is the result of an entry that could not be stored.
func Failed(err error) Result {
	e := AsError(err)
	return Result{Status: e.Status(), Err: e}
}

func (r Result) failed() bool { return r.Status < 200 || r.Status > 299 }

// Response builds the transaction-response or batch-response Bundle: one
// entry per entry of the request, in order, answering 201 Created or 200
// OK with the location Observation/{id}/_history/{version}, or, in a
// batch, the error status with an OperationOutcome. An entry that
// ParseTransaction found bad is answered with its Err whatever results
// says. A failed transaction has no response Bundle: answer it with
// OutcomeFor(err), and Response returns an error if asked to.
func (t *Transaction) Response(results []Result) (*Bundle, error) {
	if len(results) != len(t.Entries) {
		return nil, fmt.Errorf("fhir: %d results for %d entries", len(results), len(t.Entries))
	}
	typ := BundleBatchResponse
	if t.IsTransaction() {
		typ = BundleTransactionResponse
	}
	b := &Bundle{Type: typ, Entry: make([]BundleEntry, len(results))}
	for i, r := range results {
		if t.Entries[i].Err != nil {
			r = Failed(t.Entries[i].Err)
		}
		if r.failed() && t.IsTransaction() {
			return nil, fmt.Errorf("fhir: entry %d of a transaction failed; the transaction is answered by an OperationOutcome", i)
		}
		b.Entry[i] = BundleEntry{Response: responseFor(r)}
	}
	return b, nil
}

func responseFor(r Result) *BundleEntryResponse {
	if r.failed() {
		err := r.Err
		if err == nil {
			err = Errorf(CodeException, "", "the entry could not be stored")
		}
		oo, status := OutcomeFor(err)
		if r.Status >= 400 {
			status = r.Status
		}
		return &BundleEntryResponse{Status: statusLine(status), Outcome: oo}
	}
	resp := &BundleEntryResponse{
		Status:   statusLine(r.Status),
		Location: Location(r.ID, r.VersionID),
		Etag:     ETag(r.VersionID),
	}
	if !r.LastModified.IsZero() {
		resp.LastModified = formatInstant(r.LastModified)
	}
	if len(r.Warnings) > 0 {
		resp.Outcome = NewOutcome(r.Warnings...)
	}
	return resp
}

var statusTexts = map[int]string{
	200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
	404: "Not Found", 409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large",
	422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
	503: "Service Unavailable",
}

// statusLine writes an HTTP status as a Bundle response wants it: "201 Created".
func statusLine(code int) string {
	if text, ok := statusTexts[code]; ok {
		return strconv.Itoa(code) + " " + text
	}
	return strconv.Itoa(code)
}

// SearchSet builds a searchset Bundle of one page of results. base is the
// FHIR base URL ("https://tend.example/fhir"); total is the number of all
// matches, or negative when not counted; next is the page token of the
// next page, empty on the last. The self and next links repeat the query
// as Tend understood it (see Query.Encode). The query's warnings, if any,
// come as an OperationOutcome entry with search mode outcome.
func SearchSet(base string, q Query, page []*Observation, total int, next string) *Bundle {
	base = strings.TrimSuffix(base, "/")
	b := &Bundle{Type: BundleSearchset}
	if total >= 0 {
		b.Total = &total
	}
	self := q
	b.Link = []BundleLink{{Relation: "self", URL: base + "/Observation?" + self.Encode()}}
	if next != "" {
		n := q
		n.Page = next
		b.Link = append(b.Link, BundleLink{Relation: "next", URL: base + "/Observation?" + n.Encode()})
	}
	for _, o := range page {
		if o == nil {
			continue
		}
		e := BundleEntry{Resource: o, Search: &BundleEntrySearch{Mode: "match"}}
		if o.ID != "" {
			e.FullURL = base + "/Observation/" + o.ID
		}
		b.Entry = append(b.Entry, e)
	}
	if len(q.Warnings) > 0 {
		b.Entry = append(b.Entry, BundleEntry{Resource: NewOutcome(q.Warnings...), Search: &BundleEntrySearch{Mode: "outcome"}})
	}
	return b
}
