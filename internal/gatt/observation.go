package gatt

import "slices"

// Unit is a UCUM unit code, as stored by the platform and sent to FHIR in
// valueQuantity.code.
type Unit string

// Units that appear in the values this package decodes.
const (
	UnitMmHg       Unit = "mm[Hg]"
	UnitKPa        Unit = "kPa"
	UnitCelsius    Unit = "Cel"
	UnitFahrenheit Unit = "[degF]"
	UnitPerMinute  Unit = "/min"
	UnitPercent    Unit = "%"
	UnitKgPerL     Unit = "kg/L"  // glucose as sent; Observations carry mg/dL
	UnitMolPerL    Unit = "mol/L" // glucose as sent; Observations carry mmol/L
	UnitMgPerDL    Unit = "mg/dL"
	UnitMmolPerL   Unit = "mmol/L"
)

// LOINC codes used in Observations (standards.md §1).
const (
	LOINCBloodPressurePanel    = "85354-9"
	LOINCSystolic              = "8480-6"
	LOINCDiastolic             = "8462-4"
	LOINCMeanArterialPressure  = "8478-0"
	LOINCHeartRate             = "8867-4"
	LOINCBodyTemperature       = "8310-5"
	LOINCOxygenSaturation      = "2708-6"
	LOINCPulseOximetry         = "59408-5"
	LOINCGlucoseMassCapillary  = "41653-7"
	LOINCGlucoseMolesCapillary = "14743-9"
	LOINCGlucoseMassBlood      = "2339-0"
	LOINCGlucoseMolesBlood     = "15074-8"
)

// Observation is one measured quantity in a form the platform can store
// without knowing which characteristic it came from.
type Observation struct {
	// LOINC is the code of what was measured; Display is its LOINC name.
	LOINC   string
	Display string
	// AlsoLOINC lists further LOINC codes that apply, such as 59408-5
	// (by pulse oximetry) beside 2708-6 for SpO2.
	AlsoLOINC []string
	// Panel is the LOINC code of the panel the observation belongs to
	// (85354-9 for the parts of a blood pressure), or "".
	Panel string
	// Value is the number as the device stated it, converted only for
	// glucose (kg/L to mg/dL, mol/L to mmol/L). A special value stands for
	// a missing one: see Number.DataAbsentReason.
	Value Number
	Unit  Unit
	// Time is when the device says it took the measurement, or nil when it
	// sent no time (or said its clock was not set). It may be incomplete
	// (unknown year); see DateTime.Complete.
	Time *DateTime
	// BodySite is where the measurement was taken ("finger", "ear", …),
	// when the device said; Specimen is the sample type for glucose
	// ("capillary-plasma", …).
	BodySite string
	Specimen string
	// Flags are the status conditions the device reported with the
	// measurement; they apply to every observation of the same value.
	Flags []Flag
}

// loincDisplay holds the LOINC display name of each code used here.
var loincDisplay = map[string]string{
	LOINCBloodPressurePanel:    "Blood pressure panel with all children optional",
	LOINCSystolic:              "Systolic blood pressure",
	LOINCDiastolic:             "Diastolic blood pressure",
	LOINCMeanArterialPressure:  "Mean blood pressure",
	LOINCHeartRate:             "Heart rate",
	LOINCBodyTemperature:       "Body temperature",
	LOINCOxygenSaturation:      "Oxygen saturation in Arterial blood",
	LOINCPulseOximetry:         "Oxygen saturation in Arterial blood by Pulse oximetry",
	LOINCGlucoseMassCapillary:  "Glucose [Mass/volume] in Capillary blood by Glucometer",
	LOINCGlucoseMolesCapillary: "Glucose [Moles/volume] in Capillary blood by Glucometer",
	LOINCGlucoseMassBlood:      "Glucose [Mass/volume] in Blood",
	LOINCGlucoseMolesBlood:     "Glucose [Moles/volume] in Blood",
}

// LOINCDisplay returns the LOINC display name of a code used in
// Observations, or "" for any other code.
func LOINCDisplay(code string) string { return loincDisplay[code] }

func observation(code string, value Number, unit Unit) Observation {
	return Observation{LOINC: code, Display: loincDisplay[code], Value: value, Unit: unit}
}

// finishObservations gives every observation of one value the value's time
// and flags. A value flagged as not coming from the patient (control
// solution, demonstration or test data) yields no observations at all: its
// flags still reach the platform through Result.Flags.
func finishObservations(obs []Observation, t *DateTime, flags []Flag) []Observation {
	for _, f := range flags {
		if f.Kind == KindNotPatient {
			return nil
		}
	}
	for i := range obs {
		if t != nil {
			tc := *t
			obs[i].Time = &tc
		}
		if len(flags) > 0 {
			obs[i].Flags = slices.Clone(flags)
		}
	}
	return obs
}
