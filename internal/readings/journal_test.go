package readings_test

import (
	"context"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

func TestJournal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		sub := w.bus.Subscribe(10)
		defer sub.Close()
		carbs, pain := 45.0, 6
		lunch, err := w.svc.AddEntry(ctx, w.patient, w.patient.UserID, readings.NewEntry{Kind: readings.Food,
			OccurredAt: t0.Add(-3 * time.Hour), Name: "Pasta", Amount: "1 plate", CarbsGrams: &carbs, ExternalID: "app-1"})
		if err != nil {
			t.Fatal(err)
		}
		if lunch.EnteredBy != w.patient.UserID || lunch.Kind != readings.Food || *lunch.CarbsGrams != 45 || lunch.Status != readings.StatusFinal {
			t.Errorf("lunch %+v", lunch)
		}
		if e := <-sub.Events(); e.Kind != events.JournalCreated || e.PatientID != w.patient.UserID {
			t.Errorf("event %+v", e)
		}
		again, err := w.svc.AddEntry(ctx, w.patient, w.patient.UserID, readings.NewEntry{Kind: readings.Food,
			OccurredAt: t0.Add(-3 * time.Hour), Name: "Pasta", ExternalID: "app-1"})
		if err != nil || again.ID != lunch.ID {
			t.Errorf("sent twice: %+v %v", again, err)
		}
		entries := []struct {
			by people.Principal
			n  readings.NewEntry
		}{
			{w.nurse, readings.NewEntry{Kind: readings.Symptom, OccurredAt: t0.Add(-2 * time.Hour), Name: "Headache", Severity: &pain}},
			{w.dad, readings.NewEntry{Kind: readings.Medication, OccurredAt: t0.Add(-time.Hour), Name: "Metformin", Amount: "500 mg"}},
			{w.child, readings.NewEntry{Kind: readings.Note, OccurredAt: t0, Note: "Slept badly"}},
		}
		for _, e := range entries {
			if _, err := w.svc.AddEntry(ctx, e.by, w.patient.UserID, e.n); err != nil {
				t.Errorf("%s: %v", e.by.Name, err)
			}
		}
		for _, p := range []people.Principal{w.strange, w.other, w.admin} {
			if _, err := w.svc.AddEntry(ctx, p, w.patient.UserID, readings.NewEntry{Kind: readings.Note, OccurredAt: t0, Note: "x"}); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s wrote in the journal: %v", p.Name, err)
			}
			if _, err := w.svc.Journal(ctx, p, readings.JournalQuery{PatientID: w.patient.UserID}); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s read the journal: %v", p.Name, err)
			}
		}
		ten := 11
		for _, bad := range []readings.NewEntry{
			{Kind: "dream", OccurredAt: t0, Note: "x"},
			{Kind: readings.Note, Note: "x"},
			{Kind: readings.Note, OccurredAt: t0.Add(time.Hour), Note: "x"},
			{Kind: readings.Note, OccurredAt: t0},
			{Kind: readings.Medication, OccurredAt: t0},
			{Kind: readings.Symptom, OccurredAt: t0, Name: "Pain", Severity: &ten},
			{Kind: readings.Note, OccurredAt: t0, Note: "x", CarbsGrams: &carbs},
		} {
			if _, err := w.svc.AddEntry(ctx, w.patient, w.patient.UserID, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v: %v", bad, err)
			}
		}

		page, err := w.svc.Journal(ctx, w.dad, readings.JournalQuery{PatientID: w.patient.UserID})
		if err != nil || len(page.Entries) != 4 || page.Entries[0].Kind != readings.Note || page.Entries[3].ID != lunch.ID {
			t.Fatalf("journal %+v %v", page, err)
		}
		page, _ = w.svc.Journal(ctx, w.nurse, readings.JournalQuery{PatientID: w.patient.UserID, Kinds: []readings.EntryKind{readings.Symptom, readings.Food}, Limit: 1})
		if len(page.Entries) != 1 || page.Entries[0].Kind != readings.Symptom || page.Next == "" {
			t.Fatalf("first page %+v", page)
		}
		page, _ = w.svc.Journal(ctx, w.nurse, readings.JournalQuery{PatientID: w.patient.UserID, Kinds: []readings.EntryKind{readings.Symptom, readings.Food}, Limit: 1, Cursor: page.Next})
		if len(page.Entries) != 1 || page.Entries[0].ID != lunch.ID {
			t.Fatalf("second page %+v", page)
		}

		if _, err := w.svc.MarkEntryInError(ctx, w.dad, lunch.ID, "wrong day"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("family correcting the patient's entry: %v", err)
		}
		fixed, err := w.svc.MarkEntryInError(ctx, w.nurse, lunch.ID, "wrong day")
		if err != nil || fixed.Status != readings.StatusEnteredInError || fixed.Correction.By != w.nurse.UserID {
			t.Fatalf("marked %+v %v", fixed, err)
		}
		if _, err := w.svc.MarkEntryInError(ctx, w.nurse, lunch.ID, "again"); !errs.Is(err, errs.Conflict) {
			t.Errorf("twice: %v", err)
		}
		page, _ = w.svc.Journal(ctx, w.patient, readings.JournalQuery{PatientID: w.patient.UserID})
		if len(page.Entries) != 3 {
			t.Errorf("%d entries after the correction", len(page.Entries))
		}
		page, _ = w.svc.Journal(ctx, w.patient, readings.JournalQuery{PatientID: w.patient.UserID, IncludeEnteredInError: true})
		if len(page.Entries) != 4 {
			t.Errorf("%d entries with corrections", len(page.Entries))
		}
	})
}
