package hl7

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AckCode is an MSA-1 acknowledgement code (HL7 table 0008).
type AckCode string

// Acknowledgement codes. Original mode uses AA, AE and AR; enhanced mode's
// accept acknowledgements use CA, CE and CR.
const (
	AA AckCode = "AA" // application accept
	AE AckCode = "AE" // application error: the sender should fix the message
	AR AckCode = "AR" // application reject: message type/version unsupported, or a receiver problem
	CA AckCode = "CA" // commit accept
	CE AckCode = "CE" // commit error
	CR AckCode = "CR" // commit reject
)

// DefaultVersion is the HL7 version written into an acknowledgement when the
// original message does not say (PCD-01 uses 2.6).
const DefaultVersion = "2.6"

// ACKOptions are what the receiver decides about an acknowledgement; the
// rest comes from the original message.
type ACKOptions struct {
	Code      AckCode   // MSA-1: AA, AE or AR (or CA, CE, CR)
	ControlID string    // MSH-10 of the acknowledgement itself; required
	Time      time.Time // MSH-7; required (there is no hidden clock)

	// For AE, AR, CE and CR an ERR segment is added with these.
	Error    ErrorCode // ERR-3, from table 0357; 0 means 207 application internal error
	Text     string    // ERR-8, a human-readable message; empty means Error's table text
	Location Location  // ERR-2, where the problem is; optional
}

// BuildACK builds the acknowledgement of orig, segments ended by CR:
//
//	MSH|^~\&|<orig MSH-5>|<orig MSH-6>|<orig MSH-3>|<orig MSH-4>|<Time>||ACK^<orig trigger>^ACK|<ControlID>|<orig MSH-11>|<orig MSH-12>
//	MSA|<Code>|<orig MSH-10>
//	ERR||<Location>|<Error>^<table text>^HL70357|E||||<Text>      (not for AA/CA)
//
// Sending and receiving application and facility are swapped. The
// acknowledgement always uses the delimiters |^~\&, whatever orig used, and
// escapes every value. When orig is nil (the message could not be parsed
// far enough to read its header), the copied fields are left empty, MSH-11
// is P and MSH-12 is DefaultVersion; likewise MSH-11 and MSH-12 default to P
// and DefaultVersion when orig lacks them.
func BuildACK(orig *Message, o ACKOptions) ([]byte, error) {
	switch o.Code {
	case AA, AE, AR, CA, CE, CR:
	default:
		return nil, fmt.Errorf("hl7: building ACK: acknowledgement code %q is not one of AA, AE, AR, CA, CE, CR", string(o.Code))
	}
	if o.ControlID == "" {
		return nil, errors.New("hl7: building ACK: control id (MSH-10) is empty")
	}
	if o.Time.IsZero() {
		return nil, errors.New("hl7: building ACK: time (MSH-7) is zero")
	}
	d := DefaultDelimiters()
	esc := func(s string) string { return Escape(s, d) }
	var sendApp, sendFac, recvApp, recvFac, event, proc, ver, origID string
	if orig != nil {
		h := orig.MSH()
		// Our sender is their receiver and the other way round.
		sendApp = encodeField(h.Repetitions(5), d)
		sendFac = encodeField(h.Repetitions(6), d)
		recvApp = encodeField(h.Repetitions(3), d)
		recvFac = encodeField(h.Repetitions(4), d)
		event = h.Component(9, 2)
		proc = encodeField(h.Repetitions(11), d)
		ver = encodeField(h.Repetitions(12), d)
		// MSA-2 echoes MSH-10 whole, even if the sender put delimiters
		// in it, so that the sender can match the answer.
		origID = encodeField(h.Repetitions(10), d)
	}
	if proc == "" {
		proc = "P"
	}
	if ver == "" {
		ver = DefaultVersion
	}
	var b strings.Builder
	b.WriteString("MSH|^~\\&|")
	b.WriteString(strings.Join([]string{
		sendApp, sendFac, recvApp, recvFac,
		FormatTimestamp(o.Time), "",
		"ACK^" + esc(event) + "^ACK",
		esc(o.ControlID), proc, ver,
	}, "|"))
	b.WriteString("\rMSA|")
	b.WriteString(string(o.Code))
	b.WriteByte('|')
	b.WriteString(origID)
	b.WriteByte('\r')
	if o.Code != AA && o.Code != CA {
		code := o.Error
		if code == CodeAccepted {
			code = CodeApplicationInternalError
		}
		text := o.Text
		if text == "" {
			text = code.String()
		}
		b.WriteString("ERR||")
		b.WriteString(encodeLocation(o.Location, d))
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(int(code)) + "^" + esc(code.String()) + "^HL70357")
		b.WriteString("|E||||")
		b.WriteString(esc(text))
		b.WriteByte('\r')
	}
	return []byte(b.String()), nil
}

// encodeLocation writes l as an ERL: segment^sequence^field^repetition^
// component^subcomponent, without trailing empty components.
func encodeLocation(l Location, d Delimiters) string {
	if l.Segment == "" {
		return ""
	}
	num := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	seq := l.Sequence
	if seq <= 0 {
		seq = 1
	}
	rep := l.Repetition
	if rep <= 0 && l.Component > 0 {
		rep = 1
	}
	rep1 := Repetition{{l.Segment}, {num(seq)}, {num(l.Field)}, {num(rep)}, {num(l.Component)}, {num(l.Subcomponent)}}
	if l.Field <= 0 {
		rep1 = rep1[:2]
	}
	return encodeField([]Repetition{rep1}, d)
}

// ACKFor builds the acknowledgement that answers orig after handling it
// ended with err:
//
//   - err == nil: AA.
//   - err is (or wraps) an *Error: MSA-1 from its code (see
//     ErrorCode.AckCode), ERR-2 its location, ERR-3 its code, ERR-8 its text.
//   - any other error: AR with 207 "application internal error" and a
//     generic text; the error's own text may hold internal details and is
//     not sent (log it instead).
//
// orig may be nil, as for BuildACK.
func ACKFor(orig *Message, err error, controlID string, at time.Time) ([]byte, error) {
	o := ACKOptions{Code: AA, ControlID: controlID, Time: at}
	if err != nil {
		var he *Error
		if errors.As(err, &he) && he.Code != CodeAccepted {
			o.Error, o.Text, o.Location = he.Code, he.Detail(), he.Location
		} else {
			o.Error = CodeApplicationInternalError
			o.Text = "application internal error; resend later"
		}
		o.Code = o.Error.AckCode()
	}
	return BuildACK(orig, o)
}

// ErrorCodeOf returns the table 0357 code for err: CodeAccepted for nil, the
// code of an *Error, and CodeApplicationInternalError for anything else.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return CodeAccepted
	}
	var he *Error
	if errors.As(err, &he) && he.Code != CodeAccepted {
		return he.Code
	}
	return CodeApplicationInternalError
}
