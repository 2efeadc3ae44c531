package gatt

// PLXSpotCheck is a decoded PLX Spot-Check Measurement (0x2A5E) from a pulse
// oximeter.
type PLXSpotCheck struct {
	RawFlags  uint8
	SpO2      Number    // percent
	PulseRate Number    // beats per minute
	Time      *DateTime // nil when absent
	// ClockNotSet says the device's clock was not set, so Time (if sent)
	// does not tell when the measurement was taken.
	ClockNotSet       bool
	MeasurementStatus *PLXMeasurementStatus // nil when absent
	DeviceStatus      *PLXDeviceStatus      // nil when absent
	// PulseAmplitudeIndex is the PAI in percent; nil when absent.
	PulseAmplitudeIndex *Number
}

// PLXContinuous is a decoded PLX Continuous Measurement (0x2A5F). It carries
// no time stamp.
type PLXContinuous struct {
	RawFlags  uint8
	SpO2      Number // percent, normal averaging
	PulseRate Number // beats per minute, normal averaging
	// The fast- and slow-responding readings, each pair nil when absent.
	SpO2Fast, PulseRateFast *Number
	SpO2Slow, PulseRateSlow *Number
	MeasurementStatus       *PLXMeasurementStatus
	DeviceStatus            *PLXDeviceStatus
	PulseAmplitudeIndex     *Number
}

// PLXMeasurementStatus is the pulse oximeter's Measurement Status field.
// Bits 0–4 are reserved.
type PLXMeasurementStatus struct {
	Raw                    uint16
	MeasurementOngoing     bool // bit 5
	EarlyEstimate          bool // bit 6
	ValidatedData          bool // bit 7
	FullyQualifiedData     bool // bit 8
	FromStorage            bool // bit 9
	DemonstrationData      bool // bit 10
	TestingData            bool // bit 11
	CalibrationOngoing     bool // bit 12
	MeasurementUnavailable bool // bit 13
	Questionable           bool // bit 14
	Invalid                bool // bit 15
}

// PLXDeviceStatus is the pulse oximeter's Device and Sensor Status field,
// 24 bits wide. Bits 16–23 are reserved. Bits other than 1, 5 and 15 come
// from the Bluetooth Pulse Oximeter Service as known, not from a checked
// vector.
type PLXDeviceStatus struct {
	Raw                     uint32
	ExtendedDisplayUpdate   bool // bit 0
	EquipmentMalfunction    bool // bit 1
	SignalIrregularity      bool // bit 2: signal processing irregularity
	InadequateSignal        bool // bit 3
	PoorSignal              bool // bit 4
	LowPerfusion            bool // bit 5
	ErraticSignal           bool // bit 6
	NonpulsatileSignal      bool // bit 7
	QuestionablePulse       bool // bit 8
	SignalAnalysisOngoing   bool // bit 9
	SensorInterference      bool // bit 10
	SensorUnconnectedToUser bool // bit 11
	UnknownSensor           bool // bit 12
	SensorDisplaced         bool // bit 13
	SensorMalfunction       bool // bit 14
	SensorDisconnected      bool // bit 15
}

// PLX Spot-Check flag bits.
const (
	spotFlagTime         = 1 << 0
	spotFlagMeasStatus   = 1 << 1
	spotFlagDeviceStatus = 1 << 2
	spotFlagPAI          = 1 << 3
	spotFlagClockNotSet  = 1 << 4
)

// PLX Continuous flag bits.
const (
	contFlagFast         = 1 << 0
	contFlagSlow         = 1 << 1
	contFlagMeasStatus   = 1 << 2
	contFlagDeviceStatus = 1 << 3
	contFlagPAI          = 1 << 4
)

// DecodePLXSpotCheck decodes a PLX Spot-Check Measurement value: flags, SpO2
// and pulse rate (SFLOAT each), then, as the flags say, a Date Time, the
// measurement status (uint16), the device and sensor status (uint24) and the
// pulse amplitude index (SFLOAT). Flag bit 4 (device clock not set) adds no
// field. Reserved flag bits are ignored.
func DecodePLXSpotCheck(value []byte) (PLXSpotCheck, error) {
	r := newReader(PLXSpotCheckMeasurement, value)
	var m PLXSpotCheck
	m.RawFlags = r.flagsByte()
	m.SpO2 = r.sfloat("SpO2")
	m.PulseRate = r.sfloat("pulse rate")
	if m.RawFlags&spotFlagTime != 0 {
		t := r.dateTime("time stamp")
		m.Time = &t
	}
	m.ClockNotSet = m.RawFlags&spotFlagClockNotSet != 0
	m.MeasurementStatus, m.DeviceStatus, m.PulseAmplitudeIndex = readPLXTail(r, m.RawFlags,
		spotFlagMeasStatus, spotFlagDeviceStatus, spotFlagPAI)
	if err := r.finish(); err != nil {
		return PLXSpotCheck{}, err
	}
	return m, nil
}

