package db

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Multi-row statements: a batch of rows is written with INSERTs of several
// rows each, whose shapes are prepared once. Chunks says which shapes a
// batch needs, and Values writes their VALUES lists.

// Chunks cuts n rows into statement shapes: a few rows (up to exactRows)
// go in one statement of their own size, more in pieces of max rows and
// then powers of two (max is a power of two). Shapes lists every shape
// Chunks can give, for a writer to prepare once.
func Chunks(n, max int) []int {
	var out []int
	for n > 0 {
		if n <= min(exactRows, max) {
			return append(out, n)
		}
		k := max
		for k > n {
			k /= 2
		}
		out = append(out, k)
		n -= k
	}
	return out
}

// exactRows is the largest number of rows written by one statement of
// their own size. Small groups are the common case under concurrent
// single-reading requests, and one statement runs faster than a power-of-two
// split (3 rows: one statement, not 2 + 1).
const exactRows = 8

// Shapes returns every shape Chunks(n, max) gives for any n, largest first.
func Shapes(max int) []int {
	var out []int
	for k := max; k > exactRows; k /= 2 {
		out = append(out, k)
	}
	for k := min(exactRows, max); k >= 1; k-- {
		out = append(out, k)
	}
	return out
}

// Values writes rows × width placeholders, "(…),(…)": "?" on SQLite, whose
// lookup of numbered parameters grows with their count, "$n" on PostgreSQL.
func Values(b *strings.Builder, d Dialect, rows, width int) {
	p := 1
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteByte(',')
			}
			if d == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
}

// WriterContext is the context a group-commit writer runs a transaction
// in, detached from any caller. On PostgreSQL it ends after a minute, so
// that a lost connection cannot hold a writer forever. On SQLite it never
// ends: the database is a local file whose lock waits busy_timeout bounds,
// and the driver watches every statement of a cancellable context with a
// goroutine of its own, a cost on each commit of small batches.
func (d *DB) WriterContext() (context.Context, context.CancelFunc) {
	if d.Dialect == SQLite {
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), time.Minute)
}
