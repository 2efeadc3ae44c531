package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/api"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/config"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// The FHIR door under load: a real HTTP server on a SQLite file (WAL,
// synchronous=NORMAL, as tend serve runs by default), with fhirClients
// clients sending at once, as a device signs in: HTTP Basic with its id and
// credential. Run with
//
//	go test ./internal/api -run '^$' -bench FHIR -benchtime 20000x
//
// The reference, a public Go FHIR server on PostgreSQL measured on
// this kind of machine: about 300 single creates/s with p99 72 ms at 8
// clients, and about 860 Observations/s in 100-entry transaction Bundles.

// fhirClients is how many clients send at once.
const fhirClients = 8

// fhirBench is a running server with one patient and one device assigned
// to her.
type fhirBench struct {
	srv      *httptest.Server
	client   *http.Client
	patient  string
	deviceID string
	secret   string
	readings *readings.Service
	audit    *audit.Log
}

func newFHIRBench(b *testing.B) *fhirBench {
	b.Helper()
	// The garbage collector as tend serve sets it.
	config.TuneGC(os.Getenv)
	d := dbtest.SQLite(b)
	c := clock.Real{}
	ctx := context.Background()
	ps := people.NewService(d, c)
	acc := access.New(d, c, ps)
	dev := devices.New(d, c, ps, acc)
	bus := events.NewLocal()
	aud := audit.New(d, c)
	rs := readings.New(d, c, acc, dev, readings.Options{Events: bus, Audit: aud})
	b.Cleanup(func() { rs.Close(); dev.Close(); bus.Close(); aud.Close() })
	srv := api.New(api.Deps{DB: d, People: ps, Access: acc, Audit: aud, Devices: dev, Readings: rs,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	u, err := ps.Create(ctx, people.NewUser{Email: "bench@example.org", Name: "Bench Patient", Roles: []people.Role{people.Patient},
		Password: password, Profile: &people.Profile{MRN: "MRN-BENCH"}})
	if err != nil {
		b.Fatal(err)
	}
	dv, cred, err := dev.Add(ctx, devices.NewDevice{Kind: devices.HeartRateStrap, Maker: "Acme", Serial: "HR-BENCH"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := dev.Assign(ctx, dv.ID, u.ID); err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	fb := &fhirBench{srv: hs, client: &http.Client{Transport: tr}, patient: u.ID, deviceID: dv.ID, secret: cred.Secret, readings: rs, audit: aud}
	res, err := http.Get(hs.URL + "/fhir/metadata")
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		b.Skip("the FHIR routes are not in routes.go yet")
	}
	return fb
}

// heartRateJSON appends one heart rate Observation with its own identifier.
func (fb *fhirBench) heartRateJSON(buf []byte, id string, bpm int, when string) []byte {
	return fmt.Appendf(buf, `{"resourceType":"Observation","identifier":[{"system":"urn:bench","value":%q}],"status":"final",`+
		`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],`+
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/%s"},`+
		`"effectiveDateTime":%q,"valueQuantity":{"value":%d,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}}`,
		id, fb.patient, when, bpm)
}

// post sends one body and checks the status.
func (fb *fhirBench) post(path string, body []byte, want int) error {
	req, err := http.NewRequest("POST", fb.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.SetBasicAuth(fb.deviceID, fb.secret)
	res, err := fb.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s: %d %.300s", path, res.StatusCode, b)
	}
	return nil
}

// clientKind says how the benchmark's clients speak HTTP.
type clientKind int

const (
	// netHTTP clients use Go's net/http client, as a Go program would.
	netHTTP clientKind = iota
	// wire clients are lean keep-alive HTTP/1.1 clients (see wireClient):
	// the load generator shares the machine's two cores with the server,
	// and this one leaves it more of them.
	wire
)

// run makes n requests from fhirClients clients, each built by build(i),
// and reports their rate (per second, named unit, times perRequest) and
// latency percentiles.
func (fb *fhirBench) run(b *testing.B, kind clientKind, n int, path string, want int, unit string, perRequest int, build func(i int, buf []byte) []byte) {
	b.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, fhirClients)
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	ws0 := fb.readings.Stats()
	ae0, ac0 := fb.audit.Stats()
	cpu0 := cpuTime()
	start := time.Now()
	for c := range fhirClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			send := fb.post
			if kind == wire {
				wc, err := fb.dial()
				if err != nil {
					failed.Store(err)
					return
				}
				defer wc.conn.Close()
				send = wc.post
			}
			for {
				i := int(next.Add(1)) - 1
				if i >= n || failed.Load() != nil {
					return
				}
				buf = build(i, buf[:0])
				t0 := time.Now()
				if err := send(path, buf, want); err != nil {
					failed.Store(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	ws1 := fb.readings.Stats()
	ae1, ac1 := fb.audit.Stats()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(float64(len(all))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(n*perRequest)/elapsed.Seconds(), unit)
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	// The CPU the whole process spent, server and clients together, per
	// request: with 2 cores, 2e6 divided by it bounds the rate.
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/req")
	// How well the two group commits gather: requests per readings
	// transaction and audit events per audit transaction.
	if c := ws1.Commits - ws0.Commits; c > 0 {
		b.ReportMetric(float64(ws1.Requests-ws0.Requests)/float64(c), "ingests/commit")
	}
	if c := ac1 - ac0; c > 0 {
		b.ReportMetric(float64(ae1-ae0)/float64(c), "audits/commit")
	}
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFHIRCreate posts single heart rate Observations, one per
// operation, from 8 clients at once with a device's credential: lean
// clients, and Go's net/http client for comparison.
func BenchmarkFHIRCreate(b *testing.B) {
	b.Run("client=wire", func(b *testing.B) { benchFHIRCreate(b, wire) })
	b.Run("client=net-http", func(b *testing.B) { benchFHIRCreate(b, netHTTP) })
}

func benchFHIRCreate(b *testing.B, kind clientKind) {
	fb := newFHIRBench(b)
	when := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	prefix := fmt.Sprintf("b%d-", b.N)
	// Warm up: connections, prepared statements, the device cache.
	for i := range fhirClients {
		if err := fb.post("/fhir/Observation", fb.heartRateJSON(nil, fmt.Sprint("warm-", b.N, "-", i), 70, when), http.StatusCreated); err != nil {
			b.Fatal(err)
		}
	}
	fb.run(b, kind, b.N, "/fhir/Observation", http.StatusCreated, "creates/s", 1, func(i int, buf []byte) []byte {
		return fb.heartRateJSON(buf, prefix+fmt.Sprint(i), 50+i%100, when)
	})
}

// BenchmarkFHIRTransaction100 posts transaction Bundles of 100 heart rate
// Observations, one Bundle per operation, from 8 clients at once.
func BenchmarkFHIRTransaction100(b *testing.B) {
	const entries = 100
	fb := newFHIRBench(b)
	when := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	prefix := fmt.Sprintf("t%d-", b.N)
	bundle := func(i int, buf []byte) []byte {
		buf = append(buf, `{"resourceType":"Bundle","type":"transaction","entry":[`...)
		for j := range entries {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"request":{"method":"POST","url":"Observation"},"resource":`...)
			buf = fb.heartRateJSON(buf, fmt.Sprint(prefix, i, "-", j), 50+j, when)
			buf = append(buf, '}')
		}
		return append(buf, "]}"...)
	}
	if err := fb.post("/fhir", bundle(-1, nil), http.StatusOK); err != nil {
		b.Fatal(err)
	}
	fb.run(b, netHTTP, b.N, "/fhir", http.StatusOK, "observations/s", entries, bundle)
}

// wireClient is a minimal HTTP/1.1 keep-alive client, as lean as load
// generators such as wrk: one TCP connection, each request written with
// one write, each answer read by its status line, headers and
// Content-Length. It leaves the machine's two cores to the server.
type wireClient struct {
	conn net.Conn
	r    *bufio.Reader
	host string
	auth string
	req  []byte
	body []byte
}

func (fb *fhirBench) dial() (*wireClient, error) {
	u, err := url.Parse(fb.srv.URL)
	if err != nil {
		return nil, err
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	return &wireClient{conn: conn, r: bufio.NewReaderSize(conn, 16<<10), host: u.Host,
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(fb.deviceID+":"+fb.secret))}, nil
}

// post sends body to path and reads the whole answer.
func (c *wireClient) post(path string, body []byte, want int) error {
	c.req = fmt.Appendf(c.req[:0], "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/fhir+json\r\n"+
		"Accept: application/fhir+json\r\nContent-Length: %d\r\n\r\n", path, c.host, c.auth, len(body))
	c.req = append(c.req, body...)
	if _, err := c.conn.Write(c.req); err != nil {
		return err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	status := 0
	if f := strings.Fields(string(line)); len(f) >= 2 {
		status, _ = strconv.Atoi(f[1])
	}
	length := -1
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(h) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(h, []byte{':'}); ok && strings.EqualFold(string(k), "Content-Length") {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return fmt.Errorf("%s: an answer without Content-Length", path)
	}
	c.body = slices.Grow(c.body[:0], length)[:length]
	if _, err := io.ReadFull(c.r, c.body); err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s: %d %.300s", path, status, c.body)
	}
	return nil
}