// DecodePLXContinuous decodes a PLX Continuous Measurement value: flags,
// SpO2 and pulse rate (SFLOAT each), then, as the flags say, the fast pair,
// the slow pair, the measurement status (uint16), the device and sensor
// status (uint24) and the pulse amplitude index (SFLOAT). Reserved flag bits
// are ignored.
func DecodePLXContinuous(value []byte) (PLXContinuous, error) {
	r := newReader(PLXContinuousMeasurement, value)
	var m PLXContinuous
	m.RawFlags = r.flagsByte()
	m.SpO2 = r.sfloat("SpO2")
	m.PulseRate = r.sfloat("pulse rate")
	if m.RawFlags&contFlagFast != 0 {
		spo2, pr := r.sfloat("fast SpO2"), r.sfloat("fast pulse rate")
		m.SpO2Fast, m.PulseRateFast = &spo2, &pr
	}
	if m.RawFlags&contFlagSlow != 0 {
		spo2, pr := r.sfloat("slow SpO2"), r.sfloat("slow pulse rate")
		m.SpO2Slow, m.PulseRateSlow = &spo2, &pr
	}
	m.MeasurementStatus, m.DeviceStatus, m.PulseAmplitudeIndex = readPLXTail(r, m.RawFlags,
		contFlagMeasStatus, contFlagDeviceStatus, contFlagPAI)
	if err := r.finish(); err != nil {
		return PLXContinuous{}, err
	}
	return m, nil
}

// readPLXTail reads the three optional fields both PLX characteristics end
// with; the flag bits that announce them differ.
func readPLXTail(r *reader, flags, measBit, deviceBit, paiBit uint8) (*PLXMeasurementStatus, *PLXDeviceStatus, *Number) {
	var meas *PLXMeasurementStatus
	var dev *PLXDeviceStatus
	var pai *Number
	if flags&measBit != 0 {
		s := decodePLXMeasurementStatus(r.u16("measurement status"))
		meas = &s
	}
	if flags&deviceBit != 0 {
		s := decodePLXDeviceStatus(r.u24("device and sensor status"))
		dev = &s
	}
	if flags&paiBit != 0 {
		n := r.sfloat("pulse amplitude index")
		pai = &n
	}
	return meas, dev, pai
}

func decodePLXMeasurementStatus(raw uint16) PLXMeasurementStatus {
	bit := func(n uint) bool { return raw&(1<<n) != 0 }
	return PLXMeasurementStatus{
		Raw:                    raw,
		MeasurementOngoing:     bit(5),
		EarlyEstimate:          bit(6),
		ValidatedData:          bit(7),
		FullyQualifiedData:     bit(8),
		FromStorage:            bit(9),
		DemonstrationData:      bit(10),
		TestingData:            bit(11),
		CalibrationOngoing:     bit(12),
		MeasurementUnavailable: bit(13),
		Questionable:           bit(14),
		Invalid:                bit(15),
	}
}

func decodePLXDeviceStatus(raw uint32) PLXDeviceStatus {
	bit := func(n uint) bool { return raw&(1<<n) != 0 }
	return PLXDeviceStatus{
		Raw:                     raw,
		ExtendedDisplayUpdate:   bit(0),
		EquipmentMalfunction:    bit(1),
		SignalIrregularity:      bit(2),
		InadequateSignal:        bit(3),
		PoorSignal:              bit(4),
		LowPerfusion:            bit(5),
		ErraticSignal:           bit(6),
		NonpulsatileSignal:      bit(7),
		QuestionablePulse:       bit(8),
		SignalAnalysisOngoing:   bit(9),
		SensorInterference:      bit(10),
		SensorUnconnectedToUser: bit(11),
		UnknownSensor:           bit(12),
		SensorDisplaced:         bit(13),
		SensorMalfunction:       bit(14),
		SensorDisconnected:      bit(15),
	}
}

