package readings_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/db/dbtest"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

func TestListIsScopedAndPaged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		var items []readings.Item
		for i := range 25 {
			items = append(items, hr(60+float64(i), t0.Add(-time.Duration(i+1)*time.Minute), fmt.Sprint("p", i)))
		}
		items = append(items, bp(120, 80, t0.Add(-time.Hour), "bp"))
		w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: items})
		other := w.other
		w.ingest(t, readings.Batch{By: &other, PatientID: other.UserID, Items: []readings.Item{hr(99, t0.Add(-time.Minute), "o")}})

		// Newest first, in pages that neither skip nor repeat.
		var seen []float64
		q := readings.Query{PatientID: w.patient.UserID, Types: []string{"heart_rate"}, Limit: 10}
		for pages := 0; ; pages++ {
			page, err := w.svc.List(ctx, w.nurse, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Readings {
				seen = append(seen, *r.Value)
			}
			if page.Next == "" {
				if pages != 2 {
					t.Errorf("%d pages", pages+1)
				}
				break
			}
			q.Cursor = page.Next
		}
		if len(seen) != 25 || seen[0] != 60 || seen[24] != 84 {
			t.Errorf("newest first: %v", seen)
		}
		page, _ := w.svc.List(ctx, w.patient, readings.Query{PatientID: w.patient.UserID, Ascending: true, Limit: 2})
		if len(page.Readings) != 2 || page.Readings[0].Type != "blood_pressure" || *page.Readings[1].Value != 84 {
			t.Errorf("oldest first: %+v", page.Readings)
		}
		page, _ = w.svc.List(ctx, w.child, readings.Query{PatientID: w.patient.UserID, From: t0.Add(-3 * time.Minute), To: t0.Add(-time.Minute)})
		if len(page.Readings) != 2 || *page.Readings[0].Value != 61 {
			t.Errorf("time range: %+v", page.Readings)
		}
		if _, err := w.svc.List(ctx, w.nurse, readings.Query{PatientID: w.patient.UserID, Cursor: "garbage"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad cursor: %v", err)
		}
		if _, err := w.svc.List(ctx, w.nurse, readings.Query{PatientID: w.patient.UserID, Types: []string{"mood"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad type: %v", err)
		}

		// Nobody without vitals sees a reading of the patient's, by any call.
		id := page.Readings[0].ID
		for _, viewer := range []people.Principal{w.strange, w.dad, w.other, w.admin} {
			if page, err := w.svc.List(ctx, viewer, readings.Query{PatientID: w.patient.UserID}); !errs.Is(err, errs.NotFound) || len(page.Readings) != 0 {
				t.Errorf("%s lists the patient's readings: %d, %v", viewer.Name, len(page.Readings), err)
			}
			if _, err := w.svc.Get(ctx, viewer, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s gets a reading: %v", viewer.Name, err)
			}
			if _, err := w.svc.Buckets(ctx, viewer, readings.BucketQuery{PatientID: w.patient.UserID, Type: "heart_rate",
				From: t0.Add(-time.Hour), To: t0, N: 10}); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s charts the patient's readings: %v", viewer.Name, err)
			}
			// Across every patient they may see: only their own, if any.
			all, err := w.svc.List(ctx, viewer, readings.Query{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range all.Readings {
				if r.PatientID != viewer.UserID {
					t.Errorf("%s sees a reading of %s", viewer.Name, r.PatientID)
				}
			}
		}
		if n, err := w.svc.Count(ctx, w.nurse, readings.Query{PatientID: w.patient.UserID, Types: []string{"heart_rate"}}); n != 25 || err != nil {
			t.Errorf("count %d %v", n, err)
		}
		if _, err := w.svc.Count(ctx, w.strange, readings.Query{PatientID: w.patient.UserID}); !errs.Is(err, errs.NotFound) {
			t.Errorf("a stranger counts: %v", err)
		}
		all, _ := w.svc.List(ctx, w.nurse, readings.Query{Limit: 1000})
		if len(all.Readings) != 26 {
			t.Errorf("the nurse sees %d readings across patients, want the patient's 26", len(all.Readings))
		}
	})
}

func TestEnteredInErrorIsMarkedNeverDeleted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		sub := w.bus.Subscribe(10)
		defer sub.Close()
		rs := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: []readings.Item{hr(70, t0.Add(-2*time.Minute), "a"), hr(190, t0.Add(-time.Minute), "b")}})
		<-sub.Events()
		wrong := rs[1].ID
		if _, err := w.svc.MarkEnteredInError(ctx, w.nurse, wrong, "  "); !errs.Is(err, errs.Invalid) {
			t.Errorf("no reason: %v", err)
		}
		if _, err := w.svc.MarkEnteredInError(ctx, w.child, wrong, "looks wrong"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("family marking a device's reading: %v", err)
		}
		for _, p := range []people.Principal{w.strange, w.dad} {
			if _, err := w.svc.MarkEnteredInError(ctx, p, wrong, "looks wrong"); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s marking: %v", p.Name, err)
			}
		}
		w.clock.Advance(time.Minute)
		r, err := w.svc.MarkEnteredInError(ctx, w.nurse, wrong, "strap slipped; counted twice")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != readings.StatusEnteredInError || r.Correction == nil || r.Correction.By != w.nurse.UserID ||
			r.Correction.Reason != "strap slipped; counted twice" || !r.Correction.At.Equal(t0.Add(time.Minute)) || *r.Value != 190 {
			t.Errorf("marked: %+v %+v", r, r.Correction)
		}
		if _, err := w.svc.MarkEnteredInError(ctx, w.patient, wrong, "again"); !errs.Is(err, errs.Conflict) {
			t.Errorf("marking twice: %v", err)
		}
		if n := w.count(t, "id = $1", wrong); n != 1 {
			t.Error("the reading is gone")
		}
		page, _ := w.svc.List(ctx, w.patient, readings.Query{PatientID: w.patient.UserID})
		if len(page.Readings) != 1 || page.Readings[0].ID != rs[0].ID {
			t.Errorf("default listing: %+v", page.Readings)
		}
		page, _ = w.svc.List(ctx, w.patient, readings.Query{PatientID: w.patient.UserID, IncludeEnteredInError: true})
		if len(page.Readings) != 2 {
			t.Errorf("listing with corrections: %d", len(page.Readings))
		}
		s, err := w.svc.Buckets(ctx, w.patient, readings.BucketQuery{PatientID: w.patient.UserID, Type: "heart_rate",
			From: t0.Add(-48 * time.Hour), To: t0.Add(time.Hour), N: 10})
		if err != nil || len(s.Buckets) != 1 || s.Buckets[0].Count != 1 || s.Buckets[0].Stats[0].Max != 70 {
			t.Errorf("chart after correction: %+v %v", s, err)
		}
		select {
		case e := <-sub.Events():
			if e.Kind != events.ReadingCorrected || e.PatientID != w.patient.UserID {
				t.Errorf("event %+v", e)
			}
		case <-time.After(5 * time.Second):
			t.Error("no correction event")
		}
		// Whoever entered a reading may correct it.
		child := w.child
		mine := w.ingest(t, readings.Batch{By: &child, PatientID: w.patient.UserID, Items: []readings.Item{hr(71, t0, "c")}})
		if _, err := w.svc.MarkEnteredInError(ctx, w.child, mine[0].ID, "typo"); err != nil {
			t.Errorf("correcting one's own entry: %v", err)
		}
	})
}

