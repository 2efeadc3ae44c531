package mqttdoor_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/mqttdoor"
	"github.com/tend-health/tend/internal/readings"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
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

// A paho client publishes JSON and Bluetooth values; each is in the
// database, and readable through readings.List, as soon as PUBACK arrives.
func TestPahoPublishesReadings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mqttdoor.Config{}, nil)
		c := connect(t, door.Addr(), w.cuff)

		// The HTTP door's batch.
		a := c.send(t, "readings", `{"readings":[
			{"type":"heart_rate","value":72,"unit":"/min","takenAt":"2026-11-22T10:00:00Z","externalId":"hr-1"},
			{"type":"blood_pressure","unit":"mmHg","takenAt":"2026-11-22T10:00:00Z","externalId":"bp-1",
			 "components":[{"key":"systolic","value":128},{"key":"diastolic","value":82}]}]}`)
		if a.Stored != 2 || a.Error != nil || len(a.Results) != 2 || a.Results[0].ExternalID != "hr-1" {
			t.Fatalf("answer: %+v", a)
		}
		if a.Topic != "tend/devices/"+w.cuff.ID+"/readings" || a.PacketID == 0 {
			t.Errorf("answer names %q packet %d", a.Topic, a.PacketID)
		}
		got := w.list(t, w.patient)
		if len(got) != 2 {
			t.Fatalf("%d readings after PUBACK, want 2", len(got))
		}
		for _, r := range got {
			if r.Door != readings.DoorMQTT || r.DeviceID != w.cuff.ID || r.Source != readings.SourceDevice {
				t.Errorf("provenance: %+v", r)
			}
		}

		// Sent again (a redelivery, or a retry after a lost PUBACK):
		// duplicates with the first ids.
		again := c.send(t, "readings", `{"readings":[
			{"type":"heart_rate","value":72,"unit":"/min","takenAt":"2026-11-22T10:00:00Z","externalId":"hr-1"}]}`)
		if again.Duplicate != 1 || again.Results[0].ID != a.Results[0].ID {
			t.Errorf("resent: %+v", again)
		}

		// A single object, and a bare array; neither carries an
		// externalId, and sending each twice stores it once.
		one := `{"type":"spo2","value":97,"unit":"%","takenAt":"2026-11-22T10:01:00Z"}`
		if a := c.send(t, "readings", one); a.Stored != 1 {
			t.Errorf("single item: %+v", a)
		}
		if a := c.send(t, "readings", one); a.Duplicate != 1 {
			t.Errorf("single item again: %+v", a)
		}
		arr := `[{"loinc":"8310-5","value":98.6,"unit":"[degF]","takenAt":"2026-11-22T10:02:00Z"}]`
		if a := c.send(t, "readings", arr); a.Stored != 1 {
			t.Errorf("array: %+v", a)
		}

		// Bluetooth blood pressure from the standards' vector: mmHg,
		// every optional field, an unknown year (so the time of receipt).
		bp := unhex(t, "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
		a = c.send(t, "gatt/2A35", bp)
		// The panel and the pulse.
		if a.Stored != 2 || a.Error != nil {
			t.Fatalf("gatt 2A35: %+v", a)
		}
		got = w.list(t, w.patient)
		bps := byType(got, "blood_pressure")
		if len(bps) != 2 {
			t.Fatalf("%d blood pressures", len(bps))
		}
		g := bps[0] // newest first: the Bluetooth one
		if g.Components[0].Value != 138 || g.Components[1].Value != 88 || len(g.Components) != 3 || g.Components[2].Value != 120 {
			t.Errorf("blood pressure components: %+v", g.Components)
		}
		for _, f := range []string{"cuff-too-loose", "irregular-pulse", "body-movement", "improper-position", readings.FlagTimeOfReceipt} {
			if !slices.Contains(g.Flags, f) {
				t.Errorf("flags %v lack %s", g.Flags, f)
			}
		}
		if !g.TakenAt.Equal(now) {
			t.Errorf("taken at %s, want the time of receipt %s", g.TakenAt, now)
		}

		// Thermometer, 2A1C, with a device time read in the patient's
		// zone (Oslo, UTC+1 in December).
		tc := connect(t, door.Addr(), w.thermo)
		a = tc.send(t, "gatt/0x2a1c", unhex(t, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"))
		if a.Stored != 1 {
			t.Fatalf("gatt 2A1C: %+v", a)
		}
		temp := byType(w.list(t, w.patient), "body_temperature")
		var found bool
		for _, r := range temp {
			if r.TakenAt.Equal(time.Date(2012, 12, 5, 10, 50, 27, 0, time.UTC)) && *r.Value == 37.6 {
				found = true
			}
		}
		if !found {
			t.Errorf("no 37.6 °C taken at 2012-12-05 11:50:27 Oslo time among %+v", temp)
		}
		// The same value again (its bytes carry the device's time): a
		// duplicate.
		if a := tc.send(t, "gatt/2A1C", unhex(t, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04")); a.Duplicate != 1 {
			t.Errorf("same temperature again: %+v", a)
		}

		// The connection was audited.
		entries, err := w.audit.List(context.Background(), auditQuery(w.cuff.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !hasAction(entries, "mqtt.connect") || !hasAction(entries, "mqtt.publish") {
			t.Errorf("audit lacks the connection or the publishes: %+v", entries)
		}
		for _, e := range entries {
			if e.PatientID != w.patient.UserID || e.ActorKind != "device" {
				t.Errorf("audit entry %s names patient %q, actor kind %q", e.Action, e.PatientID, e.ActorKind)
			}
		}
	})
}

// gate is an ingest path that waits for the test to let each call through.
type gate struct {
	next    mqttdoor.Ingester
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Ingest(ctx context.Context, b readings.Batch) ([]readings.Result, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.next.Ingest(ctx, b)
}

// PUBACK leaves only after Ingest has returned, that is after the commit.
func TestPubackWaitsForCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		g := &gate{next: w.readings, entered: make(chan struct{}, 1), release: make(chan struct{})}
		door := w.start(t, mqttdoor.Config{}, g)
		c := connect(t, door.Addr(), w.cuff)
		tok := c.Publish("tend/devices/"+w.cuff.ID+"/readings", 1, false,
			`{"type":"heart_rate","value":61,"unit":"/min","takenAt":"2026-11-22T10:00:00Z"}`)
		select {
		case <-g.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("ingest never called")
		}
		if tok.WaitTimeout(300 * time.Millisecond) {
			t.Fatal("PUBACK arrived while the reading was not yet committed")
		}
		close(g.release)
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("no PUBACK after the commit: %v", tok.Error())
		}
		if n := len(w.list(t, w.patient)); n != 1 {
			t.Errorf("%d readings after PUBACK", n)
		}
	})
}

