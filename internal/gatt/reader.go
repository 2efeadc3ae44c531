package gatt

// reader walks a characteristic value field by field, little-endian.
//
// It does not stop at the first field that does not fit. It records that
// field and keeps counting the sizes of the fields the decoder goes on to ask
// for (returning zeros for them), so that finish can report both the missing
// field and the total length the flags call for. Decoders therefore read
// every field their flags call for and check for an error once, at the end.
type reader struct {
	char Characteristic
	data []byte
	off  int // offset of the next field; may pass len(data) after a miss

	flags     uint8
	haveFlags bool
	repeating bool // the layout repeats a field until the value ends

	miss *FieldError // the first field that did not fit
}

func newReader(c Characteristic, data []byte) *reader {
	return &reader{char: c, data: data}
}

// take returns the next n bytes for the named field, or nil if they are not
// all there.
func (r *reader) take(field string, n int) []byte {
	start := r.off
	r.off += n
	if r.miss != nil {
		return nil
	}
	if start+n > len(r.data) {
		r.miss = &FieldError{Characteristic: r.char, Field: field, Offset: start, Size: n, Err: ErrTruncated}
		return nil
	}
	return r.data[start : start+n]
}

// flagsByte reads the flags byte that starts every value decoded here.
func (r *reader) flagsByte() uint8 {
	b := r.take("flags", 1)
	if b == nil {
		return 0
	}
	r.flags, r.haveFlags = b[0], true
	return b[0]
}

func (r *reader) u8(field string) uint8 {
	b := r.take(field, 1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16(field string) uint16 {
	b := r.take(field, 2)
	if b == nil {
		return 0
	}
	return uint16(b[0]) | uint16(b[1])<<8
}

func (r *reader) s16(field string) int16 {
	return int16(r.u16(field))
}

func (r *reader) u24(field string) uint32 {
	b := r.take(field, 3)
	if b == nil {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
}

func (r *reader) sfloat(field string) Number {
	return DecodeSFLOAT(r.u16(field))
}

func (r *reader) float(field string) Number {
	b := r.take(field, 4)
	if b == nil {
		return Number{}
	}
	return DecodeFLOAT(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
}

func (r *reader) dateTime(field string) DateTime {
	b := r.take(field, DateTimeSize)
	if b == nil {
		return DateTime{}
	}
	d, _ := DecodeDateTime(b) // cannot fail: b has the right length
	return d
}

// more reports whether bytes remain to be read. Decoders of a field that
// repeats to the end of the value loop on it; calling it marks the layout as
// open-ended for the error message.
func (r *reader) more() bool {
	r.repeating = true
	return r.miss == nil && r.off < len(r.data)
}

// finish returns nil if the fields read covered the value exactly, and a
// *FieldError otherwise.
func (r *reader) finish() error {
	if r.miss == nil && r.off == len(r.data) {
		return nil
	}
	e := r.miss
	if e == nil {
		e = &FieldError{Characteristic: r.char, Offset: r.off, Size: len(r.data) - r.off, Err: ErrTrailingBytes}
	}
	e.Len = len(r.data)
	e.Want = r.off
	e.Flags, e.HasFlags = r.flags, r.haveFlags
	e.wantIsMinimum = r.repeating
	return e
}
