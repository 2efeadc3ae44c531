package readings_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// The ingest benchmarks measure Ingest against raw insertion of the same
// rows into the same table, in the same run, on a fresh database each:
//
//	./scripts/with-postgres.sh go test -run '^$' -bench . -benchtime 200000x ./internal/readings/
//
// One op is one reading. Batches come from 20 devices, each assigned to its
// own patient, as heart rates a minute apart. "raw" inserts the rows with
// the same prepared multi-row statements in transactions of 4096 rows from
// one goroutine, with no checks, no conversion and no hourly summaries;
// "ingest" goes through everything a door's batch goes through. Each
// benchmark runs three rounds of both and reports the medians.

const benchDevices = 20

type benchWorld struct {
	*world
	devs    []devices.Device
	secrets map[string]string // device id → credential
}

func newBenchWorld(b *testing.B, d *db.DB) benchWorld {
	w := newWorld(b, d)
	ps := people.NewService(d, w.clock)
	w.clock.Set(t0.Add(-2 * 365 * 24 * time.Hour))
	bw := benchWorld{world: w, secrets: map[string]string{}}
	for i := range benchDevices {
		u, err := ps.Create(context.Background(), people.NewUser{Email: fmt.Sprintf("bench%d@example.org", i), Name: "Bench", Roles: []people.Role{people.Patient}})
		if err != nil {
			b.Fatal(err)
		}
		dev, cred, err := w.dev.Add(w.ctx, devices.NewDevice{Kind: devices.HeartRateStrap, Maker: "Bench", Serial: fmt.Sprint(i)})
		if err != nil {
			b.Fatal(err)
		}
		bw.secrets[dev.ID] = cred.Secret
		if dev, err = w.dev.Assign(w.ctx, dev.ID, u.ID); err != nil {
			b.Fatal(err)
		}
		bw.devs = append(bw.devs, dev)
	}
	w.clock.Set(t0)
	return bw
}

// batches makes n readings in batches of size, round-robin over the devices,
// each device's readings a minute apart from a year ago.
func (bw benchWorld) batches(n, size int) []readings.Batch {
	var out []readings.Batch
	next := make([]int, len(bw.devs))
	start := t0.Add(-365 * 24 * time.Hour)
	for made, k := 0, 0; made < n; k++ {
		dev := k % len(bw.devs)
		m := min(size, n-made)
		items := make([]readings.Item, m)
		for i := range items {
			j := next[dev]
			next[dev]++
			v := float64(50 + (j*37)%100)
			items[i] = readings.Item{Type: "heart_rate", Value: &v, Unit: "/min", TakenAt: start.Add(time.Duration(j) * time.Minute),
				ExternalID: fmt.Sprintf("d%d-%d", dev, j)}
		}
		out = append(out, readings.Batch{Door: readings.DoorHTTP, DeviceID: bw.devs[dev].ID, Items: items})
		made += m
	}
	return out
}

const rawColumns = `id, patient_id, type_key, loinc, v1, v2, v3, unit, o1, o2, o3, orig_unit,
	taken_at, received_at, source, door, device_id, entered_by, flags, external_id`

// rawRows turns batches into the rows Ingest would store.
func (bw benchWorld) rawRows(bs []readings.Batch) [][]any {
	patient := map[string]string{}
	for _, d := range bw.devs {
		patient[d.ID] = d.PatientID
	}
	var rows [][]any
	for _, b := range bs {
		for _, it := range b.Items {
			rows = append(rows, []any{uuid.Must(uuid.NewV7()).String(), patient[b.DeviceID], "heart_rate", "8867-4", *it.Value, nil, nil, "/min",
				nil, nil, nil, nil, it.TakenAt.UnixMilli(), t0.UnixMilli(), "device", "http", b.DeviceID, nil, "", it.ExternalID})
		}
	}
	return rows
}

