package fhir

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// treeValue turns a node into what encoding/json decodes the same JSON to
// (with UseNumber): the last of equal keys wins there too.
func treeValue(n *node) any {
	switch n.kind {
	case kindObject:
		m := map[string]any{}
		for i := range n.members {
			m[n.members[i].key] = treeValue(&n.members[i].val)
		}
		return m
	case kindArray:
		a := make([]any, len(n.elems))
		for i := range n.elems {
			a[i] = treeValue(&n.elems[i])
		}
		return a
	case kindString:
		return n.text
	case kindNumber:
		return json.Number(n.text)
	case kindBool:
		return n.b
	}
	return nil
}

// compareWithStdlib checks the tree reader against encoding/json.
func compareWithStdlib(t *testing.T, data []byte) {
	t.Helper()
	n, err := parseTree(data)
	valid := json.Valid(data)
	if err != nil {
		if valid && !strings.Contains(err.Error(), "nested more than") {
			t.Fatalf("refused valid JSON %q: %v", data, err)
		}
		checkError(t, err)
		return
	}
	if !valid {
		t.Fatalf("accepted invalid JSON %q", data)
	}
	var want any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if got := treeValue(n); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q read as %#v, encoding/json reads %#v", data, got, want)
	}
}

var jsonSeeds = []string{
	`{"a": [1, -0, 2.50, 1e-7, 3E+2, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\udc00"], "b": {}, "c": []}`,
	`"\u0041\u00"`, `"\ud83d\u0041"`, "\"\xff\xfe ok \xc3\xa9\"", "\"\\u00e9\xff\"", ` [ ] `, `{"a":1,"a":2}`,
	`01`, `1.`, `-`, `.5`, `1e`, `tru`, `nul`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `"a` + "\x01" + `"`, `"\x"`, `[`,
	strings.Repeat("[", 70) + strings.Repeat("]", 70), `{} {}`, "\t\n\r 5 \n", ``, ` `,
}

func TestJSONTree(t *testing.T) {
	for _, s := range jsonSeeds {
		compareWithStdlib(t, []byte(s))
	}
	_, err := parseTree([]byte(`{"a": tru}`))
	if err == nil || !strings.Contains(err.Error(), "invalid character '}' in literal true (at byte 9)") {
		t.Errorf("error %v", err)
	}
}

func FuzzJSONTree(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(standardsBP))
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithStdlib(t, data)
	})
}
