package gatt_test

import (
	"slices"
	"testing"

	"github.com/tend-health/tend/internal/gatt"
)

// The test vectors of standards.md §2.2–2.6, each checked field by field,
// through its typed decoder and through Decode.

func TestBloodPressureVector1(t *testing.T) {
	// Flags 0x1E: mmHg, time stamp, pulse rate, user ID, status.
	value := bytesOf(t, "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
	when := gatt.DateTime{Year: 0, Month: 4, Day: 17, Hours: 20, Minutes: 41, Seconds: 59}
	want := gatt.BloodPressure{
		RawFlags:     0x1E,
		Unit:         gatt.UnitMmHg,
		Systolic:     num(138, 0),
		Diastolic:    num(88, 0),
		MeanArterial: num(120, 0),
		Time:         &when,
		PulseRate:    ptr(num(60, 0)),
		UserID:       ptr(uint8(1)),
		Status: &gatt.BloodPressureStatus{
			Raw:              0x0027,
			BodyMovement:     true,
			CuffTooLoose:     true,
			IrregularPulse:   true,
			PulseRange:       gatt.PulseWithinRange,
			ImproperPosition: true,
		},
	}
	got, err := gatt.DecodeBloodPressure(value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "BloodPressure", got, want)
	if got.Time.Complete() {
		t.Error("a time with year 0 must not be complete")
	}
	if s := got.Time.String(); s != "????-04-17T20:41:59" {
		t.Errorf("time = %q", s)
	}

	flags := []gatt.Flag{gatt.FlagBodyMovement, gatt.FlagCuffTooLoose, gatt.FlagIrregularPulse, gatt.FlagImproperPosition}
	wantObs := []gatt.Observation{
		{LOINC: "8480-6", Display: "Systolic blood pressure", Panel: "85354-9", Value: num(138, 0), Unit: "mm[Hg]", Time: &when, Flags: flags},
		{LOINC: "8462-4", Display: "Diastolic blood pressure", Panel: "85354-9", Value: num(88, 0), Unit: "mm[Hg]", Time: &when, Flags: flags},
		{LOINC: "8478-0", Display: "Mean blood pressure", Panel: "85354-9", Value: num(120, 0), Unit: "mm[Hg]", Time: &when, Flags: flags},
		{LOINC: "8867-4", Display: "Heart rate", Value: num(60, 0), Unit: "/min", Time: &when, Flags: flags},
	}
	res, err := gatt.Decode("2A35", value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Result.BloodPressure", res.BloodPressure, &want)
	sameJSON(t, "Observations", res.Observations, wantObs)
	sameJSON(t, "Flags", res.Flags, flags)
	if res.Characteristic != gatt.BloodPressureMeasurement || res.UserID == nil || *res.UserID != 1 {
		t.Errorf("Characteristic %v, UserID %v", res.Characteristic, res.UserID)
	}
	checkOnlyTyped(t, res)
}

func TestBloodPressureVector2(t *testing.T) {
	// Flags 0x15: kPa, pulse rate, status.
	value := bytesOf(t, "15 BD F0 0B 00 9F F0 3C 00 12 00")
	want := gatt.BloodPressure{
		RawFlags:     0x15,
		Unit:         gatt.UnitKPa,
		Systolic:     num(189, -1),
		Diastolic:    num(11, 0),
		MeanArterial: num(159, -1),
		PulseRate:    ptr(num(60, 0)),
		Status: &gatt.BloodPressureStatus{
			Raw:          0x0012,
			CuffTooLoose: true,
			PulseRange:   gatt.PulseBelowRange,
		},
	}
	got, err := gatt.DecodeBloodPressure(value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "BloodPressure", got, want)
	for _, c := range []struct {
		n    gatt.Number
		text string
		f    float64
	}{{got.Systolic, "18.9", 18.9}, {got.Diastolic, "11", 11}, {got.MeanArterial, "15.9", 15.9}, {*got.PulseRate, "60", 60}} {
		if c.n.String() != c.text || c.n.Float64() != c.f {
			t.Errorf("got %q / %v, want %q / %v", c.n.String(), c.n.Float64(), c.text, c.f)
		}
	}

	flags := []gatt.Flag{gatt.FlagCuffTooLoose, gatt.FlagPulseBelowRange}
	wantObs := []gatt.Observation{
		{LOINC: "8480-6", Display: "Systolic blood pressure", Panel: "85354-9", Value: num(189, -1), Unit: "kPa", Flags: flags},
		{LOINC: "8462-4", Display: "Diastolic blood pressure", Panel: "85354-9", Value: num(11, 0), Unit: "kPa", Flags: flags},
		{LOINC: "8478-0", Display: "Mean blood pressure", Panel: "85354-9", Value: num(159, -1), Unit: "kPa", Flags: flags},
		{LOINC: "8867-4", Display: "Heart rate", Value: num(60, 0), Unit: "/min", Flags: flags},
	}
	res, err := gatt.Decode("blood_pressure", value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Observations", res.Observations, wantObs)
	sameJSON(t, "Flags", res.Flags, flags)
	if res.UserID != nil {
		t.Errorf("UserID = %d, want none", *res.UserID)
	}
	checkOnlyTyped(t, res)
}

func TestTemperatureVector(t *testing.T) {
	// Flags 0x06: Celsius, time stamp, type.
	value := bytesOf(t, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04")
	when := gatt.DateTime{Year: 2012, Month: 12, Day: 5, Hours: 11, Minutes: 50, Seconds: 27}
	want := gatt.Temperature{
		RawFlags: 0x06,
		Value:    num(3760, -2),
		Unit:     gatt.UnitCelsius,
		Time:     &when,
		Type:     ptr(gatt.TemperatureFinger),
	}
	got, err := gatt.DecodeTemperature(value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Temperature", got, want)
	if got.Value.String() != "37.60" || got.Value.Float64() != 37.6 {
		t.Errorf("value %q / %v, want 37.60", got.Value.String(), got.Value.Float64())
	}
	if !got.Time.Complete() {
		t.Error("time should be complete")
	}

	res, err := gatt.Decode("0x2A1C", value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Observations", res.Observations, []gatt.Observation{
		{LOINC: "8310-5", Display: "Body temperature", Value: num(3760, -2), Unit: "Cel", Time: &when, BodySite: "finger"},
	})
	if len(res.Flags) != 0 {
		t.Errorf("Flags = %v, want none", flagNames(res.Flags))
	}
	checkOnlyTyped(t, res)
}

func TestTemperatureVectorWithoutTypeIsRejected(t *testing.T) {
	value := bytesOf(t, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B")
	_, err := gatt.DecodeTemperature(value)
	fe := fieldError(t, err, gatt.ErrTruncated)
	sameJSON(t, "error", *fe, gatt.FieldError{
		Characteristic: gatt.TemperatureMeasurement,
		Field:          "temperature type",
		Offset:         12,
		Size:           1,
		Len:            12,
		Want:           13,
		Flags:          0x06,
		HasFlags:       true,
		Err:            gatt.ErrTruncated,
	})
	const msg = "gatt: Temperature Measurement (0x2A1C): temperature type missing at byte offset 12: it needs 1 byte, 0 left (flags 0x06 call for 13 bytes, got 12)"
	if err.Error() != msg {
		t.Errorf("message\n got %q\nwant %q", err.Error(), msg)
	}
	if _, err := gatt.Decode("2a1c", value); err == nil {
		t.Error("Decode accepted it")
	}
}

func TestHeartRateVectors(t *testing.T) {
	tests := []struct {
		hex  string
		want gatt.HeartRate
		obs  gatt.Number
		flag []gatt.Flag
	}{
		{"00 55", gatt.HeartRate{RawFlags: 0x00, BeatsPerMinute: 85, Contact: gatt.ContactNotSupported}, num(85, 0), nil},
		{"04 FF", gatt.HeartRate{RawFlags: 0x04, BeatsPerMinute: 255, Contact: gatt.ContactNotDetected}, num(255, 0), []gatt.Flag{gatt.FlagNoSensorContact}},
		{"1E 55 32 00 21 00", gatt.HeartRate{
			RawFlags: 0x1E, BeatsPerMinute: 85, Contact: gatt.ContactDetected,
			EnergyExpended: ptr(uint16(50)), RRIntervals: []gatt.RRInterval{33},
		}, num(85, 0), nil},
		{"1F 01 01 32 01 01 00 02 01 FF FF", gatt.HeartRate{
			RawFlags: 0x1F, BeatsPerMinute: 257, Contact: gatt.ContactDetected,
			EnergyExpended: ptr(uint16(306)), RRIntervals: []gatt.RRInterval{1, 258, 65535},
		}, num(257, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.hex, func(t *testing.T) {
			value := bytesOf(t, tt.hex)
			got, err := gatt.DecodeHeartRate(value)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "HeartRate", got, tt.want)
			res, err := gatt.Decode("heart_rate", value)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "Observations", res.Observations, []gatt.Observation{
				{LOINC: "8867-4", Display: "Heart rate", Value: tt.obs, Unit: "/min", Flags: tt.flag},
			})
			sameJSON(t, "Flags", res.Flags, tt.flag)
			checkOnlyTyped(t, res)
		})
	}
}

func TestRRInterval(t *testing.T) {
	if got := gatt.RRInterval(33).Seconds(); got != 33.0/1024 {
		t.Errorf("Seconds() = %v", got)
	}
	if got := gatt.RRInterval(1024).Duration(); got.Seconds() != 1 {
		t.Errorf("1024/1024 s = %v", got)
	}
	// 33/1024 s = 32226562.5 ns, rounded half up.
	if got := gatt.RRInterval(33).Duration(); got.Nanoseconds() != 32226563 {
		t.Errorf("33/1024 s = %d ns", got.Nanoseconds())
	}
	if got := gatt.RRInterval(65535).Duration(); got.Nanoseconds() != 63999023438 {
		t.Errorf("65535/1024 s = %d ns", got.Nanoseconds())
	}
}

func TestHeartRateRRFlagWithoutDataIsRejected(t *testing.T) {
	_, err := gatt.DecodeHeartRate(bytesOf(t, "17 01 01"))
	fe := fieldError(t, err, gatt.ErrTruncated)
	if fe.Field != "RR interval" || fe.Offset != 3 || fe.Size != 2 || fe.Len != 3 || fe.Want != 5 || fe.Flags != 0x17 {
		t.Errorf("got %+v", *fe)
	}
	const msg = "gatt: Heart Rate Measurement (0x2A37): RR interval missing at byte offset 3: it needs 2 bytes, 0 left (flags 0x17 call for at least 5 bytes, got 3)"
	if err.Error() != msg {
		t.Errorf("message\n got %q\nwant %q", err.Error(), msg)
	}
}

func TestGlucoseVector(t *testing.T) {
	// Flags 0x1B: time offset, concentration (kg/L), status, context follows.
	value := bytesOf(t, "1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01")
	base := gatt.DateTime{Year: 2019, Month: 2, Day: 27, Hours: 11, Minutes: 10, Seconds: 30}
	want := gatt.Glucose{
		RawFlags:      0x1B,
		Sequence:      1,
		BaseTime:      base,
		TimeOffset:    ptr(int16(-5)),
		Concentration: ptr(num(30, 0)),
		Unit:          gatt.UnitKgPerL,
		SampleType:    gatt.SampleCapillaryPlasma,
		Location:      gatt.LocationFinger,
		Status: &gatt.GlucoseStatus{
			Raw:                0x0105,
			BatteryLow:         true,
			SampleInsufficient: true,
			TemperatureTooLow:  true,
		},
		ContextFollows: true,
	}
	got, err := gatt.DecodeGlucose(value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Glucose", got, want)
	taken := gatt.DateTime{Year: 2019, Month: 2, Day: 27, Hours: 11, Minutes: 5, Seconds: 30}
	if at, ok := got.Time(); !ok || at != taken {
		t.Errorf("Time() = %v, %v; want %v", at, ok, taken)
	}

	// 30 kg/L is the parser test's synthetic value: 3000000 mg/dL.
	flags := []gatt.Flag{gatt.FlagBatteryLow, gatt.FlagSampleInsufficient, gatt.FlagSensorTemperatureLow}
	res, err := gatt.Decode("2A18", value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Observations", res.Observations, []gatt.Observation{{
		LOINC: "41653-7", Display: "Glucose [Mass/volume] in Capillary blood by Glucometer",
		Value: num(30, 5), Unit: "mg/dL", Time: &taken,
		BodySite: "finger", Specimen: "capillary-plasma", Flags: flags,
	}})
	if s := res.Observations[0].Value.String(); s != "3000000" {
		t.Errorf("value %q", s)
	}
	sameJSON(t, "Flags", res.Flags, flags)
	checkOnlyTyped(t, res)
}

func TestGlucoseVectorWithoutOffsetIsRejected(t *testing.T) {
	// The flags still announce the offset, so every later field shifts by
	// two bytes and the value ends where the sensor status should start.
	value := bytesOf(t, "1B 01 00 E3 07 02 1B 0B 0A 1E 1E 00 12 05 01")
	_, err := gatt.DecodeGlucose(value)
	fe := fieldError(t, err, gatt.ErrTruncated)
	sameJSON(t, "error", *fe, gatt.FieldError{
		Characteristic: gatt.GlucoseMeasurement,
		Field:          "sensor status",
		Offset:         15,
		Size:           2,
		Len:            15,
		Want:           17,
		Flags:          0x1B,
		HasFlags:       true,
		Err:            gatt.ErrTruncated,
	})
	const msg = "gatt: Glucose Measurement (0x2A18): sensor status missing at byte offset 15: it needs 2 bytes, 0 left (flags 0x1B call for 17 bytes, got 15)"
	if err.Error() != msg {
		t.Errorf("message\n got %q\nwant %q", err.Error(), msg)
	}
}

// standards.md §2.5, "physiological encoding": 100 mg/dL and 5.5 mmol/L.
func TestGlucosePhysiologicalEncoding(t *testing.T) {
	tests := []struct {
		name  string
		hex   string
		loinc string
		value gatt.Number
		text  string
		unit  gatt.Unit
	}{
		// Flags 0x02: concentration in kg/L; 0x11: capillary whole blood, finger.
		{"100 mg/dL", "02 07 00 EA 07 0B 16 0A 1E 00 64 B0 11", "41653-7", num(100, 0), "100", "mg/dL"},
		// Flags 0x06: concentration in mol/L.
		{"5.5 mmol/L", "06 07 00 EA 07 0B 16 0A 1E 00 37 C0 11", "14743-9", num(55, -1), "5.5", "mmol/L"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := gatt.Decode("glucose", bytesOf(t, tt.hex))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Observations) != 1 {
				t.Fatalf("%d observations", len(res.Observations))
			}
			o := res.Observations[0]
			if o.LOINC != tt.loinc || o.Value != tt.value || o.Value.String() != tt.text || o.Unit != tt.unit {
				t.Errorf("got %s %q %s (%d×10^%d)", o.LOINC, o.Value.String(), o.Unit, o.Value.Mantissa, o.Value.Exponent)
			}
			if o.Specimen != "capillary-whole-blood" || o.BodySite != "finger" {
				t.Errorf("specimen %q, site %q", o.Specimen, o.BodySite)
			}
			if o.Time == nil || o.Time.String() != "2026-11-22T10:30:00" {
				t.Errorf("time %v", o.Time)
			}
		})
	}
}

func TestPLXSpotCheckVector(t *testing.T) {
	// Flags 0x0F: time stamp, measurement status, device status, PAI.
	value := bytesOf(t, "0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3")
	when := gatt.DateTime{Year: 2024, Month: 11, Day: 29, Hours: 23, Minutes: 8, Seconds: 57}
	want := gatt.PLXSpotCheck{
		RawFlags:  0x0F,
		SpO2:      num(940, -1),
		PulseRate: num(1470, -1),
		Time:      &when,
		MeasurementStatus: &gatt.PLXMeasurementStatus{
			Raw:                0x4020,
			MeasurementOngoing: true,
			Questionable:       true,
		},
		DeviceStatus: &gatt.PLXDeviceStatus{
			Raw:                  0x000022,
			EquipmentMalfunction: true,
			LowPerfusion:         true,
		},
		PulseAmplitudeIndex: ptr(num(870, -2)),
	}
	got, err := gatt.DecodePLXSpotCheck(value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "PLXSpotCheck", got, want)
	for _, c := range []struct {
		n    gatt.Number
		text string
	}{{got.SpO2, "94.0"}, {got.PulseRate, "147.0"}, {*got.PulseAmplitudeIndex, "8.70"}} {
		if c.n.String() != c.text {
			t.Errorf("got %q, want %q", c.n.String(), c.text)
		}
	}

	flags := []gatt.Flag{gatt.FlagMeasurementOngoing, gatt.FlagQuestionableMeasure, gatt.FlagEquipmentMalfunction, gatt.FlagLowPerfusion}
	res, err := gatt.Decode("2a5e", value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Observations", res.Observations, []gatt.Observation{
		{LOINC: "2708-6", Display: "Oxygen saturation in Arterial blood", AlsoLOINC: []string{"59408-5"}, Value: num(940, -1), Unit: "%", Time: &when, Flags: flags},
		{LOINC: "8867-4", Display: "Heart rate", Value: num(1470, -1), Unit: "/min", Time: &when, Flags: flags},
	})
	sameJSON(t, "Flags", res.Flags, flags)
	checkOnlyTyped(t, res)
}