// rawInsert stores rows the fastest plain way: prepared multi-row INSERTs
// of 512 rows, 4096 rows a transaction, one goroutine.
func rawInsert(b *testing.B, d *db.DB, rows [][]any) {
	ctx := context.Background()
	stmts := map[int]*sql.Stmt{}
	prep := func(n int) *sql.Stmt {
		if st := stmts[n]; st != nil {
			return st
		}
		var sb strings.Builder
		if d.Dialect == db.SQLite {
			sb.WriteString("INSERT OR IGNORE INTO measurements (" + rawColumns + ") VALUES ")
		} else {
			sb.WriteString("INSERT INTO measurements (" + rawColumns + ") VALUES ")
		}
		p := 1
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for c := range 20 {
				if c > 0 {
					sb.WriteByte(',')
				}
				if d.Dialect == db.SQLite {
					sb.WriteByte('?')
				} else {
					fmt.Fprintf(&sb, "$%d", p)
				}
				p++
			}
			sb.WriteByte(')')
		}
		if d.Dialect == db.Postgres {
			sb.WriteString(" ON CONFLICT DO NOTHING")
		}
		st, err := d.W.PrepareContext(ctx, sb.String())
		if err != nil {
			b.Fatal(err)
		}
		stmts[n] = st
		return st
	}
	for k := 512; k >= 1; k /= 2 {
		prep(k)
	}
	args := make([]any, 0, 512*20)
	for len(rows) > 0 {
		txRows := rows[:min(4096, len(rows))]
		rows = rows[len(txRows):]
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for len(txRows) > 0 {
			k := 512
			for k > len(txRows) {
				k /= 2
			}
			args = args[:0]
			for _, r := range txRows[:k] {
				args = append(args, r...)
			}
			txRows = txRows[k:]
			if _, err := tx.StmtContext(ctx, prep(k)).ExecContext(ctx, args...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// copyInsert stores rows with PostgreSQL's COPY, the fastest way in.
func copyInsert(b *testing.B, d *db.DB, rows [][]any) {
	ctx := context.Background()
	conn, err := d.W.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	cols := strings.Fields(strings.ReplaceAll(rawColumns, ",", " "))
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		for len(rows) > 0 {
			part := rows[:min(4096, len(rows))]
			rows = rows[len(part):]
			if _, err := pc.CopyFrom(ctx, pgx.Identifier{"measurements"}, cols, pgx.CopyFromRows(part)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// sender sends every batch, from callers goroutines, and returns each
// call's latency: straight to the service, or through a door.
type sender func(b *testing.B, bw benchWorld, bs []readings.Batch, callers int) []time.Duration

// ingestAll sends the batches to the service itself.
func ingestAll(b *testing.B, bw benchWorld, bs []readings.Batch, callers int) []time.Duration {
	svc := bw.svc
	var next atomic.Int64
	lat := make([][]time.Duration, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bs) {
					return
				}
				start := time.Now()
				rs, err := svc.Ingest(context.Background(), bs[i])
				lat[c] = append(lat[c], time.Since(start))
				if err != nil {
					b.Error(err)
					return
				}
				if s, _, _ := readings.Tally(rs); s != len(bs[i].Items) {
					b.Errorf("batch %d: %d of %d stored: %+v", i, s, len(bs[i].Items), rs[0])
					return
				}
			}
		})
	}
	wg.Wait()
	return slices.Concat(lat...)
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchIngest runs rounds of raw insertion and Ingest of the same readings,
// each on a fresh database, and reports the medians: readings a second,
// the raw rate, their ratio, and CPU time per reading for both, which a
// machine shared with other work disturbs less than wall time.
func benchIngest(b *testing.B, open func(testing.TB) *db.DB, baseline string, size, callers int, send sender) {
	const rounds = 3
	n := max(b.N, size)
	var rates, rawRates, ratios, cpus, rawCPUs, p99s, perCommit []float64
	b.StopTimer()
	for range rounds {
		rawDB := open(b)
		rawWorld := newBenchWorld(b, rawDB)
		rows := rawWorld.rawRows(rawWorld.batches(n, size))
		start, cpu := time.Now(), cpuTime()
		if baseline == "copy" {
			copyInsert(b, rawDB, rows)
		} else {
			rawInsert(b, rawDB, rows)
		}
		rawRate := float64(n) / time.Since(start).Seconds()
		rawCPUs = append(rawCPUs, float64((cpuTime()-cpu).Microseconds())/float64(n))

		bw := newBenchWorld(b, open(b))
		bs := bw.batches(n, size)
		before := bw.svc.Stats()
		b.StartTimer()
		start, cpu = time.Now(), cpuTime()
		lat := send(b, bw, bs, callers)
		elapsed := time.Since(start)
		b.StopTimer()
		cpus = append(cpus, float64((cpuTime()-cpu).Microseconds())/float64(n))
		rate := float64(n) / elapsed.Seconds()
		rates, rawRates, ratios = append(rates, rate), append(rawRates, rawRate), append(ratios, rate/rawRate)
		slices.Sort(lat)
		p99s = append(p99s, float64(lat[len(lat)*99/100].Microseconds())/1000)
		after := bw.svc.Stats()
		if commits := after.Commits - before.Commits; commits > 0 {
			perCommit = append(perCommit, float64(after.Requests-before.Requests)/float64(commits))
		}
	}
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	b.ReportMetric(median(rates), "readings/s")
	b.ReportMetric(median(rawRates), baseline+"_rows/s")
	b.ReportMetric(median(ratios), "ratio")
	b.ReportMetric(median(cpus), "cpu_us/reading")
	b.ReportMetric(median(rawCPUs), "cpu_us/"+baseline+"_row")
	b.ReportMetric(median(p99s), "p99_ms")
	b.ReportMetric(median(perCommit), "batches/commit")
}

func BenchmarkIngestSQLite(b *testing.B) {
	open := func(t testing.TB) *db.DB { return dbtest.SQLite(t) }
	b.Run("batch=500/callers=8", func(b *testing.B) { benchIngest(b, open, "raw", 500, 8, ingestAll) })
	b.Run("batch=500/callers=1", func(b *testing.B) { benchIngest(b, open, "raw", 500, 1, ingestAll) })
	b.Run("batch=1/callers=8", func(b *testing.B) { benchIngest(b, open, "raw", 1, 8, ingestAll) })
}

func BenchmarkIngestPostgres(b *testing.B) {
	open := func(t testing.TB) *db.DB { return dbtest.Postgres(t) }
	b.Run("batch=500/callers=8", func(b *testing.B) { benchIngest(b, open, "copy", 500, 8, ingestAll) })
	b.Run("batch=1/callers=8", func(b *testing.B) { benchIngest(b, open, "copy", 1, 8, ingestAll) })
}

// yearOfHeartRate loads 525,600 minute-by-minute heart rates of one patient
// in SQL (seconds, not minutes), and builds their hourly summaries.
func yearOfHeartRate(b *testing.B, w *world) (time.Time, time.Time) {
	const minutes = 525600
	from := t0.Add(-minutes * time.Minute).Truncate(time.Hour)
	var q string
	if w.d.Dialect == db.SQLite {
		q = `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $3 - 1)
			INSERT INTO measurements (id, patient_id, type_key, loinc, v1, unit, taken_at, received_at, source, door, device_id, external_id)
			SELECT printf('%08x-0000-7000-8000-%012x', i, i), $1, 'heart_rate', '8867-4', 50 + (i * 37) % 100, '/min',
				$2 + i * 60000, $2 + i * 60000 + 500, 'device', 'http', $4, 'y' || i FROM s`
	} else {
		q = `INSERT INTO measurements (id, patient_id, type_key, loinc, v1, unit, taken_at, received_at, source, door, device_id, external_id)
			SELECT lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), $1, 'heart_rate', '8867-4',
				50 + (i * 37) % 100, '/min', $2 + i * 60000, $2 + i * 60000 + 500, 'device', 'http', $4, 'y' || i
			FROM generate_series(0, $3::bigint - 1) AS i`
	}
	if _, err := w.d.W.Exec(q, w.patient.UserID, from.UnixMilli(), minutes, w.cuff.ID); err != nil {
		b.Fatal(err)
	}
	if err := w.svc.RebuildSummaries(context.Background(), w.patient.UserID, "heart_rate"); err != nil {
		b.Fatal(err)
	}
	return from, from.Add(minutes * time.Minute)
}

func benchBuckets(b *testing.B, d *db.DB) {
	w := newWorld(b, d)
	from, to := yearOfHeartRate(b, w)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		from, to time.Time
	}{
		{"year/n=1000", from, to},
		// Not on hour boundaries: the partial hours at either end are read
		// from the readings themselves.
		{"year-unaligned/n=1000", from.Add(17 * time.Minute), to.Add(-23 * time.Minute)},
		// Buckets shorter than an hour come from the readings only.
		{"day/n=1000", to.Add(-24 * time.Hour), to},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := readings.BucketQuery{PatientID: w.patient.UserID, Type: "heart_rate", From: tc.from, To: tc.to, N: 1000}
			var count int64
			cpu := cpuTime()
			for b.Loop() {
				s, err := w.svc.Buckets(ctx, w.nurse, q)
				if err != nil {
					b.Fatal(err)
				}
				count = 0
				for _, bk := range s.Buckets {
					count += bk.Count
				}
			}
			b.ReportMetric(float64(count), "readings")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			// CPU time: what the query costs when the machine is not shared.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu_ms/op")
		})
	}
}

