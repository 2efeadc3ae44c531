package readings

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

// row is one reading on its way into the measurements table.
type row struct {
	id, patientID, typeKey, loinc string
	v, orig                       [maxComponents]float64
	has                           [maxComponents]bool
	unit, origUnit                string
	takenAt, receivedAt           int64
	source                        Source
	door                          Door
	deviceID, enteredBy           string
	flags, externalID             string
}

// sourceKey is the identity an external id is unique within: the device
// when there is one, else the person who entered the reading. It matches
// the expression of the measurements_external index.
func (r *row) sourceKey() string {
	if r.deviceID != "" {
		return r.deviceID
	}
	return r.enteredBy
}

const insertColumns = `id, patient_id, type_key, loinc, v1, v2, v3, unit, o1, o2, o3, orig_unit,
	taken_at, received_at, source, door, device_id, entered_by, flags, external_id`

const insertWidth = 20 // columns in insertColumns

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (r *row) appendArgs(args []any) []any {
	var v2, v3, o1, o2, o3 any
	if r.has[1] {
		v2 = r.v[1]
	}
	if r.has[2] {
		v3 = r.v[2]
	}
	if r.origUnit != "" {
		o1 = r.orig[0]
		if r.has[1] {
			o2 = r.orig[1]
		}
		if r.has[2] {
			o3 = r.orig[2]
		}
	}
	return append(args, r.id, r.patientID, r.typeKey, r.loinc, r.v[0], v2, v3, r.unit, o1, o2, o3,
		nullString(r.origUnit), r.takenAt, r.receivedAt, string(r.source), string(r.door),
		nullString(r.deviceID), nullString(r.enteredBy), r.flags, nullString(r.externalID))
}

// request is one Ingest call's rows, waiting for the writer.
type request struct {
	rows []row
	// Set by the writer: for each row, whether it was inserted now (false:
	// the same source sent the same external id before) and the id it is
	// stored under.
	inserted []bool
	ids      []string
	// note, when set, is called in the transaction once inserted and ids
	// are set: the audit event to commit with the rows, if any.
	note func() (audit.Prepared, bool)
	err  error
	done chan struct{}
}

// writer commits the rows of concurrent Ingest calls together ("group
// commit"): while one transaction commits, the requests that arrive queue
// up, and the next transaction takes all of them, up to maxRows. A caller's
// rows are never split across transactions, and the caller hears back only
// after the commit. On SQLite one writer runs, since the database has one
// writer connection; PostgreSQL gets one per core, two to four (see
// pgWriters).
type writer struct {
	db      *db.DB
	audit   *audit.Log // writes requests' notes; nil when none may carry one
	reqs    chan *request
	maxRows int
	stop    chan struct{}
	wg      sync.WaitGroup

	// closing guards closed: no request is queued once close has begun,
	// so the writers' last drain finds every queued request.
	closing sync.RWMutex
	closed  bool

	mu      sync.Mutex
	inserts map[int]*sql.Stmt // multi-row INSERT by row count
	upserts map[int]*sql.Stmt // multi-row hourly summary upsert by row count
	// prepared is set once every statement shape above (and the audit
	// log's) is prepared.
	prepared atomic.Bool

	// preparing counts Ingest calls that have begun and not yet queued
	// their rows (or given up): the writer waits a moment for them to join
	// its group (see gatherWait).
	preparing atomic.Int64

	commits, rows, requests atomic.Int64
}

// gatherWait is the longest the writer waits for callers that have begun
// an Ingest and are still checking their items, so that they share the next
// commit. It never waits for callers that are not yet in Ingest: a client
// still reading its last answer may never send again, and waiting for it
// only adds latency (measured with 8 clients sending single readings, any
// such wait cost throughput as well, though it made groups larger).
const gatherWait = 500 * time.Microsecond

// Chunk sizes of the multi-row statements. SQLite takes at most 32766
// variables in one statement and PostgreSQL 65535; 512 rows × 20 columns is
// well below both. Batches are cut into statement shapes by db.Chunks (a
// few rows in one statement of their own size, more in chunks of maxChunk
// and powers of two), so that at most fourteen shapes are ever prepared.
const maxChunk = 512

