package simulate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/mllp"
	"github.com/tend-health/tend/internal/mqttdoor"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
	"github.com/tend-health/tend/internal/simulate"
)

// The MQTT and HL7 doors are not wired into tend serve yet, so the
// simulator is run here against each door itself, over a real socket and
// database: the patients and devices are made with the services and handed
// to the simulator in a devices file, as an earlier run would have written
// it. (cmd/tend's tests run it against tend serve over HTTP, GATT and FHIR.)

// clinic is the simulated world registered in a database.
type clinic struct {
	d      *db.DB
	people *people.Service
	devs   *devices.Service
	rs     *readings.Service
	w      *simulate.World
	file   string // the devices file
	url    string // a stand-in for the HTTP door (see httpDoor)
	// disabled is the device disabled before the run: the one that sends
	// most often, the healthy adult's heart rate strap (or, without one,
	// the first device).
	disabled *simulate.Device
}

func newClinic(t *testing.T, seed int64, n int) *clinic {
	t.Helper()
	ctx := context.Background()
	c := &clinic{d: dbtest.SQLite(t)}
	clk := clock.Real{}
	c.people = people.NewService(c.d, clk)
	acc := access.New(c.d, clk, c.people)
	c.devs = devices.New(c.d, clk, c.people, acc)
	c.rs = readings.New(c.d, clk, acc, c.devs, readings.Options{})
	t.Cleanup(func() { c.rs.Close(); c.devs.Close() })
	w, err := simulate.NewWorld(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	c.w = w
	for _, p := range w.Patients {
		u, err := c.people.Create(ctx, people.NewUser{Email: p.Email, Name: p.Name, Roles: []people.Role{people.Patient},
			Profile: &people.Profile{TimeZone: p.TimeZone, MRN: p.MRN}})
		if err != nil {
			t.Fatal(err)
		}
		p.ID = u.ID
		for _, sd := range p.Devices {
			dv, cred, err := c.devs.Add(ctx, devices.NewDevice{Kind: devices.Kind(sd.Kind), Maker: simulate.Maker, Serial: sd.Serial, EUI64: sd.EUI64})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.devs.Assign(ctx, dv.ID, p.ID); err != nil {
				t.Fatal(err)
			}
			sd.ID, sd.Credential = dv.ID, cred.Secret
			if sd.Kind == simulate.HeartRateStrap || c.disabled == nil {
				c.disabled = sd
			}
		}
	}
	srv := httptest.NewServer(c.httpDoor())
	t.Cleanup(srv.Close)
	c.url = srv.URL
	c.file = filepath.Join(t.TempDir(), "devices.json")
	if err := simulate.WriteCredentials(c.file, c.url, w); err != nil {
		t.Fatal(err)
	}
	if _, err := c.devs.SetEnabled(ctx, c.disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	return c
}

// httpDoor stands in for the JSON batch door of tend serve, for the
// devices the door under test cannot carry: a device signs in by HTTP
// Basic, and its readings go to the same ingest path.
func (c *clinic) httpDoor() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		dv, err := c.devs.Authenticate(r.Context(), id, secret)
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/readings" || err != nil {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		var in struct{ Readings []readings.Item }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rs, err := c.rs.Ingest(r.Context(), readings.Batch{Door: readings.DoorHTTP, Source: readings.SourceDevice, DeviceID: dv.ID, Items: in.Readings})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"results": rs})
	})
}

