package measure

import (
	"slices"
	"strings"
)

// Keys of the measurement types, stable in the API and the database.
const (
	BodyTemperature = "body_temperature"
	HeartRate       = "heart_rate"
	BloodPressure   = "blood_pressure"
	SpO2            = "spo2"
	RespiratoryRate = "respiratory_rate"
	BloodGlucose    = "blood_glucose"
	BodyWeight      = "body_weight"
	BodyHeight      = "body_height"
)

// Keys of the blood pressure panel's components.
const (
	Systolic  = "systolic"
	Diastolic = "diastolic"
	Mean      = "mean" // mean arterial pressure
)

// Code systems, as FHIR names them.
const (
	SystemLOINC = "http://loinc.org"
	SystemMDC   = "urn:iso:std:iso:11073:10101"
	SystemUCUM  = "http://unitsofmeasure.org"
)

// FHIR observation categories, from the code system
// http://terminology.hl7.org/CodeSystem/observation-category.
const (
	CategoryVitalSigns = "vital-signs"
	CategoryLaboratory = "laboratory"
)

// A Coding is a code in a code system, with its display text.
// For MDC codings Code is the numeric code and Display the reference id
// ("150364", "MDC_TEMP_BODY").
type Coding struct {
	System  string
	Code    string
	Display string
}

// A Quantity describes one number a measurement carries.
type Quantity struct {
	// Unit is the canonical UCUM unit: values are stored in it.
	Unit string
	// Units lists the UCUM units accepted on input, Unit first.
	Units []string
	// DisplayUnits lists the units a person may choose to see values in,
	// Unit first.
	DisplayUnits []string
	// Min and Max bound the plausible values, inclusive, in Unit.
	Min, Max float64
	// Decimals is the least number of decimals a converted value keeps
	// in Unit (see the package documentation on rounding).
	Decimals int
}

// A Component is one number of a panel, such as the systolic pressure of
// a blood pressure.
type Component struct {
	Key      string // "systolic"
	Name     string // for people: "Systolic blood pressure"
	Code     Coding // LOINC
	MDC      Coding
	Required bool // a reading of the panel must carry it
	Value    Quantity
}

// A Type is one kind of measurement.
type Type struct {
	Key  string // stable key, e.g. "heart_rate"
	Name string // for people: "Heart rate"
	// Code is the LOINC code to send; AltCodes are other LOINC codes that
	// mean this type and are recognised on input.
	Code     Coding
	AltCodes []Coding
	MDC      []Coding // ISO/IEEE 11073 codes, the usual one first
	Category string   // FHIR observation category
	// Value describes the number of a single-valued type; it is the zero
	// Quantity for a panel.
	Value Quantity
	// Components lists a panel's numbers; it is empty for a single-valued
	// type.
	Components []Component
}

// IsPanel reports whether the type is a panel of components.
func (t Type) IsPanel() bool { return len(t.Components) > 0 }

// Component returns the panel component with the given key.
func (t Type) Component(key string) (Component, bool) {
	for _, c := range t.Components {
		if c.Key == key {
			return c, true
		}
	}
	return Component{}, false
}

// Types returns the whole catalogue in a fixed order.
func Types() []Type { return slices.Clone(catalogue) }

// ByKey returns the type with the given key.
func ByKey(key string) (Type, bool) {
	for _, t := range catalogue {
		if t.Key == key {
			return t, true
		}
	}
	return Type{}, false
}

// ByLOINC returns the type a LOINC code stands for. A panel component's
// code gives the panel and the component's key; any other code gives an
// empty component.
func ByLOINC(code string) (t Type, component string, ok bool) {
	code = strings.TrimSpace(code)
	for _, typ := range catalogue {
		if typ.Code.Code == code {
			return typ, "", true
		}
		for _, alt := range typ.AltCodes {
			if alt.Code == code {
				return typ, "", true
			}
		}
		for _, c := range typ.Components {
			if c.Code.Code == code {
				return typ, c.Key, true
			}
		}
	}
	return Type{}, "", false
}

// ByMDC returns the type an ISO/IEEE 11073 code stands for, given either
// its number ("150021") or its reference id ("MDC_PRESS_BLD_NONINV_SYS").
// A panel component's code gives the panel and the component's key.
func ByMDC(code string) (t Type, component string, ok bool) {
	code = strings.TrimSpace(code)
	matches := func(c Coding) bool {
		return c.Code != "" && (c.Code == code || strings.EqualFold(c.Display, code))
	}
	for _, typ := range catalogue {
		for _, m := range typ.MDC {
			if matches(m) {
				return typ, "", true
			}
		}
		for _, c := range typ.Components {
			if matches(c.MDC) {
				return typ, c.Key, true
			}
		}
	}
	return Type{}, "", false
}

func loinc(code, display string) Coding {
	return Coding{System: SystemLOINC, Code: code, Display: display}
}

