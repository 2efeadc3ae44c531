package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
)

func TestRecordAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		l := audit.New(d, c)
		ctx := audit.WithOrigin(audit.WithActor(context.Background(), audit.Actor{ID: "u1", Kind: "user"}),
			audit.Origin{IP: "192.0.2.1", UserAgent: "test", RequestID: "r1"})
		for i, p := range []string{"p1", "p2", "p1"} {
			c.Advance(time.Second)
			if err := l.Record(ctx, audit.Event{Action: "patient.read", PatientID: p, Outcome: audit.Success, Resource: string(rune('a' + i))}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := l.List(context.Background(), audit.Query{PatientID: "p1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Resource != "c" || got[0].IP != "192.0.2.1" || got[0].ActorID != "u1" || got[0].RequestID != "r1" {
			t.Errorf("listed %+v", got)
		}
		anon, _ := l.List(context.Background(), audit.Query{Limit: 1})
		if len(anon) != 1 {
			t.Errorf("limit not applied: %d", len(anon))
		}
	})
}

// count returns how many events are stored, read on a reader connection so
// that only committed rows are seen.
func count(t *testing.T, d *db.DB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Many callers at once: each event is committed when Record returns, and
// events of concurrent callers share transactions.
func TestRecordGroupCommits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := audit.New(d, clock.Real{})
		defer l.Close()
		const callers, each = 32, 40
		var wg sync.WaitGroup
		errc := make(chan error, callers)
		for c := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := audit.WithActor(context.Background(), audit.Actor{ID: fmt.Sprint("u", c), Kind: "user"})
				for i := range each {
					res := fmt.Sprintf("r/%d/%d", c, i)
					if err := l.Record(ctx, audit.Event{Action: "patient.read", Resource: res, Outcome: audit.Success}); err != nil {
						errc <- err
						return
					}
					// Durable on return: another connection sees it.
					var n int
					if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE resource = $1`, res).Scan(&n); err != nil || n != 1 {
						errc <- fmt.Errorf("event %s not stored on return (%d, %v)", res, n, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		if n := count(t, d, "action = 'patient.read'"); n != callers*each {
			t.Fatalf("stored %d events, want %d", n, callers*each)
		}
		events, commits := l.Stats()
		if events != callers*each || commits >= events {
			t.Errorf("%d events in %d commits: want fewer commits than events", events, commits)
		}
		t.Logf("%d events in %d commits", events, commits)
	})
}

// An event the database refuses fails its own caller only: the others in
// its transaction are stored.
func TestRecordErrorGoesToItsCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dbtest.RefuseAudit(t, d, "action", "test.refused")
		l := audit.New(d, clock.Real{})
		defer l.Close()
		const callers, each = 16, 30
		var wg sync.WaitGroup
		var good, bad, wrong atomic.Int64
		for c := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					action := "patient.read"
					if (c+i)%5 == 0 {
						action = "test.refused"
					}
					err := l.Record(context.Background(), audit.Event{Action: action, Outcome: audit.Success, Resource: fmt.Sprint(c, "/", i)})
					switch {
					case action == "test.refused" && err != nil:
						bad.Add(1)
					case action == "patient.read" && err == nil:
						good.Add(1)
					default:
						wrong.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if wrong.Load() != 0 {
			t.Fatalf("%d callers got another's answer", wrong.Load())
		}
		if n := count(t, d, "1 = 1"); int64(n) != good.Load() || bad.Load() == 0 {
			t.Fatalf("stored %d, %d accepted, %d refused", n, good.Load(), bad.Load())
		}
		if count(t, d, "action = 'test.refused'") != 0 {
			t.Fatal("a refused event was stored")
		}
	})
}

// Close waits for the events under way, and later ones are refused: every
// event a caller was told is stored is on disk once Close returns.
func TestCloseFlushes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := audit.New(d, clock.Real{})
		var wg sync.WaitGroup
		var stored, refused atomic.Int64
		started := make(chan struct{}, 8)
		for c := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					err := l.Record(context.Background(), audit.Event{Action: "patient.read", Outcome: audit.Success, Resource: fmt.Sprint(c, "/", i)})
					if errors.Is(err, audit.ErrClosed) {
						refused.Add(1)
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					if stored.Add(1) == 1 {
						close(started)
					}
				}
			}()
		}
		<-started
		time.Sleep(20 * time.Millisecond)
		l.Close()
		atClose := count(t, d, "1 = 1")
		wg.Wait()
		if int64(atClose) != stored.Load() || refused.Load() != 8 {
			t.Fatalf("%d stored when Close returned, %d acknowledged, %d refused after", atClose, stored.Load(), refused.Load())
		}
	})
}

// Odd bytes in a header or note neither fail the write nor get stored
// half a character.
func TestRecordCleansText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := audit.New(d, clock.Real{})
		defer l.Close()
		ua := strings.Repeat("a", 299) + "é" + "\x00\xff"
		ctx := audit.WithOrigin(context.Background(), audit.Origin{UserAgent: ua})
		if err := l.Record(ctx, audit.Event{Action: "patient.read", Outcome: audit.Success, Detail: "bad \x00 byte \xc3"}); err != nil {
			t.Fatal(err)
		}
		got, err := l.List(context.Background(), audit.Query{})
		if err != nil || len(got) != 1 {
			t.Fatal(got, err)
		}
		if got[0].UserAgent != strings.Repeat("a", 299) || got[0].Detail != "bad  byte \uFFFD" {
			t.Errorf("stored %q and %q", got[0].UserAgent, got[0].Detail)
		}
	})
}
