package gatt

import (
	"errors"
	"fmt"
)

// Errors that Decode and the Decode… functions wrap, for use with errors.Is.
var (
	// ErrTruncated: the value ends before a field its flags call for.
	ErrTruncated = errors.New("value too short")
	// ErrTrailingBytes: bytes follow the last field the flags call for.
	ErrTrailingBytes = errors.New("unexpected bytes after the last field")
	// ErrUnknownCharacteristic: Decode was asked for a characteristic this
	// package does not decode.
	ErrUnknownCharacteristic = errors.New("unsupported characteristic")
)

// FieldError describes a value whose length does not match what its flags
// call for. Err is ErrTruncated or ErrTrailingBytes.
//
// Values are rejected whole: a value with a missing field, or with extra
// bytes after its last field, is not decoded at all. Extra bytes mean the
// sender and this decoder disagree about the layout, and then no field after
// the disagreement can be trusted.
type FieldError struct {
	Characteristic Characteristic
	// Field names the field that did not fit ("RR interval", "temperature
	// type"). Empty for ErrTrailingBytes.
	Field string
	// Offset is the byte offset where the missing field starts, or where
	// the extra bytes start.
	Offset int
	// Size is the number of bytes the missing field needs, or the number of
	// extra bytes.
	Size int
	// Len is the length of the value received.
	Len int
	// Want is the length the flags call for. Where the layout repeats a
	// field to the end of the value (heart rate RR intervals) it is the
	// shortest length the flags allow.
	Want int
	// Flags is the value's flags byte; HasFlags is false when the value was
	// empty and had none.
	Flags    uint8
	HasFlags bool
	Err      error

	wantIsMinimum bool // the layout repeats a field to the end of the value
}

func (e *FieldError) Error() string {
	var layout string
	switch {
	case e.HasFlags:
		layout = fmt.Sprintf("flags 0x%02X call for %s%d bytes, got %d", e.Flags, e.atLeast(), e.Want, e.Len)
	default:
		layout = fmt.Sprintf("the value is empty; the shortest one is %d bytes", e.Want)
	}
	if errors.Is(e.Err, ErrTrailingBytes) {
		return fmt.Sprintf("gatt: %s: %d unexpected %s at byte offset %d after the last field (%s)",
			e.Characteristic, e.Size, plural(e.Size, "byte"), e.Offset, layout)
	}
	left := max(e.Len-e.Offset, 0)
	return fmt.Sprintf("gatt: %s: %s missing at byte offset %d: it needs %d %s, %d left (%s)",
		e.Characteristic, e.Field, e.Offset, e.Size, plural(e.Size, "byte"), left, layout)
}

func (e *FieldError) atLeast() string {
	if e.wantIsMinimum {
		return "at least "
	}
	return ""
}

// Unwrap returns ErrTruncated or ErrTrailingBytes.
func (e *FieldError) Unwrap() error { return e.Err }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
