package api

// The FHIR door: vital signs in and out as FHIR R4 Observations.
//
// Routes, as routes.go lists them. They are plain handlers, not huma
// operations, so huma's enforce does not apply: each handler checks its
// caller itself (sign-in, CSRF for cookie sessions, access through the
// services) and writes its own audit event.
//
//	// The FHIR R4 door (fhir.go): Observations in and out, errors as OperationOutcomes.
//	s.mux.HandleFunc("GET /fhir/metadata", s.fhirMetadata)
//	s.mux.HandleFunc("POST /fhir/Observation", s.fhirCreate)
//	s.mux.HandleFunc("GET /fhir/Observation", s.fhirSearch)
//	s.mux.HandleFunc("POST /fhir/Observation/_search", s.fhirSearch)
//	s.mux.HandleFunc("GET /fhir/Observation/{id}", s.fhirRead)
//	s.mux.HandleFunc("POST /fhir", s.fhirBundle)
//	s.mux.HandleFunc("POST /fhir/{$}", s.fhirBundle)
//	s.mux.HandleFunc("/fhir", s.fhirUnknown)
//	s.mux.HandleFunc("/fhir/", s.fhirUnknown)
//
// The door decodes with internal/fhir (which does no I/O), hands readings to
// readings.Ingest like every other door, and reads them back with
// readings.Get and readings.List, which are scoped by access inside their
// SQL. It writes no SQL of its own.
//
// Who may call: GET /fhir/metadata is public. Creating readings (a single
// Observation, or a transaction or batch Bundle) is open to a device signed
// in by HTTP Basic with its id and credential, whose readings go to the
// patient it is assigned to, and to a person (API token, or session cookie
// with the CSRF header) allowed to write the patient's vitals. Reading and
// searching are for people only, and show only what they may see. Every
// call that touches a patient's data leaves an audit event, allowed,
// refused or failed.
//
// All or nothing: a transaction Bundle concerns one patient (one Ingest
// call, which commits its rows in one database transaction). Before it is
// handed to the store, every entry is checked for everything Ingest checks
// item by item (values, units and plausibility by fhir.ToReading; the time
// window and the device's assignment here), so that the store either takes
// every entry or refuses the source as a whole, and never keeps part of a
// transaction. See fhirTransaction for the one race left.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/fhir"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Body limits of the FHIR door. A larger body is answered 413 without being
// read to its end.
const (
	fhirMaxObservation = 256 << 10 // one Observation
	fhirMaxBundle      = 4 << 20   // a transaction or batch Bundle
)

// fhirContentType is what every answer of the door is sent as.
const fhirContentType = fhir.MediaType + "; charset=utf-8"

// Audit actions of the FHIR door.
const (
	auditFHIRCreate      = "fhir.observation.create"
	auditFHIRRead        = "fhir.observation.read"
	auditFHIRSearch      = "fhir.observation.search"
	auditFHIRTransaction = "fhir.transaction"
	auditFHIRBatch       = "fhir.batch"
)

// fhirStatusFlag prefixes the flag that keeps an Observation's status when
// it is not final (preliminary, amended, corrected): the store knows final
// and entered-in-error only.
const fhirStatusFlag = "fhir-status-"

// fhirCaller is who sent a FHIR request: a device or a person.
type fhirCaller struct {
	device *devices.Device
	person *people.Principal
}

// fhirCallerOf finds who is behind r. Anonymous callers are refused with
// 401; a person signed in by cookie must send the CSRF header on a change.
// peopleOnly says whether the route is for people only (reading and
// searching).
func fhirCallerOf(r *http.Request, change, peopleOnly bool) (fhirCaller, *fhir.Error) {
	ctx := r.Context()
	if d, ok := deviceFrom(ctx); ok {
		if peopleOnly {
			return fhirCaller{}, fhir.Errorf(fhir.CodeForbidden, "",
				"devices may only send readings; sign in as a person (Authorization: Bearer <API token>) to read or search them")
		}
		return fhirCaller{device: &d}, nil
	}
	p, ok := people.FromContext(ctx)
	if !ok {
		return fhirCaller{}, fhir.Errorf(fhir.CodeLogin, "",
			"sign in first: a device sends HTTP Basic with its id and credential, a person 'Authorization: Bearer <API token>'")
	}
	if change && p.SessionID != "" && !people.CheckCSRF(p, r.Header.Get(csrfHeader)) {
		return fhirCaller{}, fhir.Errorf(fhir.CodeForbidden, "",
			"the request lacks the CSRF token of your session (header X-CSRF-Token): reload the page and try again")
	}
	return fhirCaller{person: &p}, nil
}

// viewer is the principal reads are scoped by. A device reads only what it
// needs to answer its own create (the reading stored before under the same
// identifier), and does so as the patient it is assigned to now, so that it
// never sees another patient's data, not even a former holder's.
func (c fhirCaller) viewer() people.Principal {
	if c.person != nil {
		return *c.person
	}
	if c.device != nil && c.device.PatientID != "" {
		return people.Principal{UserID: c.device.PatientID}
	}
	return people.Principal{}
}

// ---------------------------------------------------------------------
// Writing answers

