package mqttdoor_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/mqttdoor"
)

// Payloads that cannot be stored are acknowledged (they never will be) and
// answered on the results topic with the reason; the connection and the
// door carry on.
func TestBadPayloads(t *testing.T) {
	cases := []struct {
		name    string
		leaf    string
		payload string // hex for gatt leaves
		reason  string // the publish's error reason, or the first item's refusal
		message string // part of the message
	}{
		{"broken JSON", "readings", `{"readings":[{`, "invalid", "not valid JSON"},
		{"not JSON", "readings", `hello`, "invalid", "not a JSON object"},
		{"empty payload", "readings", ``, "invalid", "empty payload"},
		{"unknown field", "readings", `{"type":"heart_rate","vaule":72}`, "invalid", `unknown field "vaule"`},
		{"value as text", "readings", `{"type":"heart_rate","value":"high"}`, "invalid", "field value: a JSON string where a number belongs"},
		{"batch and item at once", "readings", `{"readings":[],"type":"heart_rate"}`, "invalid", "not both"},
		{"two JSON values", "readings", `{"type":"heart_rate"} {"type":"heart_rate"}`, "invalid", "one JSON value per publish"},
		{"empty batch", "readings", `{"readings":[]}`, "invalid", "no readings"},
		{"time not RFC 3339", "readings", `{"type":"heart_rate","value":70,"unit":"/min","takenAt":"yesterday"}`, "invalid", "RFC 3339"},
		{"wrong unit", "readings", `{"type":"heart_rate","value":70,"unit":"mmHg","takenAt":"2026-11-22T10:00:00Z"}`, "unit", ""},
		{"implausible value", "readings", `{"type":"heart_rate","value":900,"unit":"/min","takenAt":"2026-11-22T10:00:00Z"}`, "implausible", ""},
		{"unknown type", "readings", `{"type":"mood","value":3,"takenAt":"2026-11-22T10:00:00Z"}`, "unknown_type", ""},
		{"taken in the future", "readings", `{"type":"heart_rate","value":70,"unit":"/min","takenAt":"2030-01-01T00:00:00Z"}`, "future", ""},
		{"panel without diastolic", "readings", `{"type":"blood_pressure","unit":"mmHg","takenAt":"2026-11-22T10:00:00Z","components":[{"key":"systolic","value":120}]}`, "incomplete", ""},
		{"truncated temperature (type byte missing)", "gatt/2A1C", "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B", "invalid", "temperature type missing"},
		{"heart rate with a stray byte", "gatt/2A37", "00 55 00", "invalid", ""},
		{"heart rate RR flag without RR data", "gatt/2A37", "17 01 01", "invalid", ""},
		{"glucose without its offset bytes", "gatt/2A18", "1B 01 00 E3 07 02 1B 0B 0A 1E 1E 00 12 05 01", "invalid", ""},
		{"blood pressure with NaN systolic", "gatt/2A35", "00 FF 07 58 00 78 00", "incomplete", ""},
		{"empty characteristic value", "gatt/2A35", "", "invalid", ""},
		{"unknown characteristic", "gatt/2A99", "00 55", "unknown_type", "unsupported characteristic"},
		{"characteristic name that is no UUID", "gatt/not-a-uuid", "00 55", "unknown_type", ""},
		{"topic the door does not read", "status", "online", "topic", "nothing is read from"},
		{"gatt topic one level too deep", "gatt/2A37/x", "00 55", "topic", ""},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mqttdoor.Config{}, nil)
		c := connect(t, door.Addr(), w.cuff)
		for _, tc := range cases {
			var payload any = tc.payload
			if strings.HasPrefix(tc.leaf, "gatt/") {
				payload = unhex(t, tc.payload)
			}
			a := c.send(t, tc.leaf, payload)
			reason, message := "", ""
			switch {
			case a.Error != nil:
				reason, message = a.Error.Reason, a.Error.Message
			case len(a.Results) > 0:
				reason, message = string(a.Results[0].Reason), a.Results[0].Message
			}
			if reason != tc.reason || !strings.Contains(message, tc.message) || a.Stored != 0 {
				t.Errorf("%s: answered %q %q (stored %d), want %q containing %q", tc.name, reason, message, a.Stored, tc.reason, tc.message)
			}
		}
		// Still serving, on the same connection.
		if a := c.send(t, "readings", `{"type":"heart_rate","value":70,"unit":"/min","takenAt":"2026-11-22T10:00:00Z"}`); a.Stored != 1 {
			t.Errorf("after the bad payloads: %+v", a)
		}
		if n := len(w.list(t, w.patient)); n != 1 {
			t.Errorf("%d readings stored, want 1", n)
		}
		// Each refusal was counted on the device.
		var total int64
		for _, n := range w.refusals(t, w.cuff.ID) {
			total += n
		}
		if total != int64(len(cases)) {
			t.Errorf("%d refusals counted, want %d: %v", total, len(cases), w.refusals(t, w.cuff.ID))
		}
	})
}

