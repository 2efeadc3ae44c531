package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tend-health/tend/internal/db/dbtest"
)

// FuzzIngestBody sends arbitrary bytes as the body of the HTTP batch door,
// signed in as a real device: whatever arrives, the answer is a verdict or
// a clear client error, never a server fault.
func FuzzIngestBody(f *testing.F) {
	for _, seed := range []string{
		`{"readings":[{"type":"heart_rate","value":72,"unit":"/min","takenAt":"2026-11-22T10:00:00Z","externalId":"a"}]}`,
		`{"readings":[{"type":"blood_pressure","unit":"mmHg","takenAt":"2026-11-22T10:00:00Z","components":[{"key":"systolic","value":138},{"key":"diastolic","value":88}]}]}`,
		`{"readings":[{"loinc":"8310-5","value":99.5,"unit":"[degF]","takenAt":"2026-11-22T10:00:00+01:00"}]}`,
		`{"readings":[{"type":"spo2","value":1e308,"unit":"%","takenAt":"0001-01-01T00:00:00Z","flags":["x"],"batteryPercent":-1}]}`,
		`{"readings":null}`, `{"patientId":"x","readings":[]}`, `[]`, `{`, ``, `{"readings":[{"components":[{}]}]}`,
	} {
		f.Add(seed)
	}
	// One server for the whole run (each fuzzing worker makes its own): a
	// fresh one per input would spend the run making databases.
	e := newEnv(f, dbtest.SQLite(f))
	device, secret := e.newDevice("patA")
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/readings", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(device.ID, secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("body %q: %d %s", body, res.StatusCode, out)
		}
	})
}
