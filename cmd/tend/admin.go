package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/config"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

const adminUsage = `Usage:
  tend admin user add --email E --name N --role R [--role R2 …] [--password-stdin]
  tend admin token create --email E [--label L]
  tend admin device add --kind K --serial S [--maker M] [--model M] [--eui64 X] [--patient EMAIL]
Each prints JSON. They open the same database as 'tend serve' (--data-dir,
--database) and work while a server is running.`

func admin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprintln(stderr, adminUsage)
		return errors.New("admin needs a subcommand")
	}
	ctx = audit.WithActor(ctx, audit.Actor{Kind: "system", ID: "tend-admin"})
	switch args[0] + " " + args[1] {
	case "user add":
		return adminUserAdd(ctx, args[2:], getenv, stdin, stdout, stderr)
	case "token create":
		return adminTokenCreate(ctx, args[2:], getenv, stdout, stderr)
	case "device add":
		return adminDeviceAdd(ctx, args[2:], getenv, stdout, stderr)
	default:
		fmt.Fprintln(stderr, adminUsage)
		return fmt.Errorf("unknown admin command %q", strings.Join(args[:2], " "))
	}
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, strings.Split(v, ",")...); return nil }

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func adminUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var sf storeFlags
	var email, name, tz, birth, sex, mrn string
	var roles repeated
	var pwStdin bool
	fs := newFlagSet("admin user add", "Usage: tend admin user add --email E --name N --role R [--role R2 …] [--password-stdin]", stderr)
	sf.register(fs)
	fs.StringVar(&email, "email", "", "the user's email (their sign-in name)")
	fs.StringVar(&name, "name", "", "the user's full name")
	fs.Var(&roles, "role", "a role: patient, nurse, doctor, admin or family (repeat for several)")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.StringVar(&tz, "time-zone", "", "a patient's IANA time zone, e.g. Europe/Oslo")
	fs.StringVar(&birth, "birth-date", "", "a patient's date of birth, YYYY-MM-DD")
	fs.StringVar(&sex, "sex", "", "a patient's sex: female, male, other or unknown")
	fs.StringVar(&mrn, "mrn", "", "a patient's medical record number")
	if err := config.Parse(fs, args, getenv); err != nil {
		return err
	}
	n := people.NewUser{Email: email, Name: name}
	for _, r := range roles {
		n.Roles = append(n.Roles, people.Role(strings.TrimSpace(r)))
	}
	if tz != "" || birth != "" || sex != "" || mrn != "" {
		n.Profile = &people.Profile{TimeZone: tz, BirthDate: birth, Sex: sex, MRN: mrn}
	}
	if pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password: %w", err)
		}
		n.Password = strings.TrimRight(line, "\r\n")
		if n.Password == "" {
			return errors.New("--password-stdin: standard input held no password")
		}
	}
	s, err := sf.open(ctx, notify.Config{})
	if err != nil {
		return err
	}
	defer s.close()
	u, err := s.people.Create(ctx, n)
	if err != nil {
		return err
	}
	s.audit.Record(ctx, audit.Event{Action: "users.create", Resource: "users/" + u.ID, Outcome: audit.Success, Detail: "tend admin user add"})
	return printJSON(stdout, u)
}

func adminTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	var email, label string
	fs := newFlagSet("admin token create", "Usage: tend admin token create --email E [--label L]", stderr)
	sf.register(fs)
	fs.StringVar(&email, "email", "", "the user the token acts as")
	fs.StringVar(&label, "label", "created with tend admin", "what the token is for")
	if err := config.Parse(fs, args, getenv); err != nil {
		return err
	}
	if email == "" {
		return errors.New("give --email of the user the token acts as")
	}
	s, err := sf.open(ctx, notify.Config{})
	if err != nil {
		return err
	}
	defer s.close()
	u, err := s.people.ByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("no user with email %s", email)
	}
	t, err := s.people.CreateToken(ctx, u.ID, label)
	if err != nil {
		return err
	}
	s.audit.Record(ctx, audit.Event{Action: "tokens.create", Resource: "tokens/" + t.ID, Outcome: audit.Success, ActorID: u.ID, Detail: "tend admin token create"})
	return printJSON(stdout, struct {
		people.Token
		UserID string `json:"userId"`
	}{t, u.ID})
}

func adminDeviceAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	var n devices.NewDevice
	var kind, patient string
	fs := newFlagSet("admin device add", "Usage: tend admin device add --kind K --serial S [--maker M] [--model M] [--eui64 X] [--patient EMAIL]\n"+
		"Registers a device and prints its id and credential (shown once).", stderr)
	sf.register(fs)
	fs.StringVar(&kind, "kind", "", "the kind of device, e.g. blood_pressure_monitor, thermometer, glucometer, pulse_oximeter")
	fs.StringVar(&n.Serial, "serial", "", "the maker's serial number")
	fs.StringVar(&n.Maker, "maker", "unknown", "the maker")
	fs.StringVar(&n.Model, "model", "", "the model")
	fs.StringVar(&n.EUI64, "eui64", "", "the device's IEEE EUI-64 (16 hex digits), for HL7 monitors")
	fs.StringVar(&n.Label, "label", "", "a label people recognise")
	fs.StringVar(&patient, "patient", "", "assign the device to the patient with this email")
	if err := config.Parse(fs, args, getenv); err != nil {
		return err
	}
	n.Kind = devices.Kind(kind)
	s, err := sf.open(ctx, notify.Config{})
	if err != nil {
		return err
	}
	defer s.close()
	var patientID string
	if patient != "" {
		u, err := s.people.ByEmail(ctx, patient)
		if err != nil || !u.Has(people.Patient) {
			return fmt.Errorf("--patient: no patient with email %s", patient)
		}
		patientID = u.ID
	}
	d, cred, err := s.devices.Add(ctx, n)
	if err != nil {
		return err
	}
	if patientID != "" {
		if d, err = s.devices.Assign(ctx, d.ID, patientID); err != nil {
			return fmt.Errorf("the device %s was added but not assigned: %w", d.ID, err)
		}
	}
	s.audit.Record(ctx, audit.Event{Action: "devices.create", Resource: "devices/" + d.ID, PatientID: patientID,
		Outcome: audit.Success, Detail: "tend admin device add"})
	return printJSON(stdout, struct {
		devices.Device
		Credential string `json:"credential"`
	}{d, cred.Secret})
}