// writeFHIR writes a FHIR resource with status.
func writeFHIR(w http.ResponseWriter, status int, res any, pretty bool) {
	var b []byte
	var err error
	switch m, ok := res.(json.Marshaler); {
	case pretty:
		b, err = json.MarshalIndent(res, "", "  ")
	case ok:
		// A resource writes itself compactly with its resourceType; through
		// json.Marshal its answer would be scanned and copied once more.
		b, err = m.MarshalJSON()
	default:
		b, err = json.Marshal(res)
	}
	if err != nil {
		// Every resource the door writes marshals; this is a bug.
		status = http.StatusInternalServerError
		b = []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception","diagnostics":"the answer could not be written"}]}`)
	}
	h := w.Header()
	h.Set("Content-Type", fhirContentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeRefusal answers a request refused before it reached a handler (a bad
// device credential or API token, a panic): an OperationOutcome on /fhir,
// problem+json elsewhere. Meant for the middleware in place of writeProblem.
func writeRefusal(w http.ResponseWriter, r *http.Request, status int, detail string) {
	if !isFHIRPath(r.URL.Path) {
		writeProblem(w, status, detail)
		return
	}
	code := fhir.CodeProcessing
	switch status {
	case http.StatusUnauthorized:
		code = fhir.CodeLogin
	case http.StatusForbidden:
		code = fhir.CodeForbidden
	case http.StatusTooManyRequests:
		code = fhir.CodeThrottled
	case http.StatusInternalServerError:
		code = fhir.CodeException
	}
	oo := fhir.NewOutcome(fhir.Issue{Severity: fhir.SeverityError, Code: code, Message: detail})
	w.Header().Set("Cache-Control", "no-store")
	writeFHIR(w, status, oo, false)
}

func isFHIRPath(p string) bool { return p == "/fhir" || strings.HasPrefix(p, "/fhir/") }

// fhirError turns a service error into the door's *fhir.Error, located at
// loc. An internal error is logged with the request id, which the answer
// names; its details never reach the client.
func (s *Server) fhirError(ctx context.Context, err error, loc string) *fhir.Error {
	var fe *fhir.Error
	if errors.As(err, &fe) {
		return fe
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		id := requestID(ctx)
		s.Log.ErrorContext(ctx, "fhir request failed", "request_id", id, "err", err)
		return fhir.Errorf(fhir.CodeException, "", "something went wrong on our side; try again, and if it persists give the administrator request id %s", id)
	}
	code := fhir.CodeProcessing
	switch e.Kind {
	case errs.Invalid:
		code = fhir.CodeValue
	case errs.NotFound:
		code = fhir.CodeNotFound
	case errs.Conflict:
		code = fhir.CodeConflict
	case errs.Forbidden:
		code = fhir.CodeForbidden
	case errs.Unauthorized:
		code = fhir.CodeLogin
	case errs.TooMany:
		code = fhir.CodeThrottled
	case errs.TooLarge:
		code = fhir.CodeTooCostly
	}
	out := &fhir.Error{Issues: []fhir.Issue{{Severity: fhir.SeverityError, Code: code, Location: loc, Message: e.Message}}}
	for _, f := range e.Fields {
		out.Issues = append(out.Issues, fhir.Issue{Severity: fhir.SeverityError, Code: code, Location: loc, Message: f.Field + ": " + f.Message})
	}
	return out
}

// auditFHIR records one audit event for a FHIR call; the outcome follows
// from the answer's status.
func (s *Server) auditFHIR(ctx context.Context, action, patientID, resource string, status int, detail string) {
	outcome := audit.Success
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		outcome = audit.Denied
	case status >= 400:
		outcome = audit.Failure
	}
	err := s.Audit.Record(ctx, audit.Event{Action: action, PatientID: patientID, Resource: resource, Outcome: outcome, Detail: detail})
	if err != nil {
		s.Log.ErrorContext(ctx, "audit write failed", "err", err, "request_id", requestID(ctx))
	}
}

// fhirBase is the FHIR base URL the request was made to, for links and the
// Location header.
func (s *Server) fhirBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if s.TrustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
	}
	return scheme + "://" + r.Host + "/fhir"
}

// ---------------------------------------------------------------------
// Reading bodies

var fhirBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readFHIRBody checks the content type and reads the body, at most limit
// bytes. The buffer goes back to the pool with release once the body is
// parsed (the parsed resource holds no part of it).
func readFHIRBody(w http.ResponseWriter, r *http.Request, limit int64) (*bytes.Buffer, *fhir.Error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, unsupportedMedia("the request has no Content-Type: send application/fhir+json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != fhir.MediaType && mt != "application/json") {
		return nil, unsupportedMedia(fmt.Sprintf("Tend takes FHIR JSON: send Content-Type application/fhir+json (or application/json), not %q", clipText(ct, 60)))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, unsupportedMedia(fmt.Sprintf("FHIR JSON is UTF-8; the charset %q is not supported", clipText(cs, 20)))
	}
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	buf := fhirBodies.Get().(*bytes.Buffer)
	buf.Reset()
	_, err = buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		releaseBody(buf)
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, tooLarge(limit)
		}
		return nil, fhir.Errorf(fhir.CodeStructure, "", "the request body could not be read to its end")
	}
	if buf.Len() == 0 {
		releaseBody(buf)
		return nil, fhir.Errorf(fhir.CodeStructure, "", "the request body is empty: send a FHIR resource as JSON")
	}
	return buf, nil
}

func releaseBody(b *bytes.Buffer) {
	if b != nil && b.Cap() <= 1<<20 {
		fhirBodies.Put(b)
	}
}

// unsupportedMedia is a 415: FHIR has no issue type that maps to it, so
// fhirStatus recognises it by its location.
func unsupportedMedia(msg string) *fhir.Error {
	return &fhir.Error{Issues: []fhir.Issue{{Severity: fhir.SeverityError, Code: fhir.CodeNotSupported, Location: "Content-Type", Message: msg}}}
}

func tooLarge(limit int64) *fhir.Error {
	return fhir.Errorf(fhir.CodeTooCostly, "", "the request body is larger than the %d KiB Tend takes here; split it into smaller requests", limit>>10)
}

// fhirStatus is the HTTP status that answers e, with the two the issue
// types do not say: 415 for a content type Tend does not read, 406 for an
// answer it cannot write.
func fhirStatus(e *fhir.Error) int {
	if len(e.Issues) > 0 && e.Issues[0].Code == fhir.CodeNotSupported {
		switch e.Issues[0].Location {
		case "Content-Type":
			return http.StatusUnsupportedMediaType
		case "Accept":
			return http.StatusNotAcceptable
		}
	}
	return e.Status()
}

// fail writes e with its status and returns the status, for the audit.
func fail(w http.ResponseWriter, e *fhir.Error) int {
	oo, _ := fhir.OutcomeFor(e)
	status := fhirStatus(e)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="tend devices", Bearer realm="tend"`)
	}
	writeFHIR(w, status, oo, false)
	return status
}

// acceptsFHIR reports whether the Accept header allows a JSON answer.
func acceptsFHIR(r *http.Request) bool {
	a := r.Header.Get("Accept")
	if a == "" {
		return true
	}
	for part := range strings.SplitSeq(a, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case fhir.MediaType, "application/json", "application/*", "*/*", "application/json+fhir":
			return true
		}
	}
	return false
}

func notAcceptable() *fhir.Error {
	return fhir.Errorf(fhir.CodeNotSupported, "Accept", "Tend answers FHIR in JSON only (application/fhir+json); XML and other formats are not supported")
}

// ---------------------------------------------------------------------
// GET /fhir/metadata

func (s *Server) fhirMetadata(w http.ResponseWriter, r *http.Request) {
	if !acceptsFHIR(r) {
		fail(w, notAcceptable())
		return
	}
	cs := fhir.Capability(fhir.CapabilityOptions{BaseURL: s.fhirBase(r), SoftwareVersion: s.Version})
	writeFHIR(w, http.StatusOK, cs, r.URL.Query().Get("_pretty") == "true")
}

// fhirUnknown answers every other path and method under /fhir.
func (s *Server) fhirUnknown(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimSuffix(r.URL.Path, "/")
	known := p == "/fhir" || p == "/fhir/metadata" || p == "/fhir/Observation" || p == "/fhir/Observation/_search" ||
		(strings.HasPrefix(p, "/fhir/Observation/") && strings.Count(p, "/") == 3)
	if known {
		e := fhir.Errorf(fhir.CodeNotSupported, "", "%s is not supported on %s: Tend's FHIR door creates (POST), reads and searches (GET) Observations; see /fhir/metadata",
			r.Method, r.URL.Path)
		oo, _ := fhir.OutcomeFor(e)
		w.Header().Set("Allow", "GET, POST")
		writeFHIR(w, http.StatusMethodNotAllowed, oo, false)
		return
	}
	fail(w, fhir.Errorf(fhir.CodeNotFound, "", "there is no FHIR endpoint %s %s; Tend serves Observation and its CapabilityStatement at /fhir/metadata",
		r.Method, clipText(r.URL.Path, 80)))
}

// ---------------------------------------------------------------------
// POST /fhir/Observation

// prefer is what the Prefer header asks of a create's answer.
type prefer int

const (
	preferRepresentation prefer = iota
	preferMinimal
	preferOutcome
)

func preferReturn(r *http.Request) prefer {
	for _, h := range r.Header.Values("Prefer") {
		for part := range strings.SplitSeq(h, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if !strings.EqualFold(strings.TrimSpace(k), "return") {
				continue
			}
			switch strings.Trim(strings.TrimSpace(v), `"`) {
			case "minimal":
				return preferMinimal
			case "OperationOutcome":
				return preferOutcome
			}
		}
	}
	return preferRepresentation
}

