package fhir

import (
	"encoding/json"
	"testing"
)

func TestDecimal(t *testing.T) {
	for _, s := range []string{"0", "-0", "37.60", "138", "1e2", "1.5E-3", "-12.000", "0.0055"} {
		d, err := ParseDecimal(s)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", s, err)
			continue
		}
		b, err := json.Marshal(struct {
			V Decimal `json:"v"`
		}{d})
		if err != nil || string(b) != `{"v":`+s+`}` {
			t.Errorf("Marshal %q = %s, %v", s, b, err)
		}
		var back struct {
			V Decimal `json:"v"`
		}
		if err := json.Unmarshal(b, &back); err != nil || back.V != d {
			t.Errorf("Unmarshal %s = %q, %v", b, back.V, err)
		}
	}
	for _, s := range []string{"", "01", "1.", ".5", "+1", "1e", "NaN", "Infinity", "0x10", "1_000", " 1", "37,6"} {
		if _, err := ParseDecimal(s); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", s)
		}
	}
	var d Decimal
	if err := json.Unmarshal([]byte(`"37.6"`), &d); err == nil {
		t.Error("a decimal written as a string was accepted")
	}
	if _, err := Decimal("1e999").Float64(); err == nil {
		t.Error("1e999 read as a float")
	}
	if f, err := Decimal("37.60").Float64(); err != nil || f != 37.6 {
		t.Errorf("Float64 = %v, %v", f, err)
	}
	if _, err := json.Marshal(Decimal("abc")); err == nil {
		t.Error("an invalid Decimal was written")
	}
	for f, want := range map[float64]Decimal{37.6: "37.6", 138: "138", -0.0001: "-0.0001"} {
		if got := DecimalFromFloat(f, -1); got != want {
			t.Errorf("DecimalFromFloat(%v) = %q", f, got)
		}
	}
	if got := DecimalFromFloat(37.6, 2); got != "37.60" {
		t.Errorf("DecimalFromFloat(37.6, 2) = %q", got)
	}
	if got := DecimalFromFloat(-0.001, 1); got != "0.0" {
		t.Errorf("DecimalFromFloat(-0.001, 1) = %q", got)
	}
}