// Flags returns the conditions the status reports, in bit order.
func (s PLXMeasurementStatus) Flags() []Flag {
	var l flagList
	l.add(s.MeasurementOngoing, FlagMeasurementOngoing)
	l.add(s.EarlyEstimate, FlagEarlyEstimate)
	l.add(s.ValidatedData, FlagValidatedData)
	l.add(s.FullyQualifiedData, FlagFullyQualifiedData)
	l.add(s.FromStorage, FlagFromStorage)
	l.add(s.DemonstrationData, FlagDemonstrationData)
	l.add(s.TestingData, FlagTestingData)
	l.add(s.CalibrationOngoing, FlagCalibrationOngoing)
	l.add(s.MeasurementUnavailable, FlagMeasurementUnavailable)
	l.add(s.Questionable, FlagQuestionableMeasure)
	l.add(s.Invalid, FlagInvalidMeasurement)
	return l
}

// Flags returns the conditions the status reports, in bit order.
func (s PLXDeviceStatus) Flags() []Flag {
	var l flagList
	l.add(s.ExtendedDisplayUpdate, FlagExtendedDisplayUpdate)
	l.add(s.EquipmentMalfunction, FlagEquipmentMalfunction)
	l.add(s.SignalIrregularity, FlagSignalIrregularity)
	l.add(s.InadequateSignal, FlagInadequateSignal)
	l.add(s.PoorSignal, FlagPoorSignal)
	l.add(s.LowPerfusion, FlagLowPerfusion)
	l.add(s.ErraticSignal, FlagErraticSignal)
	l.add(s.NonpulsatileSignal, FlagNonpulsatileSignal)
	l.add(s.QuestionablePulse, FlagQuestionablePulse)
	l.add(s.SignalAnalysisOngoing, FlagSignalAnalysisOngoing)
	l.add(s.SensorInterference, FlagSensorInterference)
	l.add(s.SensorUnconnectedToUser, FlagSensorUnconnectedToUser)
	l.add(s.UnknownSensor, FlagUnknownSensor)
	l.add(s.SensorDisplaced, FlagSensorDisplaced)
	l.add(s.SensorMalfunction, FlagSensorMalfunction)
	l.add(s.SensorDisconnected, FlagSensorDisconnected)
	return l
}

// plxFlags joins the flags of both status fields, either of which may be nil.
func plxFlags(meas *PLXMeasurementStatus, dev *PLXDeviceStatus) flagList {
	var l flagList
	if meas != nil {
		l = append(l, meas.Flags()...)
	}
	if dev != nil {
		l = append(l, dev.Flags()...)
	}
	return l
}

// plxObservations returns SpO2 (coded 2708-6 and 59408-5) and pulse rate.
func plxObservations(spo2, pulse Number, t *DateTime, flags []Flag) []Observation {
	o := observation(LOINCOxygenSaturation, spo2, UnitPercent)
	o.AlsoLOINC = []string{LOINCPulseOximetry}
	return finishObservations([]Observation{o, observation(LOINCHeartRate, pulse, UnitPerMinute)}, t, flags)
}

// Flags returns the measurement status and device status conditions, then
// FlagDeviceClockNotSet when the flags say so.
func (m PLXSpotCheck) Flags() []Flag {
	l := plxFlags(m.MeasurementStatus, m.DeviceStatus)
	l.add(m.ClockNotSet, FlagDeviceClockNotSet)
	return l
}

// Observations returns SpO2 and pulse rate. Their time is left out when the
// device says its clock is not set. The pulse amplitude index has no code in
// the platform's vocabulary and stays in the typed field.
func (m PLXSpotCheck) Observations() []Observation {
	t := m.Time
	if m.ClockNotSet {
		t = nil
	}
	return plxObservations(m.SpO2, m.PulseRate, t, m.Flags())
}

// Flags returns the measurement status and device status conditions.
func (m PLXContinuous) Flags() []Flag {
	return plxFlags(m.MeasurementStatus, m.DeviceStatus)
}

// Observations returns the normal-averaged SpO2 and pulse rate; the fast and
// slow readings stay in the typed fields.
func (m PLXContinuous) Observations() []Observation {
	return plxObservations(m.SpO2, m.PulseRate, nil, m.Flags())
}