func TestPLXContinuousVector(t *testing.T) {
	value := bytesOf(t, "00 64 00 5A 00")
	got, err := gatt.DecodePLXContinuous(value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "PLXContinuous", got, gatt.PLXContinuous{SpO2: num(100, 0), PulseRate: num(90, 0)})
	res, err := gatt.Decode("plx_continuous", value)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Observations", res.Observations, []gatt.Observation{
		{LOINC: "2708-6", Display: "Oxygen saturation in Arterial blood", AlsoLOINC: []string{"59408-5"}, Value: num(100, 0), Unit: "%"},
		{LOINC: "8867-4", Display: "Heart rate", Value: num(90, 0), Unit: "/min"},
	})
	checkOnlyTyped(t, res)
}

// checkOnlyTyped asserts that exactly the typed field for the result's
// characteristic is set.
func checkOnlyTyped(t *testing.T, res gatt.Result) {
	t.Helper()
	set := map[gatt.Characteristic]bool{
		gatt.BloodPressureMeasurement: res.BloodPressure != nil,
		gatt.TemperatureMeasurement:   res.Temperature != nil,
		gatt.HeartRateMeasurement:     res.HeartRate != nil,
		gatt.GlucoseMeasurement:       res.Glucose != nil,
		gatt.PLXSpotCheckMeasurement:  res.PLXSpotCheck != nil,
		gatt.PLXContinuousMeasurement: res.PLXContinuous != nil,
	}
	for c, isSet := range set {
		if isSet != (c == res.Characteristic) {
			t.Errorf("result for %v: typed field for %v set = %v", res.Characteristic, c, isSet)
		}
	}
}

