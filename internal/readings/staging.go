package readings

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// On PostgreSQL a large group goes in with COPY, the server's fastest way
// in: it reads the rows without parsing and binding 20 parameters each, and
// stores them in batches (one WAL record and one buffer lock for many
// rows) rather than one by one. COPY knows no ON CONFLICT, so the rows are
// copied straight into measurements on the guess that none is a duplicate,
// which holds unless a sender retries. When one is (the unique index on
// source and external id refuses the COPY), the transaction is rolled back
// and the group goes in through a staging table: COPY into a temporary
// table of the connection, then one INSERT … SELECT … ON CONFLICT DO
// NOTHING into measurements, a join to find the earlier ids of the rows
// skipped, and the hourly summaries built from the staged rows in SQL.
// Small groups keep the prepared multi-row statements, which cost fewer
// round trips.

// copyMinRows is the smallest group that goes through the staging table.
const copyMinRows = 64

// stagingTable has the shape of measurements and lives as long as the
// connection; every commit empties it.
const stagingTable = "measurements_staged"

// stagingKey marks, in a connection's custom data, that its staging table
// exists.
const stagingKey = "tend.readings.staged"

var copyColumns = strings.Fields(strings.ReplaceAll(insertColumns, ",", " "))

// moveStagedSQL stores the staged rows; as with the multi-row INSERT, a
// duplicate of an earlier (source, external id) is skipped, and the first of
// two staged rows with the same one wins (COPY keeps the group's order).
const moveStagedSQL = `INSERT INTO measurements (` + insertColumns + `)
	SELECT ` + insertColumns + ` FROM ` + stagingTable + ` ON CONFLICT DO NOTHING`

// earlierSQL returns, for each staged row that was skipped, the id its
// source's external id is stored under: the rows stored by moveStagedSQL
// match themselves and are left out.
const earlierSQL = `SELECT s.id, m.id FROM ` + stagingTable + ` s
	JOIN measurements m ON COALESCE(m.device_id, m.entered_by) = COALESCE(s.device_id, s.entered_by)
		AND m.external_id = s.external_id
	WHERE s.external_id IS NOT NULL AND m.id <> s.id`

// summariseStagedSQL adds the staged rows that were stored, all but the
// skipped ids in $1, to their hours. The hours are upserted in the order
// the Go path sorts them in (bytes, then hour), so that concurrent writers
// taking either path lock summaries in one order and never wait in a circle.
var summariseStagedSQL = `INSERT INTO measurement_hours (` + hourColumns + `)
	SELECT patient_id, type_key, taken_at - taken_at % 3600000, ` + hourAggregates + `
	FROM ` + stagingTable + ` WHERE id <> ALL($1::text[])
	GROUP BY patient_id, type_key, taken_at - taken_at % 3600000
	ORDER BY patient_id COLLATE "C", type_key COLLATE "C", 3` + hourConflictSQL()

// commitCopied stores a group with COPY, straight into measurements, and
// through the staging table when that finds a duplicate.
func (w *writer) commitCopied(ctx context.Context, group []*request, all []*row) error {
	err := w.commitOnConn(ctx, group, all, false)
	if db.IsUnique(err) {
		err = w.commitOnConn(ctx, group, all, true)
	}
	return err
}

// commitOnConn runs a group's transaction on one connection of the pool:
// COPY has no database/sql form, so the rows go in on the pgx connection
// under the transaction, and the audit events through the transaction
// itself.
func (w *writer) commitOnConn(ctx context.Context, group []*request, all []*row, staged bool) (err error) {
	conn, err := w.db.W.Conn(ctx)
	if err != nil {
		return errs.Wrap(err, "beginning to store readings")
	}
	defer conn.Close()
	if staged {
		if err := conn.Raw(func(dc any) error { return ensureStaging(ctx, dc.(*stdlib.Conn).Conn()) }); err != nil {
			return errs.Wrap(err, "preparing to store readings")
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return errs.Wrap(err, "beginning to store readings")
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if staged {
			return stage(ctx, pc, group, all)
		}
		return copyIn(ctx, pc, group, all)
	})
	if err != nil {
		return err
	}
	if !staged {
		if err := w.summarise(ctx, tx, group); err != nil {
			return err
		}
	}
	return w.finish(ctx, tx, group, len(all))
}

