package readings

import (
	"context"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
)

// eachPage is how many readings Each reads per query.
const eachPage = 5000

// Each calls fn with every reading matching q (Limit, Cursor and the order
// aside), oldest first, with access scoped inside each query as for List.
// It reads a page at a time and holds no database connection while fn
// runs, so fn may write to a slow network peer: a year of minute-level
// readings streams in constant memory. An error from fn stops it and is
// returned as is.
func (s *Service) Each(ctx context.Context, viewer people.Principal, q Query, fn func(Reading) error) error {
	q.Ascending, q.Cursor, q.Limit = true, "", 0
	page := make([]Reading, 0, eachPage)
	for first := true; ; first = false {
		where, args, err := s.where(viewer, q)
		if err != nil {
			return err
		}
		sqlText := `SELECT ` + readingColumns + ` FROM measurements m WHERE ` + where +
			` ORDER BY m.taken_at ASC, m.id ASC LIMIT ` + args.Add(eachPage)
		page, err = s.readPage(ctx, page[:0], sqlText, args)
		if err != nil {
			return err
		}
		if first && len(page) == 0 && q.PatientID != "" {
			// Nothing: tell a hidden patient apart from an empty series.
			return s.access.Check(ctx, viewer, q.PatientID, access.Vitals)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < eachPage {
			return nil
		}
		q.Cursor = encodeCursor(page[len(page)-1])
	}
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