// layoutField is one field of a vector: its name as errors give it, its
// offset and its size.
type layoutField struct {
	name string
	off  int
	size int
}

// layoutVectors are the valid vectors with their layouts, for the
// truncation and trailing-byte tests.
var layoutVectors = []struct {
	char   gatt.Characteristic
	hex    string
	layout []layoutField
	// validPrefixes are shorter lengths that are complete values too
	// (fewer RR intervals).
	validPrefixes []int
}{
	{gatt.BloodPressureMeasurement, "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00", []layoutField{
		{"flags", 0, 1}, {"systolic pressure", 1, 2}, {"diastolic pressure", 3, 2}, {"mean arterial pressure", 5, 2},
		{"time stamp", 7, 7}, {"pulse rate", 14, 2}, {"user ID", 16, 1}, {"measurement status", 17, 2},
	}, nil},
	{gatt.BloodPressureMeasurement, "15 BD F0 0B 00 9F F0 3C 00 12 00", []layoutField{
		{"flags", 0, 1}, {"systolic pressure", 1, 2}, {"diastolic pressure", 3, 2}, {"mean arterial pressure", 5, 2},
		{"pulse rate", 7, 2}, {"measurement status", 9, 2},
	}, nil},
	{gatt.TemperatureMeasurement, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04", []layoutField{
		{"flags", 0, 1}, {"temperature", 1, 4}, {"time stamp", 5, 7}, {"temperature type", 12, 1},
	}, nil},
	{gatt.HeartRateMeasurement, "00 55", []layoutField{{"flags", 0, 1}, {"heart rate (uint8)", 1, 1}}, nil},
	{gatt.HeartRateMeasurement, "04 FF", []layoutField{{"flags", 0, 1}, {"heart rate (uint8)", 1, 1}}, nil},
	{gatt.HeartRateMeasurement, "1E 55 32 00 21 00", []layoutField{
		{"flags", 0, 1}, {"heart rate (uint8)", 1, 1}, {"energy expended", 2, 2}, {"RR interval", 4, 2},
	}, nil},
	{gatt.HeartRateMeasurement, "1F 01 01 32 01 01 00 02 01 FF FF", []layoutField{
		{"flags", 0, 1}, {"heart rate (uint16)", 1, 2}, {"energy expended", 3, 2},
		{"RR interval", 5, 2}, {"RR interval", 7, 2}, {"RR interval", 9, 2},
	}, []int{7, 9}},
	{gatt.GlucoseMeasurement, "1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01", []layoutField{
		{"flags", 0, 1}, {"sequence number", 1, 2}, {"base time", 3, 7}, {"time offset", 10, 2},
		{"glucose concentration", 12, 2}, {"sample type and location", 14, 1}, {"sensor status", 15, 2},
	}, nil},
	{gatt.PLXSpotCheckMeasurement, "0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3", []layoutField{
		{"flags", 0, 1}, {"SpO2", 1, 2}, {"pulse rate", 3, 2}, {"time stamp", 5, 7},
		{"measurement status", 12, 2}, {"device and sensor status", 14, 3}, {"pulse amplitude index", 17, 2},
	}, nil},
	{gatt.PLXContinuousMeasurement, "00 64 00 5A 00", []layoutField{{"flags", 0, 1}, {"SpO2", 1, 2}, {"pulse rate", 3, 2}}, nil},
}

