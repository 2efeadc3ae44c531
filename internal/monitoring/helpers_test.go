package monitoring_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// fakeNotify records what monitoring hands to notify. Like notify, it
// ignores a second Send of an id it has seen. fail makes Send fail, as a
// crash between commit and delivery would leave things.
type fakeNotify struct {
	mu   sync.Mutex
	sent []notify.Notification
	ids  map[string]bool
	fail bool
}

func (f *fakeNotify) Send(_ context.Context, n notify.Notification) (notify.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return notify.Receipt{}, errors.New("notify is down")
	}
	if f.ids == nil {
		f.ids = map[string]bool{}
	}
	if f.ids[n.ID] {
		return notify.Receipt{ID: n.ID, Duplicate: true}, nil
	}
	f.ids[n.ID] = true
	f.sent = append(f.sent, n)
	return notify.Receipt{ID: n.ID}, nil
}

func (f *fakeNotify) setFail(b bool) {
	f.mu.Lock()
	f.fail = b
	f.mu.Unlock()
}

// take returns and forgets what was sent so far.
func (f *fakeNotify) take() []notify.Notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.sent
	f.sent = nil
	return out
}

func to(ns []notify.Notification, userID string) []notify.Notification {
	var out []notify.Notification
	for _, n := range ns {
		if n.RecipientID == userID {
			out = append(out, n)
		}
	}
	return out
}

type fakeBus struct {
	mu  sync.Mutex
	evs []events.Event
}

func (b *fakeBus) Publish(_ context.Context, e events.Event) error {
	b.mu.Lock()
	b.evs = append(b.evs, e)
	b.mu.Unlock()
	return nil
}

func (b *fakeBus) kinds() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.evs {
		out = append(out, e.Kind)
	}
	b.evs = nil
	return out
}

type world struct {
	t                                   *testing.T
	d                                   *db.DB
	clock                               *clock.Fake
	people                              *people.Service
	acc                                 *access.Service
	mon                                 *monitoring.Service
	notes                               *fakeNotify
	bus                                 *fakeBus
	patient, nurse, doctor, admin       people.Principal
	stranger, family, familyAlerts, pt2 people.Principal
	oslo                                *time.Location
}

// start is Friday 27 March 2026, 12:00 in Oslo: the clocks spring forward
// on Sunday the 29th.
var start = time.Date(2026, 3, 27, 11, 0, 0, 0, time.UTC)

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFake(start)
	ps := people.NewService(d, c)
	w := &world{t: t, d: d, clock: c, people: ps, acc: access.New(d, c, ps), notes: &fakeNotify{}, bus: &fakeBus{}}
	w.oslo, _ = time.LoadLocation("Europe/Oslo")
	mk := func(email string, profile *people.Profile, roles ...people.Role) people.Principal {
		u, err := ps.Create(ctx, people.NewUser{Email: email, Name: email, Roles: roles, Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		return people.Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles}
	}
	w.patient = mk("kari@example.org", &people.Profile{TimeZone: "Europe/Oslo"}, people.Patient)
	w.pt2 = mk("ola@example.org", &people.Profile{TimeZone: "Europe/Oslo"}, people.Patient)
	w.nurse = mk("nurse@example.org", nil, people.Nurse)
	w.doctor = mk("doctor@example.org", nil, people.Doctor)
	w.admin = mk("admin@example.org", nil, people.Admin)
	w.stranger = mk("stranger@example.org", nil, people.Nurse)
	w.family = mk("son@example.org", nil, people.Family)
	w.familyAlerts = mk("daughter@example.org", nil, people.Family)
	for _, pro := range []people.Principal{w.nurse, w.doctor} {
		if _, err := w.acc.AssignCare(ctx, w.admin, w.patient.UserID, pro.UserID); err != nil {
			t.Fatal(err)
		}
	}
	pat := w.patient
	if _, err := w.acc.Share(ctx, pat, pat.UserID, access.NewShare{GranteeEmail: w.family.Email, Scopes: []access.Scope{access.Vitals}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.acc.Share(ctx, pat, pat.UserID, access.NewShare{GranteeEmail: w.familyAlerts.Email,
		Scopes: []access.Scope{access.Vitals, access.Alerts}}); err != nil {
		t.Fatal(err)
	}
	w.mon = w.newService()
	return w
}

// newService starts another monitoring service on the same database, as a
// restarted process or a second node would.
func (w *world) newService() *monitoring.Service {
	return monitoring.New(w.d, w.clock, w.acc, monitoring.Deps{Notify: w.notes, Events: w.bus})
}

func (w *world) tick() monitoring.TickStats {
	w.t.Helper()
	st, err := w.mon.Tick(context.Background(), w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

// at sets the clock to a local time in Oslo.
func (w *world) at(y int, m time.Month, d, hh, mm int) time.Time {
	t := time.Date(y, m, d, hh, mm, 0, 0, w.oslo)
	w.clock.Set(t)
	return t
}

var readingSeq int

func (w *world) read(patientID, typ string, v float64, at time.Time, comps ...float64) monitoring.Reading {
	w.t.Helper()
	readingSeq++
	r := monitoring.Reading{ID: fmt.Sprintf("reading-%d", readingSeq), PatientID: patientID, Type: typ, Value: v, TakenAt: at}
	if typ == "blood_pressure" {
		r.Components = map[string]float64{"systolic": v, "diastolic": comps[0]}
		r.Value = 0
	}
	if err := w.mon.OnReadings(context.Background(), []monitoring.Reading{r}); err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) alerts(viewer people.Principal, f monitoring.AlertFilter) []monitoring.Alert {
	w.t.Helper()
	as, err := w.mon.Alerts(context.Background(), viewer, f)
	if err != nil {
		w.t.Fatal(err)
	}
	return as
}

func ints(n ...int) *int {
	if len(n) == 0 {
		return nil
	}
	return &n[0]
}

func has(kinds []string, k string) bool { return slices.Contains(kinds, k) }
