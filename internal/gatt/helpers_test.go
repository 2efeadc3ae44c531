package gatt_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tend-health/tend/internal/gatt"
)

// bytesOf turns "1E 8A 00" into bytes.
func bytesOf(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// num builds an ordinary Number.
func num(m int32, e int8) gatt.Number { return gatt.Number{Mantissa: m, Exponent: e} }

// sameJSON fails the test when got and want differ, showing both as JSON so
// pointers print as the values they point to.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	t.Errorf("%s differs\n got: %s\nwant: %s", what, g, w)
}

// fieldError asserts err is a *gatt.FieldError wrapping target and returns it.
func fieldError(t *testing.T, err, target error) *gatt.FieldError {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error wrapping %v, got nil", target)
	}
	if !errors.Is(err, target) {
		t.Fatalf("error %q does not wrap %v", err, target)
	}
	var fe *gatt.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %q is not a *gatt.FieldError", err)
	}
	return fe
}

func flagNames(flags []gatt.Flag) []string {
	names := []string{}
	for _, f := range flags {
		names = append(names, f.Name)
	}
	return names
}