func BenchmarkBucketsSQLite(b *testing.B)   { benchBuckets(b, dbtest.SQLite(b)) }
func BenchmarkBucketsPostgres(b *testing.B) { benchBuckets(b, dbtest.Postgres(b)) }

// benchList lists a patient's newest readings, as the patient page's table
// does, over a year of minute-level heart rate: unfiltered, a page further
// on by cursor, and by type.
func benchList(b *testing.B, d *db.DB) {
	w := newWorld(b, d)
	yearOfHeartRate(b, w)
	if d.Dialect == db.Postgres {
		// As autovacuum would soon after such a load.
		if _, err := d.W.Exec(`ANALYZE measurements`); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	first, err := w.svc.List(ctx, w.nurse, readings.Query{PatientID: w.patient.UserID, Limit: 100})
	if err != nil || first.Next == "" {
		b.Fatal(first.Next, err)
	}
	for _, tc := range []struct {
		name string
		q    readings.Query
	}{
		{"newest/limit=100", readings.Query{PatientID: w.patient.UserID, Limit: 100}},
		{"next-page/limit=100", readings.Query{PatientID: w.patient.UserID, Limit: 100, Cursor: first.Next}},
		{"heart_rate/limit=100", readings.Query{PatientID: w.patient.UserID, Types: []string{"heart_rate"}, Limit: 100}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				p, err := w.svc.List(ctx, w.nurse, tc.q)
				if err != nil || len(p.Readings) != 100 {
					b.Fatal(len(p.Readings), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu_ms/op")
		})
	}
}

func BenchmarkListSQLite(b *testing.B)   { benchList(b, dbtest.SQLite(b)) }
func BenchmarkListPostgres(b *testing.B) { benchList(b, dbtest.Postgres(b)) }
