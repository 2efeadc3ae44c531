package readings_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/readings"
)

// largeBatch makes n readings a minute apart from at, heart rates and blood
// pressures in turn, with external ids prefix-0, prefix-1, …
func largeBatch(at time.Time, prefix string, from, n int) []readings.Item {
	items := make([]readings.Item, 0, n)
	for i := from; i < from+n; i++ {
		taken, ext := at.Add(time.Duration(i)*time.Minute), fmt.Sprint(prefix, "-", i)
		if i%2 == 0 {
			items = append(items, hr(float64(50+i%60), taken, ext))
		} else {
			items = append(items, bp(float64(110+i%30), float64(70+i%20), taken, ext))
		}
	}
	return items
}

// hours returns a patient's hourly summaries as text, in order.
func (w *world) hours(t *testing.T, patientID string) []string {
	t.Helper()
	rows, err := w.d.R.Query(`SELECT type_key, hour, n1, min1, max1, sum1, n2, min2, max2, sum2, n3, min3, max3, sum3
		FROM measurement_hours WHERE patient_id = $1 ORDER BY type_key, hour`, patientID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		v := make([]any, 14)
		for i := range v {
			v[i] = new(any)
		}
		if err := rows.Scan(v...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, x := range v {
			fmt.Fprintf(&b, "%v ", *x.(*any))
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Batches large enough to be copied in on PostgreSQL answer exactly as
// small ones: duplicates of earlier batches, within a batch and between
// batches committed together carry the id stored first, and the hourly
// summaries are those rebuilt from the readings.
func TestLargeBatchesStoreOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		at := t0.Add(-12 * time.Hour)
		// Readings with originals, a third component, flags: stored from a
		// large batch, they read back as from a small one.
		odd := []readings.Item{
			{LOINC: "8310-5", Value: num(98.6), Unit: "[degF]", TakenAt: at, ExternalID: "s-0"},
			{Type: "blood_pressure", Unit: "kPa", TakenAt: at, ExternalID: "s-1", Flags: []string{"irregular-pulse"},
				Components: []readings.Component{{Key: "systolic", Value: 16}, {Key: "diastolic", Value: 10}, {Key: "mean", Value: 12}}},
			{LOINC: "15074-8", Value: num(5.5), Unit: "mmol/L", TakenAt: at, ExternalID: "s-2"},
		}
		first := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: append(largeBatch(at, "a", 0, 200), odd...)})
		small := w.ingest(t, readings.Batch{DeviceID: w.thermo.ID, Items: odd})
		for i := range odd {
			big, err := w.svc.Get(context.Background(), w.nurse, first[200+i].ID)
			if err != nil {
				t.Fatal(err)
			}
			one, err := w.svc.Get(context.Background(), w.nurse, small[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			big.ID, big.DeviceID = one.ID, one.DeviceID
			a, _ := json.Marshal(big)
			b, _ := json.Marshal(one)
			if string(a) != string(b) || big.Original == nil {
				t.Errorf("from a large batch:\n%s\nfrom a small one:\n%s", a, b)
			}
		}
		first = first[:200]
		ids := map[string]string{}
		for i, r := range first {
			if r.Outcome != readings.Stored || r.ID == "" {
				t.Fatalf("item %d: %+v", i, r)
			}
			ids[r.ExternalID] = r.ID
		}

		// Half old, half new, and one new id sent twice.
		items := append(largeBatch(at, "a", 100, 200), largeBatch(at, "a", 250, 1)...)
		mixed := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: items})
		for i, r := range mixed {
			ext := items[i].ExternalID
			switch {
			case i < 100 && (r.Outcome != readings.Duplicate || r.ID != ids[ext]):
				t.Errorf("resent %s: %+v, want duplicate of %s", ext, r, ids[ext])
			case i >= 100 && i < 200 && (r.Outcome != readings.Stored || r.ID == ""):
				t.Errorf("new %s: %+v", ext, r)
			case i == 200 && (r.Outcome != readings.Duplicate || r.ID != mixed[150].ID):
				t.Errorf("%s sent twice: %+v, want duplicate of %s", ext, r, mixed[150].ID)
			}
		}

		// The same new batch from several callers at once: however they are
		// grouped into commits, one of each is stored and every answer
		// names it.
		same := largeBatch(at, "b", 0, 100)
		answers := make([][]readings.Result, 4)
		var wg sync.WaitGroup
		for g := range answers {
			wg.Go(func() { answers[g] = w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: same}) })
		}
		wg.Wait()
		for i := range same {
			stored := 0
			for _, a := range answers {
				if a[i].Outcome == readings.Stored {
					stored++
				}
				if a[i].ID != answers[0][i].ID || a[i].ID == "" {
					t.Fatalf("item %d answered with ids %s and %s", i, a[i].ID, answers[0][i].ID)
				}
			}
			if stored != 1 {
				t.Fatalf("item %d stored by %d callers, want 1", i, stored)
			}
		}
		if n := w.count(t, "device_id = $1", w.cuff.ID); n != 403 {
			t.Errorf("%d readings stored, want 403", n)
		}

		kept := w.hours(t, w.patient.UserID)
		for _, typ := range []string{"heart_rate", "blood_pressure"} {
			if err := w.svc.RebuildSummaries(context.Background(), w.patient.UserID, typ); err != nil {
				t.Fatal(err)
			}
		}
		if rebuilt := w.hours(t, w.patient.UserID); !slices.Equal(kept, rebuilt) || len(kept) == 0 {
			t.Errorf("hourly summaries kept on ingest:\n%s\nrebuilt from the readings:\n%s",
				strings.Join(kept, "\n"), strings.Join(rebuilt, "\n"))
		}
	})
}

// Large batches committed together keep their audit events in the same
// transaction, and one whose event fails fails alone.
func TestLargeBatchAuditCommitsWithReadings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		log := audit.New(d, w.clock)
		defer log.Close()
		svc := readings.New(d, w.clock, w.acc, w.dev, readings.Options{Audit: log})
		defer svc.Close()
		dbtest.RefuseAudit(t, d, "detail", "refuse")
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: w.cuff.ID, Kind: "device"})
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for g := range errs {
			detail := "ok"
			if g%4 == 0 {
				detail = "refuse"
			}
			b := readings.Batch{Door: readings.DoorHTTP, DeviceID: w.cuff.ID, Items: largeBatch(t0.Add(-6*time.Hour), fmt.Sprint("g", g), 0, 70),
				Audit: func(rs []readings.Result) (audit.Event, bool) {
					return audit.Event{Action: "test.batch", PatientID: w.patient.UserID, Resource: "Batch/" + rs[0].ID,
						Outcome: audit.Success, Detail: detail}, true
				}}
			wg.Go(func() {
				_, errs[g] = svc.Ingest(ctx, b)
				if (errs[g] == nil) != (detail == "ok") {
					t.Errorf("batch %d (%s): %v", g, detail, errs[g])
				}
			})
		}
		wg.Wait()
		var events int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'test.batch'`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if n := w.count(t, "device_id = $1", w.cuff.ID); n != 6*70 || events != 6 {
			t.Errorf("%d readings and %d events stored, want %d and 6", n, events, 6*70)
		}
	})
}
