// Package gatt turns the raw bytes of Bluetooth health characteristics, as
// a phone relays them from a blood pressure cuff, thermometer, heart rate
// strap, glucose meter or pulse oximeter, into typed Go values.
//
// Each supported characteristic has its own decoder (DecodeBloodPressure,
// DecodeTemperature, DecodeHeartRate, DecodeGlucose, DecodePLXSpotCheck,
// DecodePLXContinuous) returning a struct with every field, optional field
// and status bit the Bluetooth specification defines. Decode picks the
// decoder from a characteristic name as the phone sends it ("2A35",
// "0x2a35", a 128-bit UUID, or "blood_pressure") and adds a neutral summary:
// a list of Observations, each with its LOINC code, value, UCUM unit, time
// and status flags, which the ingest path can store without knowing where
// the value came from.
//
// Numbers keep the form the device sent them in. The IEEE 11073-20601 SFLOAT
// and FLOAT types are decimal (mantissa × 10^exponent), so a Number keeps
// both parts: 37.60 °C stays "37.60", and a special code (NaN, NRes, ±INF,
// Reserved) is recognised before any sign extension and maps to a FHIR
// dataAbsentReason instead of a value. Only glucose is converted, from the
// SI units on the wire to mg/dL or mmol/L, by moving the exponent.
//
// Times are the device's wall clock with no zone, and may lack a year; the
// package never fills in a missing part. DateTime.In gives a time.Time once
// the caller has chosen the zone.
//
// Status bits come out twice: as named booleans on the typed structs, and as
// Flags with a stable name ("cuff-too-loose", "battery-low") and a Kind that
// tells a doubtful reading apart from a device that needs attention. Values
// that are not about the patient at all (a glucose control solution test,
// oximeter demonstration data) keep their flags but yield no Observations.
//
// The decoders are strict about length. A field the flags call for but the
// value lacks, and bytes beyond the last field, are both errors (*FieldError)
// naming the field and its byte offset; nothing is guessed. The package does
// no I/O and keeps no state, so it is safe for concurrent use.
package gatt
