// Package dbtest gives tests real databases: a fresh SQLite file, and a
// fresh schema in the PostgreSQL server named by TEND_TEST_POSTGRES.
//
// `make test` starts a throwaway PostgreSQL cluster and sets the variable.
// Without it, tests that need PostgreSQL fail and say how to get one; set
// TEND_TEST_POSTGRES=off to run on SQLite only, on purpose.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/tend-health/tend/internal/db"
)

// Each runs fn once on SQLite and once on PostgreSQL, as subtests named
// after the dialect, each with a freshly migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file under t.TempDir().
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "tend.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// PostgresURL returns the URL of the test server, failing the test when
// there is none; it skips only when PostgreSQL was turned off on purpose.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEND_TEST_POSTGRES")
	switch u {
	case "":
		t.Fatal("no PostgreSQL for tests: run `make test`, which starts a throwaway cluster, " +
			"or set TEND_TEST_POSTGRES=postgres://… (TEND_TEST_POSTGRES=off runs SQLite only)")
	case "off":
		t.Skip("PostgreSQL turned off with TEND_TEST_POSTGRES=off")
	}
	return u
}

// Postgres returns a migrated database in a new schema of the test server,
// dropped when the test ends.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	u := SchemaURL(t)
	d, err := db.Open(context.Background(), db.Config{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// SchemaURL makes a new empty schema in the test server and returns a URL
// whose connections use it; the schema is dropped when the test ends.
func SchemaURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := db.Open(context.Background(), db.Config{URL: base})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.W.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.W.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	parsed, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	q.Set("search_path", schema)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

// Name describes d for test messages.
func Name(d *db.DB) string { return fmt.Sprint(d.Dialect) }
