package ws_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/ws"
)

// BenchmarkLiveLatency measures the time from Publish to a subscribed
// browser-style client reading the event, while 1,000 other events a
// second flow to 100 other patients, each watched by its own connection.
//
//	./scripts/with-postgres.sh go test -run '^$' -bench LiveLatency -benchtime 2000x ./internal/ws/
//
// sqlite: the in-process bus. postgres-same-node: the LISTEN/NOTIFY bus,
// published on the node that serves the socket. postgres-other-node:
// published on another node, so every event crosses PostgreSQL.
func BenchmarkLiveLatency(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		bus := events.NewLocal()
		b.Cleanup(func() { bus.Close() })
		benchLive(b, newEnv(b, dbtest.SQLite(b), bus, production), bus)
	})
	b.Run("postgres-same-node", func(b *testing.B) {
		d, bus := postgres(b)
		benchLive(b, newEnv(b, d, bus, production), bus)
	})
	b.Run("postgres-other-node", func(b *testing.B) {
		d, bus, another, _ := postgresNodes(b)
		benchLive(b, newEnv(b, d, bus, production), another())
	})
}

// production keeps the default intervals, not the tests' quick ones.
func production(d *ws.Deps) { d.SessionCheck = 0 }

func benchLive(b *testing.B, e *env, publisher events.Bus) {
	ctx := context.Background()
	// 100 other patients, each watching their own data.
	var others []string
	var received atomic.Int64
	for i := range 100 {
		u, err := e.people.Create(ctx, people.NewUser{Email: fmt.Sprintf("other%d@example.org", i), Name: "other",
			Roles: []people.Role{people.Patient}})
		if err != nil {
			b.Fatal(err)
		}
		others = append(others, u.ID)
		tok, _ := e.people.CreateToken(ctx, u.ID, "bench")
		c, _, err := e.dialWith(http.Header{"Authorization": {"Bearer " + tok.Token}}, "")
		if err != nil {
			b.Fatal(err)
		}
		c.subscribe(patients(u.ID))
		go func() {
			for {
				if _, err := c.recv(time.Hour); err != nil {
					return
				}
				received.Add(1)
			}
		}()
	}
	nurse := e.dialBrowser("nurseCare")
	nurse.subscribe(all())

	// The background flow: twenty publishers, as concurrent ingest would
	// be, each publishing an event every 20 ms.
	stop := make(chan struct{})
	var sent atomic.Int64
	var flow sync.WaitGroup
	for w := range 20 {
		flow.Go(func() {
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for n := w; ; n += 20 {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if err := publisher.Publish(ctx, events.Event{Kind: events.ReadingCreated, PatientID: others[n%len(others)],
					Scope: access.Vitals, Data: []byte(`{"code":"8867-4","value":72,"unit":"/min"}`)}); err == nil {
					sent.Add(1)
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // let the flow settle

	A := e.id("patA")
	lat := make([]time.Duration, 0, b.N)
	start, sentBefore, receivedBefore := time.Now(), sent.Load(), received.Load()
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("m%d", i)
		t0 := time.Now()
		if err := publisher.Publish(ctx, events.Event{ID: id, Kind: events.AlertOpened, PatientID: A, Scope: access.Alerts,
			Data: []byte(`{"rule":"hypertensive-crisis"}`)}); err != nil {
			b.Fatal(err)
		}
		for {
			f := nurse.must(10 * time.Second)
			if f.Type == "event" && f.Event.ID == id {
				break
			}
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(2 * time.Millisecond)
	}
	b.StopTimer()
	took := time.Since(start).Seconds()
	rate, delivered := float64(sent.Load()-sentBefore)/took, float64(received.Load()-receivedBefore)/took
	close(stop)
	flow.Wait()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(rate, "background-events/s")
	b.ReportMetric(delivered, "background-delivered/s")
	b.ReportMetric(0, "ns/op")
}