type sample struct {
	at time.Time
	v  []float64 // per component; NaN when absent
}

// expect computes the buckets the service should return, from the samples,
// by the rules Series documents.
func expect(samples []sample, from, to time.Time, n, comps int) (time.Duration, map[int64][]readings.Stats) {
	hour := int64(time.Hour / time.Millisecond)
	f, tt := from.UnixMilli(), to.UnixMilli()
	width := (tt - f + int64(n) - 1) / int64(n)
	start := f
	if width >= hour {
		width = (width + hour - 1) / hour * hour
		start = f - f%hour
	}
	out := map[int64][]readings.Stats{}
	for _, s := range samples {
		ms := s.at.UnixMilli()
		if ms < f || ms >= tt {
			continue
		}
		bs := max(start+(ms-start)/width*width, f) // the first bucket starts at from
		st := out[bs]
		if st == nil {
			st = make([]readings.Stats, comps)
			out[bs] = st
		}
		for i := range comps {
			v := s.v[i]
			if math.IsNaN(v) {
				continue
			}
			if st[i].Count == 0 || v < st[i].Min {
				st[i].Min = v
			}
			if st[i].Count == 0 || v > st[i].Max {
				st[i].Max = v
			}
			st[i].Mean += v // a sum until divided below
			st[i].Count++
		}
	}
	for _, st := range out {
		for i := range st {
			if st[i].Count > 0 {
				st[i].Mean /= float64(st[i].Count)
			}
		}
	}
	return time.Duration(width) * time.Millisecond, out
}

