package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// FHIR modes: one POST /fhir/Observation per reading, or Bundles to POST
// /fhir, answered entry by entry (batch) or all or nothing (transaction).
const (
	FHIRSingle      = "single"
	FHIRBatch       = "batch"
	FHIRTransaction = "transaction"
)

// fhirIdentifierSystem names the simulator's external ids in FHIR.
const fhirIdentifierSystem = "urn:tend:simulator"

type fhirCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding"`
}

type fhirQuantity struct {
	Value  json.Number `json:"value"`
	Unit   string      `json:"unit"`
	System string      `json:"system"`
	Code   string      `json:"code"`
}

type fhirRef struct {
	Reference string `json:"reference"`
}

type fhirComponent struct {
	Code          fhirConcept  `json:"code"`
	ValueQuantity fhirQuantity `json:"valueQuantity"`
}

// observation is the vital-signs Observation of standards.md §1.
type observation struct {
	ResourceType      string          `json:"resourceType"`
	Identifier        []fhirIdent     `json:"identifier,omitempty"`
	Status            string          `json:"status"`
	Category          []fhirConcept   `json:"category"`
	Code              fhirConcept     `json:"code"`
	Subject           fhirRef         `json:"subject"`
	EffectiveDateTime string          `json:"effectiveDateTime"`
	Device            *fhirRef        `json:"device,omitempty"`
	ValueQuantity     *fhirQuantity   `json:"valueQuantity,omitempty"`
	Component         []fhirComponent `json:"component,omitempty"`
}

type fhirIdent struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

func quantity(v float64, unit string) fhirQuantity {
	return fhirQuantity{Value: json.Number(strconv.FormatFloat(v, 'f', -1, 64)), Unit: unit, System: measure.SystemUCUM, Code: unit}
}

func loincConcept(c measure.Coding) fhirConcept {
	return fhirConcept{Coding: []fhirCoding{{System: measure.SystemLOINC, Code: c.Code, Display: c.Display}}}
}

// Observation writes a reading of a measurement as a FHIR R4 Observation:
// the vital-signs category (laboratory for glucose), the LOINC code, the
// patient and device, the UCUM quantity, blood pressure as a panel with
// components, and the external id as the identifier.
func Observation(m Measurement, r Reading) ([]byte, error) {
	o, err := newObservation(m, r)
	if err != nil {
		return nil, err
	}
	return json.Marshal(o)
}

func newObservation(m Measurement, r Reading) (*observation, error) {
	t, ok := measure.ByKey(r.Type)
	if !ok {
		return nil, fmt.Errorf("no measurement type %q", r.Type)
	}
	o := &observation{
		ResourceType: "Observation",
		Identifier:   []fhirIdent{{System: fhirIdentifierSystem, Value: r.ExternalID}},
		Status:       "final",
		Category: []fhirConcept{{Coding: []fhirCoding{{System: "http://terminology.hl7.org/CodeSystem/observation-category",
			Code: t.Category}}}},
		Code:              loincConcept(t.Code),
		Subject:           fhirRef{"Patient/" + m.Device.Patient.ID},
		EffectiveDateTime: m.TakenAt.UTC().Format(time.RFC3339),
		Device:            &fhirRef{"Device/" + m.Device.ID},
	}
	if t.IsPanel() {
		for _, c := range r.Components {
			tc, ok := t.Component(c.Key)
			if !ok {
				return nil, fmt.Errorf("%s has no component %q", r.Type, c.Key)
			}
			o.Component = append(o.Component, fhirComponent{Code: loincConcept(tc.Code), ValueQuantity: quantity(c.Value, r.Unit)})
		}
	} else {
		q := quantity(r.Value, r.Unit)
		o.ValueQuantity = &q
	}
	return o, nil
}

type bundleEntry struct {
	FullURL  string       `json:"fullUrl,omitempty"`
	Resource *observation `json:"resource"`
	Request  struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
}

type bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Entry        []bundleEntry `json:"entry"`
}

