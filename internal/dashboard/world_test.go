package dashboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/dashboard"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// world is a clinic on a real database, built through the services.
type world struct {
	t        testing.TB
	clock    *clock.Fake
	people   *people.Service
	access   *access.Service
	readings *readings.Service
	mon      *monitoring.Service
	audit    *audit.Log
	board    *dashboard.Service
	admin    people.Principal
}

func newWorld(t testing.TB, d *db.DB, now time.Time) *world {
	t.Helper()
	c := clock.NewFake(now)
	w := &world{t: t, clock: c, people: people.NewService(d, c), audit: audit.New(d, c)}
	w.access = access.New(d, c, w.people)
	w.mon = monitoring.New(d, c, w.access, monitoring.Deps{})
	dev := devices.New(d, c, w.people, w.access)
	w.readings = readings.New(d, c, w.access, dev, readings.Options{
		AfterCommit: func(ctx context.Context, _ string, stored []readings.Reading) {
			if err := w.mon.OnReadings(ctx, monitoring.FromReadings(stored)); err != nil {
				t.Errorf("monitoring: %v", err)
			}
		}})
	t.Cleanup(func() { w.readings.Close(); dev.Close() })
	w.board = dashboard.New(w.access, w.readings, w.mon, w.audit, c)
	w.admin = w.user("Admin", people.Admin)
	return w
}

var userCount int

func (w *world) user(name string, role people.Role) people.Principal {
	w.t.Helper()
	userCount++
	u, err := w.people.Create(context.Background(), people.NewUser{Email: fmt.Sprintf("u%d@example.org", userCount), Name: name,
		Roles: []people.Role{role}, Profile: &people.Profile{TimeZone: "Europe/Oslo"}})
	if err != nil {
		w.t.Fatal(err)
	}
	return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
}

func (w *world) care(patient, nurse people.Principal) {
	w.t.Helper()
	if _, err := w.access.AssignCare(context.Background(), w.admin, patient.UserID, nurse.UserID); err != nil {
		w.t.Fatal(err)
	}
}

// measure stores readings of patient entered by themself: pairs of type
// and value (blood pressure as systolic; diastolic is 80), minutes ago.
func (w *world) measure(patient people.Principal, minutesAgo int, typeValues ...any) {
	w.t.Helper()
	var items []readings.Item
	at := w.clock.Now().Add(-time.Duration(minutesAgo) * time.Minute)
	for i := 0; i < len(typeValues); i += 2 {
		typ, v := typeValues[i].(string), float64(typeValues[i+1].(int))
		it := readings.Item{Type: typ, TakenAt: at}
		if t, ok := measure.ByKey(typ); ok && t.IsPanel() {
			it.Unit = t.Components[0].Value.Unit
		} else if ok {
			it.Unit = t.Value.Unit
		}
		if typ == "blood_pressure" {
			it.Components = []readings.Component{{Key: "systolic", Value: v}, {Key: "diastolic", Value: 80}}
		} else {
			it.Value = &v
		}
		items = append(items, it)
	}
	w.ingest(patient, items)
}

func (w *world) ingest(patient people.Principal, items []readings.Item) {
	w.t.Helper()
	res, err := w.readings.Ingest(context.Background(), readings.Batch{Door: readings.DoorWeb, Source: readings.SourceManual,
		By: &patient, PatientID: patient.UserID, Items: items})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, _, refused := readings.Tally(res); refused > 0 {
		w.t.Fatalf("refused: %+v", res)
	}
}
