package readings

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
)

// Reading is a stored measurement.
type Reading struct {
	ID        string `json:"id"`
	PatientID string `json:"patientId"`
	Type      string `json:"type" example:"blood_pressure"`
	LOINC     string `json:"loinc" example:"85354-9"`
	// Value is set for a single-valued type, Components (in the
	// catalogue's order, each with its key and LOINC code) for a panel.
	Value      *float64    `json:"value,omitempty"`
	Components []Component `json:"components,omitempty"`
	Unit       string      `json:"unit" doc:"The type's canonical UCUM unit" example:"mm[Hg]"`
	// Original is what was sent, when it arrived in another unit.
	Original   *Original `json:"original,omitempty"`
	TakenAt    time.Time `json:"takenAt"`
	ReceivedAt time.Time `json:"receivedAt"`
	Source     Source    `json:"source" enum:"device,manual,import"`
	Door       Door      `json:"door" enum:"http,fhir,mqtt,mllp,gatt,web"`
	DeviceID   string    `json:"deviceId,omitempty"`
	EnteredBy  string    `json:"enteredBy,omitempty" doc:"The user who entered or relayed it"`
	// EnteredByName is filled in by the API, as the reader may see it.
	EnteredByName string      `json:"enteredByName,omitempty" doc:"The name of who entered or relayed it, as the reader may know it (another Tend user, when not)"`
	Flags         []string    `json:"flags,omitempty"`
	ExternalID    string      `json:"externalId,omitempty"`
	Status        Status      `json:"status" enum:"final,entered-in-error"`
	Correction    *Correction `json:"correction,omitempty" doc:"Who marked it entered-in-error, when and why"`
}

// Original is a reading's value as sent, before conversion.
type Original struct {
	Value      *float64    `json:"value,omitempty"`
	Components []Component `json:"components,omitempty"`
	Unit       string      `json:"unit"`
}

// Correction says who marked a reading entered-in-error, when and why.
type Correction struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	ByName string    `json:"byName,omitempty" doc:"The name of who marked it, as the reader may know it"`
	Reason string    `json:"reason"`
}

// values returns a reading's numbers in the output form.
func outputValues(ti *typeInfo, v [maxComponents]float64, has [maxComponents]bool) (*float64, []Component) {
	if ti == nil || !ti.t.IsPanel() {
		x := v[0]
		return &x, nil
	}
	var cs []Component
	for i, key := range ti.comps {
		if has[i] {
			cs = append(cs, Component{Key: key, LOINC: ti.componentCode(i), Value: v[i]})
		}
	}
	return nil, cs
}

func (r *row) reading() Reading {
	ti := types[r.typeKey]
	out := Reading{ID: r.id, PatientID: r.patientID, Type: r.typeKey, LOINC: r.loinc, Unit: r.unit,
		TakenAt: db.Time(r.takenAt), ReceivedAt: db.Time(r.receivedAt), Source: r.source, Door: r.door,
		DeviceID: r.deviceID, EnteredBy: r.enteredBy, ExternalID: r.externalID, Status: StatusFinal}
	out.Value, out.Components = outputValues(ti, r.v, r.has)
	if r.origUnit != "" {
		o := &Original{Unit: r.origUnit}
		o.Value, o.Components = outputValues(ti, r.orig, r.has)
		out.Original = o
	}
	if r.flags != "" {
		out.Flags = strings.Split(r.flags, ",")
	}
	return out
}

const readingColumns = `m.id, m.patient_id, m.type_key, m.loinc, m.v1, m.v2, m.v3, m.unit, m.o1, m.o2, m.o3, m.orig_unit,
	m.taken_at, m.received_at, m.source, m.door, m.device_id, m.entered_by, m.flags, m.external_id,
	m.status, m.error_at, m.error_by, m.error_reason`

func scanReading(sc interface{ Scan(...any) error }) (Reading, error) {
	var r row
	var v2, v3, o1, o2, o3 sql.NullFloat64
	var origUnit, device, by, ext, errBy, errReason sql.NullString
	var errAt sql.NullInt64
	var source, door, status string
	if err := sc.Scan(&r.id, &r.patientID, &r.typeKey, &r.loinc, &r.v[0], &v2, &v3, &r.unit, &o1, &o2, &o3, &origUnit,
		&r.takenAt, &r.receivedAt, &source, &door, &device, &by, &r.flags, &ext, &status, &errAt, &errBy, &errReason); err != nil {
		return Reading{}, err
	}
	r.has = [maxComponents]bool{true, v2.Valid, v3.Valid}
	r.v[1], r.v[2] = v2.Float64, v3.Float64
	r.orig = [maxComponents]float64{o1.Float64, o2.Float64, o3.Float64}
	r.origUnit, r.deviceID, r.enteredBy, r.externalID = origUnit.String, device.String, by.String, ext.String
	r.source, r.door = Source(source), Door(door)
	out := r.reading()
	out.Status = Status(status)
	if errAt.Valid {
		out.Correction = &Correction{At: db.Time(errAt.Int64), By: errBy.String, Reason: errReason.String}
	}
	return out, nil
}

