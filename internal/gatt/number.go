package gatt

import (
	"math"
	"strconv"
	"strings"
)

// Special says whether a Number is an ordinary value or one of the reserved
// codes of IEEE 11073-20601.
type Special uint8

// The reserved codes. Each one has the exponent field zero and a mantissa at
// the edge of the mantissa's range; see DecodeSFLOAT and DecodeFLOAT.
const (
	SpecialNone     Special = iota // an ordinary finite value
	SpecialNaN                     // not a number
	SpecialNRes                    // not at this resolution: the value does not fit the format
	SpecialPosInf                  // positive infinity
	SpecialNegInf                  // negative infinity
	SpecialReserved                // reserved for future use
)

// String returns the name used in the standard: "NaN", "NRes", "+INF",
// "-INF", "Reserved", or "" for SpecialNone.
func (s Special) String() string {
	switch s {
	case SpecialNone:
		return ""
	case SpecialNaN:
		return "NaN"
	case SpecialNRes:
		return "NRes"
	case SpecialPosInf:
		return "+INF"
	case SpecialNegInf:
		return "-INF"
	case SpecialReserved:
		return "Reserved"
	}
	return "Special(" + strconv.Itoa(int(s)) + ")"
}

// Number is a decimal number as carried by the SFLOAT and FLOAT types:
// Mantissa × 10^Exponent. Keeping the two parts, instead of a float64, keeps
// the precision the device stated: 20×10⁻¹ is "2.0", not "2".
//
// When Special is not SpecialNone the number has no value and Mantissa and
// Exponent are zero.
type Number struct {
	Mantissa int32
	Exponent int8
	Special  Special
}

// Raw codes of the special values. They are matched on the whole raw value,
// before the mantissa is sign-extended: read as an ordinary SFLOAT, 0x0800
// would be −2048.
const (
	sfloatNaN      = 0x07FF
	sfloatNRes     = 0x0800
	sfloatPosInf   = 0x07FE
	sfloatNegInf   = 0x0802
	sfloatReserved = 0x0801

	floatNaN      = 0x007FFFFF
	floatNRes     = 0x00800000
	floatPosInf   = 0x007FFFFE
	floatNegInf   = 0x00800002
	floatReserved = 0x00800001
)

// DecodeSFLOAT decodes a 16-bit IEEE 11073-20601 SFLOAT given as the
// little-endian uint16 read from the wire: a signed 4-bit exponent in bits
// 15–12 and a signed 12-bit mantissa in bits 11–0.
//
// The five special codes (0x07FF NaN, 0x0800 NRes, 0x07FE +INF, 0x0802 −INF,
// 0x0801 Reserved) are recognised only with a zero exponent, as the standard
// defines them; any other raw value is an ordinary number.
func DecodeSFLOAT(raw uint16) Number {
	switch raw {
	case sfloatNaN:
		return Number{Special: SpecialNaN}
	case sfloatNRes:
		return Number{Special: SpecialNRes}
	case sfloatPosInf:
		return Number{Special: SpecialPosInf}
	case sfloatNegInf:
		return Number{Special: SpecialNegInf}
	case sfloatReserved:
		return Number{Special: SpecialReserved}
	}
	mantissa := int32(raw & 0x0FFF)
	if mantissa >= 0x0800 {
		mantissa -= 0x1000
	}
	exponent := int8(raw>>12) & 0x0F
	if exponent >= 0x08 {
		exponent -= 0x10
	}
	return Number{Mantissa: mantissa, Exponent: exponent}
}

// DecodeFLOAT decodes a 32-bit IEEE 11073-20601 FLOAT given as the
// little-endian uint32 read from the wire: a signed 8-bit exponent in the
// most significant byte and a signed 24-bit mantissa below it.
//
// The special codes (0x007FFFFF NaN, 0x00800000 NRes, 0x007FFFFE +INF,
// 0x00800002 −INF, 0x00800001 Reserved) are recognised only with a zero
// exponent.
func DecodeFLOAT(raw uint32) Number {
	switch raw {
	case floatNaN:
		return Number{Special: SpecialNaN}
	case floatNRes:
		return Number{Special: SpecialNRes}
	case floatPosInf:
		return Number{Special: SpecialPosInf}
	case floatNegInf:
		return Number{Special: SpecialNegInf}
	case floatReserved:
		return Number{Special: SpecialReserved}
	}
	mantissa := int32(raw & 0x00FFFFFF)
	if mantissa >= 0x00800000 {
		mantissa -= 0x01000000
	}
	return Number{Mantissa: mantissa, Exponent: int8(uint8(raw >> 24))}
}

// Valid reports whether n is an ordinary finite value.
func (n Number) Valid() bool { return n.Special == SpecialNone }

// Decimals returns how many digits the value has after the decimal point:
// −Exponent when the exponent is negative, otherwise 0.
func (n Number) Decimals() int {
	if n.Exponent < 0 {
		return -int(n.Exponent)
	}
	return 0
}

// Float64 returns the value as the nearest float64. NaN and the codes
// without a value (NRes, Reserved) give math.NaN(); the infinities give
// ±math.Inf.
func (n Number) Float64() float64 {
	switch n.Special {
	case SpecialNone:
	case SpecialPosInf:
		return math.Inf(1)
	case SpecialNegInf:
		return math.Inf(-1)
	default:
		return math.NaN()
	}
	// Parsing the decimal form rounds once, so 189×10⁻¹ gives the float64
	// nearest to 18.9 (not 18.900000000000002), for every exponent.
	f, _ := strconv.ParseFloat(strconv.Itoa(int(n.Mantissa))+"e"+strconv.Itoa(int(n.Exponent)), 64)
	return f
}

// String returns the value as decimal text with exactly Decimals() digits
// after the point and no exponent: "2.0", "37.60", "-1234", "20" for 2×10¹.
// A special value gives its name: "NaN", "NRes", "+INF", "-INF", "Reserved".
func (n Number) String() string {
	if n.Special != SpecialNone {
		return n.Special.String()
	}
	digits := strconv.FormatInt(int64(n.Mantissa), 10)
	sign := ""
	if digits[0] == '-' {
		sign, digits = "-", digits[1:]
	}
	if n.Exponent >= 0 {
		if n.Mantissa == 0 {
			return "0"
		}
		return sign + digits + strings.Repeat("0", int(n.Exponent))
	}
	decimals := -int(n.Exponent)
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	whole := len(digits) - decimals
	return sign + digits[:whole] + "." + digits[whole:]
}

// DataAbsentReason returns the FHIR dataAbsentReason code that stands in for
// the value when n is special, following HL7's Personal Health Device guide:
// "not-a-number", "positive-infinity", "negative-infinity", or "error" for
// NRes and Reserved. It returns "" when n has a value.
func (n Number) DataAbsentReason() string {
	switch n.Special {
	case SpecialNone:
		return ""
	case SpecialNaN:
		return "not-a-number"
	case SpecialPosInf:
		return "positive-infinity"
	case SpecialNegInf:
		return "negative-infinity"
	}
	return "error"
}

// scale multiplies n by 10^k by moving the exponent, which is exact and keeps
// the stated precision. It is used for unit conversions on SFLOAT values,
// whose exponents lie in −8..7, so the result always fits an int8 for the
// small k used here. Special values are returned unchanged.
func (n Number) scale(k int8) Number {
	if n.Special != SpecialNone {
		return n
	}
	n.Exponent += k
	return n
}
