package readings_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/readings"
)

func TestEachStreamsEveryReadingOldestFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		// More than two of Each's pages, so that paging is crossed twice;
		// several readings share a time, so the cursor must break ties.
		const n = 10007
		start := t0.Add(-time.Duration(n) * time.Second)
		items := make([]readings.Item, n)
		for i := range items {
			items[i] = hr(float64(40+i%100), start.Add(time.Duration(i/3)*time.Second), fmt.Sprint("e", i))
		}
		rs := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: items[:5000]})
		w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: items[5000:]})
		// Blood pressures among them, some at the very same times: the types
		// are read apart and must come out merged in time order.
		var bps []readings.Item
		for i := 0; i < n; i += 97 {
			bps = append(bps, bp(120, 80, start.Add(time.Duration(i/3)*time.Second), fmt.Sprint("b", i)))
		}
		w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: bps})
		if _, err := w.svc.MarkEnteredInError(ctx, w.nurse, rs[5].ID, "loose cuff"); err != nil {
			t.Fatal(err)
		}
		other := w.other
		w.ingest(t, readings.Batch{By: &other, PatientID: other.UserID, Items: []readings.Item{hr(99, start, "o")}})

		collect := func(q readings.Query) ([]readings.Reading, error) {
			var got []readings.Reading
			err := w.svc.Each(ctx, w.child, q, func(r readings.Reading) error {
				got = append(got, r)
				return nil
			})
			return got, err
		}
		got, err := collect(readings.Query{PatientID: w.patient.UserID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n-1+len(bps) {
			t.Fatalf("%d readings, want %d (the one in error left out)", len(got), n-1+len(bps))
		}
		ids := map[string]bool{}
		for i, r := range got {
			if ids[r.ID] {
				t.Fatalf("reading %s seen twice", r.ID)
			}
			ids[r.ID] = true
			if i > 0 && r.TakenAt.Before(got[i-1].TakenAt) {
				t.Fatalf("reading %d is older than the one before it", i)
			}
			if r.PatientID != w.patient.UserID {
				t.Fatalf("another patient's reading: %+v", r)
			}
		}
		got, _ = collect(readings.Query{PatientID: w.patient.UserID, IncludeEnteredInError: true,
			From: start, To: start.Add(2 * time.Second)})
		got = slices.DeleteFunc(got, func(r readings.Reading) bool { return r.Type != "heart_rate" })
		if len(got) != 6 || got[5].Status != readings.StatusEnteredInError || got[5].Correction == nil {
			t.Errorf("the first two seconds with the reading in error: %d readings, last %+v", len(got), got[len(got)-1])
		}

		// An error from fn stops the stream and comes back as is.
		stop := fmt.Errorf("enough")
		calls := 0
		err = w.svc.Each(ctx, w.patient, readings.Query{PatientID: w.patient.UserID}, func(readings.Reading) error {
			calls++
			return stop
		})
		if err != stop || calls != 1 {
			t.Errorf("fn's error: %v after %d calls", err, calls)
		}

		// Someone who may not see the patient's vitals is told the patient is not there.
		for _, who := range []struct {
			name string
			err  error
		}{
			{"stranger", w.svc.Each(ctx, w.strange, readings.Query{PatientID: w.patient.UserID}, func(readings.Reading) error { return nil })},
			{"journal-only grant", w.svc.Each(ctx, w.dad, readings.Query{PatientID: w.patient.UserID}, func(readings.Reading) error { return nil })},
		} {
			if !errs.Is(who.err, errs.NotFound) {
				t.Errorf("%s: %v, want not found", who.name, who.err)
			}
		}
		if err := w.svc.Each(ctx, w.patient, readings.Query{PatientID: w.patient.UserID, Types: []string{"nonsense"}}, nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown type: %v", err)
		}
	})
}