// flaky fails its first calls with an internal error, as a database that
// went away would.
type flaky struct {
	next  mqttdoor.Ingester
	fails atomic.Int32
	calls atomic.Int32
}

func (f *flaky) Ingest(ctx context.Context, b readings.Batch) ([]readings.Result, error) {
	f.calls.Add(1)
	if f.fails.Add(-1) >= 0 {
		return nil, errs.Wrap(errors.New("connection refused"), "storing readings")
	}
	return f.next.Ingest(ctx, b)
}

// A publish that could not be committed is not acknowledged: the client is
// disconnected, resends on reconnecting, and the reading is stored once.
func TestFaultIsNotAcknowledged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		f := &flaky{next: w.readings}
		f.fails.Store(2)
		door := w.start(t, mqttdoor.Config{}, f)
		var lost atomic.Int32
		c := connect(t, door.Addr(), w.cuff, func(o *paho.ClientOptions) {
			o.SetCleanSession(false).SetAutoReconnect(true).SetMaxReconnectInterval(200 * time.Millisecond).
				SetConnectionLostHandler(func(paho.Client, error) { lost.Add(1) })
		})
		// 85 bpm, without a device time: only the DUP flag tells the
		// redelivery from a new reading.
		c.Publish("tend/devices/"+w.cuff.ID+"/gatt/2A37", 1, false, []byte{0x00, 0x55})
		// paho completes the first token when it resends on reconnecting,
		// so watch the database instead.
		deadline := time.Now().Add(20 * time.Second)
		for len(byType(w.list(t, w.patient), "heart_rate")) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("never stored; %d ingest calls", f.calls.Load())
			}
			time.Sleep(20 * time.Millisecond)
		}
		c.Disconnect(250)
		if lost.Load() != 2 || f.calls.Load() != 3 {
			t.Errorf("%d disconnections and %d ingest calls, want 2 and 3", lost.Load(), f.calls.Load())
		}
		hr := byType(w.list(t, w.patient), "heart_rate")
		if len(hr) != 1 || *hr[0].Value != 85 {
			t.Errorf("heart rates after redelivery: %+v", hr)
		}
	})
}

