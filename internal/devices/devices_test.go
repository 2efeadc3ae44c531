package devices_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

type world struct {
	dev                             *devices.Service
	acc                             *access.Service
	clock                           *clock.Fake
	patient, other, nurse, stranger people.Principal
	admin                           people.Principal
	ctx                             context.Context // acting as the administrator
}

func newWorld(t *testing.T, d *db.DB) world {
	t.Helper()
	c := clock.NewFake(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	ps := people.NewService(d, c)
	mk := func(email string, roles ...people.Role) people.Principal {
		u, err := ps.Create(context.Background(), people.NewUser{Email: email, Name: email, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
	}
	acc := access.New(d, c, ps)
	w := world{acc: acc, clock: c, dev: devices.New(d, c, ps, acc),
		patient: mk("pat@example.org", people.Patient), other: mk("other@example.org", people.Patient),
		nurse: mk("nurse@example.org", people.Nurse), stranger: mk("stranger@example.org", people.Nurse),
		admin: mk("admin@example.org", people.Admin)}
	t.Cleanup(func() { w.dev.Close() })
	w.ctx = audit.WithActor(context.Background(), audit.Actor{ID: w.admin.UserID, Kind: "user"})
	return w
}

func (w world) add(t *testing.T, n devices.NewDevice) (devices.Device, devices.Credential) {
	t.Helper()
	d, cred, err := w.dev.Add(w.ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return d, cred
}

func cuff(serial string) devices.NewDevice {
	return devices.NewDevice{Kind: devices.BloodPressureMonitor, Maker: "Omron", Model: "M7", Serial: serial}
}

func TestAddValidatesAndKeepsMakerSerialAndEUI64Unique(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		n := cuff("SN-1")
		n.EUI64 = "01:23:45:67:89:ab:cd:ef"
		dev, cred := w.add(t, n)
		if dev.EUI64 != "0123456789ABCDEF" || !dev.Enabled || dev.Assigned() || dev.Kind != devices.BloodPressureMonitor {
			t.Errorf("added %+v", dev)
		}
		if !strings.HasPrefix(cred.Secret, "tend_dev_") || len(cred.Secret) < 40 || cred.DeviceID != dev.ID {
			t.Errorf("credential %+v", cred)
		}
		for _, tc := range []struct {
			n     devices.NewDevice
			kind  errs.Kind
			field string
		}{
			{devices.NewDevice{Kind: "toaster", Maker: "A", Serial: "1"}, errs.Invalid, "kind"},
			{devices.NewDevice{Kind: devices.Scale, Maker: " ", Serial: "1"}, errs.Invalid, "maker"},
			{devices.NewDevice{Kind: devices.Scale, Maker: "A", Serial: ""}, errs.Invalid, "serial"},
			{devices.NewDevice{Kind: devices.Scale, Maker: "A", Serial: "1", EUI64: "0123"}, errs.Invalid, "eui64"},
			{devices.NewDevice{Kind: devices.Scale, Maker: "A", Serial: "1", EUI64: "0123456789ABCDEG"}, errs.Invalid, "eui64"},
			{devices.NewDevice{Kind: devices.Scale, Maker: "A", Serial: "1", Protocol: "telnet"}, errs.Invalid, "protocol"},
			{devices.NewDevice{Kind: devices.Scale, Maker: "OMRON", Serial: "SN-1"}, errs.Conflict, "serial"},
			{devices.NewDevice{Kind: devices.Scale, Maker: "Other", Serial: "X", EUI64: "0123456789abcdef"}, errs.Conflict, "eui64"},
		} {
			_, _, err := w.dev.Add(w.ctx, tc.n)
			var e *errs.Error
			if !errs.Is(err, tc.kind) || !asErr(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
				t.Errorf("%+v: got %v, want %v on %s", tc.n, err, tc.kind, tc.field)
			}
		}
		// The same serial from another maker is another device.
		w.add(t, devices.NewDevice{Kind: devices.Thermometer, Maker: "Braun", Serial: "SN-1"})

		for _, spelling := range []string{"0123456789abcdef", "01-23-45-67-89-AB-CD-EF", " 0123 4567 89AB CDEF "} {
			got, err := w.dev.ByEUI64(context.Background(), spelling)
			if err != nil || got.ID != dev.ID {
				t.Errorf("ByEUI64(%q) = %v, %v", spelling, got.ID, err)
			}
		}
		if _, err := w.dev.ByEUI64(context.Background(), "FFFFFFFFFFFFFFFF"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown EUI-64: %v", err)
		}
		if _, err := w.dev.Get(context.Background(), "not-a-uuid"); !errs.Is(err, errs.NotFound) {
			t.Errorf("bad id: %v", err)
		}
	})
}

func asErr(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestAuthenticateAndRotateCredential(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		dev, cred := w.add(t, cuff("A1"))
		got, err := w.dev.Authenticate(ctx, dev.ID, cred.Secret)
		if err != nil || got.ID != dev.ID {
			t.Fatalf("right secret: %v", err)
		}
		for _, tc := range []struct{ id, secret string }{
			{dev.ID, cred.Secret + "x"}, {dev.ID, ""}, {"0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000", cred.Secret}, {"junk", cred.Secret},
		} {
			if _, err := w.dev.Authenticate(ctx, tc.id, tc.secret); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("Authenticate(%q, %q) = %v, want Unauthorized", tc.id, tc.secret, err)
			}
		}
		w.clock.Advance(time.Hour)
		fresh, err := w.dev.RotateCredential(w.ctx, dev.ID)
		if err != nil || fresh.Secret == cred.Secret {
			t.Fatalf("rotate: %+v %v", fresh, err)
		}
		if _, err := w.dev.Authenticate(ctx, dev.ID, cred.Secret); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("the old secret still works: %v", err)
		}
		if got, err := w.dev.Authenticate(ctx, dev.ID, fresh.Secret); err != nil || !got.CredentialSetAt.Equal(w.clock.Now()) {
			t.Errorf("the new secret: %+v %v", got, err)
		}
		if _, err := w.dev.RotateCredential(w.ctx, "0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000"); !errs.Is(err, errs.NotFound) {
			t.Errorf("rotating a missing device: %v", err)
		}
		// Three wrong secrets for the known device were counted.
		got, _ = w.dev.Get(ctx, dev.ID)
		if len(got.Refusals) != 1 || got.Refusals[0].Reason != devices.RefusedCredential || got.Refusals[0].Count != 3 {
			t.Errorf("refusals %+v", got.Refusals)
		}
		// A disabled device still authenticates, so ingest can say why it refuses.
		if _, err := w.dev.SetEnabled(w.ctx, dev.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, err := w.dev.Authenticate(ctx, dev.ID, fresh.Secret); err != nil || got.Enabled {
			t.Errorf("disabled device: %+v %v", got, err)
		}
	})
}

func TestAssignmentHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		dev, _ := w.add(t, cuff("H1"))
		start := w.clock.Now()
		got, err := w.dev.Assign(w.ctx, dev.ID, w.patient.UserID)
		if err != nil || got.PatientID != w.patient.UserID || !got.AssignedAt.Equal(start) {
			t.Fatalf("assign: %+v %v", got, err)
		}
		// Again to the same patient: nothing changes.
		if got, err := w.dev.Assign(w.ctx, dev.ID, w.patient.UserID); err != nil || !got.AssignedAt.Equal(start) {
			t.Errorf("assign again: %+v %v", got, err)
		}
		// To someone else: unassign first.
		if _, err := w.dev.Assign(w.ctx, dev.ID, w.other.UserID); !errs.Is(err, errs.Conflict) {
			t.Errorf("assigning an assigned device: %v", err)
		}
		for _, bad := range []string{w.nurse.UserID, "0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000"} {
			if _, err := w.dev.Assign(w.ctx, dev.ID, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("assigning to a non-patient %s: %v", bad, err)
			}
		}
		w.clock.Advance(24 * time.Hour)
		if got, err := w.dev.Unassign(w.ctx, dev.ID); err != nil || got.Assigned() || got.AssignedAt != nil {
			t.Fatalf("unassign: %+v %v", got, err)
		}
		if _, err := w.dev.Unassign(w.ctx, dev.ID); err != nil {
			t.Errorf("unassigning twice: %v", err)
		}
		w.clock.Advance(time.Hour)
		if _, err := w.dev.Assign(w.ctx, dev.ID, w.other.UserID); err != nil {
			t.Fatal(err)
		}
		h, err := w.dev.History(context.Background(), dev.ID)
		if err != nil || len(h) != 2 {
			t.Fatalf("history %+v %v", h, err)
		}
		first, second := h[0], h[1]
		if first.PatientID != w.patient.UserID || !first.From.Equal(start) || first.To == nil ||
			!first.To.Equal(start.Add(24*time.Hour)) || first.AssignedBy != w.admin.UserID || first.UnassignedBy != w.admin.UserID {
			t.Errorf("first assignment %+v", first)
		}
		if second.PatientID != w.other.UserID || second.To != nil {
			t.Errorf("second assignment %+v", second)
		}
	})
}

