package summaries_test

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
	"github.com/tend-health/tend/internal/summaries"
)

// yearOfMinutes gives a patient 525,600 minute-by-minute heart rates,
// written in SQL (seconds, not the minutes ingest would take), and returns
// the service and the patient.
func yearOfMinutes(b *testing.B, d *db.DB) (*summaries.Service, people.Principal) {
	ctx := context.Background()
	c := clock.Real{}
	ps := people.NewService(d, c)
	u, err := ps.Create(ctx, people.NewUser{Email: "pat@example.org", Name: "Pat", Roles: []people.Role{people.Patient},
		Profile: &people.Profile{TimeZone: "Europe/Oslo"}})
	if err != nil {
		b.Fatal(err)
	}
	acc := access.New(d, c, ps)
	dev := devices.New(d, c, ps, acc)
	rs := readings.New(d, c, acc, dev, readings.Options{})
	b.Cleanup(func() { rs.Close(); dev.Close() })
	const minutes = 525600
	from := time.Now().Add(-minutes * time.Minute).Truncate(time.Hour)
	q := `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $3 - 1)
		INSERT INTO measurements (id, patient_id, type_key, loinc, v1, unit, taken_at, received_at, source, door, external_id)
		SELECT printf('%08x-0000-7000-8000-%012x', i, i), $1, 'heart_rate', '8867-4', 50 + (i * 37) % 100, '/min',
			$2 + i * 60000, $2 + i * 60000 + 500, 'import', 'http', 'y' || i FROM s`
	if d.Dialect == db.Postgres {
		q = `INSERT INTO measurements (id, patient_id, type_key, loinc, v1, unit, taken_at, received_at, source, door, external_id)
			SELECT lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), $1, 'heart_rate', '8867-4',
				50 + (i * 37) % 100, '/min', $2 + i * 60000, $2 + i * 60000 + 500, 'import', 'http', 'y' || i
			FROM generate_series(0, $3::bigint - 1) AS i`
	}
	if _, err := d.W.Exec(q, u.ID, from.UnixMilli(), minutes); err != nil {
		b.Fatal(err)
	}
	// The statistics autovacuum would gather on its own after such a load.
	if _, err := d.W.Exec(`ANALYZE measurements`); err != nil {
		b.Fatal(err)
	}
	return summaries.New(rs, acc, ps, dev, c), people.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles}
}

// counter counts the bytes written to it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// benchExport streams a year of minute-level readings as CSV and reports
// rows a second, the file's size, and the highest heap seen while it ran:
// a streamed export's memory does not grow with its length.
func benchExport(b *testing.B, d *db.DB) {
	svc, patient := yearOfMinutes(b, d)
	ctx := context.Background()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	defer close(stop)
	var out counter
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		out = counter{}
		exp, err := svc.CSV(ctx, patient, summaries.ExportRequest{PatientID: patient.UserID, EnteredInError: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := exp.Write(ctx, io.Writer(&out)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(525600*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(out.n)/(1<<20), "MiB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MiB")
}

func BenchmarkExportCSVYearSQLite(b *testing.B)   { benchExport(b, dbtest.SQLite(b)) }
func BenchmarkExportCSVYearPostgres(b *testing.B) { benchExport(b, dbtest.Postgres(b)) }
