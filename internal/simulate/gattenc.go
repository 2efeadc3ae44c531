package simulate

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/tend-health/tend/internal/gatt"
)

// This file writes the Bluetooth characteristic values a phone would relay
// for the simulated devices (standards.md §2). The gatt package only
// decodes; its decoder is the test of these encoders.

// EncodeSFLOAT writes v as an IEEE 11073-20601 SFLOAT (16 bits: a 4-bit
// exponent over a 12-bit mantissa) with the given number of decimals, or
// fewer when the mantissa would not fit. Values that fit no SFLOAT are an
// error. The codes reserved for NaN, NRes and the infinities are never
// produced.
func EncodeSFLOAT(v float64, decimals int) (uint16, error) {
	m, e, err := mantissa(v, decimals, 2045, -8, 7)
	if err != nil {
		return 0, fmt.Errorf("SFLOAT: %w", err)
	}
	return uint16(e&0x0F)<<12 | uint16(m&0x0FFF), nil
}

// EncodeFLOAT writes v as an IEEE 11073-20601 FLOAT (32 bits: an 8-bit
// exponent over a 24-bit mantissa), like EncodeSFLOAT.
func EncodeFLOAT(v float64, decimals int) (uint32, error) {
	m, e, err := mantissa(v, decimals, 0x7FFFFD, -128, 127)
	if err != nil {
		return 0, fmt.Errorf("FLOAT: %w", err)
	}
	return uint32(uint8(int8(e)))<<24 | uint32(m)&0x00FFFFFF, nil
}

// mantissa finds m and e with m·10^e = v to the given decimals, |m| at most
// limit, dropping decimals (and then trailing digits) until it fits.
func mantissa(v float64, decimals int, limit int64, minExp, maxExp int) (int64, int, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, 0, fmt.Errorf("%v is not a number", v)
	}
	for e := -decimals; e <= maxExp; e++ {
		if e < minExp {
			continue
		}
		m := int64(math.Round(v / math.Pow10(e)))
		if m >= -limit && m <= limit {
			return m, e, nil
		}
	}
	return 0, 0, fmt.Errorf("%v is too large", v)
}

// EncodeDateTime writes the Bluetooth Date Time of t's wall clock: the
// device's clock shows the patient's local time.
func EncodeDateTime(t time.Time) []byte {
	b := make([]byte, gatt.DateTimeSize)
	binary.LittleEndian.PutUint16(b, uint16(t.Year()))
	b[2], b[3], b[4], b[5], b[6] = byte(t.Month()), byte(t.Day()), byte(t.Hour()), byte(t.Minute()), byte(t.Second())
	return b
}

func sfloatBytes(b []byte, v float64, decimals int) ([]byte, error) {
	raw, err := EncodeSFLOAT(v, decimals)
	if err != nil {
		return nil, err
	}
	return binary.LittleEndian.AppendUint16(b, raw), nil
}

// BloodPressureValue is what a cuff reports in one Blood Pressure
// Measurement (0x2A35), in mmHg.
type BloodPressureValue struct {
	Systolic, Diastolic, Mean float64
	Time                      time.Time // the cuff's clock; zero for none
	Pulse                     float64   // 0 for none
	// Status bits: 0 body movement, 1 cuff too loose, 2 irregular pulse,
	// 5 improper position; 0 for no status field.
	Status uint16
}

// EncodeBloodPressure writes a Blood Pressure Measurement value.
func EncodeBloodPressure(v BloodPressureValue) ([]byte, error) {
	var flags byte // b0 = 0: mmHg
	if !v.Time.IsZero() {
		flags |= 1 << 1
	}
	if v.Pulse != 0 {
		flags |= 1 << 2
	}
	if v.Status != 0 {
		flags |= 1 << 4
	}
	b := []byte{flags}
	var err error
	for _, x := range []float64{v.Systolic, v.Diastolic, v.Mean} {
		if b, err = sfloatBytes(b, x, 0); err != nil {
			return nil, err
		}
	}
	if !v.Time.IsZero() {
		b = append(b, EncodeDateTime(v.Time)...)
	}
	if v.Pulse != 0 {
		if b, err = sfloatBytes(b, v.Pulse, 0); err != nil {
			return nil, err
		}
	}
	if v.Status != 0 {
		b = binary.LittleEndian.AppendUint16(b, v.Status)
	}
	return b, nil
}