func (s *Server) fhirCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status, patientID, resource, audited := s.create(w, r)
	if !audited {
		s.auditFHIR(ctx, auditFHIRCreate, patientID, resource, status, "")
	}
}

// create serves POST /fhir/Observation and returns the status it answered,
// the patient and the resource, for the audit, and whether the audit event
// is written already: a stored reading's event commits with the reading.
func (s *Server) create(w http.ResponseWriter, r *http.Request) (status int, patientID, resource string, audited bool) {
	ctx := r.Context()
	resource = "Observation"
	c, ferr := fhirCallerOf(r, true, false)
	if ferr != nil {
		return fail(w, ferr), "", resource, false
	}
	if !acceptsFHIR(r) {
		return fail(w, notAcceptable()), "", resource, false
	}
	body, ferr := readFHIRBody(w, r, fhirMaxObservation)
	if ferr != nil {
		return fail(w, ferr), "", resource, false
	}
	obs, err := fhir.ParseObservation(body.Bytes())
	releaseBody(body)
	if err != nil {
		return fail(w, fhir.AsError(err)), "", resource, false
	}
	rd, err := fhir.ToReading(obs)
	if err != nil {
		if c.device != nil {
			// Counted on the device like the store's refusals, so that a
			// device sending what Tend cannot take shows in its record.
			s.Devices.Refused(c.device.ID, string(readings.ReasonInvalid), 1)
		}
		return fail(w, fhir.AsError(err)), "", resource, false
	}
	if crit := r.Header.Get("If-None-Exist"); crit != "" {
		if err := fhir.ApplyIfNoneExist(&rd, obs, crit); err != nil {
			return fail(w, fhir.AsError(err)), "", resource, false
		}
	}
	src, ferr := s.fhirSource(ctx, c, rd, nil)
	if ferr != nil {
		return fail(w, ferr), src.patientID, resource, false
	}
	item, warnings := itemOf(rd)
	received := time.Now()
	batch := src.batch([]readings.Item{item})
	batch.Audit = func(rs []readings.Result) (audit.Event, bool) {
		if rs[0].Outcome != readings.Stored {
			return audit.Event{}, false
		}
		return audit.Event{Action: auditFHIRCreate, PatientID: src.patientID, Resource: "Observation/" + rs[0].ID, Outcome: audit.Success}, true
	}
	res, err := s.Readings.Ingest(ctx, batch)
	if err != nil {
		return fail(w, s.fhirError(ctx, err, "Observation.subject")), src.patientID, resource, false
	}
	out := res[0]
	switch out.Outcome {
	case readings.Refused:
		return fail(w, refusal(out, obs, "Observation")), src.patientID, resource, false
	case readings.Duplicate:
		resource = "Observation/" + out.ID
		return s.answerDuplicate(w, r, c, out.ID), src.patientID, resource, false
	}
	resource = "Observation/" + out.ID
	h := w.Header()
	h.Set("Location", s.fhirBase(r)+"/"+fhir.Location(out.ID, "1"))
	h.Set("ETag", fhir.ETag("1"))
	h.Set("Last-Modified", received.UTC().Format(http.TimeFormat))
	warnings = append(warnings, rd.Warnings...)
	outcome := func() {
		writeFHIR(w, http.StatusCreated, fhir.InformationOutcome("stored as Observation/"+out.ID, warnings...), false)
	}
	switch preferReturn(r) {
	case preferMinimal:
		w.WriteHeader(http.StatusCreated)
	case preferOutcome:
		outcome()
	default:
		stored, err := createdObservation(rd, item, out.ID, src, received)
		if err != nil {
			// The reading is stored; only its echo failed.
			s.Log.ErrorContext(ctx, "writing a created observation", "request_id", requestID(ctx), "err", err)
			outcome()
			break
		}
		writeFHIR(w, http.StatusCreated, stored, false)
	}
	return http.StatusCreated, src.patientID, resource, true
}

// answerDuplicate answers a create whose identifier was stored before: 200
// with the reading stored then.
func (s *Server) answerDuplicate(w http.ResponseWriter, r *http.Request, c fhirCaller, id string) int {
	ctx := r.Context()
	h := w.Header()
	stored, err := s.Readings.Get(ctx, c.viewer(), id)
	if err != nil {
		// Stored by this source for a patient the caller may no longer
		// see (a device since given to someone else): say where, no more.
		if !errs.Is(err, errs.NotFound) {
			s.Log.ErrorContext(ctx, "reading a duplicate back", "request_id", requestID(ctx), "err", err)
		}
		h.Set("Location", s.fhirBase(r)+"/"+fhir.Location(id, "1"))
		writeFHIR(w, http.StatusOK, fhir.InformationOutcome("this identifier was stored before, as Observation/"+id+"; nothing new was stored"), false)
		return http.StatusOK
	}
	obs, st, err := observationOf(stored)
	if err != nil {
		return fail(w, s.fhirError(ctx, err, ""))
	}
	h.Set("Location", s.fhirBase(r)+"/"+fhir.Location(id, st.VersionID))
	h.Set("ETag", fhir.ETag(st.VersionID))
	h.Set("Last-Modified", st.LastUpdated.UTC().Format(http.TimeFormat))
	switch preferReturn(r) {
	case preferMinimal:
		w.WriteHeader(http.StatusOK)
	case preferOutcome:
		writeFHIR(w, http.StatusOK, fhir.InformationOutcome("this identifier was stored before, as Observation/"+id+"; nothing new was stored"), false)
	default:
		writeFHIR(w, http.StatusOK, obs, false)
	}
	return http.StatusOK
}

