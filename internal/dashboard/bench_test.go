package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/monitoring"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// BenchmarkDashboard measures one dashboard answer (every statement, and
// the audit events it writes) on a clinic the size of the demo (10
// patients, all in the nurse's care) and on one of 1,000 patients, for a
// nurse caring for 40 of them and for a ward view of all 1,000. Every
// patient has TEND_BENCH_HISTORY hours (default 24) of hourly readings of
// the seven vital signs, a schedule, and alerts from the out-of-range
// ones; the nurse's first patient also has 50,000 minute-level heart rates,
// which must cost no more than one reading does.
//
//	./scripts/with-postgres.sh go test -run '^$' -bench Dashboard -benchtime 2s ./internal/dashboard/
func BenchmarkDashboard(b *testing.B) {
	dbs := map[string]func(testing.TB) *db.DB{"sqlite": dbtest.SQLite}
	if os.Getenv("TEND_TEST_POSTGRES") != "" && os.Getenv("TEND_TEST_POSTGRES") != "off" {
		dbs["postgres"] = dbtest.Postgres
	}
	hours := 24
	if h, err := strconv.Atoi(os.Getenv("TEND_BENCH_HISTORY")); err == nil && h > 0 {
		hours = h
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := dbs[name]
		if !ok {
			continue
		}
		for _, size := range []struct {
			clinic, cared int
		}{{10, 10}, {1000, 40}, {1000, 1000}} {
			b.Run(fmt.Sprintf("%s/patients=%d/cared=%d", name, size.clinic, size.cared), func(b *testing.B) {
				w := newWorld(b, open(b), time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
				nurse := seedClinic(w, size.clinic, size.cared, hours)
				ctx := context.Background()
				b.ResetTimer()
				for b.Loop() {
					dash, err := w.board.For(ctx, nurse)
					if err != nil {
						b.Fatal(err)
					}
					if len(dash.Patients) != size.cared {
						b.Fatalf("%d rows, want %d", len(dash.Patients), size.cared)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/dashboard")
			})
		}
	}
}

// seedClinic makes patients, cared patients of them in the care of the
// nurse it returns (the rest in another nurse's), each with hours of
// hourly vitals up to now.
func seedClinic(w *world, patients, cared, hours int) people.Principal {
	w.t.Helper()
	ctx := context.Background()
	nurse, other := w.user("Nurse", people.Nurse), w.user("Other nurse", people.Nurse)
	now := w.clock.Now()
	early, grace := 30, 60
	unit := func(typ string) string {
		t, _ := measure.ByKey(typ)
		if t.IsPanel() {
			return t.Components[0].Value.Unit
		}
		return t.Value.Unit
	}
	for i := range patients {
		p := w.user(fmt.Sprintf("Patient %04d", i), people.Patient)
		if i < cared {
			w.care(p, nurse)
		} else {
			w.care(p, other)
		}
		if _, err := w.mon.CreateSchedule(ctx, nurse, p.UserID, monitoring.ScheduleInput{Type: "blood_pressure",
			Times: []string{"08:00", "20:00"}, EarlyMinutes: &early, GraceMinutes: &grace}); err != nil && i < cared {
			w.t.Fatal(err)
		}
		var items []readings.Item
		add := func(typ string, at time.Time, v float64) {
			it := readings.Item{Type: typ, Unit: unit(typ), TakenAt: at}
			if typ == "blood_pressure" {
				it.Components = []readings.Component{{Key: "systolic", Value: v}, {Key: "diastolic", Value: 80}}
			} else {
				it.Value = &v
			}
			items = append(items, it)
		}
		for h := hours; h >= 1; h-- {
			at := now.Add(-time.Duration(h)*time.Hour - time.Duration(i%60)*time.Minute)
			high := (i+h)%17 == 0
			add("blood_pressure", at, map[bool]float64{false: 128, true: 186}[high])
			add("heart_rate", at, map[bool]float64{false: 72, true: 135}[high])
			add("spo2", at, 97)
			add("body_temperature", at, 36.8)
			add("respiratory_rate", at, 16)
			add("blood_glucose", at, 110)
			add("body_weight", at, 74)
		}
		if i == 0 {
			for m := 50_000; m > 0; m-- {
				add("heart_rate", now.Add(-time.Duration(m)*time.Minute-time.Second), 70)
			}
		}
		for start := 0; start < len(items); start += readings.MaxItems {
			w.ingest(p, items[start:min(start+readings.MaxItems, len(items))])
		}
	}
	return nurse
}
