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

// Chunks cuts n rows into pieces of max rows and then powers of two (max
// is a power of two), so that a writer prepares at most log2(max)+1
// statement shapes whatever its batch sizes.
func Chunks(n, max int) []int {
	var out []int
	for n > 0 {
		k := max
		for k > n {
			k /= 2
		}
		out = append(out, k)
		n -= k
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