// ---------------------------------------------------------------------
// Sources: whose readings, from which device, entered by whom

// fhirSrc is where a reading comes from, once checked: the batch it goes
// into at the store.
type fhirSrc struct {
	patientID  string
	deviceID   string
	by         *people.Principal
	assignedAt time.Time // of the device, when there is one and it is assigned
}

func (s fhirSrc) batch(items []readings.Item) readings.Batch {
	b := readings.Batch{Door: readings.DoorFHIR, DeviceID: s.deviceID, By: s.by, PatientID: s.patientID, Items: items}
	if s.deviceID != "" {
		b.Source = readings.SourceDevice
	}
	return b
}

// key groups the entries of a batch that go to the store together.
func (s fhirSrc) key() string { return s.patientID + "|" + s.deviceID }

// patientCache remembers the patients a request's subjects resolved to.
type patientCache map[fhir.Ref]string

// fhirSource works out whose reading rd is and where it comes from: the
// device signed in (its readings go to its patient; a subject naming anyone
// else is refused), or the person signed in, optionally relaying a
// registered device named by Observation.device. Access itself is checked
// by Ingest, which refuses a patient the person may not write to as if
// they did not exist.
func (s *Server) fhirSource(ctx context.Context, c fhirCaller, rd fhir.Reading, cache patientCache) (fhirSrc, *fhir.Error) {
	if c.device != nil {
		d := *c.device
		src := fhirSrc{deviceID: d.ID, patientID: rd.Subject.ID}
		if rd.Device.ID != "" && rd.Device.ID != d.ID {
			return src, fhir.Errorf(fhir.CodeForbidden, "Observation.device",
				"the Observation names Device/%s, but the request is signed in as device %s: a device sends its own readings", clipText(rd.Device.ID, 60), d.ID)
		}
		if d.AssignedAt != nil {
			src.assignedAt = *d.AssignedAt
		}
		if rd.Subject.ID == "" && d.Assigned() {
			// By identifier: it must be the MRN of the device's patient.
			mrn, err := s.mrnOf(ctx, d.PatientID, cache)
			if err != nil {
				return src, s.fhirError(ctx, err, "Observation.subject")
			}
			if mrn == "" || mrn != rd.Subject.Value {
				s.Devices.Refused(d.ID, string(readings.ReasonPatientMismatch), 1)
				return src, fhir.Errorf(fhir.CodeForbidden, "Observation.subject.identifier",
					"device %s is assigned to another patient than the one this identifier names; its readings go to the patient it is assigned to", d.ID)
			}
			src.patientID = d.PatientID
		}
		if src.patientID != "" && d.Assigned() && src.patientID != d.PatientID {
			s.Devices.Refused(d.ID, string(readings.ReasonPatientMismatch), 1)
			return src, fhir.Errorf(fhir.CodeForbidden, "Observation.subject",
				"device %s is assigned to another patient than Patient/%s; its readings go to the patient it is assigned to", d.ID, clipText(src.patientID, 60))
		}
		return src, nil
	}

	p := c.person
	src := fhirSrc{by: p, patientID: rd.Subject.ID}
	if src.patientID == "" {
		id, err := s.patientByMRN(ctx, *p, rd.Subject, cache)
		if err != nil {
			return src, s.fhirError(ctx, err, "Observation.subject.identifier")
		}
		src.patientID = id
	}
	if rd.Device.ID != "" {
		// A person relaying a device's reading, as a phone gateway does.
		d, err := s.Devices.Lookup(ctx, rd.Device.ID)
		if errs.Is(err, errs.NotFound) {
			return src, fhir.Errorf(fhir.CodeBusinessRule, "Observation.device",
				"no device %s is registered in Tend; leave out Observation.device for a reading entered by hand", clipText(rd.Device.ID, 60))
		}
		if err != nil {
			return src, s.fhirError(ctx, err, "Observation.device")
		}
		src.deviceID = d.ID
		if d.AssignedAt != nil {
			src.assignedAt = *d.AssignedAt
		}
	}
	return src, nil
}

// mrnOf returns the medical record number of the patient a device is
// assigned to.
func (s *Server) mrnOf(ctx context.Context, patientID string, cache patientCache) (string, error) {
	key := fhir.Ref{Type: "mrn-of", ID: patientID}
	if v, ok := cache[key]; ok {
		return v, nil
	}
	u, err := s.People.Get(ctx, patientID)
	if err != nil {
		return "", err
	}
	mrn := ""
	if u.Profile != nil {
		mrn = u.Profile.MRN
	}
	if cache != nil {
		cache[key] = mrn
	}
	return mrn, nil
}

// patientByMRN finds, among the patients p may see, the one whose medical
// record number is the subject's identifier. The identifier's system is
// not compared: an MRN is unique within a Tend.
func (s *Server) patientByMRN(ctx context.Context, p people.Principal, ref fhir.Ref, cache patientCache) (string, error) {
	if id, ok := cache[ref]; ok {
		return id, nil
	}
	ps, err := s.Access.Patients(ctx, p)
	if err != nil {
		return "", err
	}
	for _, pt := range ps {
		if pt.Profile != nil && pt.Profile.MRN != "" && pt.Profile.MRN == ref.Value {
			if cache != nil {
				cache[ref] = pt.ID
			}
			return pt.ID, nil
		}
	}
	return "", errs.NotFoundf("no patient has the identifier %q, or you may not see them", clipText(ref.Value, 60))
}

// ---------------------------------------------------------------------
// From FHIR to the ingest path and back

// itemOf turns a checked FHIR reading into the item Ingest takes, with any
// warnings about what the store does not keep.
func itemOf(rd fhir.Reading) (readings.Item, []fhir.Issue) {
	it := readings.Item{Type: rd.TypeKey, LOINC: rd.Code, TakenAt: rd.TakenAt, ExternalID: encodeExternalID(rd.ExternalID)}
	if t, ok := measure.ByKey(rd.TypeKey); ok && t.IsPanel() {
		for _, cp := range t.Components {
			v, ok := rd.Components[cp.Key]
			if !ok {
				continue
			}
			f, _ := v.Float64()
			it.Components = append(it.Components, readings.Component{Key: cp.Key, Value: f, Unit: v.Unit})
		}
	} else {
		f, _ := rd.Value.Float64()
		it.Value = &f
		it.Unit = rd.Value.Unit
	}
	if rd.Status != "" && rd.Status != fhir.StatusFinal {
		it.Flags = []string{fhirStatusFlag + rd.Status}
	}
	var warnings []fhir.Issue
	if !rd.TakenUntil.IsZero() {
		warnings = append(warnings, fhir.Issue{Severity: fhir.SeverityWarning, Code: fhir.CodeInformational, Location: "Observation.effectivePeriod.end",
			Message: "Tend keeps when a measurement started; the end of effectivePeriod is not stored"})
	}
	if rd.Device.ID == "" && rd.Device.Value != "" {
		warnings = append(warnings, fhir.Issue{Severity: fhir.SeverityWarning, Code: fhir.CodeInformational, Location: "Observation.device",
			Message: "a device named by identifier is not recorded; a device sends its own readings with its credential, or is named as Device/{id}"})
	}
	return it, warnings
}