// Devices that may connect but whose readings must not be stored, and
// devices, topics and connections that must not get in at all.
func TestBadDevicesAndConnections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mqttdoor.Config{MaxPacketSize: 4096, ConnectTimeout: 300 * time.Millisecond, MaxConnections: 20}, nil)
		addr := door.Addr()
		reading := `{"type":"heart_rate","value":70,"unit":"/min","takenAt":"2026-11-22T10:00:00Z"}`

		t.Run("disabled device", func(t *testing.T) {
			c := connect(t, addr, w.disabled)
			a := c.send(t, "readings", reading)
			if a.Refused != 1 || a.Results[0].Reason != "disabled" || !strings.Contains(a.Results[0].Message, "disabled") {
				t.Errorf("answer: %+v", a)
			}
			if w.refusals(t, w.disabled.ID)["disabled"] != 1 {
				t.Error("refusal not counted")
			}
		})
		t.Run("unassigned device", func(t *testing.T) {
			c := connect(t, addr, w.loose)
			a := c.send(t, "gatt/2A37", []byte{0x00, 0x55})
			if a.Refused != 1 || a.Results[0].Reason != "unassigned" {
				t.Errorf("answer: %+v", a)
			}
		})
		t.Run("wrong credential", func(t *testing.T) {
			bad := w.cuff
			bad.secret = "guess"
			if _, err := tryConnect(addr, bad); err == nil || !strings.Contains(strings.ToLower(err.Error()), "not authorized") {
				t.Errorf("connect: %v", err)
			}
			if r := w.refusals(t, w.cuff.ID); r["credential"] != 1 {
				t.Errorf("wrong credential not counted: %v", r)
			}
		})
		t.Run("unknown device", func(t *testing.T) {
			ghost := device{secret: "x"}
			ghost.ID = "0193a7d2-0000-7000-8000-000000000000"
			if _, err := tryConnect(addr, ghost); err == nil {
				t.Error("an unknown device connected")
			}
		})
		t.Run("no credential", func(t *testing.T) {
			anon := w.cuff
			anon.secret = ""
			if _, err := tryConnect(addr, anon, func(o *paho.ClientOptions) { o.SetPassword("") }); err == nil {
				t.Error("a device without a credential connected")
			}
		})
		t.Run("another device's topic", func(t *testing.T) {
			var lost atomic.Bool
			c := connect(t, addr, w.cuff, func(o *paho.ClientOptions) {
				o.SetConnectionLostHandler(func(paho.Client, error) { lost.Store(true) })
			})
			c.Publish("tend/devices/"+w.thermo.ID+"/readings", 1, false, reading).WaitTimeout(2 * time.Second)
			waitFor(t, "disconnection", lost.Load)
			if n := len(w.list(t, w.patient)); n != 0 {
				t.Errorf("%d readings stored", n)
			}
			if w.refusals(t, w.cuff.ID)["topic"] != 1 {
				t.Error("refusal not counted")
			}
		})
		t.Run("own results topic", func(t *testing.T) {
			var lost atomic.Bool
			c := connect(t, addr, w.cuff, func(o *paho.ClientOptions) {
				o.SetConnectionLostHandler(func(paho.Client, error) { lost.Store(true) })
			})
			c.Publish("tend/devices/"+w.cuff.ID+"/results", 1, false, `{"stored":1}`).WaitTimeout(2 * time.Second)
			waitFor(t, "disconnection", lost.Load)
		})
		t.Run("subscriptions outside the branch", func(t *testing.T) {
			c := connect(t, addr, w.cuff)
			for _, f := range []string{"tend/devices/" + w.thermo.ID + "/results", "tend/devices/+/results", "#", "tend/#", "$SYS/#"} {
				tok := c.Subscribe(f, 1, func(paho.Client, paho.Message) {})
				tok.WaitTimeout(5 * time.Second)
				if code := tok.(*paho.SubscribeToken).Result()[f]; code != 0x80 {
					t.Errorf("subscribe %s: granted %#x", f, code)
				}
			}
		})
		t.Run("will outside the branch", func(t *testing.T) {
			_, err := tryConnect(addr, w.cuff, func(o *paho.ClientOptions) {
				o.SetWill("tend/devices/"+w.thermo.ID+"/readings", reading, 1, false)
			})
			if err == nil {
				t.Error("connected with a will on another device's topic")
			}
		})
		t.Run("client id of another device's session", func(t *testing.T) {
			a := connect(t, addr, w.cuff, func(o *paho.ClientOptions) { o.SetClientID("shared") })
			connect(t, addr, w.thermo, func(o *paho.ClientOptions) { o.SetClientID("shared") })
			time.Sleep(200 * time.Millisecond)
			if !a.IsConnectionOpen() {
				t.Error("the thermometer took over the cuff's session")
			}
		})
		t.Run("oversized publish", func(t *testing.T) {
			var lost atomic.Bool
			c := connect(t, addr, w.cuff, func(o *paho.ClientOptions) {
				o.SetConnectionLostHandler(func(paho.Client, error) { lost.Store(true) })
			})
			c.Publish("tend/devices/"+w.cuff.ID+"/readings", 1, false, strings.Repeat(" ", 5000)).WaitTimeout(2 * time.Second)
			waitFor(t, "disconnection", lost.Load)
		})
		t.Run("junk instead of CONNECT", func(t *testing.T) {
			conn := dial(t, addr)
			conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
			expectClosed(t, conn)
		})
		t.Run("silence instead of CONNECT", func(t *testing.T) {
			conn := dial(t, addr)
			expectClosed(t, conn)
		})
		t.Run("too many connections", func(t *testing.T) {
			var conns []net.Conn
			for range 20 {
				c := dial(t, addr)
				conns = append(conns, c)
			}
			extra := dial(t, addr)
			expectClosedWithin(t, extra, 200*time.Millisecond)
			for _, c := range conns {
				c.Close()
			}
		})
		// After all that, a good device still gets through.
		time.Sleep(100 * time.Millisecond)
		c := connect(t, addr, w.cuff)
		if a := c.send(t, "readings", reading); a.Stored != 1 {
			t.Errorf("after the bad connections: %+v", a)
		}
	})
}

