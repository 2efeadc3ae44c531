package gatt_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/tend-health/tend/internal/gatt"
)

// standards.md §2.1, vectors from HL7/phd.
func TestSFLOATVectors(t *testing.T) {
	tests := []struct {
		raw      uint16
		mantissa int32
		exponent int8
		text     string
		value    float64
		decimals int
	}{
		{0x0002, 2, 0, "2", 2, 0},
		{0xF014, 20, -1, "2.0", 2, 1},
		{0xE0C8, 200, -2, "2.00", 2, 2},
		{0x1002, 2, 1, "20", 20, 0},
		{0x0B2E, -1234, 0, "-1234", -1234, 0},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatUint(uint64(tt.raw), 16), func(t *testing.T) {
			n := gatt.DecodeSFLOAT(tt.raw)
			checkNumber(t, n, tt.mantissa, tt.exponent, tt.text, tt.value, tt.decimals)
		})
	}
}

func TestFLOATVectors(t *testing.T) {
	tests := []struct {
		raw      uint32
		mantissa int32
		exponent int8
		text     string
		value    float64
		decimals int
	}{
		{0xFF000014, 20, -1, "2.0", 2, 1},
		{0x00FFFB2E, -1234, 0, "-1234", -1234, 0},
		// The temperature vector of §2.3.
		{0xFE000EB0, 3760, -2, "37.60", 37.6, 2},
		// Edges of the ranges.
		{0x7F7FFFFD, 8388605, 127, "8388605" + zeros(127), 8388605e127, 0},
		{0x80800003, -8388605, -128, "-0." + zeros(121) + "8388605", -8388605e-128, 128},
		{0x007FFFFD, 8388605, 0, "8388605", 8388605, 0},
		{0x00800003, -8388605, 0, "-8388605", -8388605, 0},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatUint(uint64(tt.raw), 16), func(t *testing.T) {
			n := gatt.DecodeFLOAT(tt.raw)
			checkNumber(t, n, tt.mantissa, tt.exponent, tt.text, tt.value, tt.decimals)
		})
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func checkNumber(t *testing.T, n gatt.Number, mantissa int32, exponent int8, text string, value float64, decimals int) {
	t.Helper()
	if n.Special != gatt.SpecialNone || !n.Valid() {
		t.Fatalf("got special %v, want an ordinary number", n.Special)
	}
	if n.Mantissa != mantissa || n.Exponent != exponent {
		t.Errorf("got %d×10^%d, want %d×10^%d", n.Mantissa, n.Exponent, mantissa, exponent)
	}
	if got := n.String(); got != text {
		t.Errorf("String() = %q, want %q", got, text)
	}
	if got := n.Float64(); got != value {
		t.Errorf("Float64() = %v, want %v", got, value)
	}
	if got := n.Decimals(); got != decimals {
		t.Errorf("Decimals() = %d, want %d", got, decimals)
	}
	if got := n.DataAbsentReason(); got != "" {
		t.Errorf("DataAbsentReason() = %q, want none", got)
	}
}

func TestSpecialValues(t *testing.T) {
	tests := []struct {
		name    string
		sfloat  uint16
		float   uint32
		special gatt.Special
		text    string
		reason  string
		value   float64
	}{
		{"NaN", 0x07FF, 0x007FFFFF, gatt.SpecialNaN, "NaN", "not-a-number", math.NaN()},
		{"NRes", 0x0800, 0x00800000, gatt.SpecialNRes, "NRes", "error", math.NaN()},
		{"+INF", 0x07FE, 0x007FFFFE, gatt.SpecialPosInf, "+INF", "positive-infinity", math.Inf(1)},
		{"-INF", 0x0802, 0x00800002, gatt.SpecialNegInf, "-INF", "negative-infinity", math.Inf(-1)},
		{"Reserved", 0x0801, 0x00800001, gatt.SpecialReserved, "Reserved", "error", math.NaN()},
	}
	for _, tt := range tests {
		for _, n := range []gatt.Number{gatt.DecodeSFLOAT(tt.sfloat), gatt.DecodeFLOAT(tt.float)} {
			t.Run(tt.name, func(t *testing.T) {
				if n.Special != tt.special {
					t.Fatalf("Special = %v, want %v (mantissa %d: sign-extended before the check?)", n.Special, tt.special, n.Mantissa)
				}
				if n.Valid() {
					t.Error("Valid() = true")
				}
				if n.Mantissa != 0 || n.Exponent != 0 {
					t.Errorf("mantissa/exponent = %d/%d, want zero", n.Mantissa, n.Exponent)
				}
				if got := n.String(); got != tt.text {
					t.Errorf("String() = %q, want %q", got, tt.text)
				}
				if got := n.DataAbsentReason(); got != tt.reason {
					t.Errorf("DataAbsentReason() = %q, want %q", got, tt.reason)
				}
				got := n.Float64()
				if math.IsNaN(tt.value) != math.IsNaN(got) || (!math.IsNaN(got) && got != tt.value) {
					t.Errorf("Float64() = %v, want %v", got, tt.value)
				}
			})
		}
	}
}

// The special mantissas are special only with a zero exponent; next to
// them, and with other exponents, values are ordinary.
func TestNearSpecialValuesAreOrdinary(t *testing.T) {
	tests := []struct {
		raw  uint16
		text string
	}{
		{0x07FD, "2045"},
		{0x0803, "-2045"},
		{0x17FF, "20470"},
		{0xF800, "-204.8"},
		{0x8000, "0.00000000"},
		{0x7001, "10000000"},
		{0x0000, "0"},
	}
	for _, tt := range tests {
		n := gatt.DecodeSFLOAT(tt.raw)
		if !n.Valid() || n.String() != tt.text {
			t.Errorf("DecodeSFLOAT(%#04x) = %v %q, want ordinary %q", tt.raw, n.Special, n.String(), tt.text)
		}
	}
	for _, raw := range []uint32{0x007FFFFD, 0x00800003, 0x017FFFFF, 0xFF800000} {
		if n := gatt.DecodeFLOAT(raw); !n.Valid() {
			t.Errorf("DecodeFLOAT(%#08x) = %v, want an ordinary number", raw, n.Special)
		}
	}
}

func TestNumberString(t *testing.T) {
	tests := []struct {
		n    gatt.Number
		text string
	}{
		{num(5, -3), "0.005"},
		{num(-5, -1), "-0.5"},
		{num(-20, -1), "-2.0"},
		{num(0, 2), "0"},
		{num(0, -2), "0.00"},
		{num(1, 3), "1000"},
		{num(123, -3), "0.123"},
		{num(1234, -3), "1.234"},
	}
	for _, tt := range tests {
		if got := tt.n.String(); got != tt.text {
			t.Errorf("%d×10^%d: String() = %q, want %q", tt.n.Mantissa, tt.n.Exponent, got, tt.text)
		}
	}
}

// Every one of the 65536 SFLOAT codes: specials are exactly the five codes,
// an ordinary value encodes back to its code, and its text parses to its
// float64.
func TestSFLOATAllCodes(t *testing.T) {
	specials := map[uint16]bool{0x07FF: true, 0x0800: true, 0x07FE: true, 0x0802: true, 0x0801: true}
	for raw := range 1 << 16 {
		n := gatt.DecodeSFLOAT(uint16(raw))
		if n.Valid() == specials[uint16(raw)] {
			t.Fatalf("%#04x: Valid() = %v", raw, n.Valid())
		}
		if !n.Valid() {
			continue
		}
		if n.Mantissa < -2048 || n.Mantissa > 2047 || n.Exponent < -8 || n.Exponent > 7 {
			t.Fatalf("%#04x: out of range %d×10^%d", raw, n.Mantissa, n.Exponent)
		}
		back := uint16(n.Exponent)<<12&0xF000 | uint16(n.Mantissa)&0x0FFF
		if back != uint16(raw) {
			t.Fatalf("%#04x: decodes to %d×10^%d, which encodes to %#04x", raw, n.Mantissa, n.Exponent, back)
		}
		parsed, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || parsed != n.Float64() {
			t.Fatalf("%#04x: String() %q parses to %v (%v), Float64() = %v", raw, n.String(), parsed, err, n.Float64())
		}
	}
}
