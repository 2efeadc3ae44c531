package gatt

// Flag is one status condition a device reported with a measurement, such as
// a cuff that was too loose or a low battery. Name is stable and meant to be
// stored; Description is for people.
//
// Flags are comparable, so slices.Contains(result.Flags, gatt.FlagBatteryLow)
// works.
type Flag struct {
	Name        string
	Description string
	Kind        FlagKind
}

// FlagKind groups flags by what the platform should do about them.
type FlagKind string

const (
	// KindQuality: the reading may be inaccurate (movement, poor signal).
	KindQuality FlagKind = "quality"
	// KindFinding: the device noticed something about the patient, such as
	// an irregular pulse.
	KindFinding FlagKind = "finding"
	// KindDevice: the device needs attention (battery, fault, clock).
	KindDevice FlagKind = "device"
	// KindNotPatient: the value is not a measurement of the patient
	// (control solution, demonstration or test data). Decode leaves such
	// values out of Result.Observations.
	KindNotPatient FlagKind = "not-patient"
	// KindInfo: state worth keeping that needs no action.
	KindInfo FlagKind = "info"
)

// Flags shared by several characteristics.
var (
	FlagBatteryLow        = Flag{"battery-low", "device battery low at the time of measurement", KindDevice}
	FlagSensorMalfunction = Flag{"sensor-malfunction", "the sensor reported a malfunction", KindDevice}
)

// Blood pressure measurement status.
var (
	FlagBodyMovement     = Flag{"body-movement", "body movement during the measurement", KindQuality}
	FlagCuffTooLoose     = Flag{"cuff-too-loose", "cuff fitted too loosely", KindQuality}
	FlagIrregularPulse   = Flag{"irregular-pulse", "irregular pulse detected", KindFinding}
	FlagPulseAboveRange  = Flag{"pulse-rate-above-range", "pulse rate above the device's upper limit", KindFinding}
	FlagPulseBelowRange  = Flag{"pulse-rate-below-range", "pulse rate below the device's lower limit", KindFinding}
	FlagImproperPosition = Flag{"improper-position", "improper measurement position", KindQuality}
)

// Heart rate.
var (
	FlagNoSensorContact = Flag{"sensor-contact-not-detected", "the sensor supports contact detection and found no skin contact", KindQuality}
)

// Glucose sensor status annunciation.
var (
	FlagSampleInsufficient    = Flag{"sample-insufficient", "blood or control solution sample too small", KindQuality}
	FlagStripInsertionError   = Flag{"strip-insertion-error", "strip insertion error", KindQuality}
	FlagStripTypeIncorrect    = Flag{"strip-type-incorrect", "strip type incorrect for the device", KindQuality}
	FlagResultAboveRange      = Flag{"result-above-device-range", "result higher than the device can measure; the true value is higher", KindQuality}
	FlagResultBelowRange      = Flag{"result-below-device-range", "result lower than the device can measure; the true value is lower", KindQuality}
	FlagSensorTemperatureHigh = Flag{"sensor-temperature-too-high", "sensor temperature too high for a valid result", KindQuality}
	FlagSensorTemperatureLow  = Flag{"sensor-temperature-too-low", "sensor temperature too low for a valid result", KindQuality}
	FlagStripPulledTooSoon    = Flag{"strip-pulled-too-soon", "reading interrupted because the strip was pulled too soon", KindQuality}
	FlagGeneralDeviceFault    = Flag{"general-device-fault", "general device fault in the sensor", KindDevice}
	FlagTimeFault             = Flag{"time-fault", "time fault in the sensor; the time may be inaccurate", KindDevice}
	FlagControlSolution       = Flag{"control-solution", "control solution test, not a patient sample", KindNotPatient}
)

// Pulse oximeter (PLX) measurement status.
var (
	FlagMeasurementOngoing     = Flag{"measurement-ongoing", "measurement still in progress", KindInfo}
	FlagEarlyEstimate          = Flag{"early-estimate", "early estimate, not yet a settled value", KindQuality}
	FlagValidatedData          = Flag{"validated-data", "the device validated the data", KindInfo}
	FlagFullyQualifiedData     = Flag{"fully-qualified-data", "fully qualified data", KindInfo}
	FlagFromStorage            = Flag{"from-measurement-storage", "sent from the device's stored measurements", KindInfo}
	FlagDemonstrationData      = Flag{"demonstration-data", "data for demonstration, not a patient measurement", KindNotPatient}
	FlagTestingData            = Flag{"testing-data", "data for testing, not a patient measurement", KindNotPatient}
	FlagCalibrationOngoing     = Flag{"calibration-ongoing", "calibration in progress", KindQuality}
	FlagMeasurementUnavailable = Flag{"measurement-unavailable", "measurement unavailable", KindQuality}
	FlagQuestionableMeasure    = Flag{"questionable-measurement", "questionable measurement detected", KindQuality}
	FlagInvalidMeasurement     = Flag{"invalid-measurement", "invalid measurement detected", KindQuality}
)