func TestBucketsMatchTheReadings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		begin := t0.Add(-72*time.Hour + 13*time.Minute + 17*time.Second)
		var hrs, bps []sample
		var items []readings.Item
		for i := 0; begin.Add(time.Duration(i) * 7 * time.Minute).Before(t0); i++ {
			at := begin.Add(time.Duration(i) * 7 * time.Minute)
			v := float64(55 + (i*37)%90)
			items = append(items, hr(v, at, fmt.Sprint("hr", i)))
			hrs = append(hrs, sample{at, []float64{v}})
			if i%17 == 0 {
				sys, dia, mean := float64(110+i%40), float64(70+i%20), math.NaN()
				it := bp(sys, dia, at, fmt.Sprint("bp", i))
				if i%34 == 0 {
					mean = float64(85 + i%10)
					it.Components = append(it.Components, readings.Component{Key: "mean", Value: mean})
				}
				items = append(items, it)
				bps = append(bps, sample{at, []float64{sys, dia, mean}})
			}
		}
		// In two batches, so that hours are summed across transactions.
		w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: items[:len(items)/2]})
		rs := w.ingest(t, readings.Batch{DeviceID: w.cuff.ID, Items: items[len(items)/2:]})
		// One reading marked wrong leaves its hour's summary.
		if _, err := w.svc.MarkEnteredInError(ctx, w.nurse, rs[0].ID, "test"); err != nil {
			t.Fatal(err)
		}
		marked := items[len(items)/2]
		drop := func(ss []sample) []sample {
			for i, h := range ss {
				if h.at.Equal(marked.TakenAt) {
					return append(ss[:i:i], ss[i+1:]...)
				}
			}
			return ss
		}
		if marked.Type == "heart_rate" {
			hrs = drop(hrs)
		} else {
			bps = drop(bps)
		}

		check := func(name, typ string, samples []sample, comps int, from, to time.Time, n int) {
			t.Helper()
			s, err := w.svc.Buckets(ctx, w.nurse, readings.BucketQuery{PatientID: w.patient.UserID, Type: typ, From: from, To: to, N: n})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			width, want := expect(samples, from, to, n, comps)
			if len(want) == 0 {
				t.Fatalf("%s: the test asks for a range without readings", name)
			}
			if s.Width != width || len(s.Buckets) != len(want) || len(s.Components) != comps {
				t.Fatalf("%s: width %v (want %v), %d buckets (want %d), components %v", name, s.Width, width, len(s.Buckets), len(want), s.Components)
			}
			if len(s.Buckets) > n+1 {
				t.Errorf("%s: %d buckets for n=%d", name, len(s.Buckets), n)
			}
			for _, b := range s.Buckets {
				st, ok := want[b.Start.UnixMilli()]
				if !ok {
					t.Errorf("%s: unexpected bucket at %v", name, b.Start)
					continue
				}
				if b.Count != st[0].Count || b.Start.Before(from) || b.End.After(to) {
					t.Errorf("%s: bucket %v–%v count %d, want %d", name, b.Start, b.End, b.Count, st[0].Count)
				}
				for i := range comps {
					g, e := b.Stats[i], st[i]
					if g.Count != e.Count || (e.Count > 0 && (g.Min != e.Min || g.Max != e.Max || math.Abs(g.Mean-e.Mean) > 1e-9)) {
						t.Errorf("%s: bucket %v component %s: %+v, want %+v", name, b.Start, s.Components[i], g, e)
					}
				}
			}
		}
		run := func(label string) {
			check(label+" unaligned days", "heart_rate", hrs, 1, begin.Add(-5*time.Minute), t0.Add(-time.Minute), 20)
			check(label+" whole hours", "heart_rate", hrs, 1, t0.Add(-48*time.Hour), t0, 48)
			check(label+" inside one hour", "heart_rate", hrs, 1, t0.Add(-50*time.Minute), t0.Add(-10*time.Minute), 1)
			check(label+" short buckets", "heart_rate", hrs, 1, t0.Add(-5*time.Hour-3*time.Minute), t0.Add(-2*time.Hour), 100)
			check(label+" blood pressure", "blood_pressure", bps, 3, begin, t0, 10)
		}
		run("kept at ingest:")
		// Summaries rebuilt from the readings give the same answers.
		if err := w.svc.RebuildSummaries(ctx, w.patient.UserID, "heart_rate"); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.RebuildSummaries(ctx, w.patient.UserID, "blood_pressure"); err != nil {
			t.Fatal(err)
		}
		run("rebuilt:")

		for _, q := range []readings.BucketQuery{
			{PatientID: w.patient.UserID, Type: "mood", From: begin, To: t0},
			{PatientID: w.patient.UserID, Type: "heart_rate", From: t0, To: begin},
			{PatientID: w.patient.UserID, Type: "heart_rate", From: begin, To: t0, N: -1},
		} {
			if _, err := w.svc.Buckets(ctx, w.nurse, q); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v: %v", q, err)
			}
		}
	})
}
