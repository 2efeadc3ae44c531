package readings_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// world is a small clinic: a patient with a cuff and a thermometer, another
// patient, a nurse on the patient's care team, a nurse who is not, a father
// the patient shared only the journal with, and a daughter who sees vitals.
type world struct {
	d       *db.DB
	svc     *readings.Service
	dev     *devices.Service
	acc     *access.Service
	clock   *clock.Fake
	bus     *events.Local
	ctx     context.Context
	patient people.Principal
	other   people.Principal
	nurse   people.Principal
	strange people.Principal
	dad     people.Principal
	child   people.Principal
	admin   people.Principal

	cuff, thermo, disabled, loose devices.Device
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	c := clock.NewFake(t0.Add(-30 * 24 * time.Hour))
	ps := people.NewService(d, c)
	ctx := context.Background()
	mk := func(email string, roles ...people.Role) people.Principal {
		u, err := ps.Create(ctx, people.NewUser{Email: email, Name: email, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
	}
	w := &world{d: d, clock: c, bus: events.NewLocal(),
		patient: mk("pat@example.org", people.Patient), other: mk("other@example.org", people.Patient),
		nurse: mk("nurse@example.org", people.Nurse), strange: mk("stranger@example.org", people.Nurse),
		dad: mk("dad@example.org", people.Family), child: mk("child@example.org", people.Family),
		admin: mk("admin@example.org", people.Admin)}
	w.acc = access.New(d, c, ps)
	w.dev = devices.New(d, c, ps, w.acc)
	w.svc = readings.New(d, c, w.acc, w.dev, readings.Options{Events: w.bus})
	t.Cleanup(func() {
		w.svc.Close()
		w.dev.Close()
		w.bus.Close()
	})
	w.ctx = audit.WithActor(ctx, audit.Actor{ID: w.admin.UserID, Kind: "user"})
	if _, err := w.acc.AssignCare(ctx, w.admin, w.patient.UserID, w.nurse.UserID); err != nil {
		t.Fatal(err)
	}
	share := func(to people.Principal, scopes ...access.Scope) {
		if _, err := w.acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: to.Name, Scopes: scopes}); err != nil {
			t.Fatal(err)
		}
	}
	share(w.dad, access.Journal)
	share(w.child, access.Vitals, access.Journal)

	add := func(kind devices.Kind, serial string) devices.Device {
		dev, _, err := w.dev.Add(w.ctx, devices.NewDevice{Kind: kind, Maker: "Acme", Serial: serial})
		if err != nil {
			t.Fatal(err)
		}
		return dev
	}
	w.cuff, w.thermo = add(devices.BloodPressureMonitor, "C1"), add(devices.Thermometer, "T1")
	w.disabled, w.loose = add(devices.PulseOximeter, "D1"), add(devices.Scale, "U1")
	for _, dv := range []devices.Device{w.cuff, w.thermo, w.disabled} {
		if _, err := w.dev.Assign(w.ctx, dv.ID, w.patient.UserID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.dev.SetEnabled(w.ctx, w.disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	c.Set(t0)
	return w
}

func num(v float64) *float64 { return &v }

func hr(v float64, at time.Time, ext string) readings.Item {
	return readings.Item{Type: "heart_rate", Value: num(v), Unit: "/min", TakenAt: at, ExternalID: ext}
}

func bp(sys, dia float64, at time.Time, ext string) readings.Item {
	return readings.Item{Type: "blood_pressure", Unit: "mmHg", TakenAt: at, ExternalID: ext,
		Components: []readings.Component{{Key: "systolic", Value: sys}, {Key: "diastolic", Value: dia}}}
}

func (w *world) ingest(t testing.TB, b readings.Batch) []readings.Result {
	t.Helper()
	if b.Door == "" {
		b.Door = readings.DoorHTTP
	}
	rs, err := w.svc.Ingest(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(b.Items) {
		t.Fatalf("%d results for %d items", len(rs), len(b.Items))
	}
	return rs
}

// count returns how many measurement rows match a condition.
func (w *world) count(t testing.TB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := w.d.R.QueryRow(`SELECT COUNT(*) FROM measurements WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