// Get returns one reading the viewer may see (scope vitals), or NotFound.
func (s *Service) Get(ctx context.Context, viewer people.Principal, id string) (Reading, error) {
	var args db.Args
	q := `SELECT ` + readingColumns + ` FROM measurements m WHERE m.id = ` + args.Add(id) + ` AND ` +
		access.Where(&args, "m.patient_id", viewer.UserID, access.Vitals, s.clock.Now())
	r, err := scanReading(s.db.R.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Reading{}, errs.NotFoundf("no reading %s, or you may not see it", id)
	}
	if err != nil {
		return Reading{}, errs.Wrap(err, "reading measurement")
	}
	return r, nil
}

// Query narrows a listing of readings.
type Query struct {
	// PatientID is whose readings; empty lists every patient the viewer
	// may see.
	PatientID string
	// Types are measurement type keys; empty means every type.
	Types []string
	// From and To bound when the readings were taken: From ≤ taken < To.
	// A zero bound is open.
	From, To time.Time
	// Limit is the page size: default 100, at most 1000.
	Limit int
	// Cursor continues from the Next of an earlier page.
	Cursor string
	// Ascending lists oldest first; the default is newest first.
	Ascending bool
	// IncludeEnteredInError lists readings marked entered-in-error too.
	IncludeEnteredInError bool
}

// Page is one page of readings; Next, when not empty, continues it.
type Page struct {
	Readings []Reading `json:"readings"`
	Next     string    `json:"next,omitempty"`
}

func encodeCursor(r Reading) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(db.Millis(r.TakenAt), 10) + "." + r.ID))
}

func decodeCursor(c string) (int64, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		ms, id, ok := strings.Cut(string(raw), ".")
		if ok {
			if t, err := strconv.ParseInt(ms, 10, 64); err == nil && id != "" {
				return t, id, nil
			}
		}
	}
	return 0, "", errs.Field("cursor", "the cursor is not one this listing gave")
}

// List returns the viewer's page of readings matching q, scoped inside the
// query by who may see what (scope vitals). A patient the viewer may not see
// is NotFound, as if they did not exist.
func (s *Service) List(ctx context.Context, viewer people.Principal, q Query) (Page, error) {
	where, args, err := s.where(viewer, q)
	if err != nil {
		return Page{}, err
	}
	order := "DESC"
	if q.Ascending {
		order = "ASC"
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 1000)
	limit := args.Add(q.Limit + 1)
	sqlText := `SELECT ` + readingColumns + ` FROM measurements m WHERE ` + where +
		` ORDER BY m.taken_at ` + order + `, m.id ` + order + ` LIMIT ` + limit
	if q.PatientID != "" && len(q.Types) != 1 {
		sqlText = byType(&args, where, order, limit, q.Types)
	}
	rows, err := s.db.R.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return Page{}, errs.Wrap(err, "listing readings")
	}
	defer rows.Close()
	page := Page{Readings: []Reading{}}
	for rows.Next() {
		r, err := scanReading(rows)
		if err != nil {
			return Page{}, errs.Wrap(err, "listing readings")
		}
		page.Readings = append(page.Readings, r)
	}
	if err := rows.Err(); err != nil {
		return Page{}, errs.Wrap(err, "listing readings")
	}
	if len(page.Readings) > q.Limit {
		page.Readings = page.Readings[:q.Limit]
		page.Next = encodeCursor(page.Readings[q.Limit-1])
	}
	if len(page.Readings) == 0 && q.PatientID != "" {
		// Nothing: tell a hidden patient apart from an empty series.
		if err := s.access.Check(ctx, viewer, q.PatientID, access.Vitals); err != nil {
			return Page{}, err
		}
	}
	return page, nil
}

// byType is List's query for one patient's readings of several types (or
// of all): each type's page is read from the measurements_series index
// (patient, type, time), and the pages are merged. A single scan would have
// to sort every reading of the patient to find the newest, or need an index
// by patient and time that every insert would pay for.
func byType(args *db.Args, where, order, limit string, keys []string) string {
	if len(keys) == 0 {
		for _, t := range measure.Types() {
			keys = append(keys, t.Key)
		}
	}
	var b strings.Builder
	b.WriteString(`SELECT * FROM (`)
	for i, key := range keys {
		if i > 0 {
			b.WriteString(` UNION ALL `)
		}
		fmt.Fprintf(&b, `SELECT * FROM (SELECT %s FROM measurements m WHERE %s AND m.type_key = %s ORDER BY m.taken_at %s, m.id %s LIMIT %s) t%d`,
			readingColumns, where, args.Add(key), order, order, limit, i)
	}
	fmt.Fprintf(&b, `) u ORDER BY taken_at %s, id %s LIMIT %s`, order, order, limit)
	return b.String()
}

