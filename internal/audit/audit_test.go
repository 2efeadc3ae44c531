package audit_test

import (
	"context"
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