// Every prefix of every valid vector is rejected, naming the field that the
// prefix cuts and the offset where that field starts.
func TestEveryTruncationPoint(t *testing.T) {
	for _, v := range layoutVectors {
		value := bytesOf(t, v.hex)
		last := v.layout[len(v.layout)-1]
		if last.off+last.size != len(value) {
			t.Fatalf("%s: layout covers %d bytes, value has %d", v.hex, last.off+last.size, len(value))
		}
		for n := range len(value) {
			_, err := gatt.DecodeCharacteristic(v.char, value[:n])
			if slices.Contains(v.validPrefixes, n) {
				if err != nil {
					t.Errorf("%s cut to %d bytes: %v", v.hex, n, err)
				}
				continue
			}
			fe := fieldError(t, err, gatt.ErrTruncated)
			i := slices.IndexFunc(v.layout, func(f layoutField) bool { return f.off <= n && n < f.off+f.size })
			f := v.layout[i]
			if fe.Field != f.name || fe.Offset != f.off || fe.Size != f.size || fe.Len != n {
				t.Errorf("%s cut to %d bytes: got %s at %d (size %d, len %d), want %s at %d (size %d)",
					v.hex, n, fe.Field, fe.Offset, fe.Size, fe.Len, f.name, f.off, f.size)
			}
			if fe.Characteristic != v.char || fe.HasFlags != (n > 0) || (n > 0 && fe.Flags != value[0]) {
				t.Errorf("%s cut to %d bytes: characteristic %v, flags %#x (%v)", v.hex, n, fe.Characteristic, fe.Flags, fe.HasFlags)
			}
			if v.validPrefixes == nil && n > 0 && fe.Want != len(value) {
				t.Errorf("%s cut to %d bytes: Want = %d, want %d", v.hex, n, fe.Want, len(value))
			}
		}
	}
}

