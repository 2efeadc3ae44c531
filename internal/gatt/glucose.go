package gatt

import "strconv"

// Glucose is a decoded Glucose Measurement (0x2A18).
type Glucose struct {
	RawFlags uint8
	// Sequence numbers the meter's records; with the device it identifies a
	// record, so it can serve for de-duplication.
	Sequence uint16
	// BaseTime is the time the meter recorded; TimeOffset, in minutes, is
	// to be added to it (nil when absent). Use Time for the sum.
	BaseTime   DateTime
	TimeOffset *int16
	// Concentration is present when the flags say so, in Unit as sent
	// (UnitKgPerL or UnitMolPerL); Observations converts it.
	Concentration *Number
	Unit          Unit
	SampleType    GlucoseSampleType     // valid when Concentration is present
	Location      GlucoseSampleLocation // valid when Concentration is present
	Status        *GlucoseStatus        // nil when absent
	// ContextFollows says that a Glucose Measurement Context value for the
	// same sequence number follows; this package does not decode it.
	ContextFollows bool
}

// GlucoseSampleType is the type of sample (low nibble of its byte).
type GlucoseSampleType uint8

// Sample types.
const (
	SampleCapillaryWholeBlood    GlucoseSampleType = 1
	SampleCapillaryPlasma        GlucoseSampleType = 2
	SampleVenousWholeBlood       GlucoseSampleType = 3
	SampleVenousPlasma           GlucoseSampleType = 4
	SampleArterialWholeBlood     GlucoseSampleType = 5
	SampleArterialPlasma         GlucoseSampleType = 6
	SampleUndeterminedWholeBlood GlucoseSampleType = 7
	SampleUndeterminedPlasma     GlucoseSampleType = 8
	SampleInterstitialFluid      GlucoseSampleType = 9
	SampleControlSolution        GlucoseSampleType = 10
)

var sampleTypeNames = map[GlucoseSampleType]string{
	SampleCapillaryWholeBlood:    "capillary-whole-blood",
	SampleCapillaryPlasma:        "capillary-plasma",
	SampleVenousWholeBlood:       "venous-whole-blood",
	SampleVenousPlasma:           "venous-plasma",
	SampleArterialWholeBlood:     "arterial-whole-blood",
	SampleArterialPlasma:         "arterial-plasma",
	SampleUndeterminedWholeBlood: "undetermined-whole-blood",
	SampleUndeterminedPlasma:     "undetermined-plasma",
	SampleInterstitialFluid:      "interstitial-fluid",
	SampleControlSolution:        "control-solution",
}

// String returns a stable lower-case name, or "reserved-N".
func (t GlucoseSampleType) String() string {
	if name, ok := sampleTypeNames[t]; ok {
		return name
	}
	return "reserved-" + strconv.Itoa(int(t))
}

// capillary reports whether the sample is capillary blood, which is what a
// finger-stick meter measures and what the glucometer LOINC codes name.
func (t GlucoseSampleType) capillary() bool {
	return t == SampleCapillaryWholeBlood || t == SampleCapillaryPlasma
}

// GlucoseSampleLocation is where the sample was taken (high nibble).
type GlucoseSampleLocation uint8

// Sample locations.
const (
	LocationFinger          GlucoseSampleLocation = 1
	LocationAlternateSite   GlucoseSampleLocation = 2
	LocationEarlobe         GlucoseSampleLocation = 3
	LocationControlSolution GlucoseSampleLocation = 4
	LocationNotAvailable    GlucoseSampleLocation = 15
)

var sampleLocationNames = map[GlucoseSampleLocation]string{
	LocationFinger:          "finger",
	LocationAlternateSite:   "alternate-site",
	LocationEarlobe:         "earlobe",
	LocationControlSolution: "control-solution",
	LocationNotAvailable:    "not-available",
}

// String returns a stable lower-case name, or "reserved-N".
func (l GlucoseSampleLocation) String() string {
	if name, ok := sampleLocationNames[l]; ok {
		return name
	}
	return "reserved-" + strconv.Itoa(int(l))
}

// GlucoseStatus is the Sensor Status Annunciation field.
//
// Bits 5 and 6 follow the Bluetooth Glucose Service text as quoted by
// Wireshark and several stacks (5: result too high, 6: too low); at least
// one public library swaps them.
type GlucoseStatus struct {
	Raw                 uint16
	BatteryLow          bool // bit 0
	SensorMalfunction   bool // bit 1
	SampleInsufficient  bool // bit 2
	StripInsertionError bool // bit 3
	StripTypeIncorrect  bool // bit 4
	ResultAboveRange    bool // bit 5: higher than the device can process
	ResultBelowRange    bool // bit 6: lower than the device can process
	TemperatureTooHigh  bool // bit 7
	TemperatureTooLow   bool // bit 8
	StripPulledTooSoon  bool // bit 9
	GeneralDeviceFault  bool // bit 10
	TimeFault           bool // bit 11
}

// Glucose flag bits.
const (
	gluFlagTimeOffset     = 1 << 0
	gluFlagConcentration  = 1 << 1
	gluFlagMolPerL        = 1 << 2
	gluFlagStatus         = 1 << 3
	gluFlagContextFollows = 1 << 4
)

