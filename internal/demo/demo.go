// Package demo loads a small, realistic clinic into an empty Tend — an
// administrator, doctors, nurses, about ten patients with care teams, and
// family members they share with, and the last three days of their care
// (clinic.go): readings, measurement schedules, medicines and doses,
// alerts, escalation chains, open hours and booked visits — so that a new
// user can sign in and look around at once. Loading is done once: a second
// call finds the demo there.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// Services are the parts the demo writes through, as tend serve wires them.
type Services struct {
	DB           *db.DB
	People       *people.Service
	Access       *access.Service
	Audit        *audit.Log
	Readings     *readings.Service
	Monitoring   *monitoring.Service
	Medications  *medications.Service
	Appointments *appointments.Service
}

// Password is every demo account's password. The demo is for trying Tend
// out; never load it into a Tend that holds real patients.
const Password = "tend-demo-password"

// Account is a demo login to print.
type Account struct {
	Email string
	Name  string
	Roles []people.Role
}

// Result says what Load did and which accounts there are.
type Result struct {
	Loaded   bool // false when the demo was there already
	Accounts []Account
}

type person struct {
	email, name string
	roles       []people.Role
	profile     *people.Profile
}

var staff = []person{
	{"admin@demo.tend.example", "Alex Admin", []people.Role{people.Admin}, nil},
	{"dr.okafor@demo.tend.example", "Dr. Chidi Okafor", []people.Role{people.Doctor}, nil},
	{"dr.lindqvist@demo.tend.example", "Dr. Sara Lindqvist", []people.Role{people.Doctor, people.Patient},
		&people.Profile{BirthDate: "1979-06-02", Sex: "female", TimeZone: "Europe/Stockholm", MRN: "DEMO-1011"}},
	{"nurse.garcia@demo.tend.example", "Nurse Lucía García", []people.Role{people.Nurse}, nil},
	{"nurse.nguyen@demo.tend.example", "Nurse Minh Nguyen", []people.Role{people.Nurse}, nil},
	{"nurse.brown@demo.tend.example", "Nurse Tom Brown", []people.Role{people.Nurse}, nil},
}

var patients = []person{
	{"margaret.hill@demo.tend.example", "Margaret Hill", nil, &people.Profile{BirthDate: "1941-09-12", Sex: "female", TimeZone: "Europe/London", MRN: "DEMO-1001"}},
	{"harold.jensen@demo.tend.example", "Harold Jensen", nil, &people.Profile{BirthDate: "1938-01-30", Sex: "male", TimeZone: "Europe/Copenhagen", MRN: "DEMO-1002"}},
	{"amina.diallo@demo.tend.example", "Amina Diallo", nil, &people.Profile{BirthDate: "1987-04-21", Sex: "female", TimeZone: "Europe/Paris", MRN: "DEMO-1003"}},
	{"kenji.watanabe@demo.tend.example", "Kenji Watanabe", nil, &people.Profile{BirthDate: "1955-11-03", Sex: "male", TimeZone: "America/Los_Angeles", MRN: "DEMO-1004"}},
	{"rosa.moretti@demo.tend.example", "Rosa Moretti", nil, &people.Profile{BirthDate: "1949-07-17", Sex: "female", TimeZone: "Europe/Rome", MRN: "DEMO-1005"}},
	{"david.cohen@demo.tend.example", "David Cohen", nil, &people.Profile{BirthDate: "1962-02-08", Sex: "male", TimeZone: "America/New_York", MRN: "DEMO-1006"}},
	{"priya.sharma@demo.tend.example", "Priya Sharma", nil, &people.Profile{BirthDate: "1994-12-25", Sex: "female", TimeZone: "Asia/Kolkata", MRN: "DEMO-1007"}},
	{"olav.berg@demo.tend.example", "Olav Berg", nil, &people.Profile{BirthDate: "1946-05-14", Sex: "male", TimeZone: "Europe/Oslo", MRN: "DEMO-1008"}},
	{"grace.mensah@demo.tend.example", "Grace Mensah", nil, &people.Profile{BirthDate: "1958-08-29", Sex: "female", TimeZone: "Africa/Accra", MRN: "DEMO-1009"}},
	{"luis.fernandez@demo.tend.example", "Luis Fernández", nil, &people.Profile{BirthDate: "1970-03-11", Sex: "male", TimeZone: "Europe/Madrid", MRN: "DEMO-1010"}},
}

