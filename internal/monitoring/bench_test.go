package monitoring_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
)

// BenchmarkOnReadings measures what the ingest path pays per committed
// batch: schedules, rules, NEWS2 and device watch for 1,000 patients with
// a care team and a blood pressure schedule. One in twenty readings is out
// of range, so alerts open and repeat as they would.
//
//	./scripts/with-postgres.sh go test -run '^$' -bench OnReadings ./internal/monitoring/
func BenchmarkOnReadings(b *testing.B) {
	dbs := map[string]func(testing.TB) *db.DB{"sqlite": dbtest.SQLite}
	if os.Getenv("TEND_TEST_POSTGRES") != "" && os.Getenv("TEND_TEST_POSTGRES") != "off" {
		dbs["postgres"] = dbtest.Postgres
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := dbs[name]
		if !ok {
			continue
		}
		for _, batch := range []int{1, 50} {
			b.Run(fmt.Sprintf("%s/batch=%d", name, batch), func(b *testing.B) {
				d := open(b)
				T := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
				ids := seedScale(b, d, 1000, T)
				c := clock.NewFake(T)
				mon := monitoring.New(d, c, access.New(d, c, people.NewService(d, c)), monitoring.Deps{Notify: &countingNotify{}, Events: nopBus{}})
				types := []string{"heart_rate", "spo2", "body_temperature", "blood_pressure", "blood_glucose"}
				ctx := context.Background()
				n := 0
				b.ResetTimer()
				for b.Loop() {
					rs := make([]monitoring.Reading, batch)
					for i := range rs {
						n++
						r := monitoring.Reading{ID: fmt.Sprintf("r%d", n), PatientID: ids[n%len(ids)], Type: types[n%len(types)],
							TakenAt: T.Add(time.Duration(n) * time.Second), DeviceID: fmt.Sprintf("dev-%d", n%len(ids))}
						high := n%20 == 0
						switch r.Type {
						case "heart_rate":
							r.Value = map[bool]float64{false: 72, true: 140}[high]
						case "spo2":
							r.Value = map[bool]float64{false: 97, true: 88}[high]
						case "body_temperature":
							r.Value = map[bool]float64{false: 36.8, true: 39.5}[high]
						case "blood_glucose":
							r.Value = map[bool]float64{false: 110, true: 260}[high]
						default:
							r.Components = map[string]float64{"systolic": map[bool]float64{false: 128, true: 190}[high], "diastolic": 80}
						}
						rs[i] = r
					}
					c.Set(rs[len(rs)-1].TakenAt)
					if err := mon.OnReadings(ctx, rs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/reading")
			})
		}
	}
}
