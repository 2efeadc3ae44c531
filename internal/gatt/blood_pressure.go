package gatt

// BloodPressure is a decoded Blood Pressure Measurement (0x2A35).
type BloodPressure struct {
	RawFlags uint8
	// Unit is UnitMmHg or UnitKPa; it applies to the three pressures.
	Unit      Unit
	Systolic  Number
	Diastolic Number
	// MeanArterial is the mean arterial pressure. Many cuffs do not compute
	// it and send NaN.
	MeanArterial Number
	Time         *DateTime // nil when the flags say no time stamp follows
	PulseRate    *Number   // beats per minute; nil when absent
	// UserID tells a shared cuff's users apart; 0xFF means unknown user.
	UserID *uint8
	Status *BloodPressureStatus // nil when absent
}

// PulseRange is the blood pressure status's pulse rate range detection.
type PulseRange uint8

// Pulse rate range values.
const (
	PulseWithinRange   PulseRange = 0
	PulseAboveRange    PulseRange = 1 // above the device's upper limit
	PulseBelowRange    PulseRange = 2 // below the device's lower limit
	PulseRangeReserved PulseRange = 3
)

// BloodPressureStatus is the Measurement Status field of a blood pressure
// measurement.
type BloodPressureStatus struct {
	Raw              uint16
	BodyMovement     bool       // bit 0
	CuffTooLoose     bool       // bit 1
	IrregularPulse   bool       // bit 2
	PulseRange       PulseRange // bits 3–4
	ImproperPosition bool       // bit 5
}

// Blood pressure flag bits.
const (
	bpFlagKPa       = 1 << 0
	bpFlagTime      = 1 << 1
	bpFlagPulseRate = 1 << 2
	bpFlagUserID    = 1 << 3
	bpFlagStatus    = 1 << 4
)

// DecodeBloodPressure decodes a Blood Pressure Measurement value: flags,
// systolic, diastolic and mean arterial pressure (SFLOAT each), then, as the
// flags say, a Date Time, the pulse rate (SFLOAT), a user ID (uint8) and the
// measurement status (uint16). Reserved flag bits are ignored.
func DecodeBloodPressure(value []byte) (BloodPressure, error) {
	r := newReader(BloodPressureMeasurement, value)
	var bp BloodPressure
	bp.RawFlags = r.flagsByte()
	bp.Unit = UnitMmHg
	if bp.RawFlags&bpFlagKPa != 0 {
		bp.Unit = UnitKPa
	}
	bp.Systolic = r.sfloat("systolic pressure")
	bp.Diastolic = r.sfloat("diastolic pressure")
	bp.MeanArterial = r.sfloat("mean arterial pressure")
	if bp.RawFlags&bpFlagTime != 0 {
		t := r.dateTime("time stamp")
		bp.Time = &t
	}
	if bp.RawFlags&bpFlagPulseRate != 0 {
		p := r.sfloat("pulse rate")
		bp.PulseRate = &p
	}
	if bp.RawFlags&bpFlagUserID != 0 {
		id := r.u8("user ID")
		bp.UserID = &id
	}
	if bp.RawFlags&bpFlagStatus != 0 {
		s := decodeBloodPressureStatus(r.u16("measurement status"))
		bp.Status = &s
	}
	if err := r.finish(); err != nil {
		return BloodPressure{}, err
	}
	return bp, nil
}

func decodeBloodPressureStatus(raw uint16) BloodPressureStatus {
	return BloodPressureStatus{
		Raw:              raw,
		BodyMovement:     raw&(1<<0) != 0,
		CuffTooLoose:     raw&(1<<1) != 0,
		IrregularPulse:   raw&(1<<2) != 0,
		PulseRange:       PulseRange((raw >> 3) & 0b11),
		ImproperPosition: raw&(1<<5) != 0,
	}
}

// Flags returns the conditions the status reports, in bit order.
func (s BloodPressureStatus) Flags() []Flag {
	var l flagList
	l.add(s.BodyMovement, FlagBodyMovement)
	l.add(s.CuffTooLoose, FlagCuffTooLoose)
	l.add(s.IrregularPulse, FlagIrregularPulse)
	l.add(s.PulseRange == PulseAboveRange, FlagPulseAboveRange)
	l.add(s.PulseRange == PulseBelowRange, FlagPulseBelowRange)
	l.add(s.ImproperPosition, FlagImproperPosition)
	return l
}

// Flags returns the conditions in the measurement's status, or nil when it
// has none.
func (bp BloodPressure) Flags() []Flag {
	if bp.Status == nil {
		return nil
	}
	return bp.Status.Flags()
}

// Observations returns systolic, diastolic and mean arterial pressure (as
// parts of the blood pressure panel) and, when sent, the pulse rate.
func (bp BloodPressure) Observations() []Observation {
	obs := []Observation{
		observation(LOINCSystolic, bp.Systolic, bp.Unit),
		observation(LOINCDiastolic, bp.Diastolic, bp.Unit),
		observation(LOINCMeanArterialPressure, bp.MeanArterial, bp.Unit),
	}
	for i := range obs {
		obs[i].Panel = LOINCBloodPressurePanel
	}
	if bp.PulseRate != nil {
		obs = append(obs, observation(LOINCHeartRate, *bp.PulseRate, UnitPerMinute))
	}
	return finishObservations(obs, bp.Time, bp.Flags())
}
