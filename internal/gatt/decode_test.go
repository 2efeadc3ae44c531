package gatt_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tend-health/tend/internal/gatt"
)

func TestParseCharacteristic(t *testing.T) {
	tests := []struct {
		in   string
		want gatt.Characteristic
	}{
		{"2A35", gatt.BloodPressureMeasurement},
		{"0x2A35", gatt.BloodPressureMeasurement},
		{"2a35", gatt.BloodPressureMeasurement},
		{"0X2a35", gatt.BloodPressureMeasurement},
		{" 2A35 ", gatt.BloodPressureMeasurement},
		{"00002a35-0000-1000-8000-00805f9b34fb", gatt.BloodPressureMeasurement},
		{"00002A35-0000-1000-8000-00805F9B34FB", gatt.BloodPressureMeasurement},
		{"blood_pressure", gatt.BloodPressureMeasurement},
		{"BLOOD_PRESSURE", gatt.BloodPressureMeasurement},
		{"blood-pressure", gatt.BloodPressureMeasurement},
		{"Blood Pressure Measurement", gatt.BloodPressureMeasurement},
		{"2A1C", gatt.TemperatureMeasurement},
		{"temperature", gatt.TemperatureMeasurement},
		{"2A37", gatt.HeartRateMeasurement},
		{"heart_rate", gatt.HeartRateMeasurement},
		{"2A18", gatt.GlucoseMeasurement},
		{"glucose", gatt.GlucoseMeasurement},
		{"2A5E", gatt.PLXSpotCheckMeasurement},
		{"plx_spot_check", gatt.PLXSpotCheckMeasurement},
		{"PLX Spot-Check Measurement", gatt.PLXSpotCheckMeasurement},
		{"2A5F", gatt.PLXContinuousMeasurement},
		{"plx_continuous", gatt.PLXContinuousMeasurement},
	}
	for _, tt := range tests {
		got, err := gatt.ParseCharacteristic(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCharacteristic(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestUnknownCharacteristic(t *testing.T) {
	for _, in := range []string{"", "2A9D", "0x2A36", "weight", "2A3", "2A355", "0x", "+A35", "1A35-0000", "00012a35-0000-1000-8000-00805f9b34fb"} {
		_, err := gatt.Decode(in, []byte{0, 0})
		if !errors.Is(err, gatt.ErrUnknownCharacteristic) {
			t.Errorf("Decode(%q): error %v, want ErrUnknownCharacteristic", in, err)
			continue
		}
		for _, c := range gatt.Supported() {
			if !strings.Contains(err.Error(), c.ShortName()) || !strings.Contains(err.Error(), fmt.Sprintf("%04X", uint16(c))) {
				t.Errorf("Decode(%q): error %q does not list %v", in, err, c)
			}
		}
	}
	const msg = `gatt: unsupported characteristic "2A9D"; supported: 2A35 blood_pressure (Blood Pressure Measurement), 2A1C temperature (Temperature Measurement), 2A37 heart_rate (Heart Rate Measurement), 2A18 glucose (Glucose Measurement), 2A5E plx_spot_check (PLX Spot-Check Measurement), 2A5F plx_continuous (PLX Continuous Measurement)`
	if _, err := gatt.Decode("2A9D", nil); err == nil || err.Error() != msg {
		t.Errorf("message\n got %v\nwant %s", err, msg)
	}
	if _, err := gatt.DecodeCharacteristic(0x2A9D, []byte{0}); !errors.Is(err, gatt.ErrUnknownCharacteristic) {
		t.Errorf("DecodeCharacteristic(0x2A9D): %v", err)
	}
	if s := gatt.Characteristic(0x2A9D).String(); s != "0x2A9D" {
		t.Errorf("String() = %q", s)
	}
}

func TestEmptyValue(t *testing.T) {
	for _, c := range gatt.Supported() {
		_, err := gatt.DecodeCharacteristic(c, nil)
		fe := fieldError(t, err, gatt.ErrTruncated)
		if fe.Field != "flags" || fe.Offset != 0 || fe.Size != 1 || fe.Len != 0 || fe.HasFlags {
			t.Errorf("%v: got %+v", c, *fe)
		}
		if !strings.Contains(err.Error(), "flags missing at byte offset 0") || !strings.Contains(err.Error(), "the value is empty") {
			t.Errorf("%v: message %q", c, err)
		}
	}
	_, err := gatt.DecodeGlucose(nil)
	const msg = "gatt: Glucose Measurement (0x2A18): flags missing at byte offset 0: it needs 1 byte, 0 left (the value is empty; the shortest one is 10 bytes)"
	if err == nil || err.Error() != msg {
		t.Errorf("message\n got %v\nwant %q", err, msg)
	}
}

func TestHeartRateUint16AndReservedFlags(t *testing.T) {
	// Flags 0x01: uint16 format; 300 bpm does not fit a uint8.
	res, err := gatt.Decode("2A37", bytesOf(t, "01 2C 01"))
	if err != nil {
		t.Fatal(err)
	}
	if res.HeartRate.BeatsPerMinute != 300 || res.Observations[0].Value.String() != "300" {
		t.Errorf("got %d / %q", res.HeartRate.BeatsPerMinute, res.Observations[0].Value.String())
	}
	// Reserved flag bits 5–7 are ignored; contact bits 01 mean "not supported".
	hr, err := gatt.DecodeHeartRate(bytesOf(t, "E2 48"))
	if err != nil || hr.BeatsPerMinute != 72 || hr.Contact != gatt.ContactNotSupported || hr.RawFlags != 0xE2 {
		t.Errorf("got %+v, %v", hr, err)
	}
	// An odd byte after RR intervals is half an interval.
	_, err = gatt.DecodeHeartRate(bytesOf(t, "10 48 00 04 01"))
	fe := fieldError(t, err, gatt.ErrTruncated)
	if fe.Field != "RR interval" || fe.Offset != 4 || fe.Size != 2 || fe.Want != 6 {
		t.Errorf("got %+v", *fe)
	}
}

func TestSpecialValuesInMeasurements(t *testing.T) {
	// A cuff that does not compute MAP sends NaN (FF 07).
	res, err := gatt.Decode("2A35", bytesOf(t, "00 78 00 50 00 FF 07"))
	if err != nil {
		t.Fatal(err)
	}
	mapObs := res.Observations[2]
	if mapObs.LOINC != "8478-0" || mapObs.Value.Valid() || mapObs.Value.DataAbsentReason() != "not-a-number" {
		t.Errorf("MAP %s %v %q", mapObs.LOINC, mapObs.Value.Special, mapObs.Value.DataAbsentReason())
	}
	// A thermometer reading above its range: FLOAT +INF, in °F.
	res, err = gatt.Decode("temperature", bytesOf(t, "01 FE FF 7F 00"))
	if err != nil {
		t.Fatal(err)
	}
	o := res.Observations[0]
	if o.Unit != gatt.UnitFahrenheit || o.Value.Special != gatt.SpecialPosInf || o.Value.DataAbsentReason() != "positive-infinity" || o.Time != nil || o.BodySite != "" {
		t.Errorf("got %+v", o)
	}
	// SpO2 NRes: no value at this resolution.
	res, err = gatt.Decode("plx_continuous", bytesOf(t, "00 00 08 48 00"))
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Observations[0].Value; v.Special != gatt.SpecialNRes || v.DataAbsentReason() != "error" {
		t.Errorf("SpO2 %v", v.Special)
	}
	// Glucose −INF stays special through the unit conversion.
	res, err = gatt.Decode("glucose", bytesOf(t, "02 01 00 EA 07 0B 16 0A 1E 00 02 08 11"))
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Observations[0].Value; v.Special != gatt.SpecialNegInf || v.Mantissa != 0 || v.Exponent != 0 {
		t.Errorf("glucose %+v", v)
	}
}

func TestTemperatureTypeNames(t *testing.T) {
	want := []string{"", "armpit", "body", "ear", "finger", "gastrointestinal-tract", "mouth", "rectum", "toe", "tympanum"}
	for i := 1; i < len(want); i++ {
		if got := gatt.TemperatureType(i).String(); got != want[i] || !gatt.TemperatureType(i).Known() {
			t.Errorf("type %d = %q", i, got)
		}
	}
	// A reserved type decodes but gives no body site.
	res, err := gatt.Decode("temperature", bytesOf(t, "04 72 01 00 FF 0C"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Temperature.Type.Known() || res.Temperature.Type.String() != "reserved-12" || res.Observations[0].BodySite != "" {
		t.Errorf("type %v, site %q", res.Temperature.Type, res.Observations[0].BodySite)
	}
	if v := res.Observations[0].Value.String(); v != "37.0" {
		t.Errorf("value %q", v)
	}
}

func TestBloodPressureUserAndPulseRange(t *testing.T) {
	// Flags 0x18: user ID and status; status 0x0008: pulse above range.
	res, err := gatt.Decode("2A35", bytesOf(t, "18 78 00 50 00 5D 00 02 08 00"))
	if err != nil {
		t.Fatal(err)
	}
	if res.UserID == nil || *res.UserID != 2 {
		t.Errorf("UserID = %v", res.UserID)
	}
	if got := flagNames(res.Flags); !slices.Equal(got, []string{"pulse-rate-above-range"}) {
		t.Errorf("flags %v", got)
	}
	if len(res.Observations) != 3 {
		t.Errorf("%d observations, want 3 (no pulse rate)", len(res.Observations))
	}
	// Pulse range 3 is reserved: no flag.
	bp, err := gatt.DecodeBloodPressure(bytesOf(t, "10 78 00 50 00 5D 00 18 00"))
	if err != nil || bp.Status.PulseRange != gatt.PulseRangeReserved || len(bp.Flags()) != 0 {
		t.Errorf("got %+v, %v", bp.Status, err)
	}
}

func TestGlucoseEdgeCases(t *testing.T) {
	t.Run("control solution", func(t *testing.T) {
		// Type 10 (control solution), location 4 (control solution).
		res, err := gatt.Decode("glucose", bytesOf(t, "02 01 00 EA 07 0B 16 0A 1E 00 64 B0 4A"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Observations) != 0 {
			t.Errorf("a control solution test gave %d observations", len(res.Observations))
		}
		if got := flagNames(res.Flags); !slices.Equal(got, []string{"control-solution"}) {
			t.Errorf("flags %v", got)
		}
		if !res.Glucose.ControlSolution() || res.Glucose.SampleType != gatt.SampleControlSolution || res.Glucose.Location != gatt.LocationControlSolution {
			t.Errorf("typed %+v", res.Glucose)
		}
	})
	t.Run("no concentration", func(t *testing.T) {
		// Flags 0x08: status only, with a general device fault (bit 10).
		res, err := gatt.Decode("glucose", bytesOf(t, "08 02 00 EA 07 0B 16 0A 1E 00 00 04"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Observations) != 0 || res.Glucose.Concentration != nil {
			t.Errorf("observations %v", res.Observations)
		}
		if !slices.Contains(res.Flags, gatt.FlagGeneralDeviceFault) || res.Flags[0].Kind != gatt.KindDevice {
			t.Errorf("flags %v", flagNames(res.Flags))
		}
	})
	t.Run("offset on an incomplete base time", func(t *testing.T) {
		// Year unknown and an offset of +30 min: no time is made up.
		res, err := gatt.Decode("glucose", bytesOf(t, "03 03 00 00 00 0B 16 0A 1E 00 1E 00 64 B0 F1"))
		if err != nil {
			t.Fatal(err)
		}
		o := res.Observations[0]
		if o.Time != nil {
			t.Errorf("time %v, want none", o.Time)
		}
		if o.Specimen != "capillary-whole-blood" || o.BodySite != "" || res.Glucose.Location != gatt.LocationNotAvailable {
			t.Errorf("specimen %q, site %q", o.Specimen, o.BodySite)
		}
	})
	t.Run("offset across midnight and a year", func(t *testing.T) {
		res, err := gatt.Decode("glucose", bytesOf(t, "01 04 00 E7 07 0C 1F 17 3B 00 02 00"))
		if err != nil {
			t.Fatal(err)
		}
		at, ok := res.Glucose.Time()
		if !ok || at.String() != "2024-01-01T00:01:00" {
			t.Errorf("Time() = %v, %v", at, ok)
		}
	})
	t.Run("venous plasma uses the blood code", func(t *testing.T) {
		res, err := gatt.Decode("glucose", bytesOf(t, "06 05 00 EA 07 0B 16 0A 1E 00 37 C0 F4"))
		if err != nil {
			t.Fatal(err)
		}
		o := res.Observations[0]
		if o.LOINC != "15074-8" || o.Display != "Glucose [Moles/volume] in Blood" || o.Specimen != "venous-plasma" || o.Value.String() != "5.5" {
			t.Errorf("got %+v", o)
		}
	})
	t.Run("result out of the device's range", func(t *testing.T) {
		for status, want := range map[string]gatt.Flag{"20 00": gatt.FlagResultAboveRange, "40 00": gatt.FlagResultBelowRange} {
			g, err := gatt.DecodeGlucose(bytesOf(t, "08 02 00 EA 07 0B 16 0A 1E 00 "+status))
			if err != nil {
				t.Fatal(err)
			}
			if got := g.Flags(); len(got) != 1 || got[0] != want {
				t.Errorf("status %s: flags %v, want %s", status, flagNames(got), want.Name)
			}
		}
	})
	t.Run("all status bits", func(t *testing.T) {
		g, err := gatt.DecodeGlucose(bytesOf(t, "08 02 00 EA 07 0B 16 0A 1E 00 FF FF"))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"battery-low", "sensor-malfunction", "sample-insufficient", "strip-insertion-error",
			"strip-type-incorrect", "result-above-device-range", "result-below-device-range",
			"sensor-temperature-too-high", "sensor-temperature-too-low", "strip-pulled-too-soon",
			"general-device-fault", "time-fault"}
		if got := flagNames(g.Flags()); !slices.Equal(got, want) {
			t.Errorf("flags\n got %v\nwant %v", got, want)
		}
	})
}

func TestPLXEdgeCases(t *testing.T) {
	t.Run("clock not set", func(t *testing.T) {
		// Flags 0x11: time stamp, clock not set.
		res, err := gatt.Decode("2A5E", bytesOf(t, "11 61 00 48 00 B2 07 01 01 00 05 00"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.PLXSpotCheck.ClockNotSet || res.PLXSpotCheck.Time == nil {
			t.Errorf("typed %+v", res.PLXSpotCheck)
		}
		for _, o := range res.Observations {
			if o.Time != nil {
				t.Errorf("%s: time %v from an unset clock", o.LOINC, o.Time)
			}
		}
		if got := flagNames(res.Flags); !slices.Equal(got, []string{"device-clock-not-set"}) {
			t.Errorf("flags %v", got)
		}
	})
	t.Run("demonstration data", func(t *testing.T) {
		// Flags 0x02: measurement status 0x0400 (demonstration).
		res, err := gatt.Decode("2A5E", bytesOf(t, "02 61 00 48 00 00 04"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Observations) != 0 || !slices.Contains(res.Flags, gatt.FlagDemonstrationData) {
			t.Errorf("observations %d, flags %v", len(res.Observations), flagNames(res.Flags))
		}
	})
	t.Run("continuous with every field", func(t *testing.T) {
		value := bytesOf(t, "1F 61 00 48 00 60 00 49 00 62 00 47 00 00 80 00 40 80 66 E3")
		m, err := gatt.DecodePLXContinuous(value)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "PLXContinuous", m, gatt.PLXContinuous{
			RawFlags: 0x1F, SpO2: num(97, 0), PulseRate: num(72, 0),
			SpO2Fast: ptr(num(96, 0)), PulseRateFast: ptr(num(73, 0)),
			SpO2Slow: ptr(num(98, 0)), PulseRateSlow: ptr(num(71, 0)),
			MeasurementStatus:   &gatt.PLXMeasurementStatus{Raw: 0x8000, Invalid: true},
			DeviceStatus:        &gatt.PLXDeviceStatus{Raw: 0x804000, SensorMalfunction: true},
			PulseAmplitudeIndex: ptr(num(870, -2)),
		})
		if got := flagNames(m.Flags()); !slices.Equal(got, []string{"invalid-measurement", "sensor-malfunction"}) {
			t.Errorf("flags %v", got)
		}
		for n := range len(value) {
			if _, err := gatt.DecodePLXContinuous(value[:n]); !errors.Is(err, gatt.ErrTruncated) {
				t.Errorf("cut to %d: %v", n, err)
			}
		}
	})
	t.Run("all status bits", func(t *testing.T) {
		m, err := gatt.DecodePLXSpotCheck(bytesOf(t, "06 61 00 48 00 FF FF FF FF FF"))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"measurement-ongoing", "early-estimate", "validated-data", "fully-qualified-data",
			"from-measurement-storage", "demonstration-data", "testing-data", "calibration-ongoing",
			"measurement-unavailable", "questionable-measurement", "invalid-measurement",
			"extended-display-update", "equipment-malfunction", "signal-processing-irregularity",
			"inadequate-signal", "poor-signal", "low-perfusion", "erratic-signal", "nonpulsatile-signal",
			"questionable-pulse", "signal-analysis-ongoing", "sensor-interference", "sensor-unconnected-to-user",
			"unknown-sensor-connected", "sensor-displaced", "sensor-malfunction", "sensor-disconnected"}
		if got := flagNames(m.Flags()); !slices.Equal(got, want) {
			t.Errorf("flags\n got %v\nwant %v", got, want)
		}
		if m.DeviceStatus.Raw != 0xFFFFFF {
			t.Errorf("device status %#x", m.DeviceStatus.Raw)
		}
	})
}

func TestKnownFlags(t *testing.T) {
	name := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	kinds := []gatt.FlagKind{gatt.KindQuality, gatt.KindFinding, gatt.KindDevice, gatt.KindNotPatient, gatt.KindInfo}
	seen := map[string]bool{}
	for _, f := range gatt.KnownFlags() {
		if !name.MatchString(f.Name) || seen[f.Name] {
			t.Errorf("flag name %q is not kebab-case or is repeated", f.Name)
		}
		seen[f.Name] = true
		if f.Description == "" || !slices.Contains(kinds, f.Kind) {
			t.Errorf("flag %q: description %q, kind %q", f.Name, f.Description, f.Kind)
		}
	}
	// The platform alerts on these; keep their names and kinds stable.
	for _, f := range []gatt.Flag{gatt.FlagBatteryLow, gatt.FlagSensorMalfunction, gatt.FlagEquipmentMalfunction, gatt.FlagGeneralDeviceFault} {
		if f.Kind != gatt.KindDevice {
			t.Errorf("%s: kind %q, want device", f.Name, f.Kind)
		}
	}
	if gatt.FlagCuffTooLoose.Name != "cuff-too-loose" || gatt.FlagIrregularPulse.Name != "irregular-pulse" ||
		gatt.FlagBatteryLow.Name != "battery-low" || gatt.FlagSensorMalfunction.Name != "sensor-malfunction" {
		t.Error("a stored flag name changed")
	}
}

// Observations of one value must not share slices: a caller that edits one
// must not change another.
func TestObservationsDoNotShareFlags(t *testing.T) {
	res, err := gatt.Decode("2A35", bytesOf(t, "15 BD F0 0B 00 9F F0 3C 00 12 00"))
	if err != nil {
		t.Fatal(err)
	}
	res.Observations[0].Flags[0] = gatt.FlagBatteryLow
	if res.Observations[1].Flags[0] != gatt.FlagCuffTooLoose || res.Flags[0] != gatt.FlagCuffTooLoose {
		t.Error("observations share their flags")
	}
}

func TestLOINCDisplay(t *testing.T) {
	for _, code := range []string{gatt.LOINCSystolic, gatt.LOINCDiastolic, gatt.LOINCMeanArterialPressure, gatt.LOINCHeartRate,
		gatt.LOINCBodyTemperature, gatt.LOINCOxygenSaturation, gatt.LOINCPulseOximetry, gatt.LOINCBloodPressurePanel,
		gatt.LOINCGlucoseMassCapillary, gatt.LOINCGlucoseMolesCapillary, gatt.LOINCGlucoseMassBlood, gatt.LOINCGlucoseMolesBlood} {
		if gatt.LOINCDisplay(code) == "" {
			t.Errorf("%s has no display", code)
		}
	}
	if gatt.LOINCDisplay("1-8") != "" {
		t.Error("unknown code has a display")
	}
}
