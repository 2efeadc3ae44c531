package gatt_test

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/tend-health/tend/internal/gatt"
)

// seedValues are the standards.md §2 vectors, valid and rejected, and a few
// edge cases, for the fuzzers' corpus.
var seedValues = []struct {
	char gatt.Characteristic
	hex  string
}{
	{gatt.BloodPressureMeasurement, "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"},
	{gatt.BloodPressureMeasurement, "15 BD F0 0B 00 9F F0 3C 00 12 00"},
	{gatt.TemperatureMeasurement, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"},
	{gatt.TemperatureMeasurement, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B"},
	{gatt.HeartRateMeasurement, "00 55"},
	{gatt.HeartRateMeasurement, "04 FF"},
	{gatt.HeartRateMeasurement, "1E 55 32 00 21 00"},
	{gatt.HeartRateMeasurement, "1F 01 01 32 01 01 00 02 01 FF FF"},
	{gatt.HeartRateMeasurement, "17 01 01"},
	{gatt.GlucoseMeasurement, "1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01"},
	{gatt.GlucoseMeasurement, "1B 01 00 E3 07 02 1B 0B 0A 1E 1E 00 12 05 01"},
	{gatt.GlucoseMeasurement, "02 07 00 EA 07 0B 16 0A 1E 00 64 B0 11"},
	{gatt.GlucoseMeasurement, "06 07 00 EA 07 0B 16 0A 1E 00 37 C0 11"},
	{gatt.PLXSpotCheckMeasurement, "0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3"},
	{gatt.PLXContinuousMeasurement, "00 64 00 5A 00"},
	{gatt.PLXContinuousMeasurement, "1F 61 00 48 00 60 00 49 00 62 00 47 00 00 80 00 40 80 66 E3"},
}

// wantLength works out, independently of the decoders, whether a value's
// length matches what its flags call for.
func wantLength(c gatt.Characteristic, value []byte) bool {
	if len(value) == 0 {
		return false
	}
	flags := value[0]
	bit := func(n uint, size int) int {
		if flags&(1<<n) != 0 {
			return size
		}
		return 0
	}
	switch c {
	case gatt.BloodPressureMeasurement:
		return len(value) == 1+6+bit(1, 7)+bit(2, 2)+bit(3, 1)+bit(4, 2)
	case gatt.TemperatureMeasurement:
		return len(value) == 1+4+bit(1, 7)+bit(2, 1)
	case gatt.HeartRateMeasurement:
		fixed := 1 + 1 + bit(0, 1) + bit(3, 2)
		if flags&(1<<4) == 0 {
			return len(value) == fixed
		}
		return len(value) >= fixed+2 && (len(value)-fixed)%2 == 0
	case gatt.GlucoseMeasurement:
		return len(value) == 1+2+7+bit(0, 2)+bit(1, 3)+bit(3, 2)
	case gatt.PLXSpotCheckMeasurement:
		return len(value) == 1+4+bit(0, 7)+bit(1, 2)+bit(2, 3)+bit(3, 2)
	case gatt.PLXContinuousMeasurement:
		return len(value) == 1+4+bit(0, 4)+bit(1, 4)+bit(2, 2)+bit(3, 3)+bit(4, 2)
	}
	return false
}

// FuzzDecode feeds arbitrary bytes to every decoder. It must not panic;
// it must succeed exactly when the length matches the flags; a failure must
// be a *FieldError that locates itself inside the value; a success must
// give well-formed observations.
func FuzzDecode(f *testing.F) {
	supported := gatt.Supported()
	for _, s := range seedValues {
		f.Add(uint8(slices.Index(supported, s.char)), bytesOf(f, s.hex))
	}
	f.Fuzz(func(t *testing.T, which uint8, value []byte) {
		c := supported[int(which)%len(supported)]
		res, err := gatt.DecodeCharacteristic(c, value)
		if consistent := wantLength(c, value); consistent != (err == nil) {
			t.Fatalf("%v % X: length consistent = %v, but error = %v", c, value, consistent, err)
		}
		if err != nil {
			var fe *gatt.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			if fe.Len != len(value) || fe.Offset > len(value) || fe.Size <= 0 || fe.Characteristic != c {
				t.Fatalf("%v % X: inconsistent error %+v", c, value, *fe)
			}
			if errors.Is(err, gatt.ErrTruncated) == errors.Is(err, gatt.ErrTrailingBytes) {
				t.Fatalf("error %v is neither or both kinds", err)
			}
			if errors.Is(err, gatt.ErrTruncated) && fe.Offset+fe.Size <= len(value) {
				t.Fatalf("%v % X: field %q at %d (size %d) fits the value", c, value, fe.Field, fe.Offset, fe.Size)
			}
			_ = err.Error()
			return
		}
		if res.Characteristic != c {
			t.Fatalf("result for %v, asked for %v", res.Characteristic, c)
		}
		checkOnlyTyped(t, res)
		for _, o := range res.Observations {
			if o.LOINC == "" || o.Display == "" || o.Unit == "" {
				t.Fatalf("incomplete observation %+v", o)
			}
			checkNumberConsistent(t, o.Value)
			if o.Time != nil {
				_ = o.Time.String()
			}
		}
		for _, fl := range res.Flags {
			if !slices.Contains(gatt.KnownFlags(), fl) {
				t.Fatalf("flag %q is not in KnownFlags", fl.Name)
			}
		}
	})
}

// checkNumberConsistent asserts that a Number's text, float and special
// state agree.
func checkNumberConsistent(t *testing.T, n gatt.Number) {
	t.Helper()
	if !n.Valid() {
		if n.DataAbsentReason() == "" || n.String() == "" || n.Mantissa != 0 || n.Exponent != 0 {
			t.Fatalf("special %v: reason %q, text %q", n.Special, n.DataAbsentReason(), n.String())
		}
		return
	}
	f := n.Float64()
	parsed, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || parsed != f || math.IsNaN(f) || math.IsInf(f, 0) || n.DataAbsentReason() != "" {
		t.Fatalf("%d×10^%d: text %q parses to %v (%v), Float64 %v", n.Mantissa, n.Exponent, n.String(), parsed, err, f)
	}
}

// FuzzFLOAT checks every FLOAT code: specials are exactly the five codes;
// an ordinary value encodes back to its code and its text matches its float.
func FuzzFLOAT(f *testing.F) {
	for _, raw := range []uint32{0xFF000014, 0x00FFFB2E, 0xFE000EB0, 0x007FFFFF, 0x00800000, 0x007FFFFE, 0x00800002, 0x00800001, 0x7F7FFFFF, 0x80800000} {
		f.Add(raw)
	}
	specials := []uint32{0x007FFFFF, 0x00800000, 0x007FFFFE, 0x00800002, 0x00800001}
	f.Fuzz(func(t *testing.T, raw uint32) {
		n := gatt.DecodeFLOAT(raw)
		if n.Valid() == slices.Contains(specials, raw) {
			t.Fatalf("%#08x: Valid() = %v", raw, n.Valid())
		}
		checkNumberConsistent(t, n)
		if !n.Valid() {
			return
		}
		if n.Mantissa < -1<<23 || n.Mantissa >= 1<<23 {
			t.Fatalf("%#08x: mantissa %d out of range", raw, n.Mantissa)
		}
		back := uint32(uint8(n.Exponent))<<24 | uint32(n.Mantissa)&0x00FFFFFF
		if back != raw {
			t.Fatalf("%#08x: decodes to %d×10^%d, which encodes to %#08x", raw, n.Mantissa, n.Exponent, back)
		}
	})
}

// FuzzParseCharacteristic: any string either names a supported
// characteristic or gives ErrUnknownCharacteristic.
func FuzzParseCharacteristic(f *testing.F) {
	for _, s := range []string{"2A35", "0x2a1c", "heart_rate", "00002a37-0000-1000-8000-00805f9b34fb", "PLX Spot-Check Measurement", "", "2A9D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := gatt.ParseCharacteristic(s)
		if err != nil {
			if !errors.Is(err, gatt.ErrUnknownCharacteristic) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if !slices.Contains(gatt.Supported(), c) || c.ShortName() == "" {
			t.Fatalf("%q parsed to unsupported %v", s, c)
		}
	})
}