// A Bluetooth value without a device time: a redelivery (DUP) is a
// duplicate, the same bytes sent anew are a new reading. Driven by a raw
// MQTT 3.1.1 client, since library clients set DUP only on reconnecting.
func TestRedeliveryOfTimelessValue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		door := w.start(t, mqttdoor.Config{}, nil)
		rc := rawConnect(t, door.Addr(), w.cuff)
		topic := "tend/devices/" + w.cuff.ID + "/gatt/2A37"
		rc.publish(t, topic, []byte{0x00, 0x55}, 1, false)
		w.clock.Advance(2 * time.Second)
		rc.publish(t, topic, []byte{0x00, 0x55}, 1, true) // the same packet again
		if n := len(byType(w.list(t, w.patient), "heart_rate")); n != 1 {
			t.Fatalf("%d heart rates after a redelivery, want 1", n)
		}
		rc.publish(t, topic, []byte{0x00, 0x55}, 2, false) // a new reading of the same value
		hr := byType(w.list(t, w.patient), "heart_rate")
		if len(hr) != 2 {
			t.Fatalf("%d heart rates after a new reading, want 2", len(hr))
		}
		// The redelivery kept the first arrival's time.
		if !hr[1].TakenAt.Equal(now) {
			t.Errorf("first reading taken at %s, want %s", hr[1].TakenAt, now)
		}
		// JSON without external ids: a redelivery is a duplicate too.
		js := []byte(`{"type":"heart_rate","value":71,"unit":"/min","takenAt":"2026-11-22T10:00:00Z"}`)
		rc.publish(t, "tend/devices/"+w.cuff.ID+"/readings", js, 3, false)
		rc.publish(t, "tend/devices/"+w.cuff.ID+"/readings", js, 3, true)
		if n := len(byType(w.list(t, w.patient), "heart_rate")); n != 3 {
			t.Errorf("%d heart rates, want 3", n)
		}
	})
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func expectClosed(t testing.TB, c net.Conn) { expectClosedWithin(t, c, 5*time.Second) }

