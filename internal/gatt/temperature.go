package gatt

import "strconv"

// Temperature is a decoded Temperature Measurement (0x2A1C).
type Temperature struct {
	RawFlags uint8
	Value    Number
	Unit     Unit             // UnitCelsius or UnitFahrenheit
	Time     *DateTime        // nil when absent
	Type     *TemperatureType // where it was taken; nil when absent
}

// TemperatureType is the Temperature Type field: where on the body the
// temperature was taken.
type TemperatureType uint8

// Temperature types. The values come from the Bluetooth assigned numbers as
// summarised in standards.md §2.3, which marks them as not re-checked
// against the primary text.
const (
	TemperatureArmpit   TemperatureType = 1
	TemperatureBody     TemperatureType = 2 // general body site
	TemperatureEar      TemperatureType = 3 // usually the earlobe
	TemperatureFinger   TemperatureType = 4
	TemperatureGITract  TemperatureType = 5
	TemperatureMouth    TemperatureType = 6
	TemperatureRectum   TemperatureType = 7
	TemperatureToe      TemperatureType = 8
	TemperatureTympanum TemperatureType = 9 // ear drum
)

var temperatureTypeNames = map[TemperatureType]string{
	TemperatureArmpit:   "armpit",
	TemperatureBody:     "body",
	TemperatureEar:      "ear",
	TemperatureFinger:   "finger",
	TemperatureGITract:  "gastrointestinal-tract",
	TemperatureMouth:    "mouth",
	TemperatureRectum:   "rectum",
	TemperatureToe:      "toe",
	TemperatureTympanum: "tympanum",
}

// String returns a stable lower-case name ("finger"), or "reserved-N" for a
// value the reference does not define.
func (t TemperatureType) String() string {
	if name, ok := temperatureTypeNames[t]; ok {
		return name
	}
	return "reserved-" + strconv.Itoa(int(t))
}

// Known reports whether t is one of the defined types.
func (t TemperatureType) Known() bool {
	_, ok := temperatureTypeNames[t]
	return ok
}

// Temperature flag bits.
const (
	tempFlagFahrenheit = 1 << 0
	tempFlagTime       = 1 << 1
	tempFlagType       = 1 << 2
)

// DecodeTemperature decodes a Temperature Measurement value: flags, the
// temperature (FLOAT), then, as the flags say, a Date Time and the
// temperature type (uint8). Reserved flag bits are ignored.
func DecodeTemperature(value []byte) (Temperature, error) {
	r := newReader(TemperatureMeasurement, value)
	var t Temperature
	t.RawFlags = r.flagsByte()
	t.Unit = UnitCelsius
	if t.RawFlags&tempFlagFahrenheit != 0 {
		t.Unit = UnitFahrenheit
	}
	t.Value = r.float("temperature")
	if t.RawFlags&tempFlagTime != 0 {
		d := r.dateTime("time stamp")
		t.Time = &d
	}
	if t.RawFlags&tempFlagType != 0 {
		typ := TemperatureType(r.u8("temperature type"))
		t.Type = &typ
	}
	if err := r.finish(); err != nil {
		return Temperature{}, err
	}
	return t, nil
}

// Flags returns nil: the temperature measurement has no status field.
func (t Temperature) Flags() []Flag { return nil }

// Observations returns the body temperature, with the body site when the
// type is one the reference defines.
func (t Temperature) Observations() []Observation {
	o := observation(LOINCBodyTemperature, t.Value, t.Unit)
	if t.Type != nil && t.Type.Known() {
		o.BodySite = t.Type.String()
	}
	return finishObservations([]Observation{o}, t.Time, nil)
}
