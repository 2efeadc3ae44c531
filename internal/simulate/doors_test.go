package simulate

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/fhir"
	"github.com/tend-health/tend/internal/hl7"
	"github.com/tend-health/tend/internal/measure"
)

// The HL7 messages are read by Tend's own PCD-01 parser as what they say:
// the patient by MRN, the device by EUI-64, each number with its MDC code
// mapped to the reading's LOINC code, at the reading's time.
func TestORUMessages(t *testing.T) {
	w := world(t, 2, 5)
	n := 0
	for _, d := range w.Devices {
		ms, _ := d.Measure(day0, day0.Add(6*time.Hour), Injections{})
		for _, m := range ms {
			raw, err := ORU(m)
			if !DoorMLLP.carries(d.Kind) {
				if err == nil {
					t.Errorf("%s: an ORU for glucose?", d)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			msg, err := hl7.Parse(raw)
			if err != nil {
				t.Fatalf("%s: %v\n%s", d, err, strings.ReplaceAll(string(raw), "\r", "\n"))
			}
			oru, err := hl7.ParseORU(msg, nil)
			if err != nil {
				t.Fatalf("%s: %v\n%s", d, err, strings.ReplaceAll(string(raw), "\r", "\n"))
			}
			if oru.ControlID != ControlID(m) || oru.SendingEUI64 != d.EUI64 || oru.Patient.Identifiers[0].ID != d.Patient.MRN ||
				oru.Patient.Name.Family == "" {
				t.Fatalf("header %+v", oru)
			}
			want := map[string]float64{}
			for _, r := range m.Readings {
				typ, _ := measure.ByKey(r.Type)
				if typ.IsPanel() {
					for _, c := range r.Components {
						tc, _ := typ.Component(c.Key)
						want[tc.Code.Code] = c.Value
					}
				} else {
					want[typ.Code.Code] = r.Value
				}
			}
			got := map[string]float64{}
			for _, o := range oru.Observations {
				if o.IsDevice {
					continue
				}
				mp, err := hl7.MapObservation(o)
				if err != nil {
					t.Fatalf("%s OBX %d: %v", d, o.SetID, err)
				}
				if o.DeviceEUI64 != d.EUI64 || !o.Time.Time.Equal(m.TakenAt) || mp.UCUM != unitOf(mustType(mp.Measure.LOINC)) {
					t.Errorf("%s OBX %d: device %q time %v unit %q", d, o.SetID, o.DeviceEUI64, o.Time.Time, mp.UCUM)
				}
				got[mp.Measure.LOINC] = o.Number
				n++
			}
			if len(got) != len(want) {
				t.Fatalf("%s: OBX values %v, want %v", d, got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s %s: %v, want %v", d, k, got[k], v)
				}
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d OBX rows checked", n)
	}
}

func mustType(loinc string) string {
	t, _, _ := measure.ByLOINC(loinc)
	return t.Key
}

// fakeMLLP is an MLLP listener that answers like an HL7 door: AA for a
// message whose numbers are plausible, AE naming the implausible value
// otherwise. It drops the first connection once without answering, to
// make the sender reconnect and resend.
type fakeMLLP struct {
	ln       net.Listener
	mu       sync.Mutex
	controls []string
	dropped  bool
}

func startFakeMLLP(t *testing.T) *fakeMLLP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeMLLP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(conn)
		}
	}()
	return f
}

func (f *fakeMLLP) serve(conn net.Conn) {
	defer conn.Close()
	r := hl7.NewReader(conn, 0)
	for {
		raw, err := r.ReadMessage()
		if err != nil {
			return
		}
		msg, err := hl7.Parse(raw)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.controls = append(f.controls, msg.ControlID())
		drop := !f.dropped
		f.dropped = true
		f.mu.Unlock()
		if drop {
			return
		}
		var problem error
		oru, err := hl7.ParseORU(msg, nil)
		if err != nil {
			problem = err
		} else {
			for _, o := range oru.Observations {
				if o.IsDevice {
					continue
				}
				mp, err := hl7.MapObservation(o)
				if err == nil {
					typ, comp, _ := measure.ByLOINC(mp.Measure.LOINC)
					_, err = measure.Normalize(typ.Key, comp, o.Number, mp.UCUM)
				}
				if err != nil {
					problem = &hl7.Error{Code: hl7.CodeDataType, Msg: err.Error()}
					break
				}
			}
		}
		ack, err := hl7.ACKFor(msg, problem, "ACK"+msg.ControlID(), time.Now())
		if err != nil {
			return
		}
		if hl7.WriteFrame(conn, ack) != nil {
			return
		}
	}
}

func TestMLLPSender(t *testing.T) {
	f := startFakeMLLP(t)
	w := world(t, 4, 5)
	monitor := w.Patients[4].Devices[0] // hospital at home
	ms, _ := monitor.Measure(day0, day0.Add(12*time.Hour), Injections{OutOfRange: 0.1})
	oor := 0
	for _, m := range ms {
		for _, r := range m.Readings {
			if r.OutOfRange {
				oor++
				break // a message is refused whole
			}
		}
	}
	s := &mllpSender{addr: f.ln.Addr().String(), timeout: 5 * time.Second}
	c := newCounter(time.Now())
	if err := s.send(context.Background(), monitor, ms, c); err != nil {
		t.Fatal(err)
	}
	s.close(c)
	got := c.snapshot(time.Now())
	if got.Sent != int64(readingCount(ms)) || got.Errors != 0 || got.Stored+got.RefusedTotal() != got.Sent {
		t.Errorf("tally %+v for %d readings", got, readingCount(ms))
	}
	if oor == 0 || got.Refused["implausible"] == 0 || len(got.Refused) != 1 {
		t.Errorf("%d messages with implausible values; refused %v", oor, got.Refused)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.controls) != len(ms)+1 || f.controls[0] != f.controls[1] {
		t.Errorf("the message the listener dropped was not sent again: %d messages for %d measurements, first %v", len(f.controls), len(ms), f.controls[:2])
	}
}

// The Observations and Bundles are read by Tend's FHIR package as the
// readings they carry.
func TestFHIRResources(t *testing.T) {
	w := world(t, 6, 5)
	for _, p := range w.Patients {
		p.ID = "patient-" + p.MRN
		for _, d := range p.Devices {
			d.ID = "device-" + d.Serial
		}
	}
	var batch []Measurement
	for _, d := range w.Devices {
		ms, _ := d.Measure(day0, day0.Add(24*time.Hour), Injections{})
		for _, m := range ms[:min(len(ms), 3)] {
			batch = append(batch, m)
			for _, r := range m.Readings {
				raw, err := Observation(m, r)
				if err != nil {
					t.Fatal(err)
				}
				obs, err := fhir.ParseObservation(raw)
				if err != nil {
					t.Fatalf("%s: %v\n%s", r.Type, err, raw)
				}
				rd, err := fhir.ToReading(obs)
				if err != nil {
					t.Fatalf("%s: %v\n%s", r.Type, err, raw)
				}
				if rd.TypeKey != r.Type || rd.Subject.ID != m.Device.Patient.ID || rd.Device.ID != d.ID || rd.ExternalID.Value != r.ExternalID ||
					!rd.TakenAt.Equal(m.TakenAt) || len(rd.Warnings) != 0 {
					t.Errorf("%s read back as %+v", raw, rd)
				}
				if len(r.Components) > 0 {
					for _, c := range r.Components {
						if v, _ := rd.Components[c.Key].Float64(); v != c.Value {
							t.Errorf("%s %s: %v, want %v", r.Type, c.Key, v, c.Value)
						}
					}
				} else if v, _ := rd.Value.Float64(); v != r.Value || rd.Value.Unit != r.Unit {
					t.Errorf("%s: %v %s, want %v %s", r.Type, v, rd.Value.Unit, r.Value, r.Unit)
				}
			}
		}
	}
	for _, kind := range []string{FHIRBatch, FHIRTransaction} {
		raw, err := Bundle(kind, batch)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := fhir.ParseTransaction(raw)
		if err != nil {
			t.Fatal(err)
		}
		if tx.IsTransaction() != (kind == FHIRTransaction) || len(tx.Entries) != readingCount(batch) || tx.Err() != nil {
			t.Errorf("%s: %d entries for %d readings, %v", kind, len(tx.Entries), readingCount(batch), tx.Err())
		}
	}
}

func TestReasonsFromWords(t *testing.T) {
	for text, want := range map[string]string{
		"heart rate 900 /min is outside the plausible range 20–300 /min":                         "implausible",
		"device 0192 (Acme 1) is disabled: its readings are not stored until an administrator …": "disabled",
		"something else": "fallback",
	} {
		if got := reasonIn(text, "fallback"); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
	var o outcome
	json.Unmarshal([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"informational"},
		{"severity":"error","code":"value","diagnostics":"systolic 350 mm[Hg] is outside the plausible range"}]}`), &o)
	if o.reason() != "implausible" {
		t.Errorf("outcome reason %q", o.reason())
	}
}