// encodeExternalID writes the sender's identifier as the reading's
// external id: "system|value", or the value alone when there is no system
// (and it has no "|" that would make it look as if it had one).
func encodeExternalID(e fhir.ExternalID) string {
	switch {
	case e.IsZero():
		return ""
	case e.System != "":
		return e.System + "|" + e.Value
	case strings.Contains(e.Value, "|"):
		return "|" + e.Value
	}
	return e.Value
}

// decodeExternalID reads back what encodeExternalID wrote. External ids
// that came through other doors are plain values.
func decodeExternalID(r readings.Reading) fhir.ExternalID {
	if r.ExternalID == "" {
		return fhir.ExternalID{}
	}
	if r.Door == readings.DoorFHIR {
		if sys, val, ok := strings.Cut(r.ExternalID, "|"); ok {
			return fhir.ExternalID{System: sys, Value: val}
		}
	}
	return fhir.ExternalID{Value: r.ExternalID}
}

// maxExternalID is the longest external id the store keeps.
const maxExternalID = 256

// earliestReading is the earliest time the store takes a reading from.
var earliestReading = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// locatedError is a problem found by precheck, located in Observation terms.
type locatedError struct {
	reason   readings.Reason
	loc, msg string
}

func (e *locatedError) withPrefix(p string) *fhir.Error {
	return fhir.Errorf(fhir.CodeBusinessRule, p+e.loc, "%s", e.msg)
}

// precheck checks what Ingest refuses item by item beyond what ToReading
// checked: the time window and the device's assignment. It lets a
// transaction be refused whole before anything is stored.
func precheck(it readings.Item, assignedAt, now time.Time) *locatedError {
	switch {
	case len(it.ExternalID) > maxExternalID:
		return &locatedError{readings.ReasonInvalid, ".identifier[0]", fmt.Sprintf("the identifier's system and value together must be at most %d characters", maxExternalID-1)}
	case it.TakenAt.Before(earliestReading):
		return &locatedError{readings.ReasonInvalid, ".effective[x]", "taken at " + it.TakenAt.UTC().Format(time.RFC3339) + ": before 1990, so the device's clock is probably not set"}
	case it.TakenAt.After(now.Add(readings.ClockSkew)):
		return &locatedError{readings.ReasonFuture, ".effective[x]", "taken at " + it.TakenAt.UTC().Format(time.RFC3339) + ", which is in the future; check the device's clock"}
	case !assignedAt.IsZero() && it.TakenAt.Before(assignedAt.Add(-readings.ClockSkew)):
		return &locatedError{readings.ReasonBeforeAssignment, ".effective[x]", fmt.Sprintf("taken at %s, before the device was assigned to its patient (%s): it may be someone else's reading",
			it.TakenAt.UTC().Format(time.RFC3339), assignedAt.UTC().Format(time.RFC3339))}
	}
	return nil
}

// refusal turns an item the store refused into an OperationOutcome error,
// each wrong field at its place in the Observation (p is "Observation" or
// "Bundle.entry[i].resource").
func refusal(res readings.Result, obs *fhir.Observation, p string) *fhir.Error {
	code := fhir.CodeBusinessRule
	switch res.Reason {
	case readings.ReasonImplausible, readings.ReasonUnit, readings.ReasonInvalid:
		code = fhir.CodeValue
	case readings.ReasonUnknownType:
		code = fhir.CodeCodeInvalid
	case readings.ReasonIncomplete:
		code = fhir.CodeRequired
	case readings.ReasonPatientMismatch:
		code = fhir.CodeForbidden
	}
	if len(res.Fields) == 0 {
		loc := ""
		switch res.Reason {
		case readings.ReasonDisabled, readings.ReasonUnassigned:
			loc = p + ".device"
		case readings.ReasonPatientMismatch:
			loc = p + ".subject"
		}
		return fhir.Errorf(code, loc, "%s", res.Message)
	}
	e := &fhir.Error{}
	for _, f := range res.Fields {
		e.Issues = append(e.Issues, fhir.Issue{Severity: fhir.SeverityError, Code: code, Location: fieldPath(f.Field, obs, p), Message: f.Message})
	}
	return e
}

// fieldPath maps a field the ingest path names to its FHIRPath in the
// Observation.
func fieldPath(field string, obs *fhir.Observation, p string) string {
	switch {
	case field == "value":
		return p + ".valueQuantity.value"
	case field == "unit":
		return p + ".valueQuantity.code"
	case field == "takenAt":
		return p + ".effective[x]"
	case field == "externalId":
		return p + ".identifier[0]"
	case field == "patient":
		return p + ".subject"
	case field == "components":
		return p + ".component"
	case strings.HasPrefix(field, "components."):
		key, rest, _ := strings.Cut(strings.TrimPrefix(field, "components."), ".")
		i := componentIndex(obs, key)
		if i < 0 {
			return p + ".component"
		}
		loc := p + ".component[" + strconv.Itoa(i) + "].valueQuantity"
		if rest == "unit" {
			return loc + ".code"
		}
		return loc + ".value"
	}
	return p
}

// componentIndex finds the component of obs with the LOINC code of the
// catalogue component key.
func componentIndex(obs *fhir.Observation, key string) int {
	if obs == nil || obs.Code == nil {
		return -1
	}
	var code string
	for _, t := range measure.Types() {
		if cp, ok := t.Component(key); ok {
			code = cp.Code.Code
			break
		}
	}
	for i, c := range obs.Component {
		if c.Code == nil {
			continue
		}
		for _, cd := range c.Code.Coding {
			if cd.Code == code && cd.System == measure.SystemLOINC {
				return i
			}
		}
	}
	return -1
}

