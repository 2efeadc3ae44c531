package readings_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/readings"
)

// A batch's audit event commits in the transaction of its readings: both
// are there when Ingest returns, neither when the event cannot be written,
// and a failing event fails only its own caller's batch.
func TestBatchAuditCommitsWithReadings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		log := audit.New(d, w.clock)
		defer log.Close()
		svc := readings.New(d, w.clock, w.acc, w.dev, readings.Options{Audit: log})
		defer svc.Close()
		dbtest.RefuseAudit(t, d, "detail", "refuse")
		batch := func(ext string, v float64, detail string) readings.Batch {
			return readings.Batch{Door: readings.DoorFHIR, DeviceID: w.cuff.ID, Source: readings.SourceDevice,
				Items: []readings.Item{bp(v, 80, t0.Add(-time.Minute), ext)},
				Audit: func(rs []readings.Result) (audit.Event, bool) {
					if rs[0].Outcome != readings.Stored {
						return audit.Event{}, false
					}
					return audit.Event{Action: "test.store", PatientID: w.patient.UserID, Resource: "Observation/" + rs[0].ID,
						Outcome: audit.Success, Detail: detail}, true
				}}
		}
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: w.cuff.ID, Kind: "device"})
		var wg sync.WaitGroup
		errc := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				detail := "ok"
				if i%4 == 0 {
					detail = "refuse"
				}
				rs, err := svc.Ingest(ctx, batch(fmt.Sprint("e", i), float64(100+i), detail))
				switch {
				case detail == "refuse" && err == nil:
					errc <- fmt.Errorf("batch %d stored although its audit event was refused", i)
				case detail == "ok" && err != nil:
					errc <- fmt.Errorf("batch %d: %v", i, err)
				case detail == "ok":
					// Committed on return, the event with the reading.
					var n int
					if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE resource = $1 AND actor_id = $2`,
						"Observation/"+rs[0].ID, w.cuff.ID).Scan(&n); err != nil || n != 1 {
						errc <- fmt.Errorf("batch %d: %d events for its reading (%v)", i, n, err)
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		var events int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'test.store'`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if n := w.count(t, "device_id = $1", w.cuff.ID); n != 30 || events != 30 {
			t.Errorf("%d readings and %d events stored, want 30 of each", n, events)
		}
		// A duplicate asks for no event; nor does a refused batch reach it.
		rs, err := svc.Ingest(ctx, batch("e1", 101, "ok"))
		if err != nil || rs[0].Outcome != readings.Duplicate {
			t.Fatalf("resend: %+v %v", rs, err)
		}
		rs, err = svc.Ingest(ctx, batch("big", 900, "refuse"))
		if err != nil || rs[0].Outcome != readings.Refused {
			t.Fatalf("implausible: %+v %v", rs, err)
		}
		// Without an audit log, a batch asking for an event is a fault.
		if _, err := w.svc.Ingest(ctx, batch("x", 120, "ok")); err == nil {
			t.Error("a batch's audit event was silently dropped")
		}
	})
}
