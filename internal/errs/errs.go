// Package errs holds the few kinds of error that Tend's services return.
//
// Services say what went wrong in words a person can act on and pick a kind;
// the doors (REST API, FHIR, MLLP, MQTT) turn the kind into their own form of
// answer in one place each. Internal details stay in the wrapped error, which
// is logged but never shown to a client.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error for the doors.
type Kind int

// The kinds of error.
const (
	Internal     Kind = iota // a fault of ours; the client may retry later
	Invalid                  // the input is wrong; the message says how
	NotFound                 // no such thing, or the caller may not know it exists
	Conflict                 // the thing exists already or the state forbids it
	Forbidden                // the caller is known but may not do this
	Unauthorized             // the caller is not (or no longer) signed in
	TooMany                  // throttled; try again later
	TooLarge                 // the request body is over the limit
)

// FieldError names one wrong field of the input.
type FieldError struct {
	Field   string `json:"field"` // e.g. "email" or "readings[3].value"
	Message string `json:"message"`
}

// Error is an error with a kind and a message for people.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	Err     error // the cause, for logs only
	// RetryAfter, with TooMany, says when trying again may succeed.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func newf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Invalidf reports input that is wrong.
func Invalidf(format string, args ...any) *Error { return newf(Invalid, format, args...) }

// NotFoundf reports a missing or hidden thing.
func NotFoundf(format string, args ...any) *Error { return newf(NotFound, format, args...) }

// Conflictf reports a clash with what exists.
func Conflictf(format string, args ...any) *Error { return newf(Conflict, format, args...) }

// Forbiddenf reports a known caller doing what they may not.
func Forbiddenf(format string, args ...any) *Error { return newf(Forbidden, format, args...) }

// Unauthorizedf reports a caller who must sign in.
func Unauthorizedf(format string, args ...any) *Error { return newf(Unauthorized, format, args...) }

// TooManyf reports throttling.
func TooManyf(format string, args ...any) *Error { return newf(TooMany, format, args...) }

// Field reports one wrong input field.
func Field(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: Invalid, Message: msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// Wrap marks err as internal, with a note of what was being done.
func Wrap(err error, doing string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Message: "internal error", Err: fmt.Errorf("%s: %w", doing, err)}
}

// KindOf returns the kind of err; errors of no kind are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is tells whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }
