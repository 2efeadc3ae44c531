package fhir

import (
	"fmt"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// FHIRVersion is the FHIR version Tend speaks.
const FHIRVersion = "4.0.1"

// MediaType is the media type of FHIR JSON.
const MediaType = "application/fhir+json"

// statementDate is when the statement below last changed; it stands in
// for a zero CapabilityOptions.Date.
var statementDate = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// CapabilityOptions are what the CapabilityStatement says about this
// installation.
type CapabilityOptions struct {
	BaseURL         string    // the FHIR base, such as https://tend.example/fhir
	SoftwareVersion string    // Tend's version
	Date            time.Time // when this statement was last changed, such as the build time
}

// Capability returns the CapabilityStatement of Tend's FHIR door:
// Observation create (also conditional, by identifier), read and
// search-type with the search parameters ParseSearch takes, transaction
// and batch of Observation creates, in FHIR R4 (4.0.1) JSON.
func Capability(o CapabilityOptions) *CapabilityStatement {
	yes := true
	no := false
	var supported []string
	for _, t := range measure.Types() {
		if p := profiles[t.Key]; p != "" {
			supported = append(supported, p)
		}
	}
	date := o.Date
	if date.IsZero() {
		date = statementDate
	}
	return &CapabilityStatement{
		Name:         "TendFHIRDoor",
		Title:        "Tend remote patient monitoring: FHIR R4 door for vital signs",
		Status:       "active",
		Experimental: &no,
		Date:         formatInstant(date),
		Publisher:    "Tend",
		Description: "Devices, gateways and EHRs send vital signs to Tend as Observations shaped by the FHIR R4 " +
			"vital-signs profile (blood pressure as the 85354-9 panel with components), one at a time or in " +
			"transaction and batch Bundles, and search them by patient, code and date.",
		Kind:           "instance",
		Software:       &CapabilitySoftware{Name: "Tend", Version: o.SoftwareVersion},
		Implementation: &CapabilityImplementation{Description: "Tend FHIR door", URL: o.BaseURL},
		FHIRVersion:    FHIRVersion,
		Format:         []string{MediaType, "json"},
		Rest: []CapabilityRest{{
			Mode: "server",
			Documentation: "Readings are found again by their identifier: a create whose identifier (system and value) " +
				"was stored before answers 200 OK with the stored reading instead of creating another. " +
				"Send Prefer: handling=lenient to have unknown search parameters ignored.",
			Security: &CapabilitySecurity{
				Cors:        &yes,
				Description: "Every request carries a bearer token: a device credential or a user's API token.",
			},
			Resource: []CapabilityResource{{
				Type:             "Observation",
				Profile:          ProfileVitalSigns,
				SupportedProfile: supported,
				Documentation: "Accepted: " + knownCodes() + ". Values as valueQuantity with a UCUM code " +
					"(system http://unitsofmeasure.org); status final, amended, corrected or preliminary.",
				Interaction: []CapabilityInteraction{
					{Code: "create"},
					{Code: "read"},
					{Code: "search-type"},
				},
				Versioning:        "versioned",
				ReadHistory:       &no,
				UpdateCreate:      &no,
				ConditionalCreate: &yes,
				SearchParam: []CapabilitySearchParam{
					{Name: "patient", Type: "reference", Definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
						Documentation: "Patient/{id} or {id}; one patient per search"},
					{Name: "subject", Type: "reference", Definition: "http://hl7.org/fhir/SearchParameter/Observation-subject",
						Documentation: "Patient/{id} or {id}"},
					{Name: "code", Type: "token", Definition: "http://hl7.org/fhir/SearchParameter/clinical-code",
						Documentation: "[system|]code, LOINC; commas for any of several"},
					{Name: "date", Type: "date", Definition: "http://hl7.org/fhir/SearchParameter/clinical-date",
						Documentation: "prefixes eq, ge, gt, le, lt; partial dates cover their whole period; repeat for a range"},
					{Name: "_count", Type: "number", Documentation: fmt.Sprintf("page size, default %d, at most %d", DefaultCount, MaxCount)},
					{Name: "_sort", Type: "string", Documentation: "date or -date (the default)"},
				},
			}},
			Interaction: []CapabilityInteraction{
				{Code: "transaction", Documentation: fmt.Sprintf("Observation creates only; all or nothing; at most %d entries", MaxBundleEntries)},
				{Code: "batch", Documentation: fmt.Sprintf("Observation creates only; each entry answered on its own; at most %d entries", MaxBundleEntries)},
			},
		}},
	}
}
