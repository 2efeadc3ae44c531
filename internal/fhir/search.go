package fhir

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/measure"
)

// Page sizes of a search.
const (
	DefaultCount = 50
	MaxCount     = 1000
)

// SearchOptions are what the caller knows about a search beyond its query.
type SearchOptions struct {
	// Lenient is set by the header Prefer: handling=lenient (see
	// LenientHandling): unknown and empty parameters are then ignored, and
	// reported as warnings, rather than refused.
	Lenient bool
	// Location is where a date or time written without a time zone is
	// read (2026-11 is November in that zone); nil means UTC.
	Location *time.Location
}

// Query is a search for Observations, in Tend's terms. Every condition
// must hold; within Codes any one may match.
type Query struct {
	PatientID string // the patient's id; empty when not given

	// Codes are the code values asked for, as sent; TypeKeys are the
	// measurement types they stand for. A reading matches when its type is
	// one of TypeKeys, so 59408-5 and 2708-6 find the same SpO2 readings.
	// Both are empty when no code was given.
	Codes    []SearchCode
	TypeKeys []string

	// From and To bound when the reading was taken: From ≤ taken < To.
	// A zero bound is open.
	From, To time.Time

	Count        int    // page size: DefaultCount unless _count said; 0 asks for the total only
	Ascending    bool   // oldest first (_sort=date); the default is newest first
	Page         string // the token of a next link, from an earlier page; empty for the first page
	SummaryCount bool   // _summary=count: the total only, no entries
	Total        string // _total: none, estimate or accurate; empty when not asked
	Pretty       bool   // _pretty=true

	// NoMatch is set when the conditions cannot all hold (an unknown code
	// only, or dates that exclude each other): answer an empty searchset
	// without asking the store.
	NoMatch bool

	Warnings []Issue  // remarks for the searchset's outcome entry
	Ignored  []string // parameters ignored under lenient handling

	codeParams []string // each code parameter as given, for Encode
}

// SearchCode is one value of the code parameter.
type SearchCode struct {
	System  string // empty with AnySystem for a bare code, or for "|code"
	Code    string
	Any     bool   // the value named no system ("8867-4")
	TypeKey string // the measurement type, or empty when it names none
}

// LenientHandling reports whether a Prefer header (several joined by
// commas) asks for handling=lenient.
func LenientHandling(prefer string) bool {
	lenient := false
	for _, part := range strings.FieldsFunc(prefer, func(r rune) bool { return r == ',' || r == ';' }) {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(strings.TrimSpace(k), "handling") {
			lenient = strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"`), "lenient")
		}
	}
	return lenient
}

