package readings

import (
	"context"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/clock"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/events"
)

// Publisher is where the service announces readings and journal entries
// after they are committed. events.Bus is one: the in-process bus on a
// single node, PostgreSQL LISTEN/NOTIFY across nodes.
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Service stores and reads measurements and the journal.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	access  *access.Service
	devices *devices.Service
	events  Publisher
	opts    Options
	w       *writer
}

// Options tunes a Service; the zero value is the default.
type Options struct {
	// Events receives a reading.created event per patient and batch after
	// each commit, and reading.corrected and journal events; nil publishes
	// nothing.
	Events Publisher
	// AfterCommit, when set, is called in the committing process with the
	// readings of each patient a batch stored, once they are committed: the
	// place where alert rules and schedules look at them. It runs in the
	// caller's goroutine, after the caller's rows are durable.
	AfterCommit func(ctx context.Context, patientID string, stored []Reading)
	// AfterCorrect, when set, is told of a reading marked entered-in-error.
	AfterCorrect func(ctx context.Context, r Reading)
	// Audit writes the audit events batches ask for (Batch.Audit) in the
	// transaction that stores their readings. A batch asking for one is
	// refused as a fault without it.
	Audit *audit.Log
	// MaxRowsPerCommit bounds how many readings of concurrent batches are
	// committed together (default 4096). A single batch is never split,
	// whatever its size.
	MaxRowsPerCommit int
}

// New returns a Service and starts its writer; Close stops it.
func New(d *db.DB, c clock.Clock, acc *access.Service, dev *devices.Service, opts Options) *Service {
	if opts.MaxRowsPerCommit <= 0 {
		opts.MaxRowsPerCommit = 4096
	}
	return &Service{db: d, clock: c, access: acc, devices: dev, events: opts.Events, opts: opts, w: newWriter(d, opts.MaxRowsPerCommit, opts.Audit)}
}

// Close commits what is queued and stops the writer. Ingest fails after it.
func (s *Service) Close() error {
	s.w.close()
	return nil
}

// WriterStats tells how group commit is doing since the service started.
type WriterStats struct {
	Commits  int64 // transactions committed
	Requests int64 // Ingest calls they carried
	Rows     int64 // readings they carried, duplicates included
}

// Stats returns the writer's counters.
func (s *Service) Stats() WriterStats {
	return WriterStats{Commits: s.w.commits.Load(), Requests: s.w.requests.Load(), Rows: s.w.rows.Load()}
}
