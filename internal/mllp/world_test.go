package mllp_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/hl7"
	"github.com/tend-health/tend/internal/mllp"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// now is Tend's clock during the tests: a minute after the sample message
// of the standards reference was sent.
var now = time.Date(2026, 11, 22, 10, 31, 0, 0, time.UTC)

// The EUI-64s of the world's monitors.
const (
	euiMonitor  = "0123456789ABCDEF" // the sample's gateway and monitor, the patient's
	euiDisabled = "1122334455667788"
	euiLoose    = "AABBCCDDEEFF0011" // assigned to nobody
	euiOther    = "0011223344556677" // another patient's
	euiUnknown  = "FEDCBA9876543210" // not registered
)

// world is a patient with MRN 12345 and the sample's monitor, another
// patient with MRN 67890 and a monitor of their own, a disabled monitor and
// one assigned to nobody.
type world struct {
	d        *db.DB
	clock    *clock.Fake
	people   *people.Service
	dev      *devices.Service
	readings *readings.Service
	audit    *audit.Log
	patient  people.Principal
	other    people.Principal
	monitor  devices.Device
	disabled devices.Device
}

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFake(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC))
	w := &world{d: d, clock: c, people: people.NewService(d, c), audit: audit.New(d, c)}
	mk := func(email, mrn string) people.Principal {
		u, err := w.people.Create(ctx, people.NewUser{Email: email, Name: email, Roles: []people.Role{people.Patient},
			Profile: &people.Profile{MRN: mrn, TimeZone: "Europe/Oslo"}})
		if err != nil {
			t.Fatal(err)
		}
		return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
	}
	w.patient, w.other = mk("pat@example.org", "12345"), mk("other@example.org", "67890")
	acc := access.New(d, c, w.people)
	w.dev = devices.New(d, c, w.people, acc)
	w.readings = readings.New(d, c, acc, w.dev, readings.Options{})
	t.Cleanup(func() {
		w.readings.Close()
		w.dev.Close()
	})
	add := func(serial, eui, patient string) devices.Device {
		dv, _, err := w.dev.Add(ctx, devices.NewDevice{Kind: devices.MultiParameterMonitor, Maker: "Acme", Serial: serial,
			EUI64: eui, Protocol: "mllp"})
		if err != nil {
			t.Fatal(err)
		}
		if patient != "" {
			if dv, err = w.dev.Assign(ctx, dv.ID, patient); err != nil {
				t.Fatal(err)
			}
		}
		return dv
	}
	w.monitor = add("M1", euiMonitor, w.patient.UserID)
	w.disabled = add("M2", euiDisabled, w.patient.UserID)
	add("M3", euiLoose, "")
	add("M4", euiOther, w.other.UserID)
	if _, err := w.dev.SetEnabled(ctx, w.disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	c.Set(now)
	return w
}

// start runs a door on a free port.
func (w *world) start(t testing.TB, cfg mllp.Config, ing mllp.Ingester) *mllp.Door {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if ing == nil {
		ing = w.readings
	}
	door, err := mllp.New(cfg, mllp.Deps{Patients: mllp.PatientsByMRN(w.d), Devices: w.dev, Readings: ing, Audit: w.audit, Clock: w.clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := door.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { door.Close() })
	return door
}

func (w *world) list(t testing.TB) []readings.Reading {
	t.Helper()
	p, err := w.readings.List(context.Background(), w.patient, readings.Query{PatientID: w.patient.UserID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return p.Readings
}

func byType(rs []readings.Reading, typ string) []readings.Reading {
	var out []readings.Reading
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// The sample message of the standards reference (§3), segment by segment.
var sample = []string{
	`MSH|^~\&|GW^0123456789ABCDEF^EUI-64||EHR||20261122103000+0000||ORU^R01^ORU_R01|MSG00001|P|2.6|||NE|AL||UNICODE UTF-8|||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO`,
	`PID|||12345^^^HOSP^PI||DOE^JOHN^^^^^L`,
	`PV1||I|ICU^^BED1`,
	`OBR|1|MSG00001^GW^0123456789ABCDEF^EUI-64|MSG00001^GW^0123456789ABCDEF^EUI-64|182777000^monitoring of patient^SCT|||20261122103000+0000`,
	`OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||0123456789ABCDEF^EUI-64`,
	`OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||20261122103000+0000`,
	`OBX|3|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.1.1.2|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20261122103000+0000`,
	`OBX|4|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.2.1.1|128|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000`,
	`OBX|5|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.2.1.2|82|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000`,
	`OBX|6|NM|150023^MDC_PRESS_BLD_NONINV_MEAN^MDC|1.2.1.3|97|266016^MDC_DIM_MMHG^MDC|||||R|||20261122103000+0000`,
}

// message is the sample with edits: each edit replaces old with new in
// the whole text.
func message(edits ...string) string {
	s := strings.Join(sample, "\r") + "\r"
	for i := 0; i+1 < len(edits); i += 2 {
		s = strings.ReplaceAll(s, edits[i], edits[i+1])
	}
	return s
}

// hl7Client is a small MLLP client.
type hl7Client struct {
	conn net.Conn
	r    *hl7.Reader
}

func dial(t testing.TB, addr string) *hl7Client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &hl7Client{conn: c, r: hl7.NewReader(c, 0)}
}

// raw writes bytes as they are.
func (c *hl7Client) raw(t testing.TB, b string) {
	t.Helper()
	if _, err := c.conn.Write([]byte(b)); err != nil {
		t.Fatal(err)
	}
}

// send frames a message and returns the acknowledgement.
func (c *hl7Client) send(t testing.TB, msg string) ack {
	t.Helper()
	c.raw(t, "\x0b"+msg+"\x1c\r")
	return c.read(t)
}

func (c *hl7Client) read(t testing.TB) ack {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := c.r.ReadMessage()
	if err != nil {
		t.Fatalf("no acknowledgement: %v", err)
	}
	return parseAck(t, string(b))
}

// closed tells whether the server closed the connection (within d).
func (c *hl7Client) closed(d time.Duration) bool {
	c.conn.SetReadDeadline(time.Now().Add(d))
	_, err := c.conn.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// ack is an acknowledgement taken apart.
type ack struct {
	text    string
	code    string   // MSA-1
	control string   // MSA-2
	errs    []string // ERR segments
}

func parseAck(t testing.TB, s string) ack {
	t.Helper()
	m, err := hl7.Parse([]byte(s))
	if err != nil {
		t.Fatalf("acknowledgement does not parse: %v\n%q", err, s)
	}
	if code, _, _ := m.Type(); code != "ACK" {
		t.Fatalf("not an ACK: %q", s)
	}
	a := ack{text: s}
	msa := m.First("MSA")
	if msa == nil {
		t.Fatalf("no MSA: %q", s)
	}
	a.code, a.control = msa.Field(1), msa.Field(2)
	for _, seg := range strings.Split(s, "\r") {
		if strings.HasPrefix(seg, "ERR|") {
			a.errs = append(a.errs, seg)
		}
	}
	return a
}

func (a ack) has(sub string) bool { return strings.Contains(a.text, sub) }
