package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// call calls the running server with a bearer token.
func call(t *testing.T, base, token, method, path string, body string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// after returns the address printed after a prefix in tend serve's output.
func after(t *testing.T, out, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(line, prefix); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatalf("no %q in\n%s", prefix, out)
	return ""
}

// figure reads a number of the simulator's summary block, such as
// "stored", from the block whose title starts with title.
func figure(t *testing.T, out, title, name string) int {
	t.Helper()
	i := strings.Index(out, title)
	if i < 0 {
		t.Fatalf("no %q in\n%s", title, out)
	}
	m := regexp.MustCompile(`(?m)^  ` + name + ` +(\d+)`).FindStringSubmatch(out[i:])
	if m == nil {
		t.Fatalf("no %q under %q in\n%s", name, title, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestSimulateEveryDoor runs tend simulate against tend serve through each
// door, with injected faults, and checks through the API what arrived and
// what was refused, and why.
func TestSimulateEveryDoor(t *testing.T) {
	if testing.Short() {
		t.Skip("streams for a few seconds per door")
	}
	dir := t.TempDir()
	base, serveOut := started(t, map[string]string{"TEND_DATA_DIR": dir}, "--addr", "127.0.0.1:0",
		"--mqtt-addr", "127.0.0.1:0", "--mllp-addr", "127.0.0.1:0")
	mqttAddr := after(t, serveOut.String(), "MQTT broker for devices on ")
	mllpAddr := after(t, serveOut.String(), "HL7 v2 (MLLP) listener for monitors on ")
	runJSON(t, "a very good password\n", "admin", "user", "add", "--data-dir", dir, "--email", "ops@example.org",
		"--name", "Ops", "--role", "admin", "--role", "doctor", "--password-stdin")
	token := runJSON(t, "", "admin", "token", "create", "--data-dir", dir, "--email", "ops@example.org")["token"].(string)
	devicesFile := filepath.Join(dir, "sim-devices.json")

	simulate := func(t *testing.T, args ...string) string {
		t.Helper()
		var out strings.Builder
		args = append([]string{"simulate", "--url", base, "--patients", "5", "--seed", "4", "--rate", "300", "--duration", "2s",
			"--out-of-range", "0.05", "--duplicates", "0.05", "--disable-device", "--report-every", "0",
			"--mqtt-addr", mqttAddr, "--mllp-addr", mllpAddr, "--devices-file", devicesFile}, args...)
		env := map[string]string{"TEND_TOKEN": token}
		if err := run(context.Background(), args, func(k string) string { return env[k] }, nil, &out, io.Discard); err != nil {
			t.Fatalf("tend %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		s := out.String()
		t.Logf("%s", s)
		if strings.Contains(s, "note:") && !strings.Contains(s, "cannot carry") {
			t.Errorf("the run had trouble:\n%s", s)
		}
		if figure(t, s, "Live stream", "sent") < 200 || figure(t, s, "Live stream", "stored") == 0 || figure(t, s, "Live stream", "errors") != 0 ||
			strings.Contains(s, "unanswered") {
			t.Errorf("live stream:\n%s", s)
		}
		refused := regexp.MustCompile(`(?m)^  refused .*$`).FindAllString(s, -1)
		if last := refused[len(refused)-1]; !strings.Contains(last, "disabled") || !strings.Contains(last, "implausible") {
			t.Errorf("want refusals for the disabled device and the implausible values: %s", last)
		}
		return s
	}

	// A day of history first, then each door in turn. Each run sets up the
	// same patients and devices again: the setup finds them.
	out := simulate(t, "--door", "http", "--backfill", "1d", "--gaps", "0.05")
	if figure(t, out, "Backfill", "stored") < 500 || figure(t, out, "Backfill", "errors") != 0 ||
		!strings.Contains(out, "implausible") {
		t.Errorf("backfill:\n%s", out)
	}
	for _, door := range []string{"gatt", "fhir", "mqtt", "mllp", "mixed"} {
		t.Run(door, func(t *testing.T) { simulate(t, "--door", door) })
	}
	t.Run("fhir single", func(t *testing.T) { simulate(t, "--door", "fhir", "--fhir-mode", "single", "--rate", "150") })

	// The setup made 5 patients and 8 devices, once.
	var users struct{ Users []struct{ ID, Email string } }
	call(t, base, token, "GET", "/api/v1/users?"+url.Values{"q": {"sim-patient"}, "role": {"patient"}}.Encode(), "", &users)
	type device struct {
		ID, Serial string
		Enabled    bool
		Refusals   []struct {
			Reason string
			Count  int
		}
	}
	var devs struct{ Devices []device }
	call(t, base, token, "GET", "/api/v1/devices?q=Tend+Simulator&limit=1000", "", &devs)
	if len(users.Users) != 5 || len(devs.Devices) != 8 {
		t.Fatalf("%d patients and %d devices, want 5 and 8", len(users.Users), len(devs.Devices))
	}

	// Tend counted the refusals on the devices: implausible values, and
	// the disabled device's readings.
	refusals := map[string]int{}
	disabled := 0
	for _, d := range devs.Devices {
		for _, r := range d.Refusals {
			refusals[r.Reason] += r.Count
		}
		if !d.Enabled {
			disabled++
			if len(d.Refusals) == 0 {
				t.Errorf("the disabled device %s counts no refusals", d.Serial)
			}
		}
	}
	if disabled != 1 || refusals["disabled"] < 100 || refusals["implausible"] == 0 {
		t.Errorf("%d devices disabled; refusals %v", disabled, refusals)
	}

	// The readings arrived through every door, and the history as an
	// import; none is implausible.
	doors, sources := map[string]int{}, map[string]int{}
	for _, u := range users.Users {
		if code := call(t, base, token, "POST", "/api/v1/patients/"+u.ID+"/care-team", `{"userId":"`+me(t, base, token)+`"}`, nil); code != 201 {
			t.Fatalf("care team: %d", code)
		}
		cursor := ""
		for {
			var page struct {
				Readings []struct {
					Type, Door, Source string
					Value              *float64
				}
				Next string
			}
			q := url.Values{"limit": {"1000"}, "from": {time.Now().Add(-72 * time.Hour).UTC().Format(time.RFC3339)}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			if code := call(t, base, token, "GET", "/api/v1/patients/"+u.ID+"/readings?"+q.Encode(), "", &page); code != 200 {
				t.Fatalf("readings of %s: %d", u.Email, code)
			}
			for _, r := range page.Readings {
				doors[r.Door]++
				sources[r.Source]++
				if r.Type == "heart_rate" && r.Value != nil && *r.Value > 300 {
					t.Errorf("an implausible heart rate was stored: %v", *r.Value)
				}
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	for _, d := range []string{"http", "gatt", "fhir", "mqtt", "mllp"} {
		if doors[d] == 0 {
			t.Errorf("no readings through the %s door: %v", d, doors)
		}
	}
	if sources["import"] < 500 || sources["device"] == 0 {
		t.Errorf("readings by source %v", sources)
	}
}

func me(t *testing.T, base, token string) string {
	var u struct{ ID string }
	call(t, base, token, "GET", "/api/v1/me", "", &u)
	return u.ID
}

func TestSimulateFlags(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute, "0": 0} {
		if got, err := parseSpan(in); err != nil || got != want {
			t.Errorf("parseSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"d", "-1d", "thirty days"} {
		if _, err := parseSpan(bad); err == nil {
			t.Errorf("parseSpan(%q) took it", bad)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--door", "carrier-pigeon"}, "--door"},
		{[]string{"--patients", "0", "--token", "x"}, "--patients"},
		{[]string{"--out-of-range", "2", "--token", "x"}, "--out-of-range"},
		{[]string{}, "--token"},
		{[]string{"--backfill", "soon"}, "soon"},
		{[]string{"--url", "localhost:8080", "--token", "x"}, "--url"},
		{[]string{"--scenario", "fire", "--token", "x"}, "--scenario"},
		{[]string{"--scenario", "missed"}, "--token"},
	} {
		err := run(context.Background(), append([]string{"simulate"}, tt.args...), func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("simulate %v: %v; want an error naming %s", tt.args, err, tt.want)
		}
	}
}
