package fhir

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Decoding FHIR JSON
//
// encoding/json alone cannot say where in a resource a mistake is, keeps
// the last of two equal keys silently and turns decimals into float64. So
// the body is first read into a tree of nodes (objects keep their keys in
// order, numbers keep their text), and the tree is then laid onto the Go
// structs by their json tags, with the FHIRPath of every element at hand
// for error messages.
//
// Rules, in the order they are tried for each member of an object:
//   - a member that is a field of the struct is decoded into it;
//   - "extension" and, on data types, "id" are read over: Tend keeps no
//     extensions, and an extension may be ignored by definition;
//   - "_name", the extension and id part of a primitive "name" the struct
//     knows, is read over likewise;
//   - "modifierExtension" is refused: it changes the meaning of what holds
//     it, so ignoring it could misread the resource;
//   - elements of R4 that Tend does not keep (such as Observation.text or
//     Observation.performer) are read over (see ignoredElements);
//   - elements of R4 that Tend cannot honour (valueInteger, effectiveTiming)
//     are refused with a message saying what to send instead;
//   - anything else is not FHIR and is refused.
//
// null is refused everywhere (FHIR JSON never uses it outside arrays of
// primitives with extensions, which Tend does not take). Empty strings,
// arrays and objects, which FHIR forbids but some senders write, are read as
// absent.

// maxDepth bounds the nesting of a body; real resources stay below 15.
const maxDepth = 64

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindObject
	kindArray
	kindString
	kindNumber
	kindBool
)

func (k nodeKind) String() string {
	switch k {
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "true or false"
	default:
		return "null"
	}
}

// node is one JSON value. Children are held by value, so that a tree
// costs few allocations.
type node struct {
	kind    nodeKind
	b       bool
	text    string   // a string's value or a number's literal
	members []member // an object's members, in order, duplicates kept
	elems   []node   // an array's elements
}

type member struct {
	key string
	val node
}

// member returns the last value of key in an object.
func (n *node) member(key string) *node {
	for i := len(n.members) - 1; i >= 0; i-- {
		if n.members[i].key == key {
			return &n.members[i].val
		}
	}
	return nil
}

// empty reports whether n is an empty string, object or array.
func (n *node) empty() bool {
	switch n.kind {
	case kindString:
		return n.text == ""
	case kindObject:
		return len(n.members) == 0
	case kindArray:
		return len(n.elems) == 0
	}
	return false
}

// resourceTypes makes an empty resource of each type Tend reads.
var resourceTypes = map[string]func() Resource{
	"Observation":         func() Resource { return &Observation{} },
	"Bundle":              func() Resource { return &Bundle{} },
	"OperationOutcome":    func() Resource { return &OperationOutcome{} },
	"Patient":             func() Resource { return &Patient{} },
	"Device":              func() Resource { return &Device{} },
	"CapabilityStatement": func() Resource { return &CapabilityStatement{} },
}

var (
	resourceInterface = reflect.TypeFor[Resource]()
	decimalType       = reflect.TypeFor[Decimal]()
)

// ignoredElements lists, per struct, the R4 elements that are read over.
var ignoredElements = map[reflect.Type][]string{
	reflect.TypeFor[Observation](): {"implicitRules", "language", "text", "contained", "basedOn", "partOf",
		"focus", "encounter", "performer", "specimen", "hasMember", "derivedFrom"},
	reflect.TypeFor[Bundle]():           {"implicitRules", "language", "signature"},
	reflect.TypeFor[OperationOutcome](): {"implicitRules", "language", "text", "contained"},
	reflect.TypeFor[Patient](): {"implicitRules", "language", "text", "contained", "telecom", "deceasedBoolean",
		"deceasedDateTime", "address", "maritalStatus", "multipleBirthBoolean", "multipleBirthInteger", "photo",
		"contact", "communication", "generalPractitioner", "managingOrganization", "link"},
	reflect.TypeFor[Device](): {"implicitRules", "language", "text", "contained", "definition", "udiCarrier",
		"statusReason", "distinctIdentifier", "manufactureDate", "expirationDate", "lotNumber", "partNumber",
		"specialization", "version", "property", "owner", "contact", "location", "url", "note", "safety", "parent"},
	reflect.TypeFor[CapabilityStatement](): {"implicitRules", "language", "text", "contained", "contact",
		"useContext", "jurisdiction", "purpose", "copyright", "instantiates", "imports", "implementationGuide",
		"messaging", "document"},
	reflect.TypeFor[CapabilityRest]():     {"compartment", "operation"},
	reflect.TypeFor[CapabilityResource](): {"searchInclude", "searchRevInclude", "operation", "referencePolicy"},
	reflect.TypeFor[HumanName]():          {"prefix", "suffix", "period"},
}

