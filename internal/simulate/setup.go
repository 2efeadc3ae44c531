package simulate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
)

// The setup step makes sure Tend knows the simulated patients and their
// devices, through the admin API: it finds each patient by email and each
// device by its serial, creates what is missing, and gives every device a
// fresh credential (Tend shows a credential only once), assigned to its
// patient and enabled. Run it twice and nothing is created twice.

type apiUser struct {
	ID      string   `json:"id"`
	Email   string   `json:"email"`
	Roles   []string `json:"roles"`
	Profile *struct {
		TimeZone string `json:"timeZone"`
		MRN      string `json:"mrn"`
	} `json:"profile"`
}

type apiDevice struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Maker     string `json:"maker"`
	Serial    string `json:"serial"`
	EUI64     string `json:"eui64"`
	Enabled   bool   `json:"enabled"`
	PatientID string `json:"patientId"`
	Refusals  []struct {
		Reason string `json:"reason"`
		Count  int64  `json:"count"`
	} `json:"refusals"`
}

// admin calls the admin API with an administrator's token.
type admin struct {
	web   *web
	token string
}

func (a *admin) call(ctx context.Context, method, path string, body, out any) (int, error) {
	return a.web.doJSON(ctx, method, path, bearer(a.token), body, out)
}

// checkAdmin makes sure the token is an administrator's.
func (a *admin) checkAdmin(ctx context.Context) error {
	var me apiUser
	if _, err := a.call(ctx, http.MethodGet, "/api/v1/me", nil, &me); err != nil {
		return fmt.Errorf("checking the token with %s/api/v1/me: %w", a.web.base, err)
	}
	if !slices.Contains(me.Roles, "admin") {
		return fmt.Errorf("the token is %s's, who is not an administrator: the setup needs an admin's token (tend admin token create --email …)", me.Email)
	}
	return nil
}

// users lists the users whose name or email contains q.
func (a *admin) users(ctx context.Context, q, role string) ([]apiUser, error) {
	var out struct {
		Users []apiUser `json:"users"`
	}
	v := url.Values{"q": {q}}
	if role != "" {
		v.Set("role", role)
	}
	_, err := a.call(ctx, http.MethodGet, "/api/v1/users?"+v.Encode(), nil, &out)
	return out.Users, err
}

func (a *admin) userByEmail(ctx context.Context, email string) (apiUser, bool, error) {
	us, err := a.users(ctx, email, "")
	if err != nil {
		return apiUser{}, false, err
	}
	for _, u := range us {
		if u.Email == email {
			return u, true, nil
		}
	}
	return apiUser{}, false, nil
}

// ensurePatient finds or creates the patient.
func (a *admin) ensurePatient(ctx context.Context, p *Patient, known map[string]apiUser) error {
	u, ok := known[p.Email]
	if !ok {
		body := map[string]any{"email": p.Email, "name": p.Name, "roles": []string{"patient"},
			"profile": map[string]string{"timeZone": p.TimeZone, "birthDate": p.BirthDate, "sex": p.Sex, "mrn": p.MRN}}
		status, err := a.call(ctx, http.MethodPost, "/api/v1/users", body, &u)
		if status == http.StatusConflict {
			// Created meanwhile, or beyond the first page of the listing.
			var found bool
			if u, found, err = a.userByEmail(ctx, p.Email); err == nil && !found {
				err = fmt.Errorf("adding %s: it exists, but the users listing does not show it", p.Email)
			}
		}
		if err != nil {
			return fmt.Errorf("adding patient %s: %w", p.Email, err)
		}
	}
	if !slices.Contains(u.Roles, "patient") {
		return fmt.Errorf("%s exists in Tend but is not a patient", p.Email)
	}
	if u.Profile != nil && u.Profile.MRN != "" && u.Profile.MRN != p.MRN {
		return fmt.Errorf("%s has the MRN %s in Tend, not %s", p.Email, u.Profile.MRN, p.MRN)
	}
	p.ID = u.ID
	return nil
}

// devices lists the simulator's devices already registered.
func (a *admin) devices(ctx context.Context) (map[string]apiDevice, error) {
	out := map[string]apiDevice{}
	after := ""
	for {
		var page struct {
			Devices []apiDevice `json:"devices"`
		}
		v := url.Values{"q": {Maker}, "limit": {"1000"}}
		if after != "" {
			v.Set("after", after)
		}
		if _, err := a.call(ctx, http.MethodGet, "/api/v1/devices?"+v.Encode(), nil, &page); err != nil {
			return nil, fmt.Errorf("listing devices: %w", err)
		}
		for _, d := range page.Devices {
			if d.Maker == Maker {
				out[d.Serial] = d
			}
		}
		if len(page.Devices) < 1000 {
			return out, nil
		}
		after = page.Devices[len(page.Devices)-1].ID
	}
}