// where turns a query into the conditions of List and Count, access
// included.
func (s *Service) where(viewer people.Principal, q Query) (string, db.Args, error) {
	var args db.Args
	where := []string{}
	patientCol := "m.patient_id"
	if q.PatientID != "" {
		p := args.Add(q.PatientID)
		where = append(where, "m.patient_id = "+p)
		// Checking access on the given id, rather than on each row's
		// column, lets the database decide it once per query.
		patientCol = p
	}
	if len(q.Types) > 0 {
		ph := make([]string, len(q.Types))
		for i, t := range q.Types {
			if types[t] == nil {
				return "", nil, errs.Field("type", "unknown measurement type %q; known types: %s", t, typeList())
			}
			ph[i] = args.Add(t)
		}
		where = append(where, "m.type_key IN ("+strings.Join(ph, ", ")+")")
	}
	if !q.From.IsZero() {
		where = append(where, "m.taken_at >= "+args.Add(db.Millis(q.From)))
	}
	if !q.To.IsZero() {
		where = append(where, "m.taken_at < "+args.Add(db.Millis(q.To)))
	}
	if !q.IncludeEnteredInError {
		where = append(where, "m.status = 'final'")
	}
	if q.Cursor != "" {
		t, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return "", nil, err
		}
		cmp := "<"
		if q.Ascending {
			cmp = ">"
		}
		ta := args.Add(t)
		where = append(where, "(m.taken_at "+cmp+" "+ta+" OR (m.taken_at = "+ta+" AND m.id "+cmp+" "+args.Add(id)+"))")
	}
	where = append(where, access.Where(&args, patientCol, viewer.UserID, access.Vitals, s.clock.Now()))
	return strings.Join(where, " AND "), args, nil
}

// Count tells how many readings match q (Limit and Cursor aside), for a
// search that asks for its total. Access is as for List.
func (s *Service) Count(ctx context.Context, viewer people.Principal, q Query) (int, error) {
	q.Cursor = ""
	where, args, err := s.where(viewer, q)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM measurements m WHERE `+where, args...).Scan(&n); err != nil {
		return 0, errs.Wrap(err, "counting readings")
	}
	if n == 0 && q.PatientID != "" {
		if err := s.access.Check(ctx, viewer, q.PatientID, access.Vitals); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// BucketQuery asks for a patient's readings of one type between From and To
// summarised into at most N time buckets, for a chart.
type BucketQuery struct {
	PatientID string
	Type      string
	From, To  time.Time
	N         int // default 1000, at most 10000
}

// Series is a chart's worth of buckets.
type Series struct {
	Type string `json:"type"`
	Unit string `json:"unit"`
	// Components names the numbers each bucket summarises, in order: the
	// type's key for a single value, the component keys for a panel.
	Components []string  `json:"components"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	// Width is every bucket's length. Buckets start at From, or, when
	// they are an hour or longer, at the start of From's hour (UTC), and
	// are then whole hours long: the database keeps hourly summaries, and
	// whole hours let it read those instead of every reading. Readings
	// outside From–To never count.
	Width time.Duration `json:"width" doc:"Bucket length in nanoseconds"`
	// Buckets are the buckets holding at least one reading, oldest first.
	Buckets []Bucket `json:"buckets"`
}

// Bucket summarises the readings taken within [Start, End).
type Bucket struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Count int64     `json:"count"`
	Stats []Stats   `json:"stats" doc:"One per component, in the series' order"`
}

// Stats summarises one number over a bucket. Count is 0, and the rest
// meaningless, when no reading in the bucket had it (a mean arterial
// pressure that was not sent).
type Stats struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