// ParseSearch reads the query of GET /fhir/Observation (the part after
// "?"), or the form body of POST /fhir/Observation/_search. It takes
//
//	patient, subject  Patient/{id} or {id} (subject also as subject:Patient)
//	code              [system|]code, commas for OR; repeated for AND
//	date              [eq|ge|gt|le|lt]date, where date may be partial (2026,
//	                  2026-11, 2026-11-22, …T10:30, …T10:30:00[.fff]) and
//	                  covers its whole period; repeated for AND
//	_count            page size, 0 to MaxCount (larger is cut to MaxCount)
//	_sort             date or -date
//	_page             the token of a next link
//	_summary=count, _total, _format (JSON only), _pretty
//
// Anything else is refused unless opts.Lenient. The error is an *Error
// naming each bad parameter.
func ParseSearch(rawQuery string, opts SearchOptions) (Query, error) {
	q := Query{Count: DefaultCount}
	var l issues
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		l.errorf(CodeInvalid, "", "the query string cannot be read: %v", err)
		return Query{}, l.err()
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	bad := func(code IssueCode, param, format string, args ...any) {
		l.errorf(code, "", "search parameter %s: %s", param, fmt.Sprintf(format, args...))
	}
	once := func(param string, vs []string) (string, bool) {
		if len(vs) > 1 {
			bad(CodeInvalid, param, "give it once")
			return "", false
		}
		return vs[0], true
	}
	var typeSets [][]string
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range vals {
			if !yield(k) {
				return
			}
		}
	}) {
		vs := vals[key]
		name, modifier, hasModifier := strings.Cut(key, ":")
		if slices.Contains(vs, "") {
			if opts.Lenient {
				q.Ignored = append(q.Ignored, key)
				l.warnf(CodeInformational, "", "search parameter %s has no value and was ignored", clip(key, 40))
				continue
			}
			bad(CodeInvalid, clip(key, 40), "has no value")
			continue
		}
		known := true
		switch name {
		case "patient", "subject":
			if hasModifier && modifier != "Patient" {
				bad(CodeNotSupported, key, "the only modifier Tend takes is :Patient")
				continue
			}
			for _, v := range vs {
				id, err := searchPatient(v)
				if err != nil {
					bad(CodeValue, name, "%v", err)
					continue
				}
				if q.PatientID != "" && q.PatientID != id {
					bad(CodeNotSupported, name, "search one patient at a time")
					continue
				}
				q.PatientID = id
			}
		case "code":
			if hasModifier {
				bad(CodeNotSupported, key, "modifiers of code are not supported")
				continue
			}
			for _, v := range vs {
				codes, types, err := searchCodes(v, &l)
				if err != nil {
					bad(CodeValue, "code", "%v", err)
					continue
				}
				q.Codes = append(q.Codes, codes...)
				q.codeParams = append(q.codeParams, v)
				typeSets = append(typeSets, types)
			}
		case "date":
			if hasModifier {
				bad(CodeNotSupported, key, "modifiers of date are not supported")
				continue
			}
			for _, v := range vs {
				if err := q.addDate(v, loc); err != nil {
					bad(CodeValue, "date", "%v", err)
				}
			}
		case "_count":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				bad(CodeValue, name, "%q is not a whole number of 0 or more", clip(v, 20))
				continue
			}
			if n > MaxCount {
				l.warnf(CodeInformational, "", "_count %d is more than the most Tend returns in one page; pages hold %d", n, MaxCount)
				n = MaxCount
			}
			q.Count = n
		case "_sort":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			switch v {
			case "date":
				q.Ascending = true
			case "-date":
				q.Ascending = false
			default:
				bad(CodeNotSupported, name, "Tend sorts by date or -date only, not %q", clip(v, 40))
			}
		case "_page":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			if !validPageToken(v) {
				bad(CodeValue, name, "not a page token Tend gave; follow the next link as it is")
				continue
			}
			q.Page = v
		case "_summary":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			switch v {
			case "count":
				q.SummaryCount = true
			case "false":
			default:
				bad(CodeNotSupported, name, "Tend supports _summary=count or false, not %q", clip(v, 20))
			}
		case "_total":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			if v != "none" && v != "estimate" && v != "accurate" {
				bad(CodeValue, name, "must be none, estimate or accurate")
				continue
			}
			q.Total = v
		case "_format":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(strings.Split(v, ";")[0])) {
			case "json", "application/json", "application/fhir+json":
			default:
				bad(CodeNotSupported, name, "Tend answers in JSON only (application/fhir+json), not %q", clip(v, 40))
			}
		case "_pretty":
			v, ok := once(name, vs)
			if !ok {
				continue
			}
			if v != "true" && v != "false" {
				bad(CodeValue, name, "must be true or false")
				continue
			}
			q.Pretty = v == "true"
		default:
			known = false
		}
		if known {
			continue
		}
		if opts.Lenient {
			q.Ignored = append(q.Ignored, key)
			l.warnf(CodeNotSupported, "", "search parameter %s is not supported and was ignored", clip(key, 40))
			continue
		}
		bad(CodeNotSupported, clip(key, 40), "not supported; Tend searches Observations by patient, subject, code and date, with _count, _sort and _page (send Prefer: handling=lenient to have unknown parameters ignored)")
	}
	if err := l.err(); err != nil {
		return Query{}, err
	}
	if len(typeSets) > 0 {
		types := typeSets[0]
		for _, s := range typeSets[1:] {
			types = slices.DeleteFunc(slices.Clone(types), func(t string) bool { return !slices.Contains(s, t) })
		}
		q.TypeKeys = types
		if len(types) == 0 {
			q.NoMatch = true
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		q.NoMatch = true
	}
	q.Warnings = l.warnings()
	return q, nil
}

func searchPatient(v string) (string, error) {
	if strings.Contains(v, ",") {
		return "", fmt.Errorf("search one patient at a time, not a list")
	}
	id := v
	if typ, rest, ok := strings.Cut(v, "/"); ok {
		if typ != "Patient" {
			return "", fmt.Errorf("%q is not a patient: write Patient/{id} or {id}", clip(v, 60))
		}
		id = rest
	}
	if !validID(id) {
		return "", fmt.Errorf("%q is not a patient id: 1 to 64 letters, digits, '-' and '.'", clip(id, 70))
	}
	return id, nil
}