// Debian's mosquitto_pub, a standard client, publishes with QoS 1 over
// MQTT 3.1.1 and 5; it exits only after PUBACK, and the readings are there.
func TestMosquittoPub(t *testing.T) {
	bin, err := exec.LookPath("mosquitto_pub")
	if err != nil {
		t.Fatal("mosquitto_pub not found: apt-get install mosquitto-clients")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mqttdoor.Config{}, nil)
		host, port, _ := net.SplitHostPort(door.Addr())
		pub := func(dev device, version, topic string, stdin []byte, extra ...string) (string, error) {
			args := append([]string{"-h", host, "-p", port, "-V", version, "-q", "1", "-u", dev.ID, "-P", dev.secret,
				"-t", topic}, extra...)
			if stdin != nil {
				args = append(args, "-s")
			}
			cmd := exec.Command(bin, args...)
			if stdin != nil {
				cmd.Stdin = strings.NewReader(string(stdin))
			}
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		topic := "tend/devices/" + w.cuff.ID + "/readings"
		if out, err := pub(w.cuff, "mqttv311", topic, nil, "-m",
			`{"readings":[{"type":"heart_rate","value":66,"unit":"bpm","takenAt":"2026-11-22T09:00:00Z","externalId":"m-1"}]}`); err != nil {
			t.Fatalf("mosquitto_pub 3.1.1: %v: %s", err, out)
		}
		if out, err := pub(w.cuff, "mqttv5", "tend/devices/"+w.cuff.ID+"/gatt/2A5E", // PLX spot-check vector
			unhex(t, "0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3")); err != nil {
			t.Fatalf("mosquitto_pub 5: %v: %s", err, out)
		}
		// An MQTT 5 user property names a value that has no time of its
		// own; sent twice, it is stored once.
		for range 2 {
			if out, err := pub(w.cuff, "mqttv5", "tend/devices/"+w.cuff.ID+"/gatt/2A37", []byte{0x00, 0x55},
				"-D", "publish", "user-property", "externalId", "strap-7"); err != nil {
				t.Fatalf("mosquitto_pub 5 with a user property: %v: %s", err, out)
			}
		}
		got := w.list(t, w.patient)
		hr := byType(got, "heart_rate")
		spo2 := byType(got, "spo2")
		if !slices.ContainsFunc(hr, func(r readings.Reading) bool { return r.ExternalID == "strap-7#8867-4" }) {
			t.Errorf("no heart rate with the external id from the user property: %+v", hr)
		}
		if len(spo2) != 1 || *spo2[0].Value != 94 || len(hr) != 3 {
			t.Fatalf("after mosquitto_pub: %+v", got)
		}
		if !slices.Contains(spo2[0].Flags, "low-perfusion") {
			t.Errorf("spot-check flags: %v", spo2[0].Flags)
		}
		// A wrong password is refused at CONNECT: mosquitto_pub says so
		// and exits with an error.
		bad := w.cuff
		bad.secret = "not-the-secret"
		out, err := pub(bad, "mqttv311", topic, nil, "-m", "{}")
		if err == nil || !strings.Contains(strings.ToLower(out), "not auth") && !strings.Contains(strings.ToLower(out), "bad user") {
			t.Errorf("wrong password: err %v, output %q", err, out)
		}
		// MQTT 5 names the refusal of another device's topic.
		out, err = pub(w.cuff, "mqttv5", "tend/devices/"+w.thermo.ID+"/readings", nil, "-m", "{}")
		if !strings.Contains(strings.ToLower(out), "not authori") {
			t.Errorf("another device's topic over MQTT 5: err %v, output %q", err, out)
		}
		if n := w.refusals(t, w.cuff.ID)["topic"]; n != 1 {
			t.Errorf("%d topic refusals counted", n)
		}
		// A subscriber with mosquitto_sub hears the results.
		sub, err := exec.LookPath("mosquitto_sub")
		if err != nil {
			t.Fatal("mosquitto_sub not found")
		}
		cmd := exec.Command(sub, "-h", host, "-p", port, "-V", "mqttv5", "-q", "1", "-u", w.cuff.ID, "-P", w.cuff.secret,
			"-t", "tend/devices/"+w.cuff.ID+"/results", "-C", "1", "-W", "10")
		var outBuf strings.Builder
		cmd.Stdout = &outBuf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // let it subscribe
		var wg sync.WaitGroup
		wg.Go(func() {
			if out, err := pub(w.cuff, "mqttv311", topic, nil, "-m", `{"type":"heart_rate","value":900,"unit":"/min","takenAt":"2026-11-22T09:05:00Z"}`); err != nil {
				t.Errorf("publishing: %v %s", err, out)
			}
		})
		wg.Wait()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("mosquitto_sub: %v", err)
		}
		if !strings.Contains(outBuf.String(), `"reason":"implausible"`) {
			t.Errorf("results heard by mosquitto_sub: %s", outBuf.String())
		}
	})
}

// A taken port is reported with the flag that changes it.
func TestTakenPortNamesTheFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := dbtest.SQLite(t)
	w := newWorld(t, d)
	door, err := mqttdoor.New(mqttdoor.Config{Addr: ln.Addr().String()}, mqttdoor.Deps{Devices: w.dev, Readings: w.readings, People: w.people})
	if err != nil {
		t.Fatal(err)
	}
	defer door.Close()
	err = door.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "--mqtt-addr") {
		t.Fatalf("want an error naming --mqtt-addr, got %v", err)
	}
	fmt.Println(err)
}
