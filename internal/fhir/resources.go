package fhir

import (
	"bytes"
	"encoding/json"
)

// Resource is a FHIR resource: something with a resourceType.
type Resource interface {
	ResourceType() string
}

// marshalResource writes v, a struct without a resourceType field, as JSON
// with "resourceType" as its first member.
func marshalResource(resourceType string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(body) + len(resourceType) + 20)
	b.WriteString(`{"resourceType":`)
	rt, _ := json.Marshal(resourceType)
	b.Write(rt)
	if len(body) > 2 {
		b.WriteByte(',')
		b.Write(body[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes(), nil
}

// Observation is a FHIR R4 Observation, with the elements a vital sign
// uses.
type Observation struct {
	ID                   string                      `json:"id,omitempty"`
	Meta                 *Meta                       `json:"meta,omitempty"`
	Identifier           []Identifier                `json:"identifier,omitempty"`
	Status               string                      `json:"status,omitempty"`
	Category             []CodeableConcept           `json:"category,omitempty"`
	Code                 *CodeableConcept            `json:"code,omitempty"`
	Subject              *Reference                  `json:"subject,omitempty"`
	EffectiveDateTime    string                      `json:"effectiveDateTime,omitempty"`
	EffectivePeriod      *Period                     `json:"effectivePeriod,omitempty"`
	Issued               string                      `json:"issued,omitempty"`
	ValueQuantity        *Quantity                   `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept            `json:"valueCodeableConcept,omitempty"`
	ValueString          string                      `json:"valueString,omitempty"`
	DataAbsentReason     *CodeableConcept            `json:"dataAbsentReason,omitempty"`
	Interpretation       []CodeableConcept           `json:"interpretation,omitempty"`
	Note                 []Annotation                `json:"note,omitempty"`
	BodySite             *CodeableConcept            `json:"bodySite,omitempty"`
	Method               *CodeableConcept            `json:"method,omitempty"`
	Device               *Reference                  `json:"device,omitempty"`
	ReferenceRange       []ObservationReferenceRange `json:"referenceRange,omitempty"`
	Component            []ObservationComponent      `json:"component,omitempty"`
}

// ObservationComponent is one value of a panel, such as the systolic
// pressure of a blood pressure.
type ObservationComponent struct {
	Code                 *CodeableConcept            `json:"code,omitempty"`
	ValueQuantity        *Quantity                   `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept            `json:"valueCodeableConcept,omitempty"`
	ValueString          string                      `json:"valueString,omitempty"`
	DataAbsentReason     *CodeableConcept            `json:"dataAbsentReason,omitempty"`
	Interpretation       []CodeableConcept           `json:"interpretation,omitempty"`
	ReferenceRange       []ObservationReferenceRange `json:"referenceRange,omitempty"`
}

// ObservationReferenceRange is a range of normal values.
type ObservationReferenceRange struct {
	Low       *Quantity         `json:"low,omitempty"`
	High      *Quantity         `json:"high,omitempty"`
	Type      *CodeableConcept  `json:"type,omitempty"`
	AppliesTo []CodeableConcept `json:"appliesTo,omitempty"`
	Age       *Range            `json:"age,omitempty"`
	Text      string            `json:"text,omitempty"`
}

func (Observation) ResourceType() string { return "Observation" }

func (o Observation) MarshalJSON() ([]byte, error) {
	type plain Observation
	return marshalResource("Observation", plain(o))
}

// Bundle is a FHIR R4 Bundle: a transaction or batch coming in, its
// response going out, or a page of search results.
type Bundle struct {
	ID         string        `json:"id,omitempty"`
	Meta       *Meta         `json:"meta,omitempty"`
	Identifier *Identifier   `json:"identifier,omitempty"`
	Type       string        `json:"type,omitempty"`
	Timestamp  string        `json:"timestamp,omitempty"`
	Total      *int          `json:"total,omitempty"` // searchset only
	Link       []BundleLink  `json:"link,omitempty"`
	Entry      []BundleEntry `json:"entry,omitempty"`
}

// Bundle types.
const (
	BundleTransaction         = "transaction"
	BundleTransactionResponse = "transaction-response"
	BundleBatch               = "batch"
	BundleBatchResponse       = "batch-response"
	BundleSearchset           = "searchset"
	BundleCollection          = "collection"
)

// BundleLink is a link of a Bundle or an entry ("self", "next").
type BundleLink struct {
	Relation string `json:"relation,omitempty"`
	URL      string `json:"url,omitempty"`
}

// BundleEntry is one entry of a Bundle.
type BundleEntry struct {
	Link     []BundleLink         `json:"link,omitempty"`
	FullURL  string               `json:"fullUrl,omitempty"`
	Resource Resource             `json:"resource,omitempty"`
	Search   *BundleEntrySearch   `json:"search,omitempty"`
	Request  *BundleEntryRequest  `json:"request,omitempty"`
	Response *BundleEntryResponse `json:"response,omitempty"`
}

// BundleEntrySearch says why an entry is in a searchset.
type BundleEntrySearch struct {
	Mode  string  `json:"mode,omitempty"` // match, include or outcome
	Score Decimal `json:"score,omitempty"`
}

// BundleEntryRequest is the HTTP request an entry of a transaction or
// batch stands for.
type BundleEntryRequest struct {
	Method          string `json:"method,omitempty"`
	URL             string `json:"url,omitempty"`
	IfNoneMatch     string `json:"ifNoneMatch,omitempty"`
	IfModifiedSince string `json:"ifModifiedSince,omitempty"`
	IfMatch         string `json:"ifMatch,omitempty"`
	IfNoneExist     string `json:"ifNoneExist,omitempty"`
}

// BundleEntryResponse is the outcome of one entry of a transaction or
// batch.
type BundleEntryResponse struct {
	Status       string            `json:"status,omitempty"` // "201 Created"
	Location     string            `json:"location,omitempty"`
	Etag         string            `json:"etag,omitempty"`
	LastModified string            `json:"lastModified,omitempty"`
	Outcome      *OperationOutcome `json:"outcome,omitempty"`
}

func (Bundle) ResourceType() string { return "Bundle" }

func (b Bundle) MarshalJSON() ([]byte, error) {
	type plain Bundle
	return marshalResource("Bundle", plain(b))
}

// OperationOutcome reports errors and warnings.
type OperationOutcome struct {
	ID    string                  `json:"id,omitempty"`
	Meta  *Meta                   `json:"meta,omitempty"`
	Issue []OperationOutcomeIssue `json:"issue,omitempty"`
}

// OperationOutcomeIssue is one issue of an OperationOutcome. Expression
// holds FHIRPath-like locations; Location is the deprecated XPath form,
// read but never written by Tend.
type OperationOutcomeIssue struct {
	Severity    string           `json:"severity,omitempty"`
	Code        string           `json:"code,omitempty"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Location    []string         `json:"location,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}

func (OperationOutcome) ResourceType() string { return "OperationOutcome" }

func (o OperationOutcome) MarshalJSON() ([]byte, error) {
	type plain OperationOutcome
	return marshalResource("OperationOutcome", plain(o))
}

// Patient is the little of a FHIR Patient that Tend may serve: who the
// person is and the identifiers (such as an MRN) that find them.
type Patient struct {
	ID         string       `json:"id,omitempty"`
	Meta       *Meta        `json:"meta,omitempty"`
	Identifier []Identifier `json:"identifier,omitempty"`
	Active     *bool        `json:"active,omitempty"`
	Name       []HumanName  `json:"name,omitempty"`
	Gender     string       `json:"gender,omitempty"` // male | female | other | unknown
	BirthDate  string       `json:"birthDate,omitempty"`
}

func (Patient) ResourceType() string { return "Patient" }

func (p Patient) MarshalJSON() ([]byte, error) {
	type plain Patient
	return marshalResource("Patient", plain(p))
}

// Device is the little of a FHIR Device that Tend may serve: the measuring
// device, its maker, model and serial, and the patient it is assigned to.
type Device struct {
	ID           string           `json:"id,omitempty"`
	Meta         *Meta            `json:"meta,omitempty"`
	Identifier   []Identifier     `json:"identifier,omitempty"`
	Status       string           `json:"status,omitempty"` // active | inactive | entered-in-error | unknown
	Manufacturer string           `json:"manufacturer,omitempty"`
	DeviceName   []DeviceName     `json:"deviceName,omitempty"`
	ModelNumber  string           `json:"modelNumber,omitempty"`
	SerialNumber string           `json:"serialNumber,omitempty"`
	Type         *CodeableConcept `json:"type,omitempty"`
	Patient      *Reference       `json:"patient,omitempty"`
}

// DeviceName is a name of a device; Type is one of udi-label-name,
// user-friendly-name, patient-reported-name, manufacturer-name, model-name
// and other, and is required whenever a name is given.
type DeviceName struct {
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

func (Device) ResourceType() string { return "Device" }

func (d Device) MarshalJSON() ([]byte, error) {
	type plain Device
	return marshalResource("Device", plain(d))
}

// CapabilityStatement says what a FHIR server does.
type CapabilityStatement struct {
	ID             string                    `json:"id,omitempty"`
	Meta           *Meta                     `json:"meta,omitempty"`
	URL            string                    `json:"url,omitempty"`
	Version        string                    `json:"version,omitempty"`
	Name           string                    `json:"name,omitempty"`
	Title          string                    `json:"title,omitempty"`
	Status         string                    `json:"status,omitempty"`
	Experimental   *bool                     `json:"experimental,omitempty"`
	Date           string                    `json:"date,omitempty"`
	Publisher      string                    `json:"publisher,omitempty"`
	Description    string                    `json:"description,omitempty"`
	Kind           string                    `json:"kind,omitempty"`
	Software       *CapabilitySoftware       `json:"software,omitempty"`
	Implementation *CapabilityImplementation `json:"implementation,omitempty"`
	FHIRVersion    string                    `json:"fhirVersion,omitempty"`
	Format         []string                  `json:"format,omitempty"`
	PatchFormat    []string                  `json:"patchFormat,omitempty"`
	Rest           []CapabilityRest          `json:"rest,omitempty"`
}

// CapabilitySoftware names the server's software.
type CapabilitySoftware struct {
	Name        string `json:"name,omitempty"`
	Version     string `json:"version,omitempty"`
	ReleaseDate string `json:"releaseDate,omitempty"`
}

// CapabilityImplementation describes this installation.
type CapabilityImplementation struct {
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

// CapabilityRest describes the RESTful interface.
type CapabilityRest struct {
	Mode          string                  `json:"mode,omitempty"`
	Documentation string                  `json:"documentation,omitempty"`
	Security      *CapabilitySecurity     `json:"security,omitempty"`
	Resource      []CapabilityResource    `json:"resource,omitempty"`
	Interaction   []CapabilityInteraction `json:"interaction,omitempty"`
	SearchParam   []CapabilitySearchParam `json:"searchParam,omitempty"`
}

// CapabilitySecurity says how clients authenticate.
type CapabilitySecurity struct {
	Cors        *bool             `json:"cors,omitempty"`
	Service     []CodeableConcept `json:"service,omitempty"`
	Description string            `json:"description,omitempty"`
}

// CapabilityResource says what the server does with one resource type.
type CapabilityResource struct {
	Type              string                  `json:"type,omitempty"`
	Profile           string                  `json:"profile,omitempty"`
	SupportedProfile  []string                `json:"supportedProfile,omitempty"`
	Documentation     string                  `json:"documentation,omitempty"`
	Interaction       []CapabilityInteraction `json:"interaction,omitempty"`
	Versioning        string                  `json:"versioning,omitempty"`
	ReadHistory       *bool                   `json:"readHistory,omitempty"`
	UpdateCreate      *bool                   `json:"updateCreate,omitempty"`
	ConditionalCreate *bool                   `json:"conditionalCreate,omitempty"`
	ConditionalRead   string                  `json:"conditionalRead,omitempty"`
	ConditionalUpdate *bool                   `json:"conditionalUpdate,omitempty"`
	ConditionalDelete string                  `json:"conditionalDelete,omitempty"`
	SearchParam       []CapabilitySearchParam `json:"searchParam,omitempty"`
}

// CapabilityInteraction is one interaction, such as create or
// search-type, or transaction at the system level.
type CapabilityInteraction struct {
	Code          string `json:"code,omitempty"`
	Documentation string `json:"documentation,omitempty"`
}

// CapabilitySearchParam is one search parameter the server understands.
type CapabilitySearchParam struct {
	Name          string `json:"name,omitempty"`
	Definition    string `json:"definition,omitempty"`
	Type          string `json:"type,omitempty"`
	Documentation string `json:"documentation,omitempty"`
}

func (CapabilityStatement) ResourceType() string { return "CapabilityStatement" }

func (c CapabilityStatement) MarshalJSON() ([]byte, error) {
	type plain CapabilityStatement
	return marshalResource("CapabilityStatement", plain(c))
}
