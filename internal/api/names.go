package api

import (
	"context"

	"github.com/tend-health/tend/internal/readings"
)

// nameReadings fills in the names of who entered and who corrected each of
// a patient's readings, as the reader may know them (see people.NamesIn).
func (s *Server) nameReadings(ctx context.Context, patientID string, rs []readings.Reading) error {
	return s.fillNames(ctx, patientID, len(rs), func(i int) (string, *string, *readings.Correction) {
		return rs[i].EnteredBy, &rs[i].EnteredByName, rs[i].Correction
	})
}

// nameEntries does the same for journal entries.
func (s *Server) nameEntries(ctx context.Context, patientID string, es []readings.Entry) error {
	return s.fillNames(ctx, patientID, len(es), func(i int) (string, *string, *readings.Correction) {
		return es[i].EnteredBy, &es[i].EnteredByName, es[i].Correction
	})
}

// namedReading answers with r, named, unless err.
func (s *Server) namedReading(ctx context.Context, patientID string, r readings.Reading, err error) (*readingOutput, error) {
	if err != nil {
		return nil, err
	}
	rs := []readings.Reading{r}
	if err := s.nameReadings(ctx, patientID, rs); err != nil {
		return nil, err
	}
	return &readingOutput{Body: rs[0]}, nil
}

// namedEntry answers with e, named, unless err.
func (s *Server) namedEntry(ctx context.Context, patientID string, e readings.Entry, err error) (*entryOutput, error) {
	if err != nil {
		return nil, err
	}
	es := []readings.Entry{e}
	if err := s.nameEntries(ctx, patientID, es); err != nil {
		return nil, err
	}
	return &entryOutput{Body: es[0]}, nil
}

// fillNames names n records, each given by at as who entered it, where
// that name goes, and its correction if any.
func (s *Server) fillNames(ctx context.Context, patientID string, n int, at func(i int) (by string, name *string, c *readings.Correction)) error {
	ids := make([]string, 0, n)
	for i := range n {
		by, _, c := at(i)
		ids = append(ids, by)
		if c != nil {
			ids = append(ids, c.By)
		}
	}
	names, err := s.People.NamesIn(ctx, principal(ctx).UserID, patientID, ids)
	if err != nil {
		return err
	}
	for i := range n {
		by, name, c := at(i)
		*name = names[by]
		if c != nil {
			c.ByName = names[c.By]
		}
	}
	return nil
}