// pgWriters is how many transactions the writer runs at once on
// PostgreSQL. Two overlap one commit's round trips with the next group's;
// more help only with cores to spare. On a 2-core machine serving HTTP as
// well, four writers made four server processes contend for the cores and
// for the same index pages with groups of one batch each: batched HTTP
// ingest ran at about 30,000 readings/s against 50,000 with two, whose
// groups carry more batches (medians of four runs each, load average 5–7).
func pgWriters() int {
	return min(4, max(2, runtime.NumCPU()))
}

func newWriter(d *db.DB, maxRows int, a *audit.Log) *writer {
	w := &writer{db: d, audit: a, reqs: make(chan *request, 1024), maxRows: maxRows, stop: make(chan struct{}),
		inserts: map[int]*sql.Stmt{}, upserts: map[int]*sql.Stmt{}}
	n := 1
	if d.Dialect == db.Postgres {
		n = pgWriters()
	}
	for range n {
		w.wg.Add(1)
		go w.run()
	}
	return w
}

func (w *writer) close() {
	w.closing.Lock()
	if w.closed {
		w.closing.Unlock()
		return
	}
	w.closed = true
	w.closing.Unlock()
	close(w.stop)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, st := range w.inserts {
		st.Close()
	}
	for _, st := range w.upserts {
		st.Close()
	}
}

var errClosed = &errs.Error{Kind: errs.Internal, Message: "the readings service is shutting down; send the readings again shortly",
	Err: errors.New("readings: the service is closed")}

// arrival is an Ingest call on its way to the writer, counted in
// preparing until its rows are queued or it gives up.
type arrival struct {
	w      *writer
	queued bool
}

func (w *writer) arrive() *arrival {
	w.preparing.Add(1)
	return &arrival{w: w}
}

// done ends the count; it may be called more than once.
func (a *arrival) done() {
	if !a.queued {
		a.queued = true
		a.w.preparing.Add(-1)
	}
}

// submit hands rows to the writer and waits for their commit; note, when
// set, gives the audit event to commit with them. The arrival is done once
// the rows are queued.
func (w *writer) submit(ctx context.Context, a *arrival, rows []row, note func(*request) (audit.Prepared, bool)) (*request, error) {
	r := &request{rows: rows, done: make(chan struct{})}
	if note != nil {
		r.note = func() (audit.Prepared, bool) { return note(r) }
	}
	w.closing.RLock()
	if w.closed {
		w.closing.RUnlock()
		return nil, errClosed
	}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		w.closing.RUnlock()
		return nil, ctx.Err()
	}
	w.closing.RUnlock()
	a.done()
	select {
	case <-r.done:
		return r, r.err
	case <-ctx.Done():
		// The rows may still be committed; a retry with the same external
		// ids is answered "duplicate".
		return nil, ctx.Err()
	}
}

func (w *writer) run() {
	defer w.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *request
		select {
		case first = <-w.reqs:
		case <-w.stop:
			// Finish what is queued before stopping.
			for {
				select {
				case r := <-w.reqs:
					w.commitGroup([]*request{r})
				default:
					return
				}
			}
		}
		group, n := []*request{first}, len(first.rows)
		var deadline time.Time
	gather:
		for n < w.maxRows {
			select {
			case r := <-w.reqs:
				group = append(group, r)
				n += len(r.rows)
				continue
			default:
			}
			if w.preparing.Load() == 0 {
				break
			}
			if deadline.IsZero() {
				deadline = time.Now().Add(gatherWait)
			}
			wait := time.Until(deadline)
			if wait <= 0 {
				break
			}
			timer.Reset(wait)
			select {
			case r := <-w.reqs:
				group = append(group, r)
				n += len(r.rows)
				if !timer.Stop() {
					<-timer.C
				}
			case <-timer.C:
				break gather
			}
		}
		w.commitGroup(group)
	}
}

func (w *writer) commitGroup(group []*request) {
	err := w.commit(group)
	if err != nil && len(group) > 1 {
		// One request's rows must not fail the others': retry each alone.
		for _, r := range group {
			r.err = w.commit([]*request{r})
		}
	} else {
		for _, r := range group {
			r.err = err
		}
	}
	for _, r := range group {
		close(r.done)
	}
}

