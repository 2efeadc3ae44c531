package readings

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"

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

// copyMinRows is the smallest group that goes in with COPY (straight, or
// through the staging table after a duplicate).
const copyMinRows = 64

// stagingTable has the shape of measurements and lives as long as the
// connection; every commit empties it.
const stagingTable = "measurements_staged"

// stagingKey marks, in a connection's custom data, that its staging table
// exists.
const stagingKey = "tend.readings.staged"

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
	if err := copyRows(ctx, pc, "measurements", all); err != nil {
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
	if err := copyRows(ctx, pc, stagingTable, all); err != nil {
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

// copyRows sends rows with COPY into table (measurements or the staging
// table) in PostgreSQL's binary format, which the server reads without
// parsing numbers from text. The rows are encoded here rather than by pgx,
// which looks up an encoder for each of the 20 values of every row.
func copyRows(ctx context.Context, pc *pgx.Conn, table string, rows []*row) error {
	buf := make([]byte, 0, 19+len(rows)*256)
	buf = append(buf, "PGCOPY\n\xff\r\n\x00"...)
	buf = binary.BigEndian.AppendUint32(buf, 0) // flags
	buf = binary.BigEndian.AppendUint32(buf, 0) // header extension length
	for _, r := range rows {
		buf = r.appendBinary(buf)
	}
	buf = binary.BigEndian.AppendUint16(buf, 0xffff) // end of data
	_, err := pc.PgConn().CopyFrom(ctx, bytes.NewReader(buf), "COPY "+table+" ("+insertColumns+") FROM STDIN (FORMAT binary)")
	return err
}

// appendBinary appends the row as one tuple of the binary COPY format, its
// fields in the order of insertColumns: a field count, then each field's
// length (-1 for NULL) and bytes; float8 and int8 are big-endian.
func (r *row) appendBinary(b []byte) []byte {
	orig := r.origUnit != ""
	b = binary.BigEndian.AppendUint16(b, insertWidth)
	b = copyText(b, r.id, false)
	b = copyText(b, r.patientID, false)
	b = copyText(b, r.typeKey, false)
	b = copyText(b, r.loinc, false)
	b = copyFloat(b, r.v[0], false)
	b = copyFloat(b, r.v[1], !r.has[1])
	b = copyFloat(b, r.v[2], !r.has[2])
	b = copyText(b, r.unit, false)
	b = copyFloat(b, r.orig[0], !orig)
	b = copyFloat(b, r.orig[1], !orig || !r.has[1])
	b = copyFloat(b, r.orig[2], !orig || !r.has[2])
	b = copyText(b, r.origUnit, !orig)
	b = copyInt(b, r.takenAt)
	b = copyInt(b, r.receivedAt)
	b = copyText(b, string(r.source), false)
	b = copyText(b, string(r.door), false)
	b = copyText(b, r.deviceID, r.deviceID == "")
	b = copyText(b, r.enteredBy, r.enteredBy == "")
	b = copyText(b, r.flags, false)
	return copyText(b, r.externalID, r.externalID == "")
}

const copyNull = 0xffffffff // a field's length when it is NULL

func copyText(b []byte, s string, null bool) []byte {
	if null {
		return binary.BigEndian.AppendUint32(b, copyNull)
	}
	return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
}

func copyFloat(b []byte, v float64, null bool) []byte {
	if null {
		return binary.BigEndian.AppendUint32(b, copyNull)
	}
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(b, 8), math.Float64bits(v))
}

func copyInt(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(b, 8), uint64(v))
}