// searchCodes reads one code parameter: a comma-separated list of tokens,
// any of which may match. Codes that name no measurement of Tend match
// nothing and earn a warning.
func searchCodes(v string, l *issues) ([]SearchCode, []string, error) {
	var codes []SearchCode
	var types []string
	for _, tok := range splitUnescaped(v, ',') {
		system, code, anySystem, err := splitToken(tok)
		if err != nil {
			return nil, nil, err
		}
		sc := SearchCode{System: system, Code: code, Any: anySystem}
		if anySystem || system == measure.SystemLOINC {
			t, comp, ok := measure.ByLOINC(code)
			switch {
			case ok && comp == "":
				sc.TypeKey = t.Key
				if !slices.Contains(types, t.Key) {
					types = append(types, t.Key)
				}
			case ok:
				l.warnf(CodeInformational, "", "code %s is a component of the %s panel %s and matches no Observation's code; search for %s", code, lowerName(t.Name), t.Code.Code, t.Code.Code)
			default:
				l.warnf(CodeInformational, "", "code %s is not a measurement Tend stores and matches nothing", clip(code, 40))
			}
		} else {
			l.warnf(CodeInformational, "", "Tend codes Observations in LOINC (%s); %s|%s matches nothing", measure.SystemLOINC, clip(system, 60), clip(code, 40))
		}
		codes = append(codes, sc)
	}
	return codes, types, nil
}

func splitUnescaped(s string, sep byte) []string {
	var parts []string
	for {
		i := indexUnescaped(s, sep)
		if i < 0 {
			return append(parts, s)
		}
		parts = append(parts, s[:i])
		s = s[i+1:]
	}
}

// addDate narrows [From, To) by one date parameter.
func (q *Query) addDate(v string, loc *time.Location) error {
	prefix := "eq"
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, v = v[:2], v[2:]
	}
	d, err := parseDateTime(v, dateOptions{allowMinute: true, zoneless: loc})
	if err != nil {
		return err
	}
	start, end := d.Time, d.End()
	switch prefix {
	case "eq":
		q.narrowFrom(start)
		q.narrowTo(end)
	case "ge":
		q.narrowFrom(start)
	case "gt":
		q.narrowFrom(end)
	case "le":
		q.narrowTo(end)
	case "lt":
		q.narrowTo(start)
	case "ne", "sa", "eb", "ap":
		return fmt.Errorf("the prefix %s is not supported; use eq, ge, gt, le or lt", prefix)
	default:
		return fmt.Errorf("%q is not a date prefix; use eq, ge, gt, le or lt", prefix)
	}
	return nil
}

func (q *Query) narrowFrom(t time.Time) {
	if q.From.IsZero() || t.After(q.From) {
		q.From = t
	}
}

func (q *Query) narrowTo(t time.Time) {
	if q.To.IsZero() || t.Before(q.To) {
		q.To = t
	}
}

// validPageToken reports whether s could be a page token Tend wrote: up to
// 512 URL-safe characters.
func validPageToken(s string) bool {
	if len(s) > 512 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || strings.IndexByte("-_.~=", c) >= 0) {
			return false
		}
	}
	return true
}

// Encode writes the query as Tend understood it, for the self and next
// links of a searchset: the patient as Patient/{id}, the codes as given,
// the dates as the bounds they make (ge From, lt To, in UTC), then _sort,
// _count and _page.
func (q Query) Encode() string {
	var parts []string
	add := func(k, v string) { parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v)) }
	if q.PatientID != "" {
		add("patient", "Patient/"+q.PatientID)
	}
	for _, c := range q.codeParams {
		add("code", c)
	}
	if len(q.codeParams) == 0 && len(q.Codes) > 0 { // a Query built by hand
		var cs []string
		for _, c := range q.Codes {
			code := escapeToken(c.Code)
			if !c.Any {
				code = escapeToken(c.System) + "|" + code
			}
			cs = append(cs, code)
		}
		add("code", strings.Join(cs, ","))
	}
	if !q.From.IsZero() {
		add("date", "ge"+formatDateTime(q.From.UTC()))
	}
	if !q.To.IsZero() {
		add("date", "lt"+formatDateTime(q.To.UTC()))
	}
	if q.Ascending {
		add("_sort", "date")
	} else {
		add("_sort", "-date")
	}
	add("_count", strconv.Itoa(q.Count))
	if q.SummaryCount {
		add("_summary", "count")
	}
	if q.Total != "" {
		add("_total", q.Total)
	}
	if q.Page != "" {
		add("_page", q.Page)
	}
	return strings.Join(parts, "&")
}

var tokenEscaper = strings.NewReplacer(`\`, `\\`, `|`, `\|`, `,`, `\,`, `$`, `\$`)

func escapeToken(s string) string { return tokenEscaper.Replace(s) }
