package readings

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/people"
)

// maxReason bounds the reason given for a correction.
const maxReason = 500

// MayCorrect tells whether viewer, who may see the reading's patient, may
// mark it entered-in-error: the patient, a nurse or doctor with access, or
// whoever entered or relayed it. A family member with a share sees, but
// does not correct, what others recorded.
func MayCorrect(viewer people.Principal, patientID, enteredBy string) bool {
	return viewer.UserID == patientID || (enteredBy != "" && viewer.UserID == enteredBy) ||
		viewer.HasAny(people.Nurse, people.Doctor)
}

// MarkEnteredInError marks a reading as wrong, saying why. Nothing is
// deleted: the reading stays, with who marked it, when and why, and leaves
// charts, summaries and the default listing.
func (s *Service) MarkEnteredInError(ctx context.Context, viewer people.Principal, readingID, reason string) (Reading, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Reading{}, errs.Field("reason", "say why the reading is wrong")
	case len(reason) > maxReason:
		return Reading{}, errs.Field("reason", "the reason is longer than %d characters", maxReason)
	}
	r, err := s.Get(ctx, viewer, readingID)
	if err != nil {
		return Reading{}, err
	}
	if !MayCorrect(viewer, r.PatientID, r.EnteredBy) {
		return Reading{}, errs.Forbiddenf("only the patient, a nurse or doctor caring for them, or whoever entered the reading may mark it entered in error")
	}
	if r.Status == StatusEnteredInError {
		return Reading{}, errs.Conflictf("the reading %s is already marked entered in error", readingID)
	}
	now := s.clock.Now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE measurements SET status = 'entered-in-error', error_at = $1, error_by = $2, error_reason = $3
			WHERE id = $4 AND status = 'final'`, db.Millis(now), viewer.UserID, reason, readingID)
		if err != nil {
			return errs.Wrap(err, "marking reading entered in error")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Conflictf("the reading %s is already marked entered in error", readingID)
		}
		return rebuildHour(ctx, tx, r.PatientID, r.Type, db.Millis(r.TakenAt))
	})
	if err != nil {
		return Reading{}, err
	}
	r, err = s.Get(ctx, viewer, readingID)
	if err != nil {
		return Reading{}, err
	}
	if s.opts.AfterCorrect != nil {
		s.opts.AfterCorrect(context.WithoutCancel(ctx), r)
	}
	s.publish(ctx, events.ReadingCorrected, r.PatientID, access.Vitals, r)
	return r, nil
}

// publish announces a change after its commit; a failure is logged, since
// the change stands and listeners reload from the database.
func (s *Service) publish(ctx context.Context, kind, patientID string, scope access.Scope, v any) {
	if s.events == nil {
		return
	}
	data, err := json.Marshal(v)
	if err == nil {
		err = s.events.Publish(context.WithoutCancel(ctx), events.Event{Kind: kind, PatientID: patientID, Scope: scope,
			At: s.clock.Now(), Data: data})
	}
	if err != nil {
		slog.Warn("publishing event", "kind", kind, "err", err)
	}
}