// unsupportedElements lists, per struct, the R4 elements that are refused,
// with what to send instead.
var unsupportedElements = map[reflect.Type]map[string]string{
	reflect.TypeFor[Observation]():          observationChoices("Observation"),
	reflect.TypeFor[ObservationComponent](): observationChoices("a component"),
}

func observationChoices(what string) map[string]string {
	m := map[string]string{
		"effectiveTiming":  "the vital-signs profile allows only effectiveDateTime or effectivePeriod",
		"effectiveInstant": "the vital-signs profile allows only effectiveDateTime or effectivePeriod",
	}
	if what != "Observation" {
		m = map[string]string{}
	}
	for _, t := range []string{"Boolean", "Integer", "Range", "Ratio", "SampledData", "Time", "DateTime", "Period"} {
		m["value"+t] = "Tend takes the value of " + what + " as valueQuantity, with a UCUM unit"
	}
	return m
}

// structInfo maps JSON member names to the fields of one struct type.
type structInfo struct {
	fields      map[string]int
	ignored     map[string]bool
	unsupported map[string]string
	hasID       bool
}

var structInfos sync.Map // reflect.Type → *structInfo

func infoFor(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string]int{}, ignored: map[string]bool{}, unsupported: unsupportedElements[t]}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		si.fields[name] = i
		if name == "id" {
			si.hasID = true
		}
	}
	for _, name := range ignoredElements[t] {
		si.ignored[name] = true
	}
	structInfos.Store(t, si)
	return si
}

// decoder lays a tree onto Go values, collecting issues. It keeps the
// path to the element being decoded as a stack of steps, and writes it out
// only for an error.
type decoder struct {
	issues
	root  string // "Observation", or "Bundle.entry[3].resource"
	steps []step
}

// step is one step of a path: a member name, or an array index when name
// is empty.
type step struct {
	name  string
	index int
}

func (d *decoder) push(name string) { d.steps = append(d.steps, step{name: name}) }
func (d *decoder) pushIndex(i int)  { d.steps = append(d.steps, step{index: i}) }
func (d *decoder) pop()             { d.steps = d.steps[:len(d.steps)-1] }