// createdObservation writes the Observation just stored without reading it
// back: the values converted to canonical units as the store converted
// them (by the same catalogue function), the time in UTC to the
// millisecond, as the store keeps it. Its meta.lastUpdated and issued are
// the door's time of receipt, taken just before the store takes its own,
// so a later read may show a time a few milliseconds later.
func createdObservation(rd fhir.Reading, it readings.Item, id string, src fhirSrc, received time.Time) (*fhir.Observation, error) {
	t, ok := measure.ByKey(rd.TypeKey)
	if !ok {
		return nil, fmt.Errorf("unknown type %q", rd.TypeKey)
	}
	out := fhir.Reading{
		TypeKey: rd.TypeKey, Code: rd.Code, TakenAt: rd.TakenAt.UTC().Truncate(time.Millisecond),
		Subject: fhir.Ref{ID: src.patientID}, Device: fhir.Ref{ID: src.deviceID},
		ExternalID: rd.ExternalID, Status: rd.Status,
	}
	converted := false
	if t.IsPanel() {
		out.Components = make(map[string]fhir.ValueWithUnit, len(it.Components))
		for _, c := range it.Components {
			n, err := measure.Normalize(t.Key, c.Key, c.Value, c.Unit)
			if err != nil {
				return nil, err
			}
			converted = converted || n.OriginalUnit != n.Unit
			out.Components[c.Key] = fhir.ValueWithUnit{Value: fhir.DecimalFromFloat(n.Value, -1), Unit: n.Unit}
		}
	} else {
		n, err := measure.Normalize(t.Key, "", *it.Value, it.Unit)
		if err != nil {
			return nil, err
		}
		converted = n.OriginalUnit != n.Unit
		out.Value = fhir.ValueWithUnit{Value: fhir.DecimalFromFloat(n.Value, -1), Unit: n.Unit}
	}
	if converted {
		out.Code = t.Code.Code
	}
	at := received.UTC().Truncate(time.Millisecond)
	return fhir.FromReading(out, fhir.Stored{ID: id, VersionID: "1", LastUpdated: at, Issued: at})
}

// observationOf writes a stored reading as an Observation.
func observationOf(r readings.Reading) (*fhir.Observation, fhir.Stored, error) {
	fr := fhir.Reading{
		TypeKey: r.Type, Code: r.LOINC, TakenAt: r.TakenAt.UTC(),
		Subject: fhir.Ref{ID: r.PatientID}, Device: fhir.Ref{ID: r.DeviceID},
		ExternalID: decodeExternalID(r), Status: string(r.Status),
	}
	if r.Status == readings.StatusFinal {
		for _, f := range r.Flags {
			if st, ok := strings.CutPrefix(f, fhirStatusFlag); ok {
				fr.Status = st
			}
		}
	}
	if r.Value != nil {
		fr.Value = fhir.ValueWithUnit{Value: fhir.DecimalFromFloat(*r.Value, -1), Unit: r.Unit}
	}
	if len(r.Components) > 0 {
		fr.Components = make(map[string]fhir.ValueWithUnit, len(r.Components))
		for _, c := range r.Components {
			unit := c.Unit
			if unit == "" {
				unit = r.Unit
			}
			fr.Components[c.Key] = fhir.ValueWithUnit{Value: fhir.DecimalFromFloat(c.Value, -1), Unit: unit}
		}
	}
	st := fhir.Stored{ID: r.ID, VersionID: "1", LastUpdated: r.ReceivedAt, Issued: r.ReceivedAt}
	if r.Correction != nil {
		st.VersionID, st.LastUpdated = "2", r.Correction.At
	}
	obs, err := fhir.FromReading(fr, st)
	return obs, st, err
}

// ---------------------------------------------------------------------
// POST /fhir: transaction and batch Bundles

func (s *Server) fhirBundle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, ferr := fhirCallerOf(r, true, false)
	if ferr != nil {
		s.auditFHIR(ctx, auditFHIRBatch, "", "Bundle", fail(w, ferr), "")
		return
	}
	if !acceptsFHIR(r) {
		s.auditFHIR(ctx, auditFHIRBatch, "", "Bundle", fail(w, notAcceptable()), "")
		return
	}
	body, ferr := readFHIRBody(w, r, fhirMaxBundle)
	if ferr != nil {
		s.auditFHIR(ctx, auditFHIRBatch, "", "Bundle", fail(w, ferr), "")
		return
	}
	tx, err := fhir.ParseTransaction(body.Bytes())
	releaseBody(body)
	if err != nil {
		s.auditFHIR(ctx, auditFHIRBatch, "", "Bundle", fail(w, fhir.AsError(err)), "")
		return
	}
	if tx.IsTransaction() {
		s.fhirTransaction(w, r, c, tx)
		return
	}
	s.fhirBatch(w, r, c, tx)
}

// bundleEntry is one entry of a Bundle on its way to the store.
type bundleEntry struct {
	src  fhirSrc
	item readings.Item
	warn []fhir.Issue
	err  *fhir.Error // why it cannot be stored; set before the store is asked
}

// prepare works out each good entry's source and item, and prechecks it.
func (s *Server) prepare(ctx context.Context, c fhirCaller, tx *fhir.Transaction) []bundleEntry {
	out := make([]bundleEntry, len(tx.Entries))
	cache := patientCache{}
	now := time.Now()
	for i, e := range tx.Entries {
		if e.Err != nil {
			out[i].err = e.Err
			continue
		}
		prefix := "Bundle.entry[" + strconv.Itoa(i) + "]"
		src, ferr := s.fhirSource(ctx, c, e.Reading, cache)
		if ferr != nil {
			out[i].err = fhir.EntryError(i, ferr)
			continue
		}
		item, warn := itemOf(e.Reading)
		if le := precheck(item, src.assignedAt, now); le != nil {
			if src.deviceID != "" {
				// Counted on the device, as the store counts its refusals.
				s.Devices.Refused(src.deviceID, string(le.reason), 1)
			}
			out[i].err = le.withPrefix(prefix + ".resource")
			continue
		}
		for j := range warn {
			warn[j].Location = strings.Replace(warn[j].Location, "Observation", prefix+".resource", 1)
		}
		for _, w := range e.Reading.Warnings {
			w.Location = strings.Replace(w.Location, "Observation", prefix+".resource", 1)
			warn = append(warn, w)
		}
		out[i] = bundleEntry{src: src, item: item, warn: warn}
	}
	return out
}

