package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db/dbtest"
	sim "github.com/tend-health/tend/internal/simulate"
)

// BenchmarkAlertLatency measures the live-push target end to end,
// on a real tend serve: from a device's reading being acknowledged (the
// answer to its POST /api/v1/readings read in full) to the alert it raises
// arriving on a nurse's /api/v1/live WebSocket, while tend simulate's load
// generator streams BackgroundRate other readings a second from 50 other
// patients' devices. One op is one measured reading: a heart rate of 150
// from the nurse's patient's oximeter, which opens a heart-rate alert.
// Between ops, untimed, a normal heart rate clears the rule and the nurse
// resolves the alert, so every measured reading opens a new one (with its
// notification), not a repeat.
//
// Reported: p50, p95, p99 and max of ack→alert in ms (negative when the
// alert reached the client before the device had its answer: alert rules
// run before the answer, as soon as the reading is committed), the same
// from the moment the POST was sent (send→alert), and the background
// readings a second Tend actually stored meanwhile. At least minAlerts
// readings are measured, more when b.N asks.
//
//	./scripts/with-postgres.sh go test -run '^$' -bench AlertLatency -benchtime 2000x ./cmd/tend/
func BenchmarkAlertLatency(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			store := []string{"--data-dir", b.TempDir()}
			if name == "postgres" {
				store = append(store, "--database", dbtest.SchemaURL(b))
			}
			benchAlertLatency(b, store)
		})
	}
}

// BackgroundRate is the readings a second of the load other patients send.
const BackgroundRate = 1000

// minAlerts is the fewest readings measured, whatever b.N (make bench runs
// every benchmark 3x): fewer give no p99.
const minAlerts = 200

func benchAlertLatency(b *testing.B, store []string) {
	url, _ := started(b, nil, append([]string{"--addr", "127.0.0.1:0", "--demo", "--log-level", "error"}, store...)...)
	token := runJSON(b, "", append([]string{"admin", "token", "create", "--email", "admin@demo.tend.example", "--label", "bench"}, store...)...)["token"].(string)
	admin := tokenSession(token)
	call := func(method, path string, body, out any) {
		b.Helper()
		raw, _ := json.Marshal(body)
		apiCall(b, admin, method, url+path, string(raw), out)
	}

	// The measured patient, their oximeter, and the nurse watching live.
	var patient struct{ ID string }
	call("POST", "/api/v1/users", map[string]any{"email": "lat@bench.example", "name": "Lena Latency", "roles": []string{"patient"},
		"profile": map[string]string{"timeZone": "Europe/Oslo"}}, &patient)
	var dev struct {
		Device     struct{ ID string }
		Credential string
	}
	call("POST", "/api/v1/devices", map[string]any{"kind": "pulse_oximeter", "maker": "Bench", "serial": "LAT-1", "patientId": patient.ID}, &dev)
	nurse := demoLogin(b, url, "nurse.garcia@demo.tend.example")
	var me struct{ ID string }
	apiCall(b, nurse, "GET", url+"/api/v1/me", "", &me)
	call("POST", "/api/v1/patients/"+patient.ID+"/care-team", map[string]string{"userId": me.ID}, nil)
	live := watchLive(b, url, nurse)
	time.Sleep(200 * time.Millisecond) // the subscription is in place

	// The background: tend simulate at BackgroundRate, small batches.
	started := make(chan struct{})
	bgCtx, stopBackground := context.WithCancel(context.Background())
	var summary *sim.Summary
	var bgErr error
	bgDone := make(chan struct{})
	go func() {
		defer close(bgDone)
		summary, bgErr = sim.Run(bgCtx, sim.Config{URL: url, Token: token, Patients: 50, Door: sim.DoorHTTP, Rate: BackgroundRate,
			Live: true, FlushEvery: 100 * time.Millisecond, Batch: 50, Concurrency: 8, ReportEvery: -1, Out: &firstWrite{ch: started}})
	}()
	select {
	case <-started:
	case <-bgDone:
		b.Fatalf("the background load ended before it began: %v", bgErr)
	case <-time.After(2 * time.Minute):
		b.Fatal("the background load did not start within 2 minutes")
	}
	time.Sleep(2 * time.Second) // let it reach its rate

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	last := time.Now()
	send := func(i int, hr float64) (id string, sent, acked time.Time) {
		at := time.Now()
		if !at.After(last) {
			at = last.Add(time.Millisecond)
		}
		last = at
		body := fmt.Sprintf(`{"readings":[{"type":"heart_rate","value":%g,"unit":"/min","takenAt":%q,"externalId":"lat-%d-%g"}]}`,
			hr, at.UTC().Format(time.RFC3339Nano), i, hr)
		req, _ := http.NewRequest("POST", url+"/api/v1/readings", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(dev.Device.ID, dev.Credential)
		sent = time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(res.Body)
		res.Body.Close()
		acked = time.Now()
		var ans struct {
			Results []struct{ Outcome, ID string }
		}
		if err != nil || res.StatusCode != 200 || json.Unmarshal(data, &ans) != nil || len(ans.Results) != 1 || ans.Results[0].Outcome != "stored" {
			b.Fatalf("reading %d: %d %s %v", i, res.StatusCode, data, err)
		}
		return ans.Results[0].ID, sent, acked
	}

	var fromAck, fromSend []time.Duration
	n := max(b.N, minAlerts)
	b.ResetTimer()
	began := time.Now()
	var untimed time.Duration
	for i := range n {
		live.forget()
		id, sent, acked := send(i, 150)
		e := live.find(b, 10*time.Second, func(e liveEvent) bool { return e.Kind == "alert.opened" && e.Data.ReadingID == id })
		fromAck, fromSend = append(fromAck, e.At.Sub(acked)), append(fromSend, e.At.Sub(sent))
		// Clear the condition and close the alert, so the next reading
		// opens a new one.
		t := time.Now()
		send(i, 62)
		apiCall(b, nurse, "POST", url+"/api/v1/alerts/"+e.Data.ID+"/resolve", `{"comment":"benchmark"}`, nil)
		untimed += time.Since(t)
	}
	b.StopTimer()
	b.ReportMetric(float64((time.Since(began)-untimed).Nanoseconds())/float64(n), "ns/op")
	b.ReportMetric(float64(n), "alerts")
	stopBackground()
	<-bgDone
	if bgErr != nil {
		b.Fatalf("background load: %v", bgErr)
	}
	rate := float64(summary.Live.Stored) / summary.Live.Elapsed.Seconds()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, m := range []struct {
		name string
		ds   []time.Duration
	}{{"ack→alert", fromAck}, {"send→alert", fromSend}} {
		slices.Sort(m.ds)
		pct := func(p float64) time.Duration { return m.ds[min(len(m.ds)-1, int(p*float64(len(m.ds))))] }
		b.ReportMetric(ms(pct(0.50)), m.name+"-p50-ms")
		b.ReportMetric(ms(pct(0.95)), m.name+"-p95-ms")
		b.ReportMetric(ms(pct(0.99)), m.name+"-p99-ms")
		b.ReportMetric(ms(m.ds[len(m.ds)-1]), m.name+"-max-ms")
	}
	b.ReportMetric(rate, "background-readings/s")
}

// firstWrite closes ch at the first write: the simulator has set up its
// patients and starts streaming.
type firstWrite struct {
	once sync.Once
	ch   chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.ch) })
	return len(p), nil
}
