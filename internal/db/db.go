// Package db opens Tend's database — an SQLite file by default, PostgreSQL
// for production — applies the embedded migrations, and papers over the
// few differences between the two so that services write one SQL text.
//
// Conventions every table follows, so that the same statements run on both:
// ids are text (UUIDv7, made in Go), times are unix milliseconds in BIGINT
// columns, booleans are INTEGER 0/1, structured values are JSON in TEXT, and
// placeholders are $1, $2, … (modernc's SQLite driver accepts them).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the database in use.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says which database to open.
type Config struct {
	// URL is empty (SQLite in DataDir), "sqlite:PATH", or "postgres://…".
	URL string
	// DataDir holds the SQLite file when URL is empty.
	DataDir string
	// Synchronous is SQLite's synchronous pragma: "normal" (default; an
	// acknowledged write survives a crash of the process) or "full" (it also
	// survives a power loss, at some cost in write speed).
	Synchronous string
}

// DB is an open database. On SQLite, W is the single writer connection and R
// a pool of readers; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	// Where is a description of the database for logs, without secrets.
	Where string
}

// Open opens the database described by cfg. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	url := strings.TrimSpace(cfg.URL)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			if cfg.DataDir == "" {
				return nil, errors.New("no database: give a data directory or a database URL")
			}
			if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("creating data directory: %w", err)
			}
			path = filepath.Join(cfg.DataDir, "tend.db")
		}
		return openSQLite(ctx, path, cfg.Synchronous)
	default:
		return nil, fmt.Errorf("database URL %q: expected postgres://… or sqlite:PATH", redact(url))
	}
}

func openSQLite(ctx context.Context, path, synchronous string) (*DB, error) {
	switch strings.ToLower(synchronous) {
	case "", "normal":
		synchronous = "NORMAL"
	case "full":
		synchronous = "FULL"
	default:
		return nil, fmt.Errorf("sqlite synchronous %q: expected normal or full", synchronous)
	}
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(" + synchronous + ")&_pragma=foreign_keys(1)"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("opening SQLite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening SQLite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening SQLite %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)
	return &DB{Dialect: SQLite, W: w, R: r, Where: "sqlite:" + path}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL %s: %w", redact(url), err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(16)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL %s: %w", redact(url), err)
	}
	return &DB{Dialect: Postgres, W: p, R: p, Where: redact(url)}, nil
}

// redact hides the password in a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if colon := strings.Index(userinfo, ":"); colon >= 0 {
		return url[:scheme+3] + userinfo[:colon] + ":***" + url[at:]
	}
	return url
}

// Close closes the database.
func (d *DB) Close() error {
	err := d.W.Close()
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// Tx runs fn in a write transaction, committing when it returns nil.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// IsUnique tells whether err is a violation of a unique or primary key constraint.
func IsUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		c := lite.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Args collects the arguments of a statement that is put together piece by
// piece, handing out $n placeholders in order.
type Args []any

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// Millis turns a time into the unix milliseconds the tables store.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time turns stored unix milliseconds back into a UTC time.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullMillis stores an optional time: nil for the zero time.
func NullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// NullTime reads an optional stored time.
func NullTime(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return Time(ms.Int64)
}

// Bool stores a boolean as 0 or 1.
func Bool(b bool) int {
	if b {
		return 1
	}
	return 0
}