func expectClosedWithin(t testing.TB, c net.Conn, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %s", d)
	}
}

// rawClient speaks just enough MQTT 3.1.1 to publish with the DUP flag.
type rawClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func mqttString(s string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(s)))
	return append(b, s...)
}

func packet(first byte, body []byte) []byte {
	out := []byte{first}
	n := len(body)
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			break
		}
	}
	return append(out, body...)
}

func rawConnect(t testing.TB, addr string, dev device) *rawClient {
	t.Helper()
	rc := &rawClient{conn: dial(t, addr)}
	rc.r = bufio.NewReader(rc.conn)
	body := append(mqttString("MQTT"), 4, 0xC2, 0, 60) // level 4; user name, password, clean session
	body = append(body, mqttString("raw")...)
	body = append(body, mqttString(dev.ID)...)
	body = append(body, mqttString(dev.secret)...)
	rc.conn.Write(packet(0x10, body))
	ack := rc.read(t)
	if ack[0] != 0x20 || ack[len(ack)-1] != 0 {
		t.Fatalf("CONNACK % x", ack)
	}
	return rc
}

func (rc *rawClient) read(t testing.TB) []byte {
	t.Helper()
	rc.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	first, err := rc.r.ReadByte()
	if err != nil {
		t.Fatal(err)
	}
	n, mul := 0, 1
	for {
		b, err := rc.r.ReadByte()
		if err != nil {
			t.Fatal(err)
		}
		n += int(b&0x7f) * mul
		mul *= 128
		if b&0x80 == 0 {
			break
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(rc.r, body); err != nil {
		t.Fatal(err)
	}
	return append([]byte{first}, body...)
}

// publish sends a QoS 1 PUBLISH and waits for its PUBACK.
func (rc *rawClient) publish(t testing.TB, topic string, payload []byte, id uint16, dup bool) {
	t.Helper()
	first := byte(0x32)
	if dup {
		first |= 0x08
	}
	body := append(mqttString(topic), byte(id>>8), byte(id))
	rc.conn.Write(packet(first, append(body, payload...)))
	ack := rc.read(t)
	if want := fmt.Sprintf("% x", []byte{0x40, byte(id >> 8), byte(id)}); fmt.Sprintf("% x", ack) != want {
		t.Fatalf("want PUBACK %s, got % x", want, ack)
	}
}