func (w *writer) commit(group []*request) (err error) {
	ctx, cancel := w.db.WriterContext()
	defer cancel()
	if err := w.prepare(ctx); err != nil {
		return err
	}
	var all []*row
	for _, r := range group {
		for i := range r.rows {
			all = append(all, &r.rows[i])
		}
	}
	if w.db.Dialect == db.Postgres && len(all) >= copyMinRows {
		return w.commitCopied(ctx, group, all)
	}
	tx, err := w.db.W.BeginTx(ctx, nil)
	if err != nil {
		return errs.Wrap(err, "beginning to store readings")
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, r := range group {
		r.inserted = make([]bool, len(r.rows))
		r.ids = make([]string, len(r.rows))
	}
	inserted, err := w.insert(ctx, tx, all)
	if err != nil {
		return err
	}
	if inserted == len(all) {
		for _, r := range group {
			for i := range r.rows {
				r.inserted[i], r.ids[i] = true, r.rows[i].id
			}
		}
	} else if err := w.resolve(ctx, tx, group); err != nil {
		return err
	}
	if err := w.summarise(ctx, tx, group); err != nil {
		return err
	}
	return w.finish(ctx, tx, group, len(all))
}

// finish writes the group's audit events, commits, and counts. The caller
// rolls back on error.
func (w *writer) finish(ctx context.Context, tx *sql.Tx, group []*request, rows int) error {
	if err := w.notes(ctx, tx, group); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return errs.Wrap(err, "committing readings")
	}
	w.commits.Add(1)
	w.requests.Add(int64(len(group)))
	w.rows.Add(int64(rows))
	return nil
}