// ensureDevice registers the device, or takes the one registered before:
// a new credential, assigned to its patient, enabled.
func (a *admin) ensureDevice(ctx context.Context, d *Device, known map[string]apiDevice) error {
	var answer struct {
		Device     apiDevice `json:"device"`
		Credential string    `json:"credential"`
	}
	ex, ok := known[d.Serial]
	if !ok {
		body := map[string]any{"kind": d.Kind, "maker": Maker, "model": d.Model, "serial": d.Serial, "eui64": d.EUI64,
			"label": "Simulated, " + d.Patient.Profile.Title, "patientId": d.Patient.ID}
		if _, err := a.call(ctx, http.MethodPost, "/api/v1/devices", body, &answer); err != nil {
			return fmt.Errorf("registering %s: %w", d, err)
		}
		d.ID, d.Credential = answer.Device.ID, answer.Credential
		return nil
	}
	d.ID = ex.ID
	if _, err := a.call(ctx, http.MethodPost, "/api/v1/devices/"+d.ID+"/credential", nil, &answer); err != nil {
		return fmt.Errorf("renewing the credential of %s: %w", d, err)
	}
	d.Credential = answer.Credential
	if ex.PatientID != d.Patient.ID {
		if ex.PatientID != "" {
			if _, err := a.call(ctx, http.MethodDelete, "/api/v1/devices/"+d.ID+"/assignment", nil, nil); err != nil {
				return fmt.Errorf("taking %s from its patient: %w", d, err)
			}
		}
		if _, err := a.call(ctx, http.MethodPut, "/api/v1/devices/"+d.ID+"/assignment", map[string]string{"patientId": d.Patient.ID}, nil); err != nil {
			return fmt.Errorf("assigning %s: %w", d, err)
		}
	}
	if !ex.Enabled {
		if err := a.setEnabled(ctx, d, true); err != nil {
			return err
		}
	}
	return nil
}

func (a *admin) setEnabled(ctx context.Context, d *Device, on bool) error {
	if _, err := a.call(ctx, http.MethodPatch, "/api/v1/devices/"+d.ID, map[string]bool{"enabled": on}, nil); err != nil {
		return fmt.Errorf("setting %s enabled=%v: %w", d, on, err)
	}
	return nil
}

// setup makes sure every patient and device of the world is in Tend, with
// a few requests at a time.
func (a *admin) setup(ctx context.Context, w *World, parallel int) error {
	if err := a.checkAdmin(ctx); err != nil {
		return err
	}
	known := map[string]apiUser{}
	us, err := a.users(ctx, "@"+EmailDomain, "patient")
	if err != nil {
		return fmt.Errorf("listing patients: %w", err)
	}
	for _, u := range us {
		known[u.Email] = u
	}
	if err := each(ctx, parallel, len(w.Patients), func(i int) error { return a.ensurePatient(ctx, w.Patients[i], known) }); err != nil {
		return err
	}
	devs, err := a.devices(ctx)
	if err != nil {
		return err
	}
	return each(ctx, parallel, len(w.Devices), func(i int) error { return a.ensureDevice(ctx, w.Devices[i], devs) })
}

