package hl7

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestMDCTable pins every row of the table against standards.md §1 and §3.
func TestMDCTable(t *testing.T) {
	measures := []struct{ code, ref, loinc, ucum, mdcUnit string }{
		{"150456", "MDC_PULS_OXIM_SAT_O2", "2708-6", "%", "262688"},
		{"149530", "MDC_PULS_OXIM_PULS_RATE", "8867-4", "/min", "264864"},
		{"147842", "MDC_ECG_HEART_RATE", "8867-4", "/min", "264864"},
		{"149546", "MDC_PULS_RATE_NON_INV", "8867-4", "/min", "264864"},
		{"150021", "MDC_PRESS_BLD_NONINV_SYS", "8480-6", "mm[Hg]", "266016"},
		{"150022", "MDC_PRESS_BLD_NONINV_DIA", "8462-4", "mm[Hg]", "266016"},
		{"150023", "MDC_PRESS_BLD_NONINV_MEAN", "8478-0", "mm[Hg]", "266016"},
		{"151562", "MDC_RESP_RATE", "9279-1", "/min", "264928"},
		{"150364", "MDC_TEMP_BODY", "8310-5", "Cel", "268192"},
		{"150344", "MDC_TEMP", "8310-5", "Cel", "268192"},
		{"188736", "MDC_MASS_BODY_ACTUAL", "29463-7", "kg", "263875"},
	}
	if len(MDCMeasures()) != len(measures) {
		t.Errorf("table has %d measures, want %d", len(MDCMeasures()), len(measures))
	}
	for _, w := range measures {
		m, ok := LookupMDC(w.code)
		if !ok || m.RefID != w.ref || m.LOINC != w.loinc || m.UCUM[0] != w.ucum || len(m.MDCUnits) != 1 || m.MDCUnits[0] != w.mdcUnit || m.LOINCDisplay == "" {
			t.Errorf("LookupMDC(%s) = %+v, %v", w.code, m, ok)
		}
	}
	units := []struct{ code, ref, ucum string }{
		{"262688", "MDC_DIM_PERCENT", "%"},
		{"264864", "MDC_DIM_BEAT_PER_MIN", "/min"},
		{"266016", "MDC_DIM_MMHG", "mm[Hg]"},
		{"264928", "MDC_DIM_RESP_PER_MIN", "/min"},
		{"268192", "MDC_DIM_DEGC", "Cel"},
		{"263875", "MDC_DIM_KILO_G", "kg"},
	}
	for _, w := range units {
		if u, ok := LookupMDCUnit(w.code); !ok || u != (MDCUnit{w.code, w.ref, w.ucum}) {
			t.Errorf("LookupMDCUnit(%s) = %+v, %v", w.code, u, ok)
		}
	}
	// Not guessed: the generic MDC_PRESS_BLD_DIA/MEAN that some parsers
	// mislabel, the panel code, and nonsense.
	for _, code := range []string{"150018", "150019", "150020", "", "abc"} {
		if _, ok := LookupMDC(code); ok {
			t.Errorf("LookupMDC(%q) found a row", code)
		}
	}
	if _, ok := LookupMDCUnit("266560"); ok {
		t.Error("LookupMDCUnit found an unknown unit")
	}
	// The table handed out is a copy.
	m, _ := LookupMDC("150456")
	m.UCUM[0] = "mangled"
	MDCMeasures()[0].UCUM[0] = "mangled"
	if m2, _ := LookupMDC("150456"); m2.UCUM[0] != "%" {
		t.Error("LookupMDC hands out the table's own slice")
	}
}

func TestMapSample(t *testing.T) {
	o := mustORU(t, sample)
	want := []struct{ loinc, ucum string }{
		{"", ""}, // device row
		{"2708-6", "%"},
		{"8867-4", "/min"},
		{"8480-6", "mm[Hg]"},
		{"8462-4", "mm[Hg]"},
		{"8478-0", "mm[Hg]"},
	}
	for i, obs := range o.Observations {
		m, err := MapObservation(obs)
		if i == 0 {
			if err == nil || !strings.Contains(err.Error(), "device row") {
				t.Errorf("device row mapped: %+v, %v", m, err)
			}
			continue
		}
		if err != nil || m.Measure.LOINC != want[i].loinc || m.UCUM != want[i].ucum {
			t.Errorf("observation %d: %+v, %v", i+1, m, err)
		}
	}
}