// prepare makes every statement shape the writer uses, once. It runs
// before a transaction begins: on SQLite the transaction holds the only
// writer connection, and preparing on the pool inside it would wait forever.
func (w *writer) prepare(ctx context.Context) error {
	if w.prepared.Load() {
		return nil
	}
	if w.audit != nil {
		if err := w.audit.Warm(ctx); err != nil {
			return err
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range db.Shapes(maxChunk) {
		if w.inserts[k] == nil {
			st, err := w.db.W.PrepareContext(ctx, insertSQL(w.db.Dialect, k))
			if err != nil {
				return errs.Wrap(err, "preparing to store readings")
			}
			w.inserts[k] = st
		}
		if w.upserts[k] == nil {
			st, err := w.db.W.PrepareContext(ctx, upsertHoursSQL(w.db.Dialect, k))
			if err != nil {
				return errs.Wrap(err, "preparing to summarise readings")
			}
			w.upserts[k] = st
		}
	}
	w.prepared.Store(true)
	return nil
}

// notes writes the audit events of the group's requests that carry one.
func (w *writer) notes(ctx context.Context, tx *sql.Tx, group []*request) error {
	var evs []audit.Prepared
	for _, r := range group {
		if r.note == nil {
			continue
		}
		if ev, ok := r.note(); ok {
			evs = append(evs, ev)
		}
	}
	if len(evs) == 0 {
		return nil
	}
	return w.audit.WriteTx(ctx, tx, evs)
}

// stmt returns the prepared statement for n rows.
func (w *writer) stmt(cache map[int]*sql.Stmt, n int) *sql.Stmt {
	w.mu.Lock()
	defer w.mu.Unlock()
	return cache[n]
}

// InsertSQL returns the statement that stores n rows: duplicates of an
// earlier (source, external id) are skipped, not errors.
func insertSQL(d db.Dialect, n int) string {
	var b strings.Builder
	if d == db.SQLite {
		// OR IGNORE rather than ON CONFLICT DO NOTHING: with no way left to
		// abort half-way, SQLite keeps no statement journal for the insert.
		b.WriteString("INSERT OR IGNORE INTO measurements (" + insertColumns + ") VALUES ")
	} else {
		b.WriteString("INSERT INTO measurements (" + insertColumns + ") VALUES ")
	}
	db.Values(&b, d, n, insertWidth)
	if d == db.Postgres {
		b.WriteString(" ON CONFLICT DO NOTHING")
	}
	return b.String()
}

// insert stores rows with multi-row INSERTs and returns how many were new.
func (w *writer) insert(ctx context.Context, tx *sql.Tx, rows []*row) (int, error) {
	args := make([]any, 0, min(len(rows), maxChunk)*insertWidth)
	inserted, at := 0, 0
	for _, k := range db.Chunks(len(rows), maxChunk) {
		st := w.stmt(w.inserts, k)
		args = args[:0]
		for _, r := range rows[at : at+k] {
			args = r.appendArgs(args)
		}
		at += k
		res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return 0, errs.Wrap(err, "storing readings")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, errs.Wrap(err, "storing readings")
		}
		inserted += int(n)
	}
	return inserted, nil
}

// resolve finds out, after some rows were skipped, which rows are new and
// under which id each skipped one was stored before.
func (w *writer) resolve(ctx context.Context, tx *sql.Tx, group []*request) error {
	present := map[string]bool{}
	var ids []string
	for _, r := range group {
		for i := range r.rows {
			ids = append(ids, r.rows[i].id)
		}
	}
	for len(ids) > 0 {
		k := min(len(ids), 500)
		var args db.Args
		ph := make([]string, k)
		for i, id := range ids[:k] {
			ph[i] = args.Add(id)
		}
		ids = ids[k:]
		if err := queryStrings(ctx, tx, `SELECT id FROM measurements WHERE id IN (`+strings.Join(ph, ",")+`)`, args, func(v []string) {
			present[v[0]] = true
		}); err != nil {
			return errs.Wrap(err, "finding stored readings")
		}
	}
	// The skipped rows, by source: look up what was stored before.
	wanted := map[string][]string{}
	for _, r := range group {
		for i := range r.rows {
			row := &r.rows[i]
			if present[row.id] {
				r.inserted[i], r.ids[i] = true, row.id
			} else if row.externalID != "" {
				wanted[row.sourceKey()] = append(wanted[row.sourceKey()], row.externalID)
			}
		}
	}
	earlier := map[[2]string]string{}
	for source, exts := range wanted {
		for len(exts) > 0 {
			k := min(len(exts), 500)
			var args db.Args
			src := args.Add(source)
			ph := make([]string, k)
			for i, e := range exts[:k] {
				ph[i] = args.Add(e)
			}
			exts = exts[k:]
			if err := queryStrings(ctx, tx, `SELECT external_id, id FROM measurements
				WHERE COALESCE(device_id, entered_by) = `+src+` AND external_id IN (`+strings.Join(ph, ",")+`)`, args, func(v []string) {
				earlier[[2]string{source, v[0]}] = v[1]
			}); err != nil {
				return errs.Wrap(err, "finding earlier readings")
			}
		}
	}
	for _, r := range group {
		for i := range r.rows {
			if r.inserted[i] {
				continue
			}
			row := &r.rows[i]
			id, ok := earlier[[2]string{row.sourceKey(), row.externalID}]
			if !ok {
				return errs.Wrap(fmt.Errorf("reading %s was neither stored nor found", row.id), "storing readings")
			}
			r.ids[i] = id
		}
	}
	return nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, q string, args db.Args, each func([]string)) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	v := make([]string, len(cols))
	dest := make([]any, len(cols))
	for i := range v {
		dest[i] = &v[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		each(v)
	}
	return rows.Err()
}

// The hourly summaries (measurement_hours) are kept in the transaction that
// stores the readings: the new rows are summed up per patient, type and hour
// here, and each sum is added to its hour in one multi-row upsert.

const hourMillis = int64(time.Hour / time.Millisecond)

type hourKey struct {
	patient, typ string
	hour         int64
}

type hourSum struct {
	n             [maxComponents]int64
	min, max, sum [maxComponents]float64
}

func (h *hourSum) add(r *row) {
	for i := range maxComponents {
		if !r.has[i] {
			continue
		}
		v := r.v[i]
		if h.n[i] == 0 || v < h.min[i] {
			h.min[i] = v
		}
		if h.n[i] == 0 || v > h.max[i] {
			h.max[i] = v
		}
		h.n[i]++
		h.sum[i] += v
	}
}

const hourColumns = `patient_id, type_key, hour, n1, min1, max1, sum1, n2, min2, max2, sum2, n3, min3, max3, sum3`

const hourWidth = 15

func upsertHoursSQL(d db.Dialect, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO measurement_hours (" + hourColumns + ") VALUES ")
	db.Values(&b, d, n, hourWidth)
	b.WriteString(hourConflictSQL())
	return b.String()
}

// hourConflictSQL adds an inserted summary to the one its hour already has.
func hourConflictSQL() string {
	var b strings.Builder
	b.WriteString(" ON CONFLICT (patient_id, type_key, hour) DO UPDATE SET ")
	for i := 1; i <= maxComponents; i++ {
		k := strconv.Itoa(i)
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString("n" + k + " = measurement_hours.n" + k + " + excluded.n" + k +
			", sum" + k + " = measurement_hours.sum" + k + " + excluded.sum" + k +
			", min" + k + " = CASE WHEN measurement_hours.min" + k + " IS NULL OR excluded.min" + k + " < measurement_hours.min" + k +
			" THEN excluded.min" + k + " ELSE measurement_hours.min" + k + " END" +
			", max" + k + " = CASE WHEN measurement_hours.max" + k + " IS NULL OR excluded.max" + k + " > measurement_hours.max" + k +
			" THEN excluded.max" + k + " ELSE measurement_hours.max" + k + " END")
	}
	return b.String()
}

// hourAggregates summarises grouped readings in the order of hourColumns'
// counts, minima, maxima and sums.
const hourAggregates = `COUNT(v1), MIN(v1), MAX(v1), COALESCE(SUM(v1), 0),
	COUNT(v2), MIN(v2), MAX(v2), COALESCE(SUM(v2), 0), COUNT(v3), MIN(v3), MAX(v3), COALESCE(SUM(v3), 0)`

func (w *writer) summarise(ctx context.Context, tx *sql.Tx, group []*request) error {
	sums := map[hourKey]*hourSum{}
	for _, r := range group {
		for i := range r.rows {
			if !r.inserted[i] {
				continue
			}
			row := &r.rows[i]
			k := hourKey{row.patientID, row.typeKey, row.takenAt - row.takenAt%hourMillis}
			h := sums[k]
			if h == nil {
				h = &hourSum{}
				sums[k] = h
			}
			h.add(row)
		}
	}
	if len(sums) == 0 {
		return nil
	}
	keys := make([]hourKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	// One order for everyone, so that PostgreSQL writers never wait on
	// each other in a circle.
	slices.SortFunc(keys, func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.patient, b.patient), cmp.Compare(a.typ, b.typ), cmp.Compare(a.hour, b.hour))
	})
	args := make([]any, 0, min(len(keys), maxChunk)*hourWidth)
	at := 0
	for _, k := range db.Chunks(len(keys), maxChunk) {
		st := w.stmt(w.upserts, k)
		args = args[:0]
		for _, key := range keys[at : at+k] {
			h := sums[key]
			args = append(args, key.patient, key.typ, key.hour)
			for i := range maxComponents {
				if h.n[i] == 0 {
					args = append(args, int64(0), nil, nil, 0.0)
				} else {
					args = append(args, h.n[i], h.min[i], h.max[i], h.sum[i])
				}
			}
		}
		at += k
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
			return errs.Wrap(err, "summarising readings by hour")
		}
	}
	return nil
}

// rebuildHourSQL recomputes one hour's summary from the final readings; the
// caller deletes the old summary first. GROUP BY yields no row, and so no
// summary, for an hour left without final readings.
const rebuildHourSQL = `INSERT INTO measurement_hours (` + hourColumns + `)
	SELECT patient_id, type_key, $3, ` + hourAggregates + `
	FROM measurements
	WHERE patient_id = $1 AND type_key = $2 AND taken_at >= $3 AND taken_at < $4 AND status = 'final'
	GROUP BY patient_id, type_key`

// rebuildHour recomputes the summary of the hour holding takenAt.
func rebuildHour(ctx context.Context, tx *sql.Tx, patientID, typeKey string, takenAt int64) error {
	hour := takenAt - takenAt%hourMillis
	if _, err := tx.ExecContext(ctx, `DELETE FROM measurement_hours WHERE patient_id = $1 AND type_key = $2 AND hour = $3`,
		patientID, typeKey, hour); err != nil {
		return errs.Wrap(err, "resummarising hour")
	}
	_, err := tx.ExecContext(ctx, rebuildHourSQL, patientID, typeKey, hour, hour+hourMillis)
	return errs.Wrap(err, "resummarising hour")
}
