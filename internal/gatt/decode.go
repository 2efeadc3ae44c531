package gatt

// Result is one decoded characteristic value. Exactly one of the typed
// fields is set, matching Characteristic; Observations and Flags give the
// same content in a form that does not depend on the characteristic.
type Result struct {
	Characteristic Characteristic

	BloodPressure *BloodPressure
	Temperature   *Temperature
	HeartRate     *HeartRate
	Glucose       *Glucose
	PLXSpotCheck  *PLXSpotCheck
	PLXContinuous *PLXContinuous

	// Observations are the measured quantities, each with its LOINC code,
	// UCUM unit, time and flags. It is empty when the value measured
	// nothing about the patient (a control solution test, demonstration or
	// test data; Flags then says which) or carried no measurement (a
	// glucose record without a concentration).
	Observations []Observation
	// Flags are every status condition the device reported with the value,
	// including those of values that yield no observations, so that, for
	// instance, a low battery is seen even then.
	Flags []Flag
	// UserID is the device's user number when it sent one (blood pressure
	// cuffs shared by several people); 0xFF means unknown user. A reading
	// for another user of the same cuff may belong to another patient.
	UserID *uint8
}

// measurement is what every typed decoder's result offers.
type measurement interface {
	Observations() []Observation
	Flags() []Flag
}

// Decode decodes the value of the named characteristic. The name may be the
// 16-bit UUID ("2A35", "0x2a35"), the 128-bit UUID, or a short name
// ("blood_pressure"); see ParseCharacteristic.
//
// The value must be exactly as long as its flags call for: a missing field
// or extra bytes give a *FieldError wrapping ErrTruncated or
// ErrTrailingBytes that names the field and its byte offset.
func Decode(characteristic string, value []byte) (Result, error) {
	c, err := ParseCharacteristic(characteristic)
	if err != nil {
		return Result{}, err
	}
	return DecodeCharacteristic(c, value)
}

// DecodeCharacteristic is Decode for a characteristic already parsed.
func DecodeCharacteristic(c Characteristic, value []byte) (Result, error) {
	res := Result{Characteristic: c}
	var m measurement
	var err error
	switch c {
	case BloodPressureMeasurement:
		var v BloodPressure
		v, err = DecodeBloodPressure(value)
		res.BloodPressure, res.UserID, m = &v, v.UserID, v
	case TemperatureMeasurement:
		var v Temperature
		v, err = DecodeTemperature(value)
		res.Temperature, m = &v, v
	case HeartRateMeasurement:
		var v HeartRate
		v, err = DecodeHeartRate(value)
		res.HeartRate, m = &v, v
	case GlucoseMeasurement:
		var v Glucose
		v, err = DecodeGlucose(value)
		res.Glucose, m = &v, v
	case PLXSpotCheckMeasurement:
		var v PLXSpotCheck
		v, err = DecodePLXSpotCheck(value)
		res.PLXSpotCheck, m = &v, v
	case PLXContinuousMeasurement:
		var v PLXContinuous
		v, err = DecodePLXContinuous(value)
		res.PLXContinuous, m = &v, v
	default:
		return Result{}, unknownCharacteristic(c.String())
	}
	if err != nil {
		return Result{}, err
	}
	res.Observations = m.Observations()
	res.Flags = m.Flags()
	return res, nil
}
