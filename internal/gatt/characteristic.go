package gatt

import (
	"fmt"
	"strconv"
	"strings"
)

// Characteristic is a 16-bit Bluetooth GATT characteristic UUID.
type Characteristic uint16

// The characteristics this package decodes.
const (
	BloodPressureMeasurement Characteristic = 0x2A35
	TemperatureMeasurement   Characteristic = 0x2A1C
	HeartRateMeasurement     Characteristic = 0x2A37
	GlucoseMeasurement       Characteristic = 0x2A18
	PLXSpotCheckMeasurement  Characteristic = 0x2A5E
	PLXContinuousMeasurement Characteristic = 0x2A5F
)

// characteristicInfo names one supported characteristic.
type characteristicInfo struct {
	id    Characteristic
	name  string // the Bluetooth SIG's name
	short string // the short name ParseCharacteristic accepts
}

// supported lists the decodable characteristics in the order error messages
// show them.
var supported = []characteristicInfo{
	{BloodPressureMeasurement, "Blood Pressure Measurement", "blood_pressure"},
	{TemperatureMeasurement, "Temperature Measurement", "temperature"},
	{HeartRateMeasurement, "Heart Rate Measurement", "heart_rate"},
	{GlucoseMeasurement, "Glucose Measurement", "glucose"},
	{PLXSpotCheckMeasurement, "PLX Spot-Check Measurement", "plx_spot_check"},
	{PLXContinuousMeasurement, "PLX Continuous Measurement", "plx_continuous"},
}

func (c Characteristic) info() (characteristicInfo, bool) {
	for _, s := range supported {
		if s.id == c {
			return s, true
		}
	}
	return characteristicInfo{}, false
}

// String returns the characteristic's name and UUID, such as
// "Blood Pressure Measurement (0x2A35)", or just the UUID when the
// characteristic is not one this package decodes.
func (c Characteristic) String() string {
	if s, ok := c.info(); ok {
		return fmt.Sprintf("%s (0x%04X)", s.name, uint16(c))
	}
	return fmt.Sprintf("0x%04X", uint16(c))
}

// ShortName returns the short name Decode accepts for c ("blood_pressure"),
// or "" when c is not supported.
func (c Characteristic) ShortName() string {
	s, _ := c.info()
	return s.short
}

// Supported returns the characteristics this package decodes.
func Supported() []Characteristic {
	ids := make([]Characteristic, len(supported))
	for i, s := range supported {
		ids[i] = s.id
	}
	return ids
}

// bluetoothBaseSuffix ends every 128-bit UUID that stands for a 16-bit one.
const bluetoothBaseSuffix = "-0000-1000-8000-00805f9b34fb"

// ParseCharacteristic turns the name a phone sends into a supported
// Characteristic. It accepts, in any letter case and ignoring surrounding
// spaces:
//   - the 16-bit UUID in hex, with or without 0x: "2A35", "0x2a35";
//   - the full 128-bit form: "00002a35-0000-1000-8000-00805f9b34fb";
//   - the short name ("blood_pressure") or the SIG name
//     ("Blood Pressure Measurement", "blood-pressure-measurement"), with
//     spaces, hyphens or underscores between words.
//
// Anything else, including a valid UUID this package does not decode, gives
// an error wrapping ErrUnknownCharacteristic that lists the supported ones.
func ParseCharacteristic(s string) (Characteristic, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	hex := strings.TrimPrefix(key, "0x")
	if len(key) == 36 && strings.HasPrefix(key, "0000") && strings.HasSuffix(key, bluetoothBaseSuffix) {
		hex = key[4:8]
	}
	if len(hex) == 4 {
		if v, err := strconv.ParseUint(hex, 16, 16); err == nil {
			if c := Characteristic(v); c.ShortName() != "" {
				return c, nil
			}
		}
	}
	words := nameKey(key)
	for _, c := range supported {
		if words == c.short || words == nameKey(c.name) {
			return c.id, nil
		}
	}
	return 0, unknownCharacteristic(strconv.Quote(s))
}

// unknownCharacteristic returns the error for a characteristic this package
// does not decode, listing the ones it does.
func unknownCharacteristic(name string) error {
	return fmt.Errorf("gatt: %w %s; supported: %s", ErrUnknownCharacteristic, name, supportedList())
}

// nameKey folds a characteristic name to lower case with underscores
// between words.
func nameKey(name string) string {
	return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(name))
}

func supportedList() string {
	parts := make([]string, len(supported))
	for i, c := range supported {
		parts[i] = fmt.Sprintf("%04X %s (%s)", uint16(c.id), c.short, c.name)
	}
	return strings.Join(parts, ", ")
}
