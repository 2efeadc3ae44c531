package mqttdoor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/mqttdoor"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// now is the time the tests run at, as far as Tend's clock knows. The
// devices were assigned long before, so that the readings of the standards'
// test vectors (2012, 2019, 2024) are not refused as taken before
// their device was given to the patient.
var now = time.Date(2026, 11, 22, 10, 31, 0, 0, time.UTC)

// world is a patient in Oslo with a cuff, a thermometer and a disabled
// oximeter, a device assigned to nobody, and another patient's scale.
type world struct {
	d        *db.DB
	clock    *clock.Fake
	people   *people.Service
	dev      *devices.Service
	readings *readings.Service
	audit    *audit.Log
	patient  people.Principal
	other    people.Principal

	cuff, thermo, disabled, loose, scale device
}

type device struct {
	devices.Device
	secret string
}

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFake(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC))
	w := &world{d: d, clock: c, people: people.NewService(d, c), audit: audit.New(d, c)}
	mk := func(email string, p *people.Profile, roles ...people.Role) people.Principal {
		u, err := w.people.Create(ctx, people.NewUser{Email: email, Name: email, Roles: roles, Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
	}
	w.patient = mk("pat@example.org", &people.Profile{TimeZone: "Europe/Oslo", MRN: "12345"}, people.Patient)
	w.other = mk("other@example.org", &people.Profile{MRN: "67890"}, people.Patient)
	acc := access.New(d, c, w.people)
	w.dev = devices.New(d, c, w.people, acc)
	w.readings = readings.New(d, c, acc, w.dev, readings.Options{})
	t.Cleanup(func() {
		w.readings.Close()
		w.dev.Close()
	})
	add := func(kind devices.Kind, serial, patient string) device {
		dv, cred, err := w.dev.Add(ctx, devices.NewDevice{Kind: kind, Maker: "Acme", Serial: serial, Protocol: "mqtt"})
		if err != nil {
			t.Fatal(err)
		}
		if patient != "" {
			if dv, err = w.dev.Assign(ctx, dv.ID, patient); err != nil {
				t.Fatal(err)
			}
		}
		return device{Device: dv, secret: cred.Secret}
	}
	w.cuff = add(devices.BloodPressureMonitor, "C1", w.patient.UserID)
	w.thermo = add(devices.Thermometer, "T1", w.patient.UserID)
	w.disabled = add(devices.PulseOximeter, "D1", w.patient.UserID)
	w.loose = add(devices.HeartRateStrap, "U1", "")
	w.scale = add(devices.Scale, "S1", w.other.UserID)
	if _, err := w.dev.SetEnabled(ctx, w.disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	c.Set(now)
	return w
}

// start runs a door on a free port.
func (w *world) start(t testing.TB, cfg mqttdoor.Config, ing mqttdoor.Ingester) *mqttdoor.Door {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if ing == nil {
		ing = w.readings
	}
	door, err := mqttdoor.New(cfg, mqttdoor.Deps{Devices: w.dev, Readings: ing, People: w.people, Audit: w.audit, Clock: w.clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := door.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { door.Close() })
	return door
}

// list returns the patient's readings, newest first, as the read API
// gives them.
func (w *world) list(t testing.TB, patient people.Principal) []readings.Reading {
	t.Helper()
	p, err := w.readings.List(context.Background(), patient, readings.Query{PatientID: patient.UserID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return p.Readings
}

// refusals returns a device's refusal counts by reason.
func (w *world) refusals(t testing.TB, id string) map[string]int64 {
	t.Helper()
	if err := w.dev.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	dv, err := w.dev.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int64{}
	for _, r := range dv.Refusals {
		m[r.Reason] = r.Count
	}
	return m
}

// client is a paho MQTT 3.1.1 client signed in as a device, listening to
// its results topic.
type client struct {
	paho.Client
	dev     device
	answers chan mqttdoor.Answer
}

func connect(t testing.TB, addr string, dev device, opts ...func(*paho.ClientOptions)) *client {
	t.Helper()
	c, err := tryConnect(addr, dev, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

var clientSeq struct {
	sync.Mutex
	n int
}

func tryConnect(addr string, dev device, opts ...func(*paho.ClientOptions)) (*client, error) {
	clientSeq.Lock()
	clientSeq.n++
	id := fmt.Sprintf("test-%d", clientSeq.n)
	clientSeq.Unlock()
	o := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).
		SetUsername(dev.ID).SetPassword(dev.secret).SetAutoReconnect(false).SetConnectTimeout(5 * time.Second).
		SetWriteTimeout(5 * time.Second).SetProtocolVersion(4)
	for _, f := range opts {
		f(o)
	}
	c := &client{Client: paho.NewClient(o), dev: dev, answers: make(chan mqttdoor.Answer, 100)}
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		return nil, fmt.Errorf("connect: %v", tok.Error())
	}
	if dev.ID != "" {
		tok := c.Subscribe("tend/devices/"+dev.ID+"/results", 1, func(_ paho.Client, m paho.Message) {
			var a mqttdoor.Answer
			if err := json.Unmarshal(m.Payload(), &a); err == nil {
				c.answers <- a
			}
		})
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			return nil, fmt.Errorf("subscribe: %v", tok.Error())
		}
	}
	return c, nil
}

// publish sends a payload with QoS 1 and waits for PUBACK.
func (c *client) publish(t testing.TB, leaf string, payload any) {
	t.Helper()
	tok := c.Publish("tend/devices/"+c.dev.ID+"/"+leaf, 1, false, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("no PUBACK for %s", leaf)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("publish %s: %v", leaf, err)
	}
}

// answer waits for the next answer on the results topic.
func (c *client) answer(t testing.TB) mqttdoor.Answer {
	t.Helper()
	select {
	case a := <-c.answers:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no answer on the results topic")
	}
	return mqttdoor.Answer{}
}

// send publishes and returns the door's answer.
func (c *client) send(t testing.TB, leaf string, payload any) mqttdoor.Answer {
	t.Helper()
	c.publish(t, leaf, payload)
	return c.answer(t)
}

func auditQuery(actor string) audit.Query { return audit.Query{ActorID: actor, Limit: 1000} }

func hasAction(es []audit.Entry, action string) bool {
	for _, e := range es {
		if e.Action == action {
			return true
		}
	}
	return false
}