// each runs f for 0 … n-1, parallel at a time, and returns the first error.
func each(ctx context.Context, parallel, n int, f func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// GatewayEmail is the account the backfill is imported under: a nurse on
// every simulated patient's care team, like a clinic's integration that
// imports history from patients' phones. Tend refuses device readings
// taken before the device was assigned, so history cannot come from the
// devices just registered.
var GatewayEmail = "sim-gateway@" + EmailDomain

// gateway gets a token for the gateway account: it creates the account if
// needed, gives it a fresh random password, signs in, makes an API token,
// and puts it on the care team of each patient. revoke undoes the token.
func (a *admin) gateway(ctx context.Context, w *World, parallel int) (token string, revoke func(context.Context), err error) {
	pw := make([]byte, 24)
	rand.Read(pw)
	password := base64.RawURLEncoding.EncodeToString(pw)
	u, found, err := a.userByEmail(ctx, GatewayEmail)
	if err != nil {
		return "", nil, err
	}
	if !found {
		body := map[string]any{"email": GatewayEmail, "name": "Tend simulator (import)", "roles": []string{"nurse"}, "password": password}
		if _, err := a.call(ctx, http.MethodPost, "/api/v1/users", body, &u); err != nil {
			return "", nil, fmt.Errorf("adding the gateway account %s: %w", GatewayEmail, err)
		}
	} else if _, err := a.call(ctx, http.MethodPatch, "/api/v1/users/"+u.ID, map[string]any{"password": password, "disabled": false}, nil); err != nil {
		return "", nil, fmt.Errorf("setting the password of %s: %w", GatewayEmail, err)
	}
	// Sign in, and make a token.
	var login struct {
		CSRFToken string `json:"csrfToken"`
	}
	body, _ := json.Marshal(map[string]string{"email": GatewayEmail, "password": password})
	status, h, err := a.web.do(ctx, http.MethodPost, "/api/v1/auth/login", auth{}, "application/json", body, &login)
	if err != nil {
		return "", nil, fmt.Errorf("signing in as %s (%d): %w", GatewayEmail, status, err)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "tend_session" {
			session = c
		}
	}
	if session == nil {
		return "", nil, errors.New("signing in as the gateway account gave no session cookie")
	}
	sess := auth{cookie: session, csrf: login.CSRFToken}
	var tok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	if _, err := a.web.doJSON(ctx, http.MethodPost, "/api/v1/me/tokens", sess, map[string]string{"label": "tend simulate: backfill"}, &tok); err != nil {
		return "", nil, fmt.Errorf("making a token for %s: %w", GatewayEmail, err)
	}
	a.web.doJSON(ctx, http.MethodPost, "/api/v1/auth/logout", sess, nil, nil)
	revoke = func(ctx context.Context) {
		a.web.doJSON(ctx, http.MethodDelete, "/api/v1/me/tokens/"+tok.ID, bearer(tok.Token), nil, nil)
	}
	err = each(ctx, parallel, len(w.Patients), func(i int) error {
		status, err := a.call(ctx, http.MethodPost, "/api/v1/patients/"+w.Patients[i].ID+"/care-team", map[string]string{"userId": u.ID}, nil)
		if status == http.StatusConflict {
			return nil // on the team already
		}
		return err
	})
	if err != nil {
		revoke(ctx)
		return "", nil, fmt.Errorf("putting %s on the care teams: %w", GatewayEmail, err)
	}
	return tok.Token, revoke, nil
}

// credentials is the devices file: who and what the setup made, with the
// devices' secrets, so a later run (or another tool) can send without an
// administrator's token.
type credentials struct {
	URL      string               `json:"url"`
	Patients []credentialsPatient `json:"patients"`
}

type credentialsPatient struct {
	ID       string              `json:"id"`
	Email    string              `json:"email"`
	MRN      string              `json:"mrn"`
	Profile  string              `json:"profile"`
	TimeZone string              `json:"timeZone"`
	Devices  []credentialsDevice `json:"devices"`
}

type credentialsDevice struct {
	ID         string `json:"id"`
	Kind       Kind   `json:"kind"`
	Serial     string `json:"serial"`
	EUI64      string `json:"eui64"`
	Credential string `json:"credential"`
}

// WriteCredentials writes the devices file (mode 0600: it holds secrets).
func WriteCredentials(path, base string, w *World) error {
	c := credentials{URL: base}
	for _, p := range w.Patients {
		cp := credentialsPatient{ID: p.ID, Email: p.Email, MRN: p.MRN, Profile: p.Profile.Name, TimeZone: p.TimeZone}
		for _, d := range p.Devices {
			cp.Devices = append(cp.Devices, credentialsDevice{ID: d.ID, Kind: d.Kind, Serial: d.Serial, EUI64: d.EUI64, Credential: d.Credential})
		}
		c.Patients = append(c.Patients, cp)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// ReadCredentials fills the world's ids and credentials from a devices
// file. Every patient and device of the world must be in it.
func ReadCredentials(path string, w *World) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var c credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	patients := map[string]credentialsPatient{}
	devs := map[string]credentialsDevice{}
	for _, p := range c.Patients {
		patients[p.Email] = p
		for _, d := range p.Devices {
			devs[d.Serial] = d
		}
	}
	for _, p := range w.Patients {
		cp, ok := patients[p.Email]
		if !ok || cp.ID == "" {
			return fmt.Errorf("%s has no patient %s: run with --token once to set up %d patients", path, p.Email, len(w.Patients))
		}
		p.ID = cp.ID
		for _, d := range p.Devices {
			cd, ok := devs[d.Serial]
			if !ok || cd.ID == "" || cd.Credential == "" {
				return fmt.Errorf("%s has no credential for device %s", path, d.Serial)
			}
			d.ID, d.Credential = cd.ID, cd.Credential
		}
	}
	return nil
}