// Temperature types of the Temperature Measurement.
const (
	TemperatureBody = 2
	TemperatureEar  = 3
)

// EncodeTemperature writes a Temperature Measurement (0x2A1C) in °C, with
// the time and, when typ is not 0, the temperature type.
func EncodeTemperature(celsius float64, at time.Time, typ uint8) ([]byte, error) {
	var flags byte // b0 = 0: Celsius
	if !at.IsZero() {
		flags |= 1 << 1
	}
	if typ != 0 {
		flags |= 1 << 2
	}
	raw, err := EncodeFLOAT(celsius, 2)
	if err != nil {
		return nil, err
	}
	b := binary.LittleEndian.AppendUint32([]byte{flags}, raw)
	if !at.IsZero() {
		b = append(b, EncodeDateTime(at)...)
	}
	if typ != 0 {
		b = append(b, typ)
	}
	return b, nil
}

// EncodeHeartRate writes a Heart Rate Measurement (0x2A37) with the sensor
// in contact with the skin. A rate above 255 takes the 16-bit format.
func EncodeHeartRate(bpm float64) ([]byte, error) {
	r := math.Round(bpm)
	switch {
	case r < 0 || r > math.MaxUint16:
		return nil, fmt.Errorf("heart rate %v does not fit the characteristic", bpm)
	case r > math.MaxUint8:
		return binary.LittleEndian.AppendUint16([]byte{0x07}, uint16(r)), nil
	}
	return []byte{0x06, byte(r)}, nil
}

// Glucose sample types and locations (low and high nibble of one byte).
const (
	GlucoseCapillaryWholeBlood = 0x1
	GlucoseInterstitialFluid   = 0x9
	GlucoseLocationFinger      = 0x1
	GlucoseLocationUnknown     = 0xF
)

// EncodeGlucose writes a Glucose Measurement (0x2A18) of a concentration
// in mg/dL, sent as kg/L (mg/dL × 10⁻⁵, so the digits are kept: 100 mg/dL
// is the SFLOAT 100×10⁻⁵), with its sequence number, the meter's time,
// and the sample's type and location.
func EncodeGlucose(seq uint16, at time.Time, mgdl float64, sampleType, location uint8) ([]byte, error) {
	b := []byte{1 << 1} // concentration, type and location follow; kg/L
	b = binary.LittleEndian.AppendUint16(b, seq)
	b = append(b, EncodeDateTime(at)...)
	m := math.Round(mgdl)
	if m < 0 || m > 2045 {
		return nil, fmt.Errorf("glucose %v mg/dL does not fit the characteristic", mgdl)
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(-5&0x0F)<<12|uint16(int64(m)&0x0FFF))
	return append(b, location<<4|sampleType&0x0F), nil
}

// EncodePLXSpotCheck writes a PLX Spot-Check Measurement (0x2A5E): SpO2 in
// percent and pulse rate, with the time when it is not zero.
func EncodePLXSpotCheck(spo2, pulse float64, at time.Time) ([]byte, error) {
	var flags byte
	if !at.IsZero() {
		flags |= 1
	}
	b := []byte{flags}
	var err error
	if b, err = sfloatBytes(b, spo2, 0); err != nil {
		return nil, err
	}
	if b, err = sfloatBytes(b, pulse, 0); err != nil {
		return nil, err
	}
	if !at.IsZero() {
		b = append(b, EncodeDateTime(at)...)
	}
	return b, nil
}