var family = []person{
	{"emma.hill@demo.tend.example", "Emma Hill", []people.Role{people.Family}, nil},
	{"lars.jensen@demo.tend.example", "Lars Jensen", []people.Role{people.Family}, nil},
	{"sofia.moretti@demo.tend.example", "Sofia Moretti", []people.Role{people.Family}, nil},
}

// shares: patient index → family index, with scopes.
var shares = []struct {
	patient, relative int
	scopes            []access.Scope
}{
	{0, 0, []access.Scope{access.Vitals, access.Alerts, access.Appointments}},
	{1, 1, []access.Scope{access.Vitals, access.Medications}},
	{4, 2, []access.Scope{access.Vitals, access.Journal, access.Alerts}},
}

// Load adds the demo clinic unless it is there already.
func Load(ctx context.Context, sv Services) (Result, error) {
	ps, acc := sv.People, sv.Access
	ctx = audit.WithActor(ctx, audit.Actor{Kind: "system", ID: "demo"})
	var res Result
	all := append(append(append([]person{}, staff...), patients...), family...)
	for _, p := range all {
		roles := p.roles
		if roles == nil {
			roles = []people.Role{people.Patient}
		}
		res.Accounts = append(res.Accounts, Account{Email: p.email, Name: p.name, Roles: roles})
	}
	if _, err := ps.ByEmail(ctx, staff[0].email); err == nil {
		return res, nil
	} else if !errs.Is(err, errs.NotFound) {
		return res, err
	}
	// Hashing a password is most of the work of adding a user: every demo
	// account has the same one, hashed once.
	hash, err := people.HashPassword(Password)
	if err != nil {
		return res, err
	}
	ids := map[string]people.User{}
	for i, p := range all {
		u, err := ps.Create(ctx, people.NewUser{Email: p.email, Name: p.name, Roles: res.Accounts[i].Roles, PasswordHash: hash, Profile: p.profile})
		if err != nil {
			return res, fmt.Errorf("adding demo user %s: %w", p.email, err)
		}
		ids[p.email] = u
	}
	admin := ids[staff[0].email]
	adminP := people.Principal{UserID: admin.ID, Roles: admin.Roles}
	doctors := []people.User{ids[staff[1].email], ids[staff[2].email]}
	nurses := []people.User{ids[staff[3].email], ids[staff[4].email], ids[staff[5].email]}
	nurseOf, doctorOf := map[string]people.User{}, map[string]people.User{}
	for i, p := range patients {
		pid := ids[p.email].ID
		nurseOf[p.email], doctorOf[p.email] = nurses[i%len(nurses)], doctors[i%len(doctors)]
		for _, pro := range []people.User{nurses[i%len(nurses)], doctors[i%len(doctors)]} {
			if _, err := acc.AssignCare(ctx, adminP, pid, pro.ID); err != nil {
				return res, fmt.Errorf("demo care team: %w", err)
			}
		}
	}
	// Dr. Lindqvist is also a patient, cared for by Dr. Okafor.
	if _, err := acc.AssignCare(ctx, adminP, ids[staff[2].email].ID, doctors[0].ID); err != nil {
		return res, fmt.Errorf("demo care team: %w", err)
	}
	for _, s := range shares {
		pu := ids[patients[s.patient].email]
		end := time.Now().AddDate(1, 0, 0)
		_, err := acc.Share(ctx, people.Principal{UserID: pu.ID, Roles: pu.Roles}, pu.ID,
			access.NewShare{GranteeEmail: family[s.relative].email, Scopes: s.scopes, ExpiresAt: &end})
		if err != nil {
			return res, fmt.Errorf("demo share: %w", err)
		}
	}
	if err := loadClinic(ctx, sv, ids, nurseOf, doctorOf); err != nil {
		return res, err
	}
	res.Loaded = true
	return res, nil
}