func mdc(code, refID string) Coding {
	return Coding{System: SystemMDC, Code: code, Display: refID}
}

// quantity describes a number whose canonical unit is base; it accepts
// every unit of base's kind.
func quantity(base string, min, max float64, decimals int, displayUnits ...string) Quantity {
	q := Quantity{Unit: base, Min: min, Max: max, Decimals: decimals}
	b, _ := findUnit(base)
	for _, u := range units {
		if u.kind == b.kind {
			q.Units = append(q.Units, u.code)
		}
	}
	q.DisplayUnits = append([]string{base}, displayUnits...)
	return q
}

var catalogue = []Type{
	{
		Key:      BodyTemperature,
		Name:     "Body temperature",
		Code:     loinc("8310-5", "Body temperature"),
		MDC:      []Coding{mdc("150364", "MDC_TEMP_BODY"), mdc("150344", "MDC_TEMP")},
		Category: CategoryVitalSigns,
		Value:    quantity("Cel", 25, 45, 1, "[degF]"),
	},
	{
		Key:  HeartRate,
		Name: "Heart rate",
		Code: loinc("8867-4", "Heart rate"),
		MDC: []Coding{
			mdc("147842", "MDC_ECG_HEART_RATE"),
			mdc("149530", "MDC_PULS_OXIM_PULS_RATE"),
			mdc("149546", "MDC_PULS_RATE_NON_INV"),
		},
		Category: CategoryVitalSigns,
		Value:    quantity("/min", 20, 300, 0),
	},
	{
		Key:      BloodPressure,
		Name:     "Blood pressure",
		Code:     loinc("85354-9", "Blood pressure panel with all children optional"),
		MDC:      []Coding{mdc("150020", "MDC_PRESS_BLD_NONINV")},
		Category: CategoryVitalSigns,
		Components: []Component{
			{
				Key:      Systolic,
				Name:     "Systolic blood pressure",
				Code:     loinc("8480-6", "Systolic blood pressure"),
				MDC:      mdc("150021", "MDC_PRESS_BLD_NONINV_SYS"),
				Required: true,
				Value:    quantity("mm[Hg]", 40, 300, 0),
			},
			{
				Key:      Diastolic,
				Name:     "Diastolic blood pressure",
				Code:     loinc("8462-4", "Diastolic blood pressure"),
				MDC:      mdc("150022", "MDC_PRESS_BLD_NONINV_DIA"),
				Required: true,
				Value:    quantity("mm[Hg]", 10, 200, 0),
			},
			{
				Key:   Mean,
				Name:  "Mean arterial pressure",
				Code:  loinc("8478-0", "Mean blood pressure"),
				MDC:   mdc("150023", "MDC_PRESS_BLD_NONINV_MEAN"),
				Value: quantity("mm[Hg]", 20, 250, 0),
			},
		},
	},
	{
		Key:      SpO2,
		Name:     "Oxygen saturation (SpO2)",
		Code:     loinc("2708-6", "Oxygen saturation in Arterial blood"),
		AltCodes: []Coding{loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")},
		MDC:      []Coding{mdc("150456", "MDC_PULS_OXIM_SAT_O2")},
		Category: CategoryVitalSigns,
		Value:    quantity("%", 40, 100, 0),
	},
	{
		Key:      RespiratoryRate,
		Name:     "Respiratory rate",
		Code:     loinc("9279-1", "Respiratory rate"),
		MDC:      []Coding{mdc("151562", "MDC_RESP_RATE")},
		Category: CategoryVitalSigns,
		Value:    quantity("/min", 2, 100, 0),
	},
	{
		Key:  BloodGlucose,
		Name: "Blood glucose",
		Code: loinc("41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),
		AltCodes: []Coding{
			loinc("2339-0", "Glucose [Mass/volume] in Blood"),
			loinc("15074-8", "Glucose [Moles/volume] in Blood"),
			loinc("14743-9", "Glucose [Moles/volume] in Capillary blood by Glucometer"),
		},
		MDC:      []Coding{mdc("160184", "MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD")},
		Category: CategoryLaboratory,
		Value:    quantity("mg/dL", 10, 1000, 0, "mmol/L"),
	},
	{
		Key:      BodyWeight,
		Name:     "Body weight",
		Code:     loinc("29463-7", "Body weight"),
		MDC:      []Coding{mdc("188736", "MDC_MASS_BODY_ACTUAL")},
		Category: CategoryVitalSigns,
		Value:    quantity("kg", 0.2, 650, 1, "[lb_av]"),
	},
	{
		Key:      BodyHeight,
		Name:     "Body height",
		Code:     loinc("8302-2", "Body height"),
		MDC:      []Coding{mdc("188740", "MDC_LEN_BODY_ACTUAL")},
		Category: CategoryVitalSigns,
		Value:    quantity("cm", 20, 280, 1, "[in_i]"),
	},
}
