package readings

import (
	"context"
	"slices"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// eachPage is how many readings of one type Each reads per query.
const eachPage = 2000

// Each calls fn with every reading matching q (Limit, Cursor and the order
// aside), oldest first, with access scoped inside each query as for List.
// It reads a page at a time and holds no database connection while fn
// runs, so fn may write to a slow network peer: a year of minute-level
// readings streams in constant memory. An error from fn stops it and is
// returned as is.
//
// Each type is read in its own pages, along the index on (patient, type,
// time), and the types are merged by time here: one query over every type
// in time order would have the database sort all the patient's readings
// for every page.
func (s *Service) Each(ctx context.Context, viewer people.Principal, q Query, fn func(Reading) error) error {
	q.Ascending, q.Cursor, q.Limit = true, "", 0
	if _, _, err := s.where(viewer, q); err != nil {
		return err // an unknown type, before anything is read
	}
	kinds := q.Types
	if len(kinds) == 0 {
		for k := range types {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
	}
	streams := make([]*typeStream, 0, len(kinds))
	for _, k := range kinds {
		tq := q
		tq.Types = []string{k}
		st := &typeStream{q: tq}
		if err := s.fill(ctx, viewer, st); err != nil {
			return err
		}
		if len(st.buf) > 0 {
			streams = append(streams, st)
		}
	}
	if len(streams) == 0 && q.PatientID != "" {
		// Nothing: tell a hidden patient apart from an empty series.
		return s.access.Check(ctx, viewer, q.PatientID, access.Vitals)
	}
	for len(streams) > 0 {
		// The stream whose next reading is oldest (by time, then id, as List orders).
		next := 0
		for i, st := range streams[1:] {
			if before(st.buf[0], streams[next].buf[0]) {
				next = i + 1
			}
		}
		st := streams[next]
		r := st.buf[0]
		st.buf = st.buf[1:]
		if err := fn(r); err != nil {
			return err
		}
		if len(st.buf) == 0 {
			if err := s.fill(ctx, viewer, st); err != nil {
				return err
			}
			if len(st.buf) == 0 {
				streams = slices.Delete(streams, next, next+1)
			}
		}
	}
	return nil
}

func before(a, b Reading) bool {
	if !a.TakenAt.Equal(b.TakenAt) {
		return a.TakenAt.Before(b.TakenAt)
	}
	return a.ID < b.ID
}

// typeStream is one type's readings, read a page at a time.
type typeStream struct {
	q    Query
	buf  []Reading
	page []Reading // the buffer's storage, reused
	done bool
}

// fill reads the stream's next page into its buffer, which is then empty
// only when the stream has ended.
func (s *Service) fill(ctx context.Context, viewer people.Principal, st *typeStream) error {
	if st.done {
		st.buf = nil
		return nil
	}
	where, args, err := s.where(viewer, st.q)
	if err != nil {
		return err
	}
	sqlText := `SELECT ` + readingColumns + ` FROM measurements m WHERE ` + where +
		` ORDER BY m.taken_at ASC, m.id ASC LIMIT ` + args.Add(eachPage)
	st.page, err = s.readPage(ctx, st.page[:0], sqlText, args)
	if err != nil {
		return err
	}
	st.buf = st.page
	if len(st.page) < eachPage {
		st.done = true
		return nil
	}
	last := st.page[len(st.page)-1]
	st.q.Cursor = encodeCursor(last)
	// The cursor's condition (later, or as late with a greater id) is an OR
	// that a database may not answer from the index; a lower bound on the
	// time lets it start where the last page ended.
	if last.TakenAt.After(st.q.From) {
		st.q.From = last.TakenAt
	}
	return nil
}

func (s *Service) readPage(ctx context.Context, into []Reading, sqlText string, args []any) ([]Reading, error) {
	rows, err := s.db.R.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading readings")
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReading(rows)
		if err != nil {
			return nil, errs.Wrap(err, "reading readings")
		}
		into = append(into, r)
	}
	return into, errs.Wrap(rows.Err(), "reading readings")
}