// run streams for two seconds through the door, with injections.
func (c *clinic) run(t *testing.T, door simulate.Door, addr string) simulate.Tally {
	t.Helper()
	var out strings.Builder
	cfg := simulate.Config{URL: c.url, DevicesFile: c.file, Patients: len(c.w.Patients), Seed: c.w.Seed,
		Door: door, Rate: 300, Live: true, Duration: 2 * time.Second,
		Inject:      simulate.Injections{OutOfRange: 0.05, Duplicates: 0.05},
		ReportEvery: -1, Timeout: 10 * time.Second, Out: &out}
	if door == simulate.DoorMQTT {
		cfg.MQTTAddr = addr
	} else {
		cfg.MLLPAddr = addr
	}
	s, err := simulate.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out.String())
	l := s.Live
	if l.Sent < 200 || l.ByDoor[door] == 0 || l.Errors != 0 || l.Unanswered != 0 {
		t.Fatalf("live tally %+v", l)
	}
	if l.Stored+l.Duplicate+l.RefusedTotal() != l.Sent {
		t.Errorf("%d sent, but %d stored + %d duplicate + %d refused", l.Sent, l.Stored, l.Duplicate, l.RefusedTotal())
	}
	if l.Refused["implausible"] == 0 || l.Refused["disabled"] == 0 || l.OutOfRange == 0 {
		t.Errorf("injections did not show: %+v", l)
	}
	return l
}

// stored counts the readings in the database, all of which must have come
// from the simulator's devices; by door.
func (c *clinic) stored(t *testing.T) map[readings.Door]int64 {
	t.Helper()
	out := map[readings.Door]int64{}
	for _, p := range c.w.Patients {
		cursor := ""
		for {
			page, err := c.rs.List(context.Background(), people.Principal{UserID: p.ID}, readings.Query{PatientID: p.ID, Limit: 1000, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Readings {
				if r.Source != readings.SourceDevice || r.DeviceID == "" {
					t.Fatalf("reading %+v", r)
				}
				out[r.Door]++
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	return out
}

// refusals returns a device's refusal count for a reason.
func (c *clinic) refusals(t *testing.T, d *simulate.Device, reason string) int64 {
	dv, err := c.devs.Get(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range dv.Refusals {
		if r.Reason == reason {
			return r.Count
		}
	}
	return 0
}

func TestMQTTAgainstTheDoor(t *testing.T) {
	c := newClinic(t, 9, 5)
	door, err := mqttdoor.New(mqttdoor.Config{Addr: "127.0.0.1:0"}, mqttdoor.Deps{Devices: c.devs, Readings: c.rs, People: c.people})
	if err != nil {
		t.Fatal(err)
	}
	if err := door.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { door.Close() })

	l := c.run(t, simulate.DoorMQTT, door.Addr())
	if l.Duplicate == 0 {
		t.Error("no resend was answered as a duplicate")
	}
	if got := c.stored(t); got[readings.DoorMQTT] != l.Stored || len(got) != 1 {
		t.Errorf("in the database %v, the simulator counted %d stored", got, l.Stored)
	}
	if n := c.refusals(t, c.disabled, "disabled"); n != l.Refused["disabled"] {
		t.Errorf("the disabled device counts %d refusals, the simulator %d", n, l.Refused["disabled"])
	}
}

func TestMLLPAgainstTheDoor(t *testing.T) {
	c := newClinic(t, 10, 5)
	door, err := mllp.New(mllp.Config{Addr: "127.0.0.1:0"}, mllp.Deps{Patients: mllp.PatientsByMRN(c.d), Devices: c.devs, Readings: c.rs})
	if err != nil {
		t.Fatal(err)
	}
	if err := door.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { door.Close() })

	l := c.run(t, simulate.DoorMLLP, door.Addr())
	// HL7 says "accepted" for a reading stored before too, so the
	// simulator counts resends as stored; the database has each once.
	// Glucose has no PCD-01 code in Tend, so the CGM sends over HTTP.
	got := c.stored(t)
	if got[readings.DoorMLLP] == 0 || got[readings.DoorHTTP] == 0 || got[readings.DoorMLLP]+got[readings.DoorHTTP] > l.Stored {
		t.Errorf("in the database %v, the simulator counted %d stored", got, l.Stored)
	}
	if n := c.refusals(t, c.disabled, "disabled"); n == 0 {
		t.Error("the disabled device counts no refusals")
	}
}
