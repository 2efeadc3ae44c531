package events_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/events"
)

// cluster is one PostgreSQL schema shared by several tend "nodes".
type cluster struct {
	url     string
	channel string
	admin   *db.DB
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	u := dbtest.SchemaURL(t)
	d, err := db.Open(context.Background(), db.Config{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	// Channels are database-wide: one per test keeps tests apart.
	return &cluster{url: u, channel: "tend_test_" + hex.EncodeToString(b), admin: d}
}

// node starts a bus as a tend node would: its own pool and listener.
func (c *cluster) node(t testing.TB) *events.Postgres {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: c.url})
	if err != nil {
		t.Fatal(err)
	}
	bus, err := events.NewPostgres(context.Background(), d, events.PostgresConfig{URL: c.url, Channel: c.channel,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close(); d.Close() })
	return bus
}

// collect reads events until one of kind "test.end" arrives.
func collect(t *testing.T, s *events.Subscription) []events.Event {
	t.Helper()
	var got []events.Event
	for {
		e := next(t, s)
		if e.Kind == "test.end" {
			return got
		}
		got = append(got, e)
	}
}

func TestPostgresNodesHearEachOtherOnce(t *testing.T) {
	c := newCluster(t)
	a, b := c.node(t), c.node(t)
	subA, subB := a.Subscribe(100), b.Subscribe(100)
	ctx := context.Background()
	if err := a.Publish(ctx, events.Event{ID: "from-a", Kind: events.AlertOpened, PatientID: "p1", Scope: access.Alerts,
		Data: json.RawMessage(`{"rule":"spo2-low"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, events.Event{ID: "from-b", Kind: events.ReadingCreated, PatientID: "p2", Scope: access.Vitals}); err != nil {
		t.Fatal(err)
	}
	// Each node ends the round after both events can have crossed.
	a.Publish(ctx, events.Event{Kind: "test.wait", PatientID: "x"})
	b.Publish(ctx, events.Event{Kind: "test.wait", PatientID: "x"})
	for _, s := range []*events.Subscription{subA, subB} {
		waits := 0
		var ids []string
		for waits < 2 {
			e := next(t, s)
			if e.Kind == "test.wait" {
				waits++
				continue
			}
			ids = append(ids, e.ID)
		}
		// A final round trip flushes any echo that would duplicate.
		ids = append(ids, drainFor(s, 200*time.Millisecond)...)
		sort.Strings(ids)
		if !slices.Equal(ids, []string{"from-a", "from-b"}) {
			t.Fatalf("a node heard %v, want each event once", ids)
		}
	}
}

// drainFor returns the ids of events arriving within d.
func drainFor(s *events.Subscription, d time.Duration) []string {
	var ids []string
	timeout := time.After(d)
	for {
		select {
		case e, ok := <-s.Events():
			if !ok {
				return ids
			}
			if e.Kind != "test.wait" {
				ids = append(ids, e.ID)
			}
		case <-timeout:
			return ids
		}
	}
}

func TestPostgresCarriesEventsLargerThanNotify(t *testing.T) {
	c := newCluster(t)
	a, b := c.node(t), c.node(t)
	subB := b.Subscribe(10)
	big := `{"note":"` + strings.Repeat("x", 20000) + `"}`
	ctx := context.Background()
	if err := a.Publish(ctx, events.Event{ID: "big", Kind: events.JournalCreated, PatientID: "p1", Scope: access.Journal,
		Data: json.RawMessage(big)}); err != nil {
		t.Fatal(err)
	}
	a.Publish(ctx, events.Event{Kind: "test.end", PatientID: "p1"})
	got := collect(t, subB)
	if len(got) != 1 || got[0].ID != "big" || string(got[0].Data) != big || got[0].Scope != access.Journal {
		t.Fatalf("got %d events, want the large one intact", len(got))
	}
	var rows int
	c.admin.R.QueryRow(`SELECT COUNT(*) FROM events_outbox WHERE id = 'big'`).Scan(&rows)
	if rows != 1 {
		t.Fatalf("events_outbox holds %d rows for the large event", rows)
	}
}

func TestPostgresListenerComesBackAfterItsConnectionIsKilled(t *testing.T) {
	c := newCluster(t)
	a, b := c.node(t), c.node(t)
	before := a.Subscribe(10)
	ctx := context.Background()

	// Kill every connection listening on this test's channel: both nodes'.
	res, err := c.admin.W.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query = $1 AND pid <> pg_backend_pid()`, `LISTEN "`+c.channel+`"`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 2 {
		t.Fatalf("terminated %d listening connections, want 2", n)
	}
	// A subscriber of the node that may have missed events is told so…
	if err := ended(t, before); !errors.Is(err, events.ErrLagged) {
		t.Fatalf("subscription across the outage ended with %v, want ErrLagged", err)
	}
	// …and once listening again, the nodes hear each other.
	after := a.Subscribe(10)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.Publish(ctx, events.Event{ID: "probe", Kind: "test.probe", PatientID: "p1"})
		select {
		case e, ok := <-after.Events():
			if !ok {
				after = a.Subscribe(10) // lagged again while b's listener came back
				continue
			}
			if e.ID != "probe" {
				t.Fatalf("got %+v", e)
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("node a did not hear node b within 10 s of losing its listener")
		}
	}
}
