package fhir

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// profiles maps measurement types to the R4 vital-signs profile each
// Observation claims. Glucose has none: it is not a vital sign in R4.
var profiles = map[string]string{
	measure.BodyTemperature: "http://hl7.org/fhir/StructureDefinition/bodytemp",
	measure.HeartRate:       "http://hl7.org/fhir/StructureDefinition/heartrate",
	measure.BloodPressure:   "http://hl7.org/fhir/StructureDefinition/bp",
	measure.SpO2:            "http://hl7.org/fhir/StructureDefinition/oxygensat",
	measure.RespiratoryRate: "http://hl7.org/fhir/StructureDefinition/resprate",
	measure.BodyWeight:      "http://hl7.org/fhir/StructureDefinition/bodyweight",
	measure.BodyHeight:      "http://hl7.org/fhir/StructureDefinition/bodyheight",
}

var categoryDisplay = map[string]string{
	measure.CategoryVitalSigns: "Vital Signs",
	measure.CategoryLaboratory: "Laboratory",
}

// LOINC codes FromReading chooses between.
const (
	loincSpO2Oximetry = "59408-5"
	loincGlucoseMass  = "41653-7" // capillary, by glucometer
	loincGlucoseMoles = "14743-9" // capillary, by glucometer
)

// Stored is what the store knows of a reading beyond the reading itself.
// Zero fields are left out of the Observation.
type Stored struct {
	ID          string    // the Observation's id
	VersionID   string    // "1" for a reading never corrected
	LastUpdated time.Time // when this version was stored
	Issued      time.Time // when Tend received the reading
}

// FromReading writes a stored reading as a FHIR R4 Observation shaped by
// the vital-signs profile: meta.profile of its type (bp, bodytemp, …),
// category, the LOINC code with its display, subject, effectiveDateTime (or
// effectivePeriod), issued, the value as valueQuantity with its UCUM code,
// a blood pressure as components, device and identifier.
func FromReading(r Reading, s Stored) (*Observation, error) {
	t, ok := measure.ByKey(r.TypeKey)
	if !ok {
		return nil, fmt.Errorf("fhir: unknown measurement type %q", r.TypeKey)
	}
	if r.TakenAt.IsZero() {
		return nil, fmt.Errorf("fhir: a %s reading without the time it was taken", t.Key)
	}
	if r.Subject.IsZero() {
		return nil, fmt.Errorf("fhir: a %s reading without its patient", t.Key)
	}
	r.Subject.Type, r.Device.Type = "Patient", "Device"
	o := &Observation{
		ID:      s.ID,
		Status:  r.Status,
		Subject: r.Subject.Reference(),
		Device:  r.Device.Reference(),
		Code:    &CodeableConcept{Coding: codingsFor(t, r)},
		Category: []CodeableConcept{{Coding: []Coding{{
			System: SystemObservationCategory, Code: t.Category, Display: categoryDisplay[t.Category],
		}}}},
	}
	if o.Status == "" {
		o.Status = StatusFinal
	}
	meta := &Meta{VersionID: s.VersionID}
	if !s.LastUpdated.IsZero() {
		meta.LastUpdated = formatInstant(s.LastUpdated)
	}
	if p := profiles[t.Key]; p != "" {
		meta.Profile = []string{p}
	}
	if meta.VersionID != "" || meta.LastUpdated != "" || len(meta.Profile) > 0 {
		o.Meta = meta
	}
	taken := formatDateTime(r.TakenAt)
	if r.TakenPrecision != 0 && r.TakenPrecision <= PrecisionDay {
		taken = r.TakenAt.Format("2006-01-02")
	}
	if r.TakenUntil.IsZero() {
		o.EffectiveDateTime = taken
	} else {
		o.EffectivePeriod = &Period{Start: taken, End: formatDateTime(r.TakenUntil)}
	}
	if !s.Issued.IsZero() {
		o.Issued = formatInstant(s.Issued)
	}
	if !r.ExternalID.IsZero() {
		o.Identifier = []Identifier{{System: r.ExternalID.System, Value: r.ExternalID.Value}}
	}
	if !t.IsPanel() {
		q, err := quantityOf(r.Value)
		if err != nil {
			return nil, fmt.Errorf("fhir: %s: %w", t.Key, err)
		}
		o.ValueQuantity = q
		return o, nil
	}
	for key := range r.Components {
		if _, ok := t.Component(key); !ok {
			return nil, fmt.Errorf("fhir: %s has no component %q", t.Key, key)
		}
	}
	for _, cp := range t.Components {
		v, ok := r.Components[cp.Key]
		if !ok {
			if cp.Required {
				return nil, fmt.Errorf("fhir: %s without its %s value", t.Key, cp.Key)
			}
			continue
		}
		q, err := quantityOf(v)
		if err != nil {
			return nil, fmt.Errorf("fhir: %s %s: %w", t.Key, cp.Key, err)
		}
		o.Component = append(o.Component, ObservationComponent{
			Code:          &CodeableConcept{Coding: []Coding{{System: measure.SystemLOINC, Code: cp.Code.Code, Display: cp.Code.Display}}},
			ValueQuantity: q,
		})
	}
	return o, nil
}

// formatInstant writes t as a FHIR instant in UTC, to the millisecond at
// most.
func formatInstant(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.999Z07:00")
}

func quantityOf(v ValueWithUnit) (*Quantity, error) {
	if _, err := v.Value.Float64(); err != nil {
		return nil, err
	}
	if v.Unit == "" {
		return nil, fmt.Errorf("value %s has no unit", v.Value)
	}
	return &Quantity{Value: v.Value, Unit: measure.UnitDisplay(v.Unit), System: measure.SystemUCUM, Code: v.Unit}, nil
}

// codingsFor returns the LOINC codings of a reading's code. The type's own
// code comes first, which is the one its R4 profile fixes. The code the
// reading came with is kept when it names the same type: SpO2 sent as
// 59408-5 (by pulse oximetry) also carries 2708-6, as the oxygensat profile
// wants. Glucose gets the code of the quantity its unit measures, mass or
// moles per volume.
func codingsFor(t measure.Type, r Reading) []Coding {
	loinc := func(code string) Coding {
		c := Coding{System: measure.SystemLOINC, Code: code}
		if code == t.Code.Code {
			c.Display = t.Code.Display
		}
		for _, a := range t.AltCodes {
			if a.Code == code {
				c.Display = a.Display
			}
		}
		return c
	}
	sent := ""
	if st, comp, ok := measure.ByLOINC(r.Code); ok && st.Key == t.Key && comp == "" {
		sent = r.Code
	}
	if t.Key == measure.BloodGlucose {
		moles := r.Value.Unit == "mmol/L"
		isMoles := slices.Contains([]string{"15074-8", "14743-9"}, sent)
		switch {
		case sent != "" && moles == isMoles:
			return []Coding{loinc(sent)}
		case moles:
			return []Coding{loinc(loincGlucoseMoles)}
		default:
			return []Coding{loinc(loincGlucoseMass)}
		}
	}
	codes := []Coding{loinc(t.Code.Code)}
	if sent != "" && sent != t.Code.Code {
		codes = append(codes, loinc(sent))
	}
	return codes
}

// Location is the versioned location of an Observation, as a create
// answers it: "Observation/{id}/_history/{version}".
func Location(id, versionID string) string {
	if versionID == "" {
		versionID = "1"
	}
	return "Observation/" + id + "/_history/" + versionID
}

// ETag is the weak entity tag of a version: W/"1".
func ETag(versionID string) string {
	if versionID == "" {
		versionID = "1"
	}
	return `W/` + strconv.Quote(versionID)
}
