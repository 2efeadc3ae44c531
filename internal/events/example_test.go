package events_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/events"
)

// A service publishes after its change is committed; a listener reads
// until its subscription ends, and reloads from the database if it lagged.
func Example() {
	bus := events.NewLocal() // events.NewPostgres(ctx, d, events.PostgresConfig{URL: url}) on PostgreSQL
	defer bus.Close()
	sub := bus.Subscribe(64)

	data, _ := json.Marshal(map[string]any{"readingId": "0193…", "code": "8480-6"})
	err := bus.Publish(context.Background(), events.Event{
		Kind: events.ReadingCreated, PatientID: "patient-1", Scope: access.Vitals, Data: data,
	})
	fmt.Println("published:", err)

	e := <-sub.Events()
	fmt.Println(e.Kind, e.PatientID, e.Scope)

	sub.Close()
	for range sub.Events() {
	}
	if sub.Err() == events.ErrLagged {
		fmt.Println("missed events: reload and subscribe again")
	}
	// Output:
	// published: <nil>
	// reading.created patient-1 vitals
}
