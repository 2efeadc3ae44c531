package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

type world struct {
	acc                                  *access.Service
	clock                                *clock.Fake
	patient, other, nurse, dad, admin    people.Principal
	doctorPatient, stranger, onlyPatient people.Principal
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
	return world{
		acc: access.New(d, c, ps), clock: c,
		patient: mk("pat@example.org", people.Patient), other: mk("other@example.org", people.Patient),
		nurse: mk("nurse@example.org", people.Nurse), dad: mk("dad@example.org", people.Family),
		admin: mk("admin@example.org", people.Admin), doctorPatient: mk("doc@example.org", people.Doctor, people.Patient),
		stranger: mk("stranger@example.org", people.Nurse), onlyPatient: mk("plain@example.org", people.Patient),
	}
}

func TestSharingScopesExpiryAndRevocation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		// Nobody but the patient sees the patient before any grant; not even an admin.
		for _, p := range []people.Principal{w.nurse, w.dad, w.admin, w.other, w.stranger} {
			if err := w.acc.Check(ctx, p, w.patient.UserID, access.Any); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s sees the patient without a grant: %v", p.Name, err)
			}
		}
		if err := w.acc.Check(ctx, w.patient, w.patient.UserID, access.Vitals); err != nil {
			t.Errorf("patient cannot see themself: %v", err)
		}
		end := w.clock.Now().Add(48 * time.Hour)
		g, err := w.acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "DAD@example.org",
			Scopes: []access.Scope{access.Vitals}, ExpiresAt: &end})
		if err != nil {
			t.Fatal(err)
		}
		if g.Kind != access.Share || len(g.Scopes) != 1 || g.GranteeRoles[0] != people.Family {
			t.Errorf("grant %+v", g)
		}
		if err := w.acc.Check(ctx, w.dad, w.patient.UserID, access.Vitals); err != nil {
			t.Errorf("dad cannot see vitals: %v", err)
		}
		if err := w.acc.Check(ctx, w.dad, w.patient.UserID, access.Journal); err == nil {
			t.Error("dad sees the journal, which was not shared")
		}
		if err := w.acc.Check(ctx, w.dad, w.other.UserID, access.Vitals); err == nil {
			t.Error("dad sees another patient")
		}
		list, _ := w.acc.Patients(ctx, w.dad)
		if len(list) != 1 || list[0].ID != w.patient.UserID || list[0].Access != access.Share {
			t.Errorf("dad's patients: %+v", list)
		}
		w.clock.Advance(49 * time.Hour)
		if err := w.acc.Check(ctx, w.dad, w.patient.UserID, access.Vitals); err == nil {
			t.Error("an expired grant still opens data")
		}
		// Sharing again replaces; revoking ends it.
		g, _ = w.acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "nurse@example.org", Scopes: []access.Scope{access.Vitals, access.Alerts}})
		g2, _ := w.acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "nurse@example.org", Scopes: []access.Scope{access.Journal}})
		grants, _ := w.acc.Grants(ctx, w.patient, w.patient.UserID)
		if len(grants) != 1 || grants[0].ID != g2.ID {
			t.Errorf("a second share should replace the first: %+v", grants)
		}
		if err := w.acc.Revoke(ctx, w.nurse, w.patient.UserID, g2.ID); err == nil {
			t.Error("the grantee revoked a grant")
		}
		if err := w.acc.Revoke(ctx, w.patient, w.patient.UserID, g2.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.acc.Check(ctx, w.nurse, w.patient.UserID, access.Any); err == nil {
			t.Error("a revoked grant still opens data")
		}
		_ = g
	})
}

func TestCareTeam(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		if _, err := w.acc.AssignCare(ctx, w.nurse, w.patient.UserID, w.nurse.UserID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a nurse assigned herself: %v", err)
		}
		g, err := w.acc.AssignCare(ctx, w.admin, w.patient.UserID, w.nurse.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.acc.AssignCare(ctx, w.admin, w.patient.UserID, w.nurse.UserID); !errs.Is(err, errs.Conflict) {
			t.Errorf("double assignment: %v", err)
		}
		if _, err := w.acc.AssignCare(ctx, w.admin, w.patient.UserID, w.dad.UserID); !errs.Is(err, errs.Invalid) {
			t.Errorf("family put on a care team: %v", err)
		}
		for _, sc := range access.Scopes {
			if err := w.acc.Check(ctx, w.nurse, w.patient.UserID, sc); err != nil {
				t.Errorf("care team lacks %s: %v", sc, err)
			}
		}
		// The admin assigned the nurse but still sees no clinical data.
		if err := w.acc.Check(ctx, w.admin, w.patient.UserID, access.Vitals); err == nil {
			t.Error("admin sees clinical data")
		}
		if err := w.acc.Revoke(ctx, w.patient, w.patient.UserID, g.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("patient revoked a care assignment: %v", err)
		}
		if err := w.acc.Revoke(ctx, w.admin, w.patient.UserID, g.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.acc.Check(ctx, w.nurse, w.patient.UserID, access.Vitals); err == nil {
			t.Error("unassigned nurse still sees data")
		}
	})
}

func TestShareRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		cases := []struct {
			by   people.Principal
			for_ string
			n    access.NewShare
			kind errs.Kind
		}{
			{w.nurse, w.patient.UserID, access.NewShare{GranteeEmail: "dad@example.org", Scopes: []access.Scope{access.Vitals}}, errs.NotFound},
			{w.admin, w.patient.UserID, access.NewShare{GranteeEmail: "dad@example.org", Scopes: []access.Scope{access.Vitals}}, errs.Forbidden},
			{w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "nobody@example.org", Scopes: []access.Scope{access.Vitals}}, errs.Invalid},
			{w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "pat@example.org", Scopes: []access.Scope{access.Vitals}}, errs.Invalid},
			{w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "plain@example.org", Scopes: []access.Scope{access.Vitals}}, errs.Invalid},
			{w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "dad@example.org"}, errs.Invalid},
			{w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "dad@example.org", Scopes: []access.Scope{"everything"}}, errs.Invalid},
		}
		for i, c := range cases {
			if _, err := w.acc.Share(ctx, c.by, c.for_, c.n); !errs.Is(err, c.kind) {
				t.Errorf("case %d: got %v, want kind %d", i, err, c.kind)
			}
		}
		past := w.clock.Now().Add(-time.Hour)
		if _, err := w.acc.Share(ctx, w.patient, w.patient.UserID, access.NewShare{GranteeEmail: "dad@example.org",
			Scopes: []access.Scope{access.Vitals}, ExpiresAt: &past}); !errs.Is(err, errs.Invalid) {
			t.Errorf("a grant ending in the past: %v", err)
		}
		// A doctor who is also a patient sees their own data as a patient.
		if err := w.acc.Check(ctx, w.doctorPatient, w.doctorPatient.UserID, access.Vitals); err != nil {
			t.Error(err)
		}
		// Someone who is not a patient has no patient data to see.
		if err := w.acc.Check(ctx, w.nurse, w.nurse.UserID, access.Any); err == nil {
			t.Error("a nurse without the patient role is treated as a patient")
		}
	})
}
