package mllp_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/mllp"
	"github.com/tend-health/tend/internal/readings"
)

// checkSample checks that the sample's five observations are stored as
// three readings: SpO2, pulse, and one blood pressure.
func checkSample(t testing.TB, rs []readings.Reading) {
	t.Helper()
	spo2, hr, bp := byType(rs, "spo2"), byType(rs, "heart_rate"), byType(rs, "blood_pressure")
	if len(rs) != 3 || len(spo2) != 1 || len(hr) != 1 || len(bp) != 1 {
		t.Fatalf("readings: %+v", rs)
	}
	if *spo2[0].Value != 97 || *hr[0].Value != 72 {
		t.Errorf("SpO2 %v, pulse %v", *spo2[0].Value, *hr[0].Value)
	}
	c := bp[0].Components
	if len(c) != 3 || c[0].Key != "systolic" || c[0].Value != 128 || c[1].Value != 82 || c[2].Value != 97 || bp[0].Unit != "mm[Hg]" {
		t.Errorf("blood pressure: %+v %s", c, bp[0].Unit)
	}
	at := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	for _, r := range rs {
		if !r.TakenAt.Equal(at) || r.Door != readings.DoorMLLP || r.Source != readings.SourceDevice || r.ExternalID == "" {
			t.Errorf("reading %s: taken %s, door %s, source %s, external id %q", r.Type, r.TakenAt, r.Door, r.Source, r.ExternalID)
		}
	}
}

// Debian's mllp_send (python3-hl7), a standard HL7 client, sends the
// standards' sample; it is acknowledged AA, stored, and readable through
// readings.List. Sent again, it is stored once.
func TestMLLPSendSample(t *testing.T) {
	bin, err := exec.LookPath("mllp_send")
	if err != nil {
		t.Fatal("mllp_send not found: apt-get install python3-hl7")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mllp.Config{}, nil)
		host, port, _ := net.SplitHostPort(door.Addr())
		file := filepath.Join(t.TempDir(), "sample.hl7")
		// --loose reads segments ended by line feeds, as people keep
		// messages in files.
		if err := os.WriteFile(file, []byte(strings.Join(sample, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		send := func() string {
			out, err := exec.Command(bin, "--loose", "-f", file, "-p", port, host).CombinedOutput()
			if err != nil {
				t.Fatalf("mllp_send: %v: %s", err, out)
			}
			return string(out)
		}
		out := send()
		if !strings.Contains(out, "MSA|AA|MSG00001") || !strings.Contains(out, "ACK^R01^ACK") {
			t.Fatalf("mllp_send got %q", out)
		}
		checkSample(t, w.list(t))
		if out := send(); !strings.Contains(out, "MSA|AA|MSG00001") {
			t.Fatalf("resent: %q", out)
		}
		checkSample(t, w.list(t))

		// Two messages in one file go over one connection; each is
		// answered.
		second := strings.ReplaceAll(strings.Join(sample, "\n"), "MSG00001", "MSG00002")
		second = strings.ReplaceAll(second, "|97|262688", "|95|262688")
		second = strings.ReplaceAll(second, "20261122103000", "20261122103010")
		if err := os.WriteFile(file, []byte(strings.Join(sample, "\n")+"\n"+second+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out = send()
		if !strings.Contains(out, "MSA|AA|MSG00001") || !strings.Contains(out, "MSA|AA|MSG00002") {
			t.Fatalf("two messages: %q", out)
		}
		if n := len(byType(w.list(t), "spo2")); n != 2 {
			t.Errorf("%d SpO2 readings, want 2", n)
		}
		// Each message was audited, with the device as actor.
		es, err := w.audit.List(context.Background(), audit.Query{ActorID: w.monitor.ID, Action: "mllp.oru", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 4 || es[0].PatientID != w.patient.UserID {
			t.Errorf("audit: %+v", es)
		}
	})
}

// Tend's own client sends several messages over one connection: the
// sample, its variants, and a message whose times carry no UTC offset and
// are read in the patient's zone.
func TestSeveralMessagesPerConnection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mllp.Config{}, nil)
		c := dial(t, door.Addr())
		if a := c.send(t, message()); a.code != "AA" || a.control != "MSG00001" || len(a.errs) != 0 {
			t.Fatalf("sample: %q", a.text)
		}
		checkSample(t, w.list(t))
		if a := c.send(t, message()); a.code != "AA" {
			t.Fatalf("resent: %q", a.text)
		}
		checkSample(t, w.list(t))
		// No OBX-18 anywhere: MSH-3's EUI-64 names the device. Times
		// without an offset: Oslo time (UTC+1 in November).
		a := c.send(t, message("MSG00001", "MSG00003", "|||||||0123456789ABCDEF^EUI-64", "", "20261122103000+0000", "20261122112500"))
		if a.code != "AA" {
			t.Fatalf("MSH-3 device, local times: %q", a.text)
		}
		rs := w.list(t)
		if len(rs) != 6 || !rs[len(rs)-1].TakenAt.Equal(time.Date(2026, 11, 22, 10, 25, 0, 0, time.UTC)) {
			t.Errorf("after the local-time message: %d readings, oldest taken %s", len(rs), rs[len(rs)-1].TakenAt)
		}
		// OBX-8 abnormal flags and a corrected result are kept as flags.
		a = c.send(t, message("MSG00001", "MSG00004", "20261122103000", "20261122103020",
			"|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R", "|131|264864^MDC_DIM_BEAT_PER_MIN^MDC||H|||C"))
		if a.code != "AA" {
			t.Fatalf("flags: %q", a.text)
		}
		hr := byType(w.list(t), "heart_rate")[0]
		if *hr.Value != 131 || !slices.Contains(hr.Flags, "above-high-normal") || !slices.Contains(hr.Flags, "corrected") {
			t.Errorf("heart rate %v flags %v", *hr.Value, hr.Flags)
		}
	})
}

// flaky fails its first calls with an internal error.
type flaky struct {
	next  mllp.Ingester
	fails atomic.Int32
}

func (f *flaky) Ingest(ctx context.Context, b readings.Batch) ([]readings.Result, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, errs.Wrap(errors.New("database is down"), "storing readings")
	}
	return f.next.Ingest(ctx, b)
}

// A fault of Tend's own is AR ("resend later"), without internal detail;
// the same message sent later is stored.
func TestFaultIsRejectedForResend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		f := &flaky{next: w.readings}
		f.fails.Store(1)
		door := w.start(t, mllp.Config{}, f)
		c := dial(t, door.Addr())
		a := c.send(t, message())
		if a.code != "AR" || !a.has("207^Application internal error") || a.has("database") {
			t.Fatalf("fault: %q", a.text)
		}
		if n := len(w.list(t)); n != 0 {
			t.Fatalf("%d readings after a fault", n)
		}
		if a := c.send(t, message()); a.code != "AA" {
			t.Fatalf("resent: %q", a.text)
		}
		checkSample(t, w.list(t))
	})
}

// A taken port is reported with the flag that changes it.
func TestTakenPortNamesTheFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	w := newWorld(t, dbtest.SQLite(t))
	door, err := mllp.New(mllp.Config{Addr: ln.Addr().String()},
		mllp.Deps{Patients: mllp.PatientsByMRN(w.d), Devices: w.dev, Readings: w.readings})
	if err != nil {
		t.Fatal(err)
	}
	defer door.Close()
	if err := door.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "--mllp-addr") {
		t.Fatalf("want an error naming --mllp-addr, got %v", err)
	}
}
