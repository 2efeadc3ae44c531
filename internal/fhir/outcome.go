package fhir

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tend-health/tend/internal/measure"
)

// Severity is an OperationOutcome issue severity.
type Severity string

// Issue severities.
const (
	SeverityFatal       Severity = "fatal"
	SeverityError       Severity = "error"
	SeverityWarning     Severity = "warning"
	SeverityInformation Severity = "information"
)

// IssueCode is an OperationOutcome issue type, from the R4 value set
// http://hl7.org/fhir/issue-type.
type IssueCode string

// The issue types this package and the FHIR door use.
const (
	CodeInvalid       IssueCode = "invalid"       // the content is wrong in general
	CodeStructure     IssueCode = "structure"     // not JSON, or not the shape of the resource
	CodeRequired      IssueCode = "required"      // an element is missing
	CodeValue         IssueCode = "value"         // an element has a wrong value
	CodeInvariant     IssueCode = "invariant"     // a rule across elements is broken
	CodeCodeInvalid   IssueCode = "code-invalid"  // a code is not one of those allowed
	CodeBusinessRule  IssueCode = "business-rule" // valid FHIR that Tend will not do
	CodeNotSupported  IssueCode = "not-supported" // valid FHIR that Tend does not handle
	CodeSecurity      IssueCode = "security"
	CodeLogin         IssueCode = "login"
	CodeForbidden     IssueCode = "forbidden"
	CodeNotFound      IssueCode = "not-found"
	CodeConflict      IssueCode = "conflict"
	CodeDuplicate     IssueCode = "duplicate"
	CodeProcessing    IssueCode = "processing"
	CodeTooCostly     IssueCode = "too-costly"
	CodeThrottled     IssueCode = "throttled"
	CodeException     IssueCode = "exception" // a fault of the server
	CodeInformational IssueCode = "informational"
)

// An Issue is one problem (or remark) about a request, located by a
// FHIRPath-like expression such as "Observation.component[1].valueQuantity.code".
//
// Messages are written for the sender and may quote what it sent, codes and
// numbers included; log Code and Location, not Message, so that no health
// data reaches the logs.
type Issue struct {
	Severity Severity
	Code     IssueCode
	Location string // empty when the issue concerns the request as a whole
	Message  string
}

func (i Issue) String() string {
	if i.Location == "" {
		return i.Message
	}
	return i.Location + ": " + i.Message
}

// Error is a request that cannot be served, with every issue found. It
// holds at least one issue of severity error (or fatal).
type Error struct {
	Issues []Issue
}

// Errorf returns an Error with one issue of severity error.
func Errorf(code IssueCode, location, format string, args ...any) *Error {
	return &Error{Issues: []Issue{{Severity: SeverityError, Code: code, Location: location, Message: fmt.Sprintf(format, args...)}}}
}

func (e *Error) Error() string {
	if len(e.Issues) == 0 {
		return "fhir: invalid request"
	}
	s := "fhir: " + e.Issues[0].String()
	if n := len(e.Issues) - 1; n == 1 {
		s += " (and 1 more issue)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more issues)", n)
	}
	return s
}

// Status is the HTTP status that answers the error, taken from its first
// issue of severity error or fatal.
func (e *Error) Status() int {
	for _, i := range e.Issues {
		if i.Severity == SeverityError || i.Severity == SeverityFatal {
			return StatusFor(i.Code)
		}
	}
	return 400
}

// StatusFor is the HTTP status FHIR servers answer an issue type with:
// 400 when the request cannot be read, 422 when it can but breaks a
// profile or a rule of Tend, and the obvious codes for the rest.
func StatusFor(code IssueCode) int {
	switch code {
	case CodeStructure, CodeInvalid:
		return 400
	case CodeRequired, CodeValue, CodeInvariant, CodeCodeInvalid, CodeBusinessRule, CodeNotSupported, CodeProcessing:
		return 422
	case CodeLogin:
		return 401
	case CodeSecurity, CodeForbidden:
		return 403
	case CodeNotFound:
		return 404
	case CodeConflict, CodeDuplicate:
		return 409
	case CodeTooCostly:
		return 413
	case CodeThrottled:
		return 429
	default:
		return 500
	}
}