// fhirTransaction stores a transaction Bundle whole or not at all. Every
// entry is checked before the store is asked; the entries, all for one
// patient, then go to the store as one batch, which Ingest commits in one
// database transaction or refuses as a whole (a person without access, a
// disabled or unassigned device, a fault).
//
// The one race left: an administrator re-assigning the sending device to
// the same patient between the check and the store could make the store
// refuse an entry taken between the two assignments while taking the
// others. Should that happen, the answer says so, names the stored
// readings and logs it; readings.Batch would need an all-or-nothing switch
// to close it.
func (s *Server) fhirTransaction(w http.ResponseWriter, r *http.Request, c fhirCaller, tx *fhir.Transaction) {
	ctx := r.Context()
	entries := s.prepare(ctx, c, tx)
	patientID := ""
	var bad fhir.Error
	badEntries := 0
	for i, e := range entries {
		if e.err != nil {
			badEntries++
			if len(bad.Issues) < 100 {
				bad.Issues = append(bad.Issues, e.err.Issues...)
			}
			continue
		}
		if patientID == "" {
			patientID = e.src.patientID
		} else if e.src.patientID != patientID {
			badEntries++
			bad.Issues = append(bad.Issues, fhir.Issue{Severity: fhir.SeverityError, Code: fhir.CodeNotSupported,
				Location: "Bundle.entry[" + strconv.Itoa(i) + "].resource.subject",
				Message:  "a transaction holds the readings of one patient, all or nothing; send one transaction per patient, or a batch"})
		}
	}
	if badEntries > 0 {
		if len(bad.Issues) >= 100 && badEntries > 1 {
			bad.Issues = append(bad.Issues, fhir.Issue{Severity: fhir.SeverityError, Code: fhir.CodeProcessing, Location: "Bundle.entry",
				Message: "other entries may have problems not listed here"})
		}
		bad.Issues = append(bad.Issues, fhir.Issue{Severity: fhir.SeverityInformation, Code: fhir.CodeInformational,
			Message: fmt.Sprintf("the transaction was not stored: %d of its %d entries cannot be; nothing was stored", badEntries, len(entries))})
		status := fail(w, &bad)
		s.auditFHIR(ctx, auditFHIRTransaction, patientID, "Bundle", status, fmt.Sprintf("%d entries, %d refused before storing", len(entries), badEntries))
		return
	}
	results := make([]fhir.Result, len(entries))
	if len(entries) > 0 {
		items := make([]readings.Item, len(entries))
		for i, e := range entries {
			items[i] = e.item
		}
		// One source: every entry resolved to the same patient, and a
		// device caller sends for itself; a person may relay devices, so
		// group by device too.
		srcs := map[string][]int{}
		var order []string
		for i, e := range entries {
			k := e.src.key()
			if _, ok := srcs[k]; !ok {
				order = append(order, k)
			}
			srcs[k] = append(srcs[k], i)
		}
		if len(order) > 1 {
			status := fail(w, fhir.Errorf(fhir.CodeNotSupported, "Bundle.entry",
				"a transaction holds the readings of one source: all sent by one device, or all entered by you without naming different devices; send a batch instead"))
			s.auditFHIR(ctx, auditFHIRTransaction, patientID, "Bundle", status, "mixed sources")
			return
		}
		received := time.Now()
		res, err := s.Readings.Ingest(ctx, entries[0].src.batch(items))
		if err != nil {
			status := fail(w, s.fhirError(ctx, err, ""))
			s.auditFHIR(ctx, auditFHIRTransaction, patientID, "Bundle", status, fmt.Sprintf("%d entries, none stored", len(entries)))
			return
		}
		var refused []int
		var stored []string
		for i, rs := range res {
			switch rs.Outcome {
			case readings.Refused:
				refused = append(refused, i)
			case readings.Stored:
				stored = append(stored, "Observation/"+rs.ID)
				results[i] = fhir.Created(rs.ID, received, entries[i].warn)
			case readings.Duplicate:
				results[i] = fhir.AlreadyStored(rs.ID, "1", time.Time{})
			}
		}
		if len(refused) > 0 {
			e := &fhir.Error{}
			for _, i := range refused {
				e.Issues = append(e.Issues, fhir.EntryError(i, refusal(res[i], tx.Entries[i].Observation, "Observation")).Issues...)
			}
			if len(stored) > 0 {
				s.Log.ErrorContext(ctx, "fhir transaction partly stored", "request_id", requestID(ctx), "stored", len(stored), "refused", len(refused))
				e.Issues = append(e.Issues, fhir.Issue{Severity: fhir.SeverityError, Code: fhir.CodeException,
					Message: "the device's assignment changed while the transaction was stored, and these entries were stored nonetheless: " +
						strings.Join(stored, ", ") + "; mark them entered-in-error if they must not stand"})
			}
			status := fail(w, e)
			s.auditFHIR(ctx, auditFHIRTransaction, patientID, "Bundle", status, fmt.Sprintf("%d entries, %d refused by the store", len(entries), len(refused)))
			return
		}
	}
	b, err := tx.Response(results)
	if err != nil {
		status := fail(w, s.fhirError(ctx, err, ""))
		s.auditFHIR(ctx, auditFHIRTransaction, patientID, "Bundle", status, "")
		return
	}
	writeFHIR(w, http.StatusOK, b, false)
	s.auditFHIR(ctx, auditFHIRTransaction, patientID, "Bundle", http.StatusOK, fmt.Sprintf("%d entries", len(entries)))
}

