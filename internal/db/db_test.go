package db_test

import (
	"context"
	"testing"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
)

func TestMigrateTwiceAndAuditIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("second migration should do nothing, got %v", err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor_kind, action, outcome)
			VALUES ($1, $2, $3, $4, $5)`, "a1", 1, "system", "test", "success"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE audit_events SET outcome = 'denied'`); err == nil {
			t.Error("an audit event could be changed")
		}
		if _, err := d.W.ExecContext(ctx, `DELETE FROM audit_events`); err == nil {
			t.Error("an audit event could be deleted")
		}
	})
}

func TestIsUnique(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		insert := `INSERT INTO users (id, email, name, created_at, updated_at) VALUES ($1, $2, $3, 0, 0)`
		if _, err := d.W.ExecContext(ctx, insert, "u1", "a@example.org", "A"); err != nil {
			t.Fatal(err)
		}
		_, err := d.W.ExecContext(ctx, insert, "u2", "a@example.org", "B")
		if !db.IsUnique(err) {
			t.Fatalf("want a unique violation, got %v", err)
		}
	})
}

func TestRedactsPasswordInWhere(t *testing.T) {
	_, err := db.Open(context.Background(), db.Config{URL: "mysql://x"})
	if err == nil {
		t.Fatal("an unknown URL was accepted")
	}
}