// withPrefix returns a copy of e whose locations start with prefix
// ("Bundle.entry[3]"): a location "Observation.status" becomes
// "Bundle.entry[3].resource.status", and an empty one becomes prefix.
func (e *Error) withPrefix(prefix string) *Error {
	out := &Error{Issues: make([]Issue, len(e.Issues))}
	for i, is := range e.Issues {
		is.Location = prefixLocation(prefix, is.Location)
		out.Issues[i] = is
	}
	return out
}

func prefixLocation(prefix, loc string) string {
	switch {
	case loc == "":
		return prefix
	case strings.HasPrefix(loc, "Bundle."):
		return loc
	case strings.HasPrefix(loc, "Observation"):
		return prefix + ".resource" + strings.TrimPrefix(loc, "Observation")
	default:
		return prefix + "." + loc
	}
}

// AsError turns any error into an *Error that is safe to show the sender.
// An *Error is returned as is; the catalogue's refusals (unknown type, unit,
// implausible value, incomplete panel) become a value issue with their own
// message; anything else is a server fault, reported as an exception
// without its details, which belong in the log.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	for _, k := range []error{measure.ErrUnknownType, measure.ErrUnknownComponent, measure.ErrUnit, measure.ErrImplausible, measure.ErrIncomplete} {
		if errors.Is(err, k) {
			return Errorf(CodeValue, "", "%s", err.Error())
		}
	}
	return Errorf(CodeException, "", "the server could not process the request; try again later")
}

// EntryError locates err at entry i of a transaction or batch Bundle, for
// an entry that the ingest path refused.
func EntryError(i int, err error) *Error {
	return AsError(err).withPrefix("Bundle.entry[" + strconv.Itoa(i) + "]")
}

// NewOutcome returns an OperationOutcome holding the issues.
func NewOutcome(issues ...Issue) *OperationOutcome {
	oo := &OperationOutcome{}
	for _, i := range issues {
		sev := i.Severity
		if sev == "" {
			sev = SeverityError
		}
		code := i.Code
		if code == "" {
			code = CodeProcessing
		}
		oi := OperationOutcomeIssue{Severity: string(sev), Code: string(code), Diagnostics: i.Message}
		if i.Location != "" {
			oi.Expression = []string{i.Location}
		}
		oo.Issue = append(oo.Issue, oi)
	}
	return oo
}

// OutcomeFor returns the OperationOutcome that answers err (see AsError),
// and the HTTP status to send it with.
func OutcomeFor(err error) (*OperationOutcome, int) {
	e := AsError(err)
	if e == nil || len(e.Issues) == 0 {
		e = Errorf(CodeException, "", "the server could not process the request; try again later")
	}
	return NewOutcome(e.Issues...), e.Status()
}

// InformationOutcome returns an OperationOutcome saying all went well, with
// any warnings: FHIR wants at least one issue in every OperationOutcome.
func InformationOutcome(message string, warnings ...Issue) *OperationOutcome {
	issues := append([]Issue{{Severity: SeverityInformation, Code: CodeInformational, Message: message}}, warnings...)
	return NewOutcome(issues...)
}

// issues accumulates issues while a resource is checked.
type issues struct {
	list []Issue
}

// maxIssues bounds the issues reported for one resource: past it, more
// only repeat the same mistake.
const maxIssues = 50

func (l *issues) add(sev Severity, code IssueCode, loc, format string, args ...any) {
	if len(l.list) >= maxIssues {
		return
	}
	l.list = append(l.list, Issue{Severity: sev, Code: code, Location: loc, Message: fmt.Sprintf(format, args...)})
}

func (l *issues) errorf(code IssueCode, loc, format string, args ...any) {
	l.add(SeverityError, code, loc, format, args...)
}

func (l *issues) warnf(code IssueCode, loc, format string, args ...any) {
	l.add(SeverityWarning, code, loc, format, args...)
}

// failed reports whether an error was recorded.
func (l *issues) failed() bool {
	for _, i := range l.list {
		if i.Severity == SeverityError || i.Severity == SeverityFatal {
			return true
		}
	}
	return false
}

// err returns the errors (and warnings) as an *Error, or nil if none
// failed.
func (l *issues) err() error {
	if !l.failed() {
		return nil
	}
	return &Error{Issues: l.list}
}

// warnings returns the issues that are not errors.
func (l *issues) warnings() []Issue {
	var w []Issue
	for _, i := range l.list {
		if i.Severity == SeverityWarning || i.Severity == SeverityInformation {
			w = append(w, i)
		}
	}
	return w
}
