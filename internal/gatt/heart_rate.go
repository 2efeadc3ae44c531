package gatt

import "time"

// HeartRate is a decoded Heart Rate Measurement (0x2A37).
type HeartRate struct {
	RawFlags uint8
	// BeatsPerMinute is the heart rate, sent as a uint8 or, when the flags
	// say so, a uint16.
	BeatsPerMinute uint16
	Contact        SensorContact
	// EnergyExpended is the energy expended since it was last reset, in
	// kilojoules; nil when absent. 0xFFFF means at least 65535 kJ.
	EnergyExpended *uint16
	// RRIntervals are the times between successive beats, oldest first;
	// nil when absent.
	RRIntervals []RRInterval
}

// SensorContact is the heart rate sensor's skin contact state.
type SensorContact uint8

// Sensor contact states. The flags encode two values for "not supported".
const (
	ContactNotSupported SensorContact = iota
	ContactNotDetected                // supported, and no contact found
	ContactDetected                   // supported, and in contact
)

// String returns "not-supported", "not-detected" or "detected".
func (c SensorContact) String() string {
	switch c {
	case ContactNotDetected:
		return "not-detected"
	case ContactDetected:
		return "detected"
	}
	return "not-supported"
}

// RRInterval is the time between two heart beats in units of 1/1024 second.
type RRInterval uint16

// Duration returns the interval rounded to the nearest nanosecond.
func (rr RRInterval) Duration() time.Duration {
	return (time.Duration(rr)*time.Second + 512) / 1024
}

// Seconds returns the interval in seconds.
func (rr RRInterval) Seconds() float64 { return float64(rr) / 1024 }

// Heart rate flag bits.
const (
	hrFlagUint16        = 1 << 0
	hrFlagContactShift  = 1 // bits 1–2
	hrFlagEnergy        = 1 << 3
	hrFlagRRIntervals   = 1 << 4
	hrContactNotPresent = 0b10
	hrContactPresent    = 0b11
)

// DecodeHeartRate decodes a Heart Rate Measurement value: flags, the heart
// rate (uint8 or uint16), then, as the flags say, the energy expended
// (uint16, kJ) and one or more RR intervals (uint16 each) filling the rest of
// the value. RR intervals flagged but absent, or an odd byte left over after
// them, are errors. Reserved flag bits are ignored.
func DecodeHeartRate(value []byte) (HeartRate, error) {
	r := newReader(HeartRateMeasurement, value)
	var hr HeartRate
	hr.RawFlags = r.flagsByte()
	if hr.RawFlags&hrFlagUint16 != 0 {
		hr.BeatsPerMinute = r.u16("heart rate (uint16)")
	} else {
		hr.BeatsPerMinute = uint16(r.u8("heart rate (uint8)"))
	}
	switch (hr.RawFlags >> hrFlagContactShift) & 0b11 {
	case hrContactNotPresent:
		hr.Contact = ContactNotDetected
	case hrContactPresent:
		hr.Contact = ContactDetected
	}
	if hr.RawFlags&hrFlagEnergy != 0 {
		e := r.u16("energy expended")
		hr.EnergyExpended = &e
	}
	if hr.RawFlags&hrFlagRRIntervals != 0 {
		// The flag promises at least one interval.
		hr.RRIntervals = []RRInterval{RRInterval(r.u16("RR interval"))}
		for r.more() {
			hr.RRIntervals = append(hr.RRIntervals, RRInterval(r.u16("RR interval")))
		}
	}
	if err := r.finish(); err != nil {
		return HeartRate{}, err
	}
	return hr, nil
}

// Flags reports FlagNoSensorContact when the sensor supports contact
// detection and found none.
func (hr HeartRate) Flags() []Flag {
	var l flagList
	l.add(hr.Contact == ContactNotDetected, FlagNoSensorContact)
	return l
}

// Observations returns the heart rate. Energy expended and RR intervals have
// no code in the platform's vocabulary and stay in the typed fields.
func (hr HeartRate) Observations() []Observation {
	bpm := Number{Mantissa: int32(hr.BeatsPerMinute)}
	return finishObservations([]Observation{observation(LOINCHeartRate, bpm, UnitPerMinute)}, nil, hr.Flags())
}