// Bundle writes the readings of ms as a batch or transaction Bundle of
// Observation creates.
func Bundle(kind string, ms []Measurement) ([]byte, error) {
	b := bundle{ResourceType: "Bundle", Type: kind}
	for _, m := range ms {
		for _, r := range m.Readings {
			o, err := newObservation(m, r)
			if err != nil {
				return nil, err
			}
			e := bundleEntry{Resource: o}
			e.Request.Method, e.Request.URL = http.MethodPost, "Observation"
			b.Entry = append(b.Entry, e)
		}
	}
	return json.Marshal(b)
}

// outcome is the part of an OperationOutcome the simulator reads.
type outcome struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string `json:"severity"`
		Code        string `json:"code"`
		Diagnostics string `json:"diagnostics"`
	} `json:"issue"`
}

// reason words the first error of an OperationOutcome as the ingest path
// would.
func (o outcome) reason() string {
	for _, i := range o.Issue {
		if i.Severity == "error" || i.Severity == "fatal" {
			return reasonIn(i.Diagnostics, "fhir_"+i.Code)
		}
	}
	return "fhir_refused"
}

// fhirSender posts Observations through the FHIR door, signed in as the
// device.
type fhirSender struct {
	web  *web
	mode string
}

const fhirType = "application/fhir+json"

func (s *fhirSender) send(ctx context.Context, d *Device, ms []Measurement, c *counter) error {
	if s.mode == FHIRSingle {
		var firstErr error
		for _, m := range ms {
			for _, r := range m.Readings {
				body, err := Observation(m, r)
				if err == nil {
					err = s.post(ctx, d, "/fhir/Observation", body, 1, c, nil)
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
			}
		}
		return firstErr
	}
	body, err := Bundle(s.mode, ms)
	if err != nil {
		c.errors(readingCount(ms))
		return err
	}
	return s.post(ctx, d, "/fhir", body, readingCount(ms), c, &bundleAnswer{})
}

// bundleAnswer is the part of a batch-response or transaction-response
// Bundle the simulator reads.
type bundleAnswer struct {
	Entry []struct {
		Response struct {
			Status  string   `json:"status"`
			Outcome *outcome `json:"outcome"`
		} `json:"response"`
	} `json:"entry"`
}

// post sends one FHIR request of n readings and counts the answer: 201
// stored, 200 already stored, 4xx refused with the OperationOutcome's
// reason; for a Bundle, entry by entry.
func (s *fhirSender) post(ctx context.Context, d *Device, path string, body []byte, n int, c *counter, b *bundleAnswer) error {
	var out any
	if b != nil {
		out = b
	}
	status, _, err := s.web.do(ctx, http.MethodPost, path, deviceAuth(d), fhirType, body, out)
	if err != nil {
		if status >= 400 && status < 500 && status != http.StatusTooManyRequests {
			c.sent(DoorFHIR, n)
			var o outcome
			if se, ok := err.(*statusError); ok && json.Unmarshal(se.Body, &o) == nil && o.ResourceType == "OperationOutcome" {
				reason := o.reason()
				if s.mode == FHIRTransaction && n > 1 {
					// All or nothing: one bad entry refuses them all.
					reason += "_in_transaction"
				}
				c.refused(reason, n)
				return nil
			}
			c.refused(httpReason(status), n)
			return err
		}
		c.errors(n)
		return err
	}
	c.sent(DoorFHIR, n)
	if b == nil {
		if status == http.StatusCreated {
			c.stored(n)
		} else {
			c.duplicate(n)
		}
		return nil
	}
	for _, e := range b.Entry {
		code, _, _ := strings.Cut(e.Response.Status, " ")
		switch {
		case code == "201":
			c.stored(1)
		case code == "200":
			c.duplicate(1)
		case e.Response.Outcome != nil:
			c.refused(e.Response.Outcome.reason(), 1)
		default:
			c.refused("fhir_"+code, 1)
		}
	}
	return nil
}

func (s *fhirSender) close(*counter) {}