// DecodeGlucose decodes a Glucose Measurement value: flags, sequence number
// (uint16), base time (Date Time), then, as the flags say, the time offset
// (sint16, minutes), the concentration (SFLOAT) with the type-and-location
// byte, and the sensor status (uint16). Reserved flag bits are ignored.
func DecodeGlucose(value []byte) (Glucose, error) {
	r := newReader(GlucoseMeasurement, value)
	var g Glucose
	g.RawFlags = r.flagsByte()
	g.Sequence = r.u16("sequence number")
	g.BaseTime = r.dateTime("base time")
	if g.RawFlags&gluFlagTimeOffset != 0 {
		off := r.s16("time offset")
		g.TimeOffset = &off
	}
	if g.RawFlags&gluFlagConcentration != 0 {
		c := r.sfloat("glucose concentration")
		g.Concentration = &c
		g.Unit = UnitKgPerL
		if g.RawFlags&gluFlagMolPerL != 0 {
			g.Unit = UnitMolPerL
		}
		typeLocation := r.u8("sample type and location")
		g.SampleType = GlucoseSampleType(typeLocation & 0x0F)
		g.Location = GlucoseSampleLocation(typeLocation >> 4)
	}
	if g.RawFlags&gluFlagStatus != 0 {
		s := decodeGlucoseStatus(r.u16("sensor status"))
		g.Status = &s
	}
	g.ContextFollows = g.RawFlags&gluFlagContextFollows != 0
	if err := r.finish(); err != nil {
		return Glucose{}, err
	}
	return g, nil
}

func decodeGlucoseStatus(raw uint16) GlucoseStatus {
	bit := func(n uint) bool { return raw&(1<<n) != 0 }
	return GlucoseStatus{
		Raw:                 raw,
		BatteryLow:          bit(0),
		SensorMalfunction:   bit(1),
		SampleInsufficient:  bit(2),
		StripInsertionError: bit(3),
		StripTypeIncorrect:  bit(4),
		ResultAboveRange:    bit(5),
		ResultBelowRange:    bit(6),
		TemperatureTooHigh:  bit(7),
		TemperatureTooLow:   bit(8),
		StripPulledTooSoon:  bit(9),
		GeneralDeviceFault:  bit(10),
		TimeFault:           bit(11),
	}
}

// Flags returns the conditions the status reports, in bit order.
func (s GlucoseStatus) Flags() []Flag {
	var l flagList
	l.add(s.BatteryLow, FlagBatteryLow)
	l.add(s.SensorMalfunction, FlagSensorMalfunction)
	l.add(s.SampleInsufficient, FlagSampleInsufficient)
	l.add(s.StripInsertionError, FlagStripInsertionError)
	l.add(s.StripTypeIncorrect, FlagStripTypeIncorrect)
	l.add(s.ResultAboveRange, FlagResultAboveRange)
	l.add(s.ResultBelowRange, FlagResultBelowRange)
	l.add(s.TemperatureTooHigh, FlagSensorTemperatureHigh)
	l.add(s.TemperatureTooLow, FlagSensorTemperatureLow)
	l.add(s.StripPulledTooSoon, FlagStripPulledTooSoon)
	l.add(s.GeneralDeviceFault, FlagGeneralDeviceFault)
	l.add(s.TimeFault, FlagTimeFault)
	return l
}

// ControlSolution reports whether the record is a control solution test,
// which checks the meter and says nothing about the patient.
func (g Glucose) ControlSolution() bool {
	return g.Concentration != nil &&
		(g.SampleType == SampleControlSolution || g.Location == LocationControlSolution)
}

// Flags returns the sensor status conditions, with FlagControlSolution
// first for a control solution test.
func (g Glucose) Flags() []Flag {
	var l flagList
	l.add(g.ControlSolution(), FlagControlSolution)
	if g.Status != nil {
		l = append(l, g.Status.Flags()...)
	}
	return l
}

// Time returns when the sample was taken: the base time plus the offset.
// With no offset (or a zero one) it is the base time as sent, even when
// incomplete. With an offset it needs a complete base time; ok is false
// otherwise, since minutes cannot be added to a date with an unknown part.
func (g Glucose) Time() (t DateTime, ok bool) {
	if g.TimeOffset == nil || *g.TimeOffset == 0 {
		return g.BaseTime, true
	}
	return g.BaseTime.addMinutes(int(*g.TimeOffset))
}

// Observations returns the concentration, converted to mg/dL (from kg/L,
// ×100000) or mmol/L (from mol/L, ×1000) by moving the decimal exponent, so
// the digits the meter sent are kept: 0.001 kg/L becomes 100 mg/dL and
// 0.0055 mol/L becomes 5.5 mmol/L.
//
// The LOINC code is the glucometer's capillary code for capillary samples
// and the plain blood code for any other sample type, interstitial fluid
// included: the platform's vocabulary has no code for it yet. It returns nil when
// no concentration was sent or the record is a control solution test.
func (g Glucose) Observations() []Observation {
	if g.Concentration == nil {
		return nil
	}
	var o Observation
	if g.Unit == UnitMolPerL {
		code := LOINCGlucoseMolesBlood
		if g.SampleType.capillary() {
			code = LOINCGlucoseMolesCapillary
		}
		o = observation(code, g.Concentration.scale(3), UnitMmolPerL)
	} else {
		code := LOINCGlucoseMassBlood
		if g.SampleType.capillary() {
			code = LOINCGlucoseMassCapillary
		}
		o = observation(code, g.Concentration.scale(5), UnitMgPerDL)
	}
	o.Specimen = g.SampleType.String()
	switch g.Location {
	case LocationFinger, LocationAlternateSite, LocationEarlobe:
		o.BodySite = g.Location.String()
	}
	var when *DateTime
	if t, ok := g.Time(); ok {
		when = &t
	}
	return finishObservations([]Observation{o}, when, g.Flags())
}
