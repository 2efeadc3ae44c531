package readings_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/readings"
)

// AfterCommit hears each batch's newly stored readings once, after commit,
// and never a retry's duplicates; AfterCorrect hears corrections.
func TestAfterCommitAndAfterCorrectHooks(t *testing.T) {
	d := dbtest.SQLite(t)
	w := newWorld(t, d)
	var mu sync.Mutex
	var heard [][]readings.Reading
	var corrected []string
	svc := readings.New(d, w.clock, w.acc, w.dev, readings.Options{
		AfterCommit: func(ctx context.Context, patientID string, stored []readings.Reading) {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range stored {
				if r.PatientID != patientID {
					t.Errorf("reading of %s handed over as %s's", r.PatientID, patientID)
				}
			}
			heard = append(heard, stored)
		},
		AfterCorrect: func(ctx context.Context, r readings.Reading) { corrected = append(corrected, r.ID) },
	})
	defer svc.Close()
	hr := func(v float64, ext string) readings.Item {
		return readings.Item{Type: "heart_rate", Value: &v, Unit: "/min", TakenAt: w.clock.Now().Add(-time.Minute), ExternalID: ext}
	}
	b := readings.Batch{Door: readings.DoorWeb, Source: readings.SourceManual, By: &w.patient, PatientID: w.patient.UserID,
		Items: []readings.Item{hr(60, "a"), hr(61, "b"), hr(900, "c")}}
	rs, err := svc.Ingest(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ingest(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 1 || len(heard[0]) != 2 {
		t.Fatalf("heard %d batches (%v); want one batch of the two stored readings", len(heard), heard)
	}
	if _, err := svc.MarkEnteredInError(context.Background(), w.patient, rs[0].ID, "wrong finger"); err != nil {
		t.Fatal(err)
	}
	if len(corrected) != 1 || corrected[0] != rs[0].ID {
		t.Errorf("corrections heard: %v", corrected)
	}
}