func TestActivityIsCoalescedAndVisibleBeforeItIsWritten(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		dev, _ := w.add(t, cuff("S1"))
		t0 := w.clock.Now()
		low := 12
		for i := range 100 {
			w.dev.Seen(dev.ID, devices.Report{At: t0.Add(time.Duration(i) * time.Second)})
		}
		w.dev.Seen(dev.ID, devices.Report{At: t0.Add(time.Minute), BatteryPercent: &low, Status: "battery-low"})
		w.dev.Refused(dev.ID, "disabled", 3)
		w.dev.Refused(dev.ID, "implausible", 1)
		check := func(when string, disabled int64) {
			t.Helper()
			got, err := w.dev.Get(ctx, dev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.LastSeenAt == nil || !got.LastSeenAt.Equal(t0.Add(99*time.Second)) || got.BatteryPercent == nil ||
				*got.BatteryPercent != 12 || got.Status != "battery-low" {
				t.Errorf("%s: %+v", when, got)
			}
			if len(got.Refusals) != 2 || got.Refusals[0].Reason != "disabled" || got.Refusals[0].Count != disabled ||
				got.Refusals[1].Reason != "implausible" || got.Refusals[1].Count != 1 {
				t.Errorf("%s: refusals %+v", when, got.Refusals)
			}
		}
		check("before flushing", 3)
		if err := w.dev.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		check("after flushing", 3)
		w.dev.Refused(dev.ID, "disabled", 2)
		check("pending on top of stored", 5)
		if err := w.dev.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		check("stored twice", 5)
		// An older report does not move last seen back.
		w.dev.Seen(dev.ID, devices.Report{At: t0})
		w.dev.Flush(ctx)
		check("older report", 5)
		// A refusal for something that is not a device does not break the flush.
		w.dev.Refused("0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000", "disabled", 1)
		w.dev.Seen(dev.ID, devices.Report{At: t0.Add(2 * time.Minute)})
		if err := w.dev.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.dev.Get(ctx, dev.ID); !got.LastSeenAt.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("last seen %v", got.LastSeenAt)
		}
	})
}

func TestListAndForPatient(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		a, _ := w.add(t, cuff("L1"))
		b, _ := w.add(t, devices.NewDevice{Kind: devices.Thermometer, Maker: "Braun", Serial: "T-9", Label: "Ward 3 spare"})
		c, _ := w.add(t, devices.NewDevice{Kind: devices.PulseOximeter, Maker: "Nonin", Serial: "P_1"})
		w.dev.Assign(w.ctx, a.ID, w.patient.UserID)
		w.dev.Assign(w.ctx, b.ID, w.patient.UserID)
		w.dev.SetEnabled(w.ctx, c.ID, false)
		yes, no := true, false
		for _, tc := range []struct {
			f    devices.Filter
			want []string
		}{
			{devices.Filter{}, []string{a.ID, b.ID, c.ID}},
			{devices.Filter{Kind: devices.Thermometer}, []string{b.ID}},
			{devices.Filter{PatientID: w.patient.UserID}, []string{a.ID, b.ID}},
			{devices.Filter{Assigned: &no}, []string{c.ID}},
			{devices.Filter{Enabled: &no}, []string{c.ID}},
			{devices.Filter{Enabled: &yes, Assigned: &yes}, []string{a.ID, b.ID}},
			{devices.Filter{Q: "ward 3"}, []string{b.ID}},
			{devices.Filter{Q: "p_"}, []string{c.ID}},
			{devices.Filter{Q: "%"}, nil},
			{devices.Filter{After: a.ID, Limit: 1}, []string{b.ID}},
		} {
			got, err := w.dev.List(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range got {
				ids = append(ids, d.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("List(%+v) = %v, want %v", tc.f, ids, tc.want)
			}
		}

		if _, err := w.acc.AssignCare(ctx, w.admin, w.patient.UserID, w.nurse.UserID); err != nil {
			t.Fatal(err)
		}
		for _, viewer := range []people.Principal{w.patient, w.nurse} {
			got, err := w.dev.ForPatient(ctx, viewer, w.patient.UserID)
			if err != nil || len(got) != 2 {
				t.Errorf("%s: %d devices, %v", viewer.Name, len(got), err)
			}
		}
		for _, viewer := range []people.Principal{w.stranger, w.other, w.admin} {
			if got, err := w.dev.ForPatient(ctx, viewer, w.patient.UserID); !errs.Is(err, errs.NotFound) || len(got) != 0 {
				t.Errorf("%s sees the patient's devices: %v %v", viewer.Name, got, err)
			}
		}
	})
}

func TestChangesReachTheCachedLookupAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		dev, _ := w.add(t, cuff("K1"))
		for _, step := range []struct {
			change func() error
			check  func(devices.Device) bool
		}{
			{func() error { _, err := w.dev.SetEnabled(w.ctx, dev.ID, false); return err }, func(d devices.Device) bool { return !d.Enabled }},
			{func() error { _, err := w.dev.Assign(w.ctx, dev.ID, w.patient.UserID); return err }, func(d devices.Device) bool { return d.PatientID == w.patient.UserID }},
			{func() error { _, err := w.dev.Unassign(w.ctx, dev.ID); return err }, func(d devices.Device) bool { return !d.Assigned() }},
			{func() error { _, err := w.dev.SetEnabled(w.ctx, dev.ID, true); return err }, func(d devices.Device) bool { return d.Enabled }},
		} {
			if _, err := w.dev.Lookup(ctx, dev.ID); err != nil { // cached now
				t.Fatal(err)
			}
			if err := step.change(); err != nil {
				t.Fatal(err)
			}
			got, err := w.dev.Lookup(ctx, dev.ID)
			if err != nil || !step.check(got) {
				t.Errorf("after a change, Lookup gives %+v, %v", got, err)
			}
		}
	})
}
