package hl7

import (
	"slices"
	"strings"
)

// This file holds the translation from ISO/IEEE 11073-10101 nomenclature
// (MDC), which PCD-01 devices use in OBX-3 and OBX-6, to the LOINC codes and
// UCUM units of the FHIR R4 vital-signs profile. The rows are those of
// standards.md §1 and §3; codes outside the table are reported, never
// guessed.

// MDCMeasure is one measurement the table knows.
type MDCMeasure struct {
	Code         string // MDC code number (partition 2, SCADA), such as "150456"
	RefID        string // MDC reference id, such as "MDC_PULS_OXIM_SAT_O2"
	LOINC        string // LOINC code for the FHIR Observation
	LOINCDisplay string // LOINC display name
	// UCUM lists the UCUM units this measure may be reported in; the first
	// is the one the profile expects.
	UCUM []string
	// MDCUnits lists the MDC unit codes that fit this measure.
	MDCUnits []string
}

// MDCUnit is one MDC unit code and its UCUM equivalent.
type MDCUnit struct {
	Code  string // MDC unit code number, such as "262688"
	RefID string // such as "MDC_DIM_PERCENT"
	UCUM  string // such as "%"
}

var mdcMeasures = []MDCMeasure{
	{Code: "150456", RefID: "MDC_PULS_OXIM_SAT_O2", LOINC: "2708-6", LOINCDisplay: "Oxygen saturation in Arterial blood",
		UCUM: []string{"%"}, MDCUnits: []string{"262688"}},
	{Code: "149530", RefID: "MDC_PULS_OXIM_PULS_RATE", LOINC: "8867-4", LOINCDisplay: "Heart rate",
		UCUM: []string{"/min"}, MDCUnits: []string{"264864"}},
	{Code: "147842", RefID: "MDC_ECG_HEART_RATE", LOINC: "8867-4", LOINCDisplay: "Heart rate",
		UCUM: []string{"/min"}, MDCUnits: []string{"264864"}},
	{Code: "149546", RefID: "MDC_PULS_RATE_NON_INV", LOINC: "8867-4", LOINCDisplay: "Heart rate",
		UCUM: []string{"/min"}, MDCUnits: []string{"264864"}},
	{Code: "150021", RefID: "MDC_PRESS_BLD_NONINV_SYS", LOINC: "8480-6", LOINCDisplay: "Systolic blood pressure",
		UCUM: []string{"mm[Hg]"}, MDCUnits: []string{"266016"}},
	{Code: "150022", RefID: "MDC_PRESS_BLD_NONINV_DIA", LOINC: "8462-4", LOINCDisplay: "Diastolic blood pressure",
		UCUM: []string{"mm[Hg]"}, MDCUnits: []string{"266016"}},
	{Code: "150023", RefID: "MDC_PRESS_BLD_NONINV_MEAN", LOINC: "8478-0", LOINCDisplay: "Mean blood pressure",
		UCUM: []string{"mm[Hg]"}, MDCUnits: []string{"266016"}},
	{Code: "151562", RefID: "MDC_RESP_RATE", LOINC: "9279-1", LOINCDisplay: "Respiratory rate",
		UCUM: []string{"/min"}, MDCUnits: []string{"264928"}},
	{Code: "150364", RefID: "MDC_TEMP_BODY", LOINC: "8310-5", LOINCDisplay: "Body temperature",
		UCUM: []string{"Cel", "[degF]"}, MDCUnits: []string{"268192"}},
	{Code: "150344", RefID: "MDC_TEMP", LOINC: "8310-5", LOINCDisplay: "Body temperature",
		UCUM: []string{"Cel", "[degF]"}, MDCUnits: []string{"268192"}},
	{Code: "188736", RefID: "MDC_MASS_BODY_ACTUAL", LOINC: "29463-7", LOINCDisplay: "Body weight",
		UCUM: []string{"kg", "g", "[lb_av]"}, MDCUnits: []string{"263875"}},
}

var mdcUnits = []MDCUnit{
	{Code: "262688", RefID: "MDC_DIM_PERCENT", UCUM: "%"},
	{Code: "264864", RefID: "MDC_DIM_BEAT_PER_MIN", UCUM: "/min"},
	{Code: "266016", RefID: "MDC_DIM_MMHG", UCUM: "mm[Hg]"},
	{Code: "264928", RefID: "MDC_DIM_RESP_PER_MIN", UCUM: "/min"},
	{Code: "268192", RefID: "MDC_DIM_DEGC", UCUM: "Cel"},
	{Code: "263875", RefID: "MDC_DIM_KILO_G", UCUM: "kg"},
}

// LookupMDC returns the measure with MDC code number code.
func LookupMDC(code string) (MDCMeasure, bool) {
	for _, m := range mdcMeasures {
		if m.Code == code {
			return cloneMeasure(m), true
		}
	}
	return MDCMeasure{}, false
}

