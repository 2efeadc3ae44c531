package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/events"
)

func reading(patient string, n int) events.Event {
	return events.Event{Kind: events.ReadingCreated, PatientID: patient, Scope: access.Vitals,
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

// next reads one event or fails after a while.
func next(t testing.TB, s *events.Subscription) events.Event {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return events.Event{}
}

// ended waits for the subscription to end and returns why.
func ended(t testing.TB, s *events.Subscription) error {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-s.Events():
			if !ok {
				return s.Err()
			}
		case <-timeout:
			t.Fatal("subscription did not end within 5 s")
		}
	}
}

func TestLocalFansOutToEverySubscriberInOrder(t *testing.T) {
	bus := events.NewLocal()
	defer bus.Close()
	subs := []*events.Subscription{bus.Subscribe(10), bus.Subscribe(10), bus.Subscribe(0)}
	ctx := context.Background()
	for i := range 5 {
		if err := bus.Publish(ctx, reading("p1", i)); err != nil {
			t.Fatal(err)
		}
	}
	for si, s := range subs {
		for i := range 5 {
			e := next(t, s)
			if want := fmt.Sprintf(`{"n":%d}`, i); string(e.Data) != want {
				t.Fatalf("subscriber %d, event %d: data %s, want %s", si, i, e.Data, want)
			}
			if e.ID == "" || e.At.IsZero() || e.Kind != events.ReadingCreated || e.PatientID != "p1" || e.Scope != access.Vitals {
				t.Fatalf("subscriber %d got %+v", si, e)
			}
		}
	}
	// A subscription started later hears only what comes after it.
	late := bus.Subscribe(10)
	bus.Publish(ctx, reading("p2", 9))
	if e := next(t, late); e.PatientID != "p2" {
		t.Fatalf("late subscriber got %+v", e)
	}
	// A closed subscription hears nothing more and ends without error.
	subs[0].Close()
	subs[0].Close()
	if err := ended(t, subs[0]); err != nil {
		t.Fatalf("closed subscription: err %v, want nil", err)
	}
}

func TestSlowSubscriberLagsWithoutBlockingPublisher(t *testing.T) {
	bus := events.NewLocal()
	defer bus.Close()
	slow, fast := bus.Subscribe(2), bus.Subscribe(100)
	ctx := context.Background()
	start := time.Now()
	for i := range 50 {
		if err := bus.Publish(ctx, reading("p1", i)); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("publishing 50 events with a stuck subscriber took %v", took)
	}
	for i := range 50 {
		if e := next(t, fast); string(e.Data) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("fast subscriber event %d: %s", i, e.Data)
		}
	}
	// The slow one still gets what it had buffered, then learns it lagged.
	for i := range 2 {
		if e := next(t, slow); string(e.Data) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("slow subscriber event %d: %s", i, e.Data)
		}
	}
	if err := ended(t, slow); !errors.Is(err, events.ErrLagged) {
		t.Fatalf("slow subscriber ended with %v, want ErrLagged", err)
	}
	// Lagging did not disturb the others.
	bus.Publish(ctx, reading("p1", 99))
	if e := next(t, fast); string(e.Data) != `{"n":99}` {
		t.Fatalf("fast subscriber after the lag: %s", e.Data)
	}
}

func TestPublishRefusesIncompleteEvents(t *testing.T) {
	bus := events.NewLocal()
	defer bus.Close()
	ctx := context.Background()
	for name, e := range map[string]events.Event{
		"no kind":    {PatientID: "p1"},
		"no patient": {Kind: events.ReadingCreated},
		"bad data":   {Kind: events.ReadingCreated, PatientID: "p1", Data: json.RawMessage(`{"x":`)},
	} {
		if err := bus.Publish(ctx, e); err == nil {
			t.Errorf("%s: published", name)
		}
	}
}

func TestPublisherMayReuseItsData(t *testing.T) {
	bus := events.NewLocal()
	defer bus.Close()
	s := bus.Subscribe(1)
	data := []byte(`{"v":1}`)
	bus.Publish(context.Background(), events.Event{Kind: "x.y", PatientID: "p", Data: data})
	copy(data, `{"v":2}`)
	if e := next(t, s); string(e.Data) != `{"v":1}` {
		t.Fatalf("subscriber saw the publisher's later change: %s", e.Data)
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	bus := events.NewLocal()
	s := bus.Subscribe(1)
	bus.Close()
	if err := ended(t, s); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("err %v, want ErrClosed", err)
	}
	if err := bus.Publish(context.Background(), reading("p1", 1)); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("publish after close: %v", err)
	}
	if err := ended(t, bus.Subscribe(1)); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("subscribe after close: %v", err)
	}
}

func TestGrantChangedNamesTheGrantee(t *testing.T) {
	e := events.NewGrantChanged("p1", "u9")
	var gc events.GrantChange
	if err := json.Unmarshal(e.Data, &gc); err != nil || gc.GranteeID != "u9" {
		t.Fatalf("data %s: %v", e.Data, err)
	}
	if e.Kind != events.GrantChanged || e.PatientID != "p1" || e.Scope != access.Any {
		t.Fatalf("%+v", e)
	}
}