// Buckets summarises a patient's readings of one type into time buckets,
// with count, min, max and mean per component computed in SQL. Long ranges
// read the hourly summaries kept at ingest, and only the readings of the
// partial hours at either end; a year of minute-by-minute heart rate is
// then some 8,800 summary rows instead of 525,000 readings.
func (s *Service) Buckets(ctx context.Context, viewer people.Principal, q BucketQuery) (Series, error) {
	ti := types[q.Type]
	switch {
	case ti == nil:
		return Series{}, errs.Field("type", "unknown measurement type %q; known types: %s", q.Type, typeList())
	case q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To):
		return Series{}, errs.Field("to", "give a time range with from before to")
	case q.N < 0 || q.N > 10000:
		return Series{}, errs.Field("n", "ask for 1 to 10000 buckets")
	}
	if q.N == 0 {
		q.N = 1000
	}
	if err := s.access.Check(ctx, viewer, q.PatientID, access.Vitals); err != nil {
		return Series{}, err
	}
	from, to := db.Millis(q.From), db.Millis(q.To)
	width := (to - from + int64(q.N) - 1) / int64(q.N)
	start := from
	hourly := width >= hourMillis
	if hourly {
		width = (width + hourMillis - 1) / hourMillis * hourMillis
		start = from - from%hourMillis
	}
	// Whole hours inside [from, to) come from the summaries; the rest
	// (all of it when buckets are shorter than an hour) from readings.
	hFrom, hTo := from, from
	if hourly {
		hFrom = (from + hourMillis - 1) / hourMillis * hourMillis
		hTo = max(hFrom, to-to%hourMillis)
	}

	var args db.Args
	p, t, st, w := args.Add(q.PatientID), args.Add(q.Type), args.Add(start), args.Add(width)
	// Each part sums up its own rows per bucket, so that the outer query
	// only merges a bucket's few partial sums; only the type's own
	// components are read.
	nc := len(ti.comps)
	cols := func(format string) string {
		var b strings.Builder
		for i := 1; i <= nc; i++ {
			b.WriteString(strings.ReplaceAll(format, "#", strconv.Itoa(i)))
		}
		return b.String()
	}
	raw := func(lo, hi string) string {
		return `SELECT (m.taken_at - ` + st + `) / ` + w + ` AS b` +
			cols(`, COUNT(m.v#) AS n#, MIN(m.v#) AS mn#, MAX(m.v#) AS mx#, SUM(m.v#) AS s#`) + `
			FROM measurements m WHERE m.patient_id = ` + p + ` AND m.type_key = ` + t + ` AND m.status = 'final'
			AND m.taken_at >= ` + lo + ` AND m.taken_at < ` + hi + ` GROUP BY b`
	}
	var parts []string
	if hourly {
		lo, hi := args.Add(hFrom), args.Add(hTo)
		parts = append(parts, `SELECT (h.hour - `+st+`) / `+w+` AS b`+
			cols(`, SUM(h.n#) AS n#, MIN(h.min#) AS mn#, MAX(h.max#) AS mx#, SUM(h.sum#) AS s#`)+`
			FROM measurement_hours h WHERE h.patient_id = `+p+` AND h.type_key = `+t+`
			AND h.hour >= `+lo+` AND h.hour < `+hi+` GROUP BY b`)
		if from < hFrom {
			parts = append(parts, raw(args.Add(from), lo))
		}
		if hTo < to {
			parts = append(parts, raw(hi, args.Add(to)))
		}
	} else {
		parts = append(parts, raw(args.Add(from), args.Add(to)))
	}
	sqlText := `SELECT x.b` +
		cols(`, CAST(SUM(x.n#) AS BIGINT), MIN(x.mn#), MAX(x.mx#), SUM(x.s#) / CAST(NULLIF(SUM(x.n#), 0) AS DOUBLE PRECISION)`) +
		` FROM (` + strings.Join(parts, " UNION ALL ") + `) x WHERE ` +
		access.Where(&args, p, viewer.UserID, access.Vitals, s.clock.Now()) + ` GROUP BY x.b ORDER BY x.b`
	rows, err := s.db.R.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return Series{}, errs.Wrap(err, "summarising readings")
	}
	defer rows.Close()
	out := Series{Type: ti.t.Key, Unit: unitOf(ti), Components: ti.comps, From: q.From, To: q.To,
		Width: time.Duration(width) * time.Millisecond, Buckets: []Bucket{}}
	for rows.Next() {
		var b int64
		var n [maxComponents]sql.NullInt64
		var mn, mx, mean [maxComponents]sql.NullFloat64
		dest := []any{&b}
		for i := range nc {
			dest = append(dest, &n[i], &mn[i], &mx[i], &mean[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return Series{}, errs.Wrap(err, "summarising readings")
		}
		bs := start + b*width
		bucket := Bucket{Start: db.Time(max(bs, from)), End: db.Time(min(bs+width, to)), Count: n[0].Int64, Stats: make([]Stats, nc)}
		for i := range nc {
			bucket.Stats[i] = Stats{Count: n[i].Int64, Min: mn[i].Float64, Max: mx[i].Float64, Mean: mean[i].Float64}
		}
		out.Buckets = append(out.Buckets, bucket)
	}
	return out, errs.Wrap(rows.Err(), "summarising readings")
}