func TestMapObservation(t *testing.T) {
	row := func(code, unit string) Observation {
		line := `OBX|2|NM|` + code + `|1.1.1.1|97|` + unit + `|||||R`
		o, err := ParseORU(mustParse(t, withLine(5, line)), time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return o.Observations[1]
	}
	good := []struct{ code, unit, loinc, ucum string }{
		{"150364^MDC_TEMP_BODY^MDC", "268192^MDC_DIM_DEGC^MDC", "8310-5", "Cel"},
		{"150344^MDC_TEMP^MDC", "[degF]^degF^UCUM", "8310-5", "[degF]"},
		{"188736^MDC_MASS_BODY_ACTUAL^MDC", "[lb_av]^lb^UCUM", "29463-7", "[lb_av]"},
		{"151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "9279-1", "/min"},
		{"147842^MDC_ECG_HEART_RATE^MDC", "/min^beats/min^ucum", "8867-4", "/min"},
		{"149546^MDC_PULS_RATE_NON_INV^mdc", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "8867-4", "/min"},
		// No coding system, but code and reference id agree with the table.
		{"150456^MDC_PULS_OXIM_SAT_O2", "262688^MDC_DIM_PERCENT", "2708-6", "%"},
		// Code and system, no reference id.
		{"150456^^MDC", "262688^^MDC", "2708-6", "%"},
	}
	for _, g := range good {
		m, err := MapObservation(row(g.code, g.unit))
		if err != nil || m.Measure.LOINC != g.loinc || m.UCUM != g.ucum {
			t.Errorf("%s %s: %+v, %v", g.code, g.unit, m, err)
		}
	}
	bad := []struct{ code, unit, loc, text string }{
		{"8867-4^Heart rate^LN", "/min^^UCUM", "OBX-3.3", `coding system "LN" is not MDC`},
		{"150018^MDC_PRESS_BLD_DIA^MDC", "266016^MDC_DIM_MMHG^MDC", "OBX-3.1", `MDC code "150018" is not in Tend's mapping table`},
		{"150022^MDC_PRESS_BLD_NONINV_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC", "OBX-3.2", `MDC code 150022 is MDC_PRESS_BLD_NONINV_DIA, but the message calls it "MDC_PRESS_BLD_NONINV_MEAN"`},
		{"150456", "262688^MDC_DIM_PERCENT^MDC", "OBX-3.3", "coding system missing"},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "", "OBX-6", "unit missing"},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "999999^MDC_DIM_X^MDC", "OBX-6.1", `MDC unit code "999999" is not in`},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_MMHG^MDC", "OBX-6.2", "MDC unit code 262688 is MDC_DIM_PERCENT, but"},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688", "OBX-6.3", "unit coding system missing"},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "266016^MDC_DIM_MMHG^MDC", "OBX-6", "unit MDC_DIM_MMHG does not fit MDC_PULS_OXIM_SAT_O2"},
		{"149530^MDC_PULS_OXIM_PULS_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "OBX-6", "does not fit"},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "mm[Hg]^^UCUM", "OBX-6", `unit "mm[Hg]" does not fit MDC_PULS_OXIM_SAT_O2 (want %)`},
		{"188736^MDC_MASS_BODY_ACTUAL^MDC", "[oz_av]^^UCUM", "OBX-6", "(want kg or g or [lb_av])"},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "percent^^ISO+", "OBX-6.3", `unit coding system "ISO+" is neither MDC nor UCUM`},
	}
	for _, b := range bad {
		_, err := MapObservation(row(b.code, b.unit))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s %s: error %v", b.code, b.unit, err)
			continue
		}
		if e.Location.String() != b.loc || !strings.Contains(err.Error(), b.text) || e.SegmentIndex != 6 {
			t.Errorf("%s %s: %q at %q, want %q at %q", b.code, b.unit, err, e.Location, b.text, b.loc)
		}
		if e.Code != CodeTableValueNotFound && e.Code != CodeRequiredFieldMissing {
			t.Errorf("%s: code %d", b.code, e.Code)
		}
	}
}
