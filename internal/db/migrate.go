package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The migrations are SQL files named NNNN_what.sql, shared by both
// databases. Where the two must differ, a pair of files NNNN_what.sqlite.sql
// and NNNN_what.postgres.sql holds each dialect's text.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the schema up to date. On PostgreSQL it holds an advisory
// lock, so several nodes starting at once migrate one after another.
func (d *DB) Migrate(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	// Allow a lower version to arrive after a higher one was applied:
	// migrations of parts built side by side may land in either order.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("preparing migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, d.W, dialectFS{sub, d.Dialect}, opts...)
	if err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrating %s: %w", d.Where, err)
	}
	for _, r := range results {
		slog.Debug("migrated", "version", r.Source.Version, "took", r.Duration)
	}
	return nil
}

// dialectFS shows only the migration files meant for one dialect.
type dialectFS struct {
	fs.FS
	dialect Dialect
}

func (f dialectFS) keep(name string) bool {
	for _, other := range []Dialect{SQLite, Postgres} {
		if other != f.dialect && strings.HasSuffix(name, "."+string(other)+".sql") {
			return false
		}
	}
	return true
}

func (f dialectFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(f.FS, name)
	if err != nil {
		return nil, err
	}
	kept := entries[:0:0]
	for _, e := range entries {
		if f.keep(e.Name()) {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

func (f dialectFS) Glob(pattern string) ([]string, error) {
	names, err := fs.Glob(f.FS, pattern)
	if err != nil {
		return nil, err
	}
	kept := names[:0:0]
	for _, n := range names {
		if f.keep(n) {
			kept = append(kept, n)
		}
	}
	return kept, nil
}
