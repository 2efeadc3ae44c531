package readings_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/api"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// The HTTP ingest benchmarks send the same batches as the service
// benchmarks through the real door: JSON over HTTP to POST /api/v1/readings
// with each device's own credential, against raw insertion of the same rows
// in the same run:
//
//	./scripts/with-postgres.sh go test -run '^$' -bench HTTPIngest -benchtime 200000x ./internal/readings/

// httpSend posts each batch as its device through a real HTTP server.
func httpSend(b *testing.B, bw benchWorld, bs []readings.Batch, callers int) []time.Duration {
	srv := api.New(api.Deps{DB: bw.d, People: people.NewService(bw.d, bw.clock), Access: bw.acc, Audit: audit.New(bw.d, bw.clock),
		Devices: bw.dev, Readings: bw.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: callers}}
	bodies := make([][]byte, len(bs)) // encoded before the clock starts: the client's work is not the door's
	b.StopTimer()
	for i, batch := range bs {
		bodies[i], _ = json.Marshal(map[string]any{"readings": batch.Items})
	}
	b.StartTimer()
	var next atomic.Int64
	lat := make([][]time.Duration, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bs) {
					return
				}
				req, _ := http.NewRequest("POST", ts.URL+"/api/v1/readings", bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth(bs[i].DeviceID, bw.secrets[bs[i].DeviceID])
				start := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				lat[c] = append(lat[c], time.Since(start))
				if res.StatusCode != 200 || !strings.Contains(string(body), `"refused":0`) || strings.Contains(string(body), `"duplicate":1`) {
					b.Errorf("batch %d: %d %.300s", i, res.StatusCode, body)
					return
				}
			}
		})
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return all
}

func BenchmarkHTTPIngestSQLite(b *testing.B) {
	open := func(t testing.TB) *db.DB { return dbtest.SQLite(t) }
	b.Run("batch=1000/callers=4", func(b *testing.B) { benchIngest(b, open, "raw", 1000, 4, httpSend) })
	b.Run("batch=500/callers=8", func(b *testing.B) { benchIngest(b, open, "raw", 500, 8, httpSend) })
}

func BenchmarkHTTPIngestPostgres(b *testing.B) {
	open := func(t testing.TB) *db.DB { return dbtest.Postgres(t) }
	b.Run("batch=1000/callers=4", func(b *testing.B) { benchIngest(b, open, "copy", 1000, 4, httpSend) })
}
