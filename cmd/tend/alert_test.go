package main

import (
	"encoding/json"
	"io"
	"net/http"
	nurl "net/url"
	"strings"
	"testing"
	"time"
)

// From a device's out-of-range reading to an alert in the nurse's inbox,
// through tend serve as wired here: the ingest hook feeds the alert rules.
func TestOutOfRangeReadingRaisesAlert(t *testing.T) {
	dir := t.TempDir()
	url, _ := started(t, nil, "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo")
	runJSON(t, "", "admin", "user", "add", "--data-dir", dir, "--email", "sol@example.org", "--name", "Sol Patient", "--role", "patient")
	dev := runJSON(t, "", "admin", "device", "add", "--data-dir", dir, "--kind", "pulse_oximeter", "--serial", "OX-1", "--patient", "sol@example.org")
	patient := dev["patientId"].(string)

	// The administrator puts the demo nurse on Sol's care team.
	admin := demoLogin(t, url, "admin@demo.tend.example")
	nurse := demoLogin(t, url, "nurse.garcia@demo.tend.example")
	var nurseUser map[string]any
	apiCall(t, nurse, "GET", url+"/api/v1/me", "", &nurseUser)
	apiCall(t, admin, "POST", url+"/api/v1/patients/"+patient+"/care-team", `{"userId":"`+nurseUser["id"].(string)+`"}`, nil)

	body := `{"readings":[{"type":"heart_rate","value":150,"unit":"/min","takenAt":"` + time.Now().Add(-time.Minute).UTC().Format(time.RFC3339) + `","externalId":"hr-1"}]}`
	req, _ := http.NewRequest("POST", url+"/api/v1/readings", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(dev["id"].(string), dev["credential"].(string))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"stored":1`) {
		t.Fatalf("device send: %d %s", res.StatusCode, b)
	}
	var inbox struct {
		Alerts []map[string]any `json:"alerts"`
	}
	apiCall(t, nurse, "GET", url+"/api/v1/alerts?patientId="+patient, "", &inbox)
	if len(inbox.Alerts) == 0 {
		t.Fatal("a heart rate of 150 raised no alert for the care-team nurse")
	}
}

type demoSession struct {
	client *http.Client
	csrf   string
}

func demoLogin(t testing.TB, url, email string) demoSession {
	t.Helper()
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"tend-demo-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ CSRFToken string }
	json.NewDecoder(res.Body).Decode(&out)
	jar := &fixedJar{cookies: res.Cookies()}
	return demoSession{client: &http.Client{Jar: jar}, csrf: out.CSRFToken}
}

// fixedJar hands back the cookies a login set, for one test server.
type fixedJar struct{ cookies []*http.Cookie }

func (j *fixedJar) SetCookies(_ *nurl.URL, _ []*http.Cookie) {}
func (j *fixedJar) Cookies(_ *nurl.URL) []*http.Cookie       { return j.cookies }

func apiCall(t testing.TB, s demoSession, method, url, body string, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", s.csrf)
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	if out != nil {
		json.Unmarshal(b, out)
	}
}