// Pulse oximeter (PLX) device and sensor status.
var (
	FlagExtendedDisplayUpdate   = Flag{"extended-display-update", "extended display update ongoing", KindInfo}
	FlagEquipmentMalfunction    = Flag{"equipment-malfunction", "equipment malfunction detected", KindDevice}
	FlagSignalIrregularity      = Flag{"signal-processing-irregularity", "signal processing irregularity detected", KindQuality}
	FlagInadequateSignal        = Flag{"inadequate-signal", "inadequate signal detected", KindQuality}
	FlagPoorSignal              = Flag{"poor-signal", "poor signal detected", KindQuality}
	FlagLowPerfusion            = Flag{"low-perfusion", "low perfusion detected", KindQuality}
	FlagErraticSignal           = Flag{"erratic-signal", "erratic signal detected", KindQuality}
	FlagNonpulsatileSignal      = Flag{"nonpulsatile-signal", "nonpulsatile signal detected", KindQuality}
	FlagQuestionablePulse       = Flag{"questionable-pulse", "questionable pulse detected", KindQuality}
	FlagSignalAnalysisOngoing   = Flag{"signal-analysis-ongoing", "signal analysis ongoing", KindInfo}
	FlagSensorInterference      = Flag{"sensor-interference", "sensor interference detected", KindQuality}
	FlagSensorUnconnectedToUser = Flag{"sensor-unconnected-to-user", "sensor not connected to the user", KindQuality}
	FlagUnknownSensor           = Flag{"unknown-sensor-connected", "unknown sensor connected", KindDevice}
	FlagSensorDisplaced         = Flag{"sensor-displaced", "sensor displaced", KindQuality}
	FlagSensorDisconnected      = Flag{"sensor-disconnected", "sensor disconnected", KindDevice}
	FlagDeviceClockNotSet       = Flag{"device-clock-not-set", "the device clock is not set; its time stamp cannot be used", KindDevice}
)

// KnownFlags returns every flag this package can report, for documentation
// and for configuring which ones raise alerts.
func KnownFlags() []Flag {
	return []Flag{
		FlagBatteryLow, FlagSensorMalfunction,
		FlagBodyMovement, FlagCuffTooLoose, FlagIrregularPulse, FlagPulseAboveRange,
		FlagPulseBelowRange, FlagImproperPosition,
		FlagNoSensorContact,
		FlagSampleInsufficient, FlagStripInsertionError, FlagStripTypeIncorrect,
		FlagResultAboveRange, FlagResultBelowRange, FlagSensorTemperatureHigh,
		FlagSensorTemperatureLow, FlagStripPulledTooSoon, FlagGeneralDeviceFault,
		FlagTimeFault, FlagControlSolution,
		FlagMeasurementOngoing, FlagEarlyEstimate, FlagValidatedData, FlagFullyQualifiedData,
		FlagFromStorage, FlagDemonstrationData, FlagTestingData, FlagCalibrationOngoing,
		FlagMeasurementUnavailable, FlagQuestionableMeasure, FlagInvalidMeasurement,
		FlagExtendedDisplayUpdate, FlagEquipmentMalfunction, FlagSignalIrregularity,
		FlagInadequateSignal, FlagPoorSignal, FlagLowPerfusion, FlagErraticSignal,
		FlagNonpulsatileSignal, FlagQuestionablePulse, FlagSignalAnalysisOngoing,
		FlagSensorInterference, FlagSensorUnconnectedToUser, FlagUnknownSensor,
		FlagSensorDisplaced, FlagSensorDisconnected, FlagDeviceClockNotSet,
	}
}

// flagList collects the flags that are set.
type flagList []Flag

func (l *flagList) add(set bool, f Flag) {
	if set {
		*l = append(*l, f)
	}
}