// fhirBatch stores a batch Bundle entry by entry: each entry is stored or
// refused on its own, and the batch-response says which. The entries go to
// the store grouped by patient and device, one Ingest call per group.
func (s *Server) fhirBatch(w http.ResponseWriter, r *http.Request, c fhirCaller, tx *fhir.Transaction) {
	ctx := r.Context()
	entries := s.prepare(ctx, c, tx)
	results := make([]fhir.Result, len(entries))
	groups := map[string][]int{}
	var order []string
	for i, e := range entries {
		if e.err != nil {
			results[i] = fhir.Failed(e.err)
			continue
		}
		k := e.src.key()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	type tally struct{ ok, failed int }
	perPatient := map[string]*tally{}
	count := func(patientID string, ok bool) {
		t := perPatient[patientID]
		if t == nil {
			t = &tally{}
			perPatient[patientID] = t
		}
		if ok {
			t.ok++
		} else {
			t.failed++
		}
	}
	for _, e := range entries {
		if e.err != nil {
			count(e.src.patientID, false)
		}
	}
	for _, k := range order {
		idx := groups[k]
		items := make([]readings.Item, len(idx))
		for j, i := range idx {
			items[j] = entries[i].item
		}
		src := entries[idx[0]].src
		received := time.Now()
		res, err := s.Readings.Ingest(ctx, src.batch(items))
		for j, i := range idx {
			switch {
			case err != nil:
				results[i] = fhir.Failed(fhir.EntryError(i, s.fhirError(ctx, err, "Observation.subject")))
			case res[j].Outcome == readings.Stored:
				results[i] = fhir.Created(res[j].ID, received, entries[i].warn)
			case res[j].Outcome == readings.Duplicate:
				results[i] = fhir.AlreadyStored(res[j].ID, "1", time.Time{})
			default:
				results[i] = fhir.Failed(fhir.EntryError(i, refusal(res[j], tx.Entries[i].Observation, "Observation")))
			}
			count(src.patientID, err == nil && res[j].Outcome != readings.Refused)
		}
	}
	b, err := tx.Response(results)
	if err != nil {
		status := fail(w, s.fhirError(ctx, err, ""))
		s.auditFHIR(ctx, auditFHIRBatch, "", "Bundle", status, "")
		return
	}
	writeFHIR(w, http.StatusOK, b, false)
	if len(entries) == 0 {
		s.auditFHIR(ctx, auditFHIRBatch, "", "Bundle", http.StatusOK, "no entries")
	}
	// One event per patient the batch wrote to or tried to.
	patients := make([]string, 0, len(perPatient))
	for p := range perPatient {
		patients = append(patients, p)
	}
	slices.Sort(patients)
	for _, p := range patients {
		t := perPatient[p]
		status := http.StatusOK
		if t.ok == 0 {
			status = http.StatusUnprocessableEntity
		}
		s.auditFHIR(ctx, auditFHIRBatch, p, "Bundle", status, fmt.Sprintf("%d entries stored or stored before, %d refused", t.ok, t.failed))
	}
}

// ---------------------------------------------------------------------
// GET /fhir/Observation/{id}

func (s *Server) fhirRead(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	resource := "Observation/" + clipText(id, 80)
	c, ferr := fhirCallerOf(r, false, true)
	if ferr != nil {
		s.auditFHIR(ctx, auditFHIRRead, "", resource, fail(w, ferr), "")
		return
	}
	if !acceptsFHIR(r) {
		s.auditFHIR(ctx, auditFHIRRead, "", resource, fail(w, notAcceptable()), "")
		return
	}
	rd, err := s.Readings.Get(ctx, *c.person, id)
	if err != nil {
		ferr := s.fhirError(ctx, err, "")
		if errs.Is(err, errs.NotFound) {
			ferr = fhir.Errorf(fhir.CodeNotFound, "", "there is no Observation %s, or you may not see it", clipText(id, 80))
		}
		s.auditFHIR(ctx, auditFHIRRead, "", resource, fail(w, ferr), "")
		return
	}
	obs, st, err := observationOf(rd)
	if err != nil {
		s.auditFHIR(ctx, auditFHIRRead, rd.PatientID, resource, fail(w, s.fhirError(ctx, err, "")), "")
		return
	}
	h := w.Header()
	h.Set("ETag", fhir.ETag(st.VersionID))
	h.Set("Last-Modified", st.LastUpdated.UTC().Format(http.TimeFormat))
	writeFHIR(w, http.StatusOK, obs, r.URL.Query().Get("_pretty") == "true")
	s.auditFHIR(ctx, auditFHIRRead, rd.PatientID, resource, http.StatusOK, "")
}

// ---------------------------------------------------------------------
// GET /fhir/Observation (and POST /fhir/Observation/_search)

// maxCounted bounds how many readings a search counts for _summary=count
// or _total=accurate: counting reads every match.
const maxCounted = 100_000

func (s *Server) fhirSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status, patientID := s.search(w, r)
	s.auditFHIR(ctx, auditFHIRSearch, patientID, "Observation", status, "")
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) (status int, patientID string) {
	ctx := r.Context()
	c, ferr := fhirCallerOf(r, false, true)
	if ferr != nil {
		return fail(w, ferr), ""
	}
	if !acceptsFHIR(r) {
		return fail(w, notAcceptable()), ""
	}
	raw := r.URL.RawQuery
	if r.Method == http.MethodPost {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/x-www-form-urlencoded" {
			return fail(w, unsupportedMedia("a search by POST sends its parameters as application/x-www-form-urlencoded")), ""
		}
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			return fail(w, tooLarge(64<<10)), ""
		}
		if raw != "" && len(b) > 0 {
			raw += "&"
		}
		raw += string(b)
	}
	q, err := fhir.ParseSearch(raw, fhir.SearchOptions{Lenient: fhir.LenientHandling(strings.Join(r.Header.Values("Prefer"), ","))})
	if err != nil {
		return fail(w, fhir.AsError(err)), ""
	}
	patientID = q.PatientID
	base := s.fhirBase(r)
	viewer := *c.person
	if q.NoMatch {
		if q.PatientID != "" {
			// Nothing can match, but a hidden patient stays hidden.
			if err := s.Access.Check(ctx, viewer, q.PatientID, access.Vitals); err != nil {
				return fail(w, s.searchError(ctx, err, q.PatientID)), patientID
			}
		}
		total := 0
		writeFHIR(w, http.StatusOK, fhir.SearchSet(base, q, nil, total, ""), q.Pretty)
		return http.StatusOK, patientID
	}
	lq := readings.Query{PatientID: q.PatientID, Types: q.TypeKeys, From: q.From, To: q.To, Limit: q.Count,
		Cursor: q.Page, Ascending: q.Ascending}
	total := -1
	if q.SummaryCount || q.Count == 0 || q.Total == "accurate" {
		n, err := s.countReadings(ctx, viewer, lq)
		if err != nil {
			return fail(w, s.searchError(ctx, err, q.PatientID)), patientID
		}
		total = n
		if q.SummaryCount || q.Count == 0 {
			writeFHIR(w, http.StatusOK, fhir.SearchSet(base, q, nil, total, ""), q.Pretty)
			return http.StatusOK, patientID
		}
	}
	page, err := s.Readings.List(ctx, viewer, lq)
	if err != nil {
		return fail(w, s.searchError(ctx, err, q.PatientID)), patientID
	}
	obs := make([]*fhir.Observation, 0, len(page.Readings))
	for _, rd := range page.Readings {
		o, _, err := observationOf(rd)
		if err != nil {
			return fail(w, s.fhirError(ctx, err, "")), patientID
		}
		obs = append(obs, o)
	}
	writeFHIR(w, http.StatusOK, fhir.SearchSet(base, q, obs, total, page.Next), q.Pretty)
	return http.StatusOK, patientID
}

// searchError locates a store error in the search's terms.
func (s *Server) searchError(ctx context.Context, err error, patientID string) *fhir.Error {
	switch {
	case errs.Is(err, errs.NotFound):
		return fhir.Errorf(fhir.CodeNotFound, "patient", "there is no patient %s, or you may not see their vital signs", clipText(patientID, 80))
	case errs.Is(err, errs.Invalid):
		return fhir.Errorf(fhir.CodeInvalid, "_page", "the _page token is not one this search gave: start again from the first page")
	}
	return s.fhirError(ctx, err, "")
}

// countReadings counts the readings a search matches, page by page, up to
// maxCounted.
func (s *Server) countReadings(ctx context.Context, viewer people.Principal, q readings.Query) (int, error) {
	q.Limit, q.Cursor = 1000, ""
	n := 0
	for {
		page, err := s.Readings.List(ctx, viewer, q)
		if err != nil {
			return 0, err
		}
		n += len(page.Readings)
		if page.Next == "" {
			return n, nil
		}
		if n >= maxCounted {
			return 0, fhir.Errorf(fhir.CodeTooCostly, "_summary",
				"more than %d Observations match: narrow the search by code or date to have them counted", maxCounted)
		}
		q.Cursor = page.Next
	}
}

// clipText cuts s to at most n bytes, for quoting what a sender sent.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