// LookupMDCUnit returns the unit with MDC code number code.
func LookupMDCUnit(code string) (MDCUnit, bool) {
	for _, u := range mdcUnits {
		if u.Code == code {
			return u, true
		}
	}
	return MDCUnit{}, false
}

// MDCMeasures returns a copy of the whole measure table.
func MDCMeasures() []MDCMeasure {
	out := make([]MDCMeasure, len(mdcMeasures))
	for i, m := range mdcMeasures {
		out[i] = cloneMeasure(m)
	}
	return out
}

func cloneMeasure(m MDCMeasure) MDCMeasure {
	m.UCUM = slices.Clone(m.UCUM)
	m.MDCUnits = slices.Clone(m.MDCUnits)
	return m
}

// Mapping is an observation translated for FHIR.
type Mapping struct {
	Measure MDCMeasure // the table row for OBX-3
	UCUM    string     // the observation's unit (OBX-6) as a UCUM code
}

// MapObservation translates o's code and unit through the table.
//
// OBX-3 must be an MDC code (coding system "MDC", or no system with a
// reference id that agrees with the table) that the table knows; if the
// message also gives a reference id it must be the table's for that code, so
// a mislabelled code is caught rather than filed as something else. OBX-6
// must be an MDC unit from the table or a UCUM unit (system "UCUM"), and must
// be one that fits the measure: SpO2 in mm[Hg] is refused.
//
// Errors are *Error values with code 103 (table value not found) or 101
// (unit missing), located at OBX-3 or OBX-6, so the ingest path can skip the
// row or reject the message as it sees fit. Device rows have no measure and
// are refused too.
func MapObservation(o Observation) (Mapping, error) {
	if o.IsDevice {
		return Mapping{}, errAt(o.seg, 3, CodeTableValueNotFound, "device row, not a measurement")
	}
	c := o.Code
	m, ok := LookupMDC(c.Code)
	switch {
	case c.System != "" && !strings.EqualFold(c.System, "MDC"):
		return Mapping{}, errAtComp(o.seg, 3, 3, CodeTableValueNotFound,
			"coding system %s is not MDC: only MDC codes are mapped", quoteCode(c.System))
	case !ok:
		return Mapping{}, errAtComp(o.seg, 3, 1, CodeTableValueNotFound,
			"MDC code %s is not in Tend's mapping table", quoteCode(c.Code))
	case c.Text != "" && c.Text != m.RefID:
		return Mapping{}, errAtComp(o.seg, 3, 2, CodeTableValueNotFound,
			"MDC code %s is %s, but the message calls it %s", m.Code, m.RefID, quoteCode(c.Text))
	case c.System == "" && c.Text == "":
		return Mapping{}, errAtComp(o.seg, 3, 3, CodeTableValueNotFound,
			"coding system missing and no reference id to confirm the code is MDC")
	}
	u := o.Unit
	var ucum string
	switch {
	case u.Code == "":
		return Mapping{}, errAt(o.seg, 6, CodeRequiredFieldMissing, "unit missing")
	case strings.EqualFold(u.System, "UCUM"):
		ucum = u.Code
	case u.System == "" || strings.EqualFold(u.System, "MDC"):
		mu, ok := LookupMDCUnit(u.Code)
		switch {
		case !ok:
			return Mapping{}, errAtComp(o.seg, 6, 1, CodeTableValueNotFound,
				"MDC unit code %s is not in Tend's mapping table", quoteCode(u.Code))
		case u.Text != "" && u.Text != mu.RefID:
			return Mapping{}, errAtComp(o.seg, 6, 2, CodeTableValueNotFound,
				"MDC unit code %s is %s, but the message calls it %s", mu.Code, mu.RefID, quoteCode(u.Text))
		case u.System == "" && u.Text == "":
			return Mapping{}, errAtComp(o.seg, 6, 3, CodeTableValueNotFound,
				"unit coding system missing and no reference id to confirm the unit is MDC")
		case !slices.Contains(m.MDCUnits, mu.Code):
			return Mapping{}, errAt(o.seg, 6, CodeTableValueNotFound,
				"unit %s does not fit %s", mu.RefID, m.RefID)
		}
		ucum = mu.UCUM
	default:
		return Mapping{}, errAtComp(o.seg, 6, 3, CodeTableValueNotFound,
			"unit coding system %s is neither MDC nor UCUM", quoteCode(u.System))
	}
	if !slices.Contains(m.UCUM, ucum) {
		return Mapping{}, errAt(o.seg, 6, CodeTableValueNotFound,
			"unit %s does not fit %s (want %s)", quoteCode(ucum), m.RefID, strings.Join(m.UCUM, " or "))
	}
	return Mapping{Measure: m, UCUM: ucum}, nil
}
