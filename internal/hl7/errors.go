package hl7

import (
	"fmt"
	"strconv"
	"strings"
)

// ErrorCode is a value from HL7 table 0357, "message error condition code".
// It is sent in ERR-3 of a negative acknowledgement.
type ErrorCode int

// The values of HL7 table 0357.
const (
	CodeAccepted                 ErrorCode = 0   // Message accepted
	CodeSegmentSequence          ErrorCode = 100 // Segment sequence error
	CodeRequiredFieldMissing     ErrorCode = 101 // Required field missing
	CodeDataType                 ErrorCode = 102 // Data type error
	CodeTableValueNotFound       ErrorCode = 103 // Table value not found
	CodeUnsupportedMessageType   ErrorCode = 200 // Unsupported message type
	CodeUnsupportedEventCode     ErrorCode = 201 // Unsupported event code
	CodeUnsupportedProcessingID  ErrorCode = 202 // Unsupported processing id
	CodeUnsupportedVersionID     ErrorCode = 203 // Unsupported version id
	CodeUnknownKeyIdentifier     ErrorCode = 204 // Unknown key identifier
	CodeDuplicateKeyIdentifier   ErrorCode = 205 // Duplicate key identifier
	CodeApplicationRecordLocked  ErrorCode = 206 // Application record locked
	CodeApplicationInternalError ErrorCode = 207 // Application internal error
)

// String returns the table 0357 description of c, such as "Required field
// missing".
func (c ErrorCode) String() string {
	switch c {
	case CodeAccepted:
		return "Message accepted"
	case CodeSegmentSequence:
		return "Segment sequence error"
	case CodeRequiredFieldMissing:
		return "Required field missing"
	case CodeDataType:
		return "Data type error"
	case CodeTableValueNotFound:
		return "Table value not found"
	case CodeUnsupportedMessageType:
		return "Unsupported message type"
	case CodeUnsupportedEventCode:
		return "Unsupported event code"
	case CodeUnsupportedProcessingID:
		return "Unsupported processing id"
	case CodeUnsupportedVersionID:
		return "Unsupported version id"
	case CodeUnknownKeyIdentifier:
		return "Unknown key identifier"
	case CodeDuplicateKeyIdentifier:
		return "Duplicate key identifier"
	case CodeApplicationRecordLocked:
		return "Application record locked"
	case CodeApplicationInternalError:
		return "Application internal error"
	}
	return "Error code " + strconv.Itoa(int(c))
}

// AckCode returns the MSA-1 acknowledgement code that goes with c in
// original acknowledgement mode: AA for CodeAccepted; AR ("reject: resend
// later, or fix MSH-9/11/12") for unsupported message type, event,
// processing id or version and for receiver-side trouble (206, 207); AE
// ("error: fix the message before resending") for everything else.
func (c ErrorCode) AckCode() AckCode {
	switch c {
	case CodeAccepted:
		return AA
	case CodeUnsupportedMessageType, CodeUnsupportedEventCode,
		CodeUnsupportedProcessingID, CodeUnsupportedVersionID,
		CodeApplicationRecordLocked, CodeApplicationInternalError:
		return AR
	}
	return AE
}

// Location points at a place in a message, in the terms of HL7's ERL data
// type (used in ERR-2). Zero fields mean "not narrowed down further".
type Location struct {
	Segment      string // segment ID, such as "OBX"
	Sequence     int    // which occurrence of that segment ID, 1-based
	Field        int    // field number, 1-based
	Repetition   int    // repetition of the field, 1-based
	Component    int    // component, 1-based
	Subcomponent int    // subcomponent, 1-based
}

// String returns l in the usual notation: "OBX-5", "PID-3(2).4", "OBX-6.3".
// A repetition is shown only when it is not the first.
func (l Location) String() string {
	if l.Segment == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(l.Segment)
	if l.Field > 0 {
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(l.Field))
		if l.Repetition > 1 {
			fmt.Fprintf(&b, "(%d)", l.Repetition)
		}
		if l.Component > 0 {
			fmt.Fprintf(&b, ".%d", l.Component)
			if l.Subcomponent > 0 {
				fmt.Fprintf(&b, ".%d", l.Subcomponent)
			}
		}
	}
	return b.String()
}

// Error is a problem with the content of an HL7 message: its structure, a
// missing or badly typed field, an unsupported message type. It says where
// the problem is and which table 0357 code describes it, so that the
// receiver can acknowledge with a precise ERR segment.
//
// Error texts never contain field contents, only positions, delimiters,
// segment names and codes; they are safe to log.
type Error struct {
	Code     ErrorCode
	Location Location
	// SegmentIndex is the position of the segment among all segments of
	// the message, 1-based; 0 when the problem is not tied to a segment.
	SegmentIndex int
	// Msg says what is wrong, in plain words.
	Msg string
}

// Error implements the error interface.
func (e *Error) Error() string { return "hl7: " + e.Detail() }

// Detail is the error text without the package prefix, as it is written
// into ERR-8 of an acknowledgement: "segment 6 OBX-5: value is not a valid
// NM number".
func (e *Error) Detail() string {
	var b strings.Builder
	if e.SegmentIndex > 0 {
		fmt.Fprintf(&b, "segment %d", e.SegmentIndex)
	}
	if loc := e.Location.String(); loc != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(loc)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// errAt builds an *Error about field n (0 for the whole segment) of seg.
func errAt(seg *Segment, field int, code ErrorCode, format string, args ...any) *Error {
	e := &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
	if seg != nil {
		e.SegmentIndex = seg.index
		e.Location = Location{Segment: seg.name, Sequence: seg.seq, Field: field}
	}
	return e
}

// errAtComp is errAt narrowed to component c of field n.
func errAtComp(seg *Segment, field, comp int, code ErrorCode, format string, args ...any) *Error {
	e := errAt(seg, field, code, format, args...)
	e.Location.Component = comp
	return e
}

// quoteCode quotes a short code taken from a message (a message type, a
// coding system) for an error text, cutting it off so that an error can
// never carry a long run of message content.
func quoteCode(s string) string {
	const maxLen = 48
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return strconv.Quote(s)
}