// One byte too many is rejected: after a fixed layout as trailing bytes,
// after RR intervals as half an RR interval.
func TestTrailingByte(t *testing.T) {
	for _, v := range layoutVectors {
		value := append(bytesOf(t, v.hex), 0x00)
		_, err := gatt.DecodeCharacteristic(v.char, value)
		rr := v.char == gatt.HeartRateMeasurement && value[0]&0x10 != 0
		if rr {
			fe := fieldError(t, err, gatt.ErrTruncated)
			if fe.Field != "RR interval" || fe.Offset != len(value)-1 || fe.Size != 2 {
				t.Errorf("%s + 00: got %+v", v.hex, *fe)
			}
			continue
		}
		fe := fieldError(t, err, gatt.ErrTrailingBytes)
		if fe.Offset != len(value)-1 || fe.Size != 1 || fe.Len != len(value) || fe.Want != len(value)-1 {
			t.Errorf("%s + 00: got %+v", v.hex, *fe)
		}
	}
	_, err := gatt.DecodeTemperature(bytesOf(t, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04 AA BB"))
	const msg = "gatt: Temperature Measurement (0x2A1C): 2 unexpected bytes at byte offset 13 after the last field (flags 0x06 call for 13 bytes, got 15)"
	if err == nil || err.Error() != msg {
		t.Errorf("message\n got %v\nwant %q", err, msg)
	}
}