// path writes the current path.
func (d *decoder) path() string {
	var b strings.Builder
	b.WriteString(d.root)
	for _, s := range d.steps {
		if s.name != "" {
			b.WriteByte('.')
			b.WriteString(s.name)
		} else {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// fail records an error at the current path.
func (d *decoder) fail(code IssueCode, format string, args ...any) {
	if len(d.list) < maxIssues {
		d.errorf(code, d.path(), format, args...)
	}
}

// failAt records an error at member name of the current element.
func (d *decoder) failAt(name string, code IssueCode, format string, args ...any) {
	d.push(name)
	d.fail(code, format, args...)
	d.pop()
}

// value decodes n into v, which is settable.
func (d *decoder) value(n *node, v reflect.Value) {
	if n.kind == kindNull {
		d.fail(CodeStructure, "null is not allowed in FHIR JSON; leave the element out")
		return
	}
	t := v.Type()
	switch {
	case t == decimalType:
		if n.kind != kindNumber {
			d.fail(CodeStructure, "must be a JSON number, not %s", n.kind)
			return
		}
		v.SetString(n.text)
		return
	case t == resourceInterface:
		if n.kind != kindObject {
			d.fail(CodeStructure, "must be a resource (an object), not %s", n.kind)
			return
		}
		if n.empty() {
			return
		}
		rt := n.member("resourceType")
		if rt == nil || rt.kind != kindString || rt.text == "" {
			d.failAt("resourceType", CodeRequired, "resourceType is required")
			return
		}
		mk, ok := resourceTypes[rt.text]
		if !ok {
			d.failAt("resourceType", CodeNotSupported, "resource type %q is not supported here", clip(rt.text, 40))
			return
		}
		r := mk()
		d.object(n, reflect.ValueOf(r).Elem(), rt.text)
		v.Set(reflect.ValueOf(r))
		return
	}
	switch t.Kind() {
	case reflect.String:
		if n.kind != kindString {
			d.fail(CodeStructure, "must be a string, not %s", n.kind)
			return
		}
		v.SetString(n.text)
	case reflect.Bool:
		if n.kind != kindBool {
			d.fail(CodeStructure, "must be true or false, not %s", n.kind)
			return
		}
		v.SetBool(n.b)
	case reflect.Int:
		if n.kind != kindNumber {
			d.fail(CodeStructure, "must be a JSON number, not %s", n.kind)
			return
		}
		i, err := strconv.Atoi(n.text)
		if err != nil || i < 0 {
			d.fail(CodeValue, "must be a whole number of at least 0, not %s", clip(n.text, 40))
			return
		}
		v.SetInt(int64(i))
	case reflect.Pointer:
		if n.empty() {
			return
		}
		p := reflect.New(t.Elem())
		d.value(n, p.Elem())
		if t.Elem().Kind() == reflect.Struct && p.Elem().IsZero() {
			return // {"meta": {"profile": []}} is no meta at all
		}
		v.Set(p)
	case reflect.Slice:
		if n.kind != kindArray {
			d.fail(CodeStructure, "must be an array (FHIR writes repeating elements as arrays even when there is one), not %s", n.kind)
			return
		}
		if len(n.elems) == 0 {
			return
		}
		s := reflect.MakeSlice(t, len(n.elems), len(n.elems))
		for i := range n.elems {
			d.pushIndex(i)
			d.value(&n.elems[i], s.Index(i))
			d.pop()
		}
		v.Set(s)
	case reflect.Struct:
		if n.kind != kindObject {
			d.fail(CodeStructure, "must be an object, not %s", n.kind)
			return
		}
		d.object(n, v, resourceTypeOf(t))
	default:
		// The package's own types use none other; reaching here is a bug.
		d.fail(CodeException, "cannot decode into %s", t)
	}
}

// resourceTypeOf returns the resourceType of a struct that is a resource,
// or "".
func resourceTypeOf(t reflect.Type) string {
	if r, ok := reflect.Zero(t).Interface().(Resource); ok {
		return r.ResourceType()
	}
	return ""
}

// object decodes the members of object n into struct v. For a resource,
// resourceType names it; skip lists members the caller decodes itself.
func (d *decoder) object(n *node, v reflect.Value, resourceType string, skip ...string) {
	si := infoFor(v.Type())
	if resourceType != "" {
		rt := n.member("resourceType")
		switch {
		case rt == nil:
			d.failAt("resourceType", CodeRequired, "resourceType is required (%q)", resourceType)
		case rt.kind != kindString:
			d.failAt("resourceType", CodeStructure, "must be a string, not %s", rt.kind)
		case rt.text != resourceType:
			d.failAt("resourceType", CodeInvalid, "expected a %s, got %q", resourceType, clip(rt.text, 40))
		}
	}
	dup := duplicates(n.members)
	for i := range n.members {
		m := &n.members[i]
		key := m.key
		if dup(i) {
			d.failAt(key, CodeStructure, "appears more than once")
			continue
		}
		if idx, ok := si.fields[key]; ok {
			if !contains(skip, key) {
				d.push(key)
				d.value(&m.val, v.Field(idx))
				d.pop()
			}
			continue
		}
		base, isPrimitiveExt := strings.CutPrefix(key, "_")
		switch {
		case key == "resourceType" && resourceType != "":
		case key == "extension" || (key == "id" && !si.hasID):
			d.skipped(key, &m.val, key == "id")
		case isPrimitiveExt && (hasField(si, base) || si.ignored[base]):
			d.skipped(key, &m.val, false)
		case key == "modifierExtension":
			d.failAt(key, CodeNotSupported, "Tend does not know this modifier extension, so it cannot read the element safely")
		case si.ignored[key]:
		case si.unsupported[key] != "":
			d.failAt(key, CodeNotSupported, "%s is not accepted: %s", key, si.unsupported[key])
		default:
			d.failAt(clip(key, 64), CodeStructure, "unknown element %q%s", clip(key, 64), hintFor(si, key))
		}
	}
}

// duplicates finds repeated keys: dup(i) reports whether the key of
// members[i] is also an earlier member's. Objects are small, so a scan
// beats a map; a large one (which no FHIR resource is) gets a map, so that
// a body of many keys cannot make the check quadratic.
func duplicates(members []member) func(i int) bool {
	if len(members) <= 16 {
		return func(i int) bool {
			for j := 0; j < i; j++ {
				if members[j].key == members[i].key {
					return true
				}
			}
			return false
		}
	}
	first := make(map[string]int, len(members))
	for i, m := range members {
		if _, ok := first[m.key]; !ok {
			first[m.key] = i
		}
	}
	return func(i int) bool { return first[members[i].key] != i }
}

func hasField(si *structInfo, name string) bool {
	_, ok := si.fields[name]
	return ok
}

// skipped checks the shape of member key, which is read over: an id is
// a string, an extension an array, a primitive's extension an object or an
// array.
func (d *decoder) skipped(key string, n *node, isID bool) {
	switch {
	case n.kind == kindNull:
		d.failAt(key, CodeStructure, "null is not allowed in FHIR JSON; leave the element out")
	case isID && n.kind != kindString:
		d.failAt(key, CodeStructure, "must be a string, not %s", n.kind)
	case !isID && n.kind != kindArray && n.kind != kindObject:
		d.failAt(key, CodeStructure, "must be an object or an array, not %s", n.kind)
	}
}

// hintFor suggests the element a misspelt or miscased name meant.
func hintFor(si *structInfo, key string) string {
	for name := range si.fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf("; did you mean %q?", name)
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decodeResource parses data as one resource of the given type into v.
func decodeResource(data []byte, resourceType string, v any) error {
	root, err := parseTree(data)
	if err != nil {
		return err
	}
	if root.kind != kindObject {
		return Errorf(CodeStructure, "", "the body must be a JSON object (a FHIR %s), not %s", resourceType, root.kind)
	}
	if rt := root.member("resourceType"); rt != nil && rt.kind == kindString && rt.text != resourceType {
		if _, known := resourceTypes[rt.text]; known || looksLikeResourceType(rt.text) {
			return Errorf(CodeInvalid, "resourceType", "expected a %s, got a %q", resourceType, rt.text)
		}
		return Errorf(CodeInvalid, "resourceType", "%q is not a FHIR resource type; expected %s", rt.text, resourceType)
	}
	d := decoder{root: resourceType}
	d.object(root, reflect.ValueOf(v).Elem(), resourceType)
	return d.err()
}

// looksLikeResourceType reports whether s has the shape of a resource type
// name (an upper-case letter, then letters).
func looksLikeResourceType(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// ParseObservation reads an Observation from FHIR JSON. Errors are an
// *Error whose issues are located by FHIRPath ("Observation.code.coding[0].system").
// It checks the shape of the resource only; ToReading checks what it says.
func ParseObservation(data []byte) (*Observation, error) {
	var o Observation
	if err := decodeResource(data, "Observation", &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ParseBundle reads a Bundle of any type from FHIR JSON, with its entries'
// resources of the types this package knows (Observation, Bundle,
// OperationOutcome, Patient, Device, CapabilityStatement). To take in a
// transaction or batch of Observations, with one verdict per entry, use
// ParseTransaction instead.
func ParseBundle(data []byte) (*Bundle, error) {
	var b Bundle
	if err := decodeResource(data, "Bundle", &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// ParseResource reads any resource this package knows from FHIR JSON.
func ParseResource(data []byte) (Resource, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	if root.kind != kindObject {
		return nil, Errorf(CodeStructure, "", "the body must be a JSON object (a FHIR resource), not %s", root.kind)
	}
	rt := root.member("resourceType")
	if rt == nil || rt.kind != kindString || rt.text == "" {
		return nil, Errorf(CodeRequired, "resourceType", "resourceType is required")
	}
	mk, ok := resourceTypes[rt.text]
	if !ok {
		return nil, Errorf(CodeNotSupported, "resourceType", "resource type %q is not supported", rt.text)
	}
	r := mk()
	d := decoder{root: rt.text}
	d.object(root, reflect.ValueOf(r).Elem(), rt.text)
	if err := d.err(); err != nil {
		return nil, err
	}
	return r, nil
}