// copyIn copies the rows into measurements: all are new, or the COPY fails
// with a unique violation.
func copyIn(ctx context.Context, pc *pgx.Conn, group []*request, all []*row) error {
	if _, err := pc.CopyFrom(ctx, pgx.Identifier{"measurements"}, copyColumns, &rowSource{rows: all, at: -1}); err != nil {
		return errs.Wrap(err, "storing readings")
	}
	for _, r := range group {
		r.inserted = make([]bool, len(r.rows))
		r.ids = make([]string, len(r.rows))
		for i := range r.rows {
			r.inserted[i], r.ids[i] = true, r.rows[i].id
		}
	}
	return nil
}

// ensureStaging creates the connection's staging table, once. It runs
// outside the transaction, so that a rollback cannot undo it.
func ensureStaging(ctx context.Context, pc *pgx.Conn) error {
	data := pc.PgConn().CustomData()
	if data[stagingKey] != nil {
		return nil
	}
	if _, err := pc.Exec(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS `+stagingTable+
		` (LIKE measurements INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`); err != nil {
		return err
	}
	data[stagingKey] = true
	return nil
}

// stage copies the rows into the staging table, moves them into
// measurements, answers each request row by row and summarises the rows
// stored.
func stage(ctx context.Context, pc *pgx.Conn, group []*request, all []*row) error {
	if _, err := pc.CopyFrom(ctx, pgx.Identifier{stagingTable}, copyColumns, &rowSource{rows: all, at: -1}); err != nil {
		return errs.Wrap(err, "staging readings")
	}
	tag, err := pc.Exec(ctx, moveStagedSQL)
	if err != nil {
		return errs.Wrap(err, "storing readings")
	}
	var earlier map[string]string // staged id → the id stored before
	if int(tag.RowsAffected()) < len(all) {
		earlier = make(map[string]string, len(all)-int(tag.RowsAffected()))
		rows, _ := pc.Query(ctx, earlierSQL)
		var staged, id string
		if _, err := pgx.ForEachRow(rows, []any{&staged, &id}, func() error {
			earlier[staged] = id
			return nil
		}); err != nil {
			return errs.Wrap(err, "finding earlier readings")
		}
		if len(earlier) != len(all)-int(tag.RowsAffected()) {
			return errs.Wrap(fmt.Errorf("%d readings skipped, %d found stored before", len(all)-int(tag.RowsAffected()), len(earlier)),
				"storing readings")
		}
	}
	skipped := make([]string, 0, len(earlier))
	for _, r := range group {
		r.inserted = make([]bool, len(r.rows))
		r.ids = make([]string, len(r.rows))
		for i := range r.rows {
			id := r.rows[i].id
			if before, ok := earlier[id]; ok {
				r.ids[i] = before
				skipped = append(skipped, id)
			} else {
				r.inserted[i], r.ids[i] = true, id
			}
		}
	}
	if len(skipped) == len(all) {
		return nil
	}
	if _, err := pc.Exec(ctx, summariseStagedSQL, skipped); err != nil {
		return errs.Wrap(err, "summarising readings by hour")
	}
	return nil
}

// rowSource feeds rows to COPY.
type rowSource struct {
	rows []*row
	at   int
	args []any
}

func (s *rowSource) Next() bool {
	s.at++
	return s.at < len(s.rows)
}

func (s *rowSource) Values() ([]any, error) {
	s.args = s.rows[s.at].appendArgs(s.args[:0])
	return s.args, nil
}

func (s *rowSource) Err() error { return nil }
