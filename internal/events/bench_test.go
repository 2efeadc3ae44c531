package events_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/events"
)

// BenchmarkLatency measures from Publish returning... to a subscriber
// having the event: in-process, and from one PostgreSQL node to another.
//
//	./scripts/with-postgres.sh go test -run '^$' -bench Latency ./internal/events/
func BenchmarkLatency(b *testing.B) {
	b.Run("local", func(b *testing.B) {
		bus := events.NewLocal()
		defer bus.Close()
		benchLatency(b, bus, bus)
	})
	b.Run("postgres-same-node", func(b *testing.B) {
		a := newCluster(b).node(b)
		benchLatency(b, a, a)
	})
	b.Run("postgres-other-node", func(b *testing.B) {
		c := newCluster(b)
		benchLatency(b, c.node(b), c.node(b))
	})
}

func benchLatency(b *testing.B, from, to events.Bus) {
	sub := to.Subscribe(1024)
	defer sub.Close()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprint(i)
		t0 := time.Now()
		if err := from.Publish(ctx, events.Event{ID: id, Kind: events.ReadingCreated, PatientID: "p1", Scope: access.Vitals,
			Data: []byte(`{"code":"8867-4","value":72,"unit":"/min"}`)}); err != nil {
			b.Fatal(err)
		}
		for e := next(b, sub); e.ID != id; e = next(b, sub) {
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkPostgresPublish measures how many events one node can publish
// a second, one after another.
func BenchmarkPostgresPublish(b *testing.B) {
	a := newCluster(b).node(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if err := a.Publish(ctx, events.Event{Kind: events.ReadingCreated, PatientID: fmt.Sprint("p", i%100), Scope: access.Vitals,
			Data: []byte(`{"code":"8867-4","value":72,"unit":"/min"}`)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostgresPublishParallel publishes from many goroutines at once,
// as concurrent ingest does; events then share notifications.
func BenchmarkPostgresPublishParallel(b *testing.B) {
	a := newCluster(b).node(b)
	ctx := context.Background()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := a.Publish(ctx, events.Event{Kind: events.ReadingCreated, PatientID: "p1", Scope: access.Vitals,
				Data: []byte(`{"code":"8867-4","value":72,"unit":"/min"}`)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
