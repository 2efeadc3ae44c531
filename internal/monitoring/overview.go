package monitoring

import (
	"context"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring/recur"
	"github.com/tend-health/tend/internal/people"
)

// The overviews below serve a dashboard: one patient's standing at a
// glance, for many patients in a few statements, each checked with the
// scope the single-patient calls ask for.

// AlertCounts sums up a patient's active alerts.
type AlertCounts struct {
	// Open alerts nobody has acknowledged yet, and Acknowledged ones still
	// being dealt with.
	Open         int `json:"open"`
	Acknowledged int `json:"acknowledged"`
	// OpenCritical counts the open alerts of critical severity.
	OpenCritical int `json:"openCritical"`
	// Highest is the severity of the most severe active alert; empty
	// without any.
	Highest Severity `json:"highest,omitempty" enum:"info,warning,critical,"`
	// Top is the most severe active alert, the newest of equals.
	Top *AlertBrief `json:"top,omitempty"`
}

// AlertBrief names an alert in a list.
type AlertBrief struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Kind     string    `json:"kind" enum:"vital,news2,missed,device"`
	Severity Severity  `json:"severity" enum:"info,warning,critical"`
	Status   Status    `json:"status" enum:"open,acknowledged"`
	OpenedAt time.Time `json:"openedAt"`
}

// ActiveAlertCounts returns the active (open or acknowledged) alert counts
// of those of patientIDs whose alerts viewer may see; a patient without
// active alerts is absent. The alerts_one_active index holds exactly the
// rows read.
func (s *Service) ActiveAlertCounts(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string]AlertCounts, error) {
	out := map[string]AlertCounts{}
	now := s.clock.Now()
	for start := 0; start < len(patientIDs); start += idsPerQuery {
		var args db.Args
		rows, err := s.db.R.QueryContext(ctx, `SELECT a.patient_id, a.id, a.title, a.kind, a.severity, a.status, a.opened_at
			FROM alerts a WHERE a.patient_id IN (`+placeholders(&args, patientIDs[start:min(start+idsPerQuery, len(patientIDs))])+`)
			AND a.status IN ('open', 'acknowledged') AND `+access.Where(&args, "a.patient_id", viewer.UserID, access.Alerts, now), args...)
		if err != nil {
			return nil, errs.Wrap(err, "counting alerts")
		}
		for rows.Next() {
			var pid string
			var b AlertBrief
			var opened int64
			if err := rows.Scan(&pid, &b.ID, &b.Title, &b.Kind, &b.Severity, &b.Status, &opened); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "counting alerts")
			}
			b.OpenedAt = db.Time(opened)
			c := out[pid]
			if b.Status == Open {
				c.Open++
				if b.Severity == Critical {
					c.OpenCritical++
				}
			} else {
				c.Acknowledged++
			}
			if b.Severity.rank() > c.Highest.rank() {
				c.Highest = b.Severity
			}
			if c.Top == nil || b.Severity.rank() > c.Top.Severity.rank() ||
				(b.Severity == c.Top.Severity && b.OpenedAt.After(c.Top.OpenedAt)) {
				top := b
				c.Top = &top
			}
			out[pid] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "counting alerts")
		}
	}
	return out, nil
}

// DayCounts sums up the measurements due on a patient's day by where they
// stand (see DueToday).
type DayCounts struct {
	Total    int `json:"total"`
	Done     int `json:"done"`
	Due      int `json:"due" doc:"Window open, no reading yet"`
	Upcoming int `json:"upcoming"`
	Missed   int `json:"missed" doc:"Window closed without a reading"`
}

// TodayCounts returns, for those of patientIDs whose vitals viewer may
// see, how the measurements due on each patient's local date of now stand:
// DueToday's statuses, counted, for many patients in a few statements. A
// patient with nothing due today is absent.
func (s *Service) TodayCounts(ctx context.Context, viewer people.Principal, patientIDs []string, now time.Time) (map[string]DayCounts, error) {
	ids, err := s.access.Visible(ctx, viewer, patientIDs, access.Vitals)
	if err != nil {
		return nil, err
	}
	scheds, err := runningSchedules(ctx, s.db.R, ids)
	if err != nil {
		return nil, err
	}
	type occ struct {
		patientID string
		status    OccurrenceStatus
	}
	// Every occurrence of today, keyed by schedule and due time.
	type key struct {
		schedule string
		due      int64
	}
	occs := map[key]occ{}
	var schedIDs []string
	from, to := int64(1<<62), int64(-1<<62)
	for _, list := range scheds {
		for _, sc := range list {
			counted := false
			for _, due := range sc.pattern.On(recur.DateOf(now, sc.loc), sc.loc) {
				if !sc.counts(due) {
					continue
				}
				open, close := sc.window(due)
				st := Upcoming
				switch {
				case !now.Before(close):
					st = Missed
				case !now.Before(open):
					st = Due
				}
				ms := db.Millis(due)
				occs[key{sc.id, ms}] = occ{sc.patientID, st}
				from, to = min(from, ms), max(to, ms)
				counted = true
			}
			if counted {
				schedIDs = append(schedIDs, sc.id)
			}
		}
	}
	for start := 0; start < len(schedIDs); start += idsPerQuery {
		var args db.Args
		rows, err := s.db.R.QueryContext(ctx, `SELECT schedule_id, due_at FROM schedule_fulfilments
			WHERE schedule_id IN (`+placeholders(&args, schedIDs[start:min(start+idsPerQuery, len(schedIDs))])+`)
			AND due_at >= `+args.Add(from)+` AND due_at <= `+args.Add(to), args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading fulfilments")
		}
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.schedule, &k.due); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading fulfilments")
			}
			if o, ok := occs[k]; ok {
				o.status = Done
				occs[k] = o
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading fulfilments")
		}
	}
	out := map[string]DayCounts{}
	for _, o := range occs {
		c := out[o.patientID]
		c.Total++
		switch o.status {
		case Done:
			c.Done++
		case Due:
			c.Due++
		case Upcoming:
			c.Upcoming++
		case Missed:
			c.Missed++
		}
		out[o.patientID] = c
	}
	return out, nil
}

// LatestNEWS2s scores, for those of patientIDs whose vitals viewer may
// see, NEWS2 as LatestNEWS2 does, in a few statements for all of them.
func (s *Service) LatestNEWS2s(ctx context.Context, viewer people.Principal, patientIDs []string) (map[string]NEWS2, error) {
	ids, err := s.access.Visible(ctx, viewer, patientIDs, access.Vitals)
	if err != nil {
		return nil, err
	}
	settings, err := loadSettings(ctx, s.db.R, ids)
	if err != nil {
		return nil, err
	}
	latest, err := loadLatest(ctx, s.db.R, ids)
	if err != nil {
		return nil, err
	}
	since := s.clock.Now().Add(-s.NEWS2Window)
	out := make(map[string]NEWS2, len(ids))
	for _, id := range ids {
		n, err := scoreNEWS2(latest[id], settings[id], since)
		if err != nil {
			return nil, errs.Wrap(err, "scoring NEWS2")
		}
		out[id] = n
	}
	return out, nil
}

// OutOfRange judges readings against their patients' alert rules as they
// stand (defaults with each patient's changes): for each reading id that
// breaches an enabled vital-sign rule, the severity of the most severe one
// it breaches. Only patients whose vitals viewer may see are judged. It is
// for highlighting a value beside the patient; whether an alert opens also
// depends on readings in a row, which this does not count.
func (s *Service) OutOfRange(ctx context.Context, viewer people.Principal, rs []Reading) (map[string]Severity, error) {
	var ids []string
	seen := map[string]bool{}
	for _, r := range rs {
		if !seen[r.PatientID] {
			seen[r.PatientID] = true
			ids = append(ids, r.PatientID)
		}
	}
	visible, err := s.access.Visible(ctx, viewer, ids, access.Vitals)
	if err != nil {
		return nil, err
	}
	ov, err := loadOverrides(ctx, s.db.R, visible)
	if err != nil {
		return nil, err
	}
	settings, err := loadSettings(ctx, s.db.R, visible)
	if err != nil {
		return nil, err
	}
	rules := map[string][]Rule{}
	for _, id := range visible {
		rules[id] = s.effectiveRules(ov[id], settings[id].Scale)
	}
	out := map[string]Severity{}
	for _, r := range rs {
		for _, rule := range rules[r.PatientID] {
			if !rule.Enabled || rule.Kind != KindVital || rule.Measure != r.Type {
				continue
			}
			if breached, _, _ := judge(rule, r); breached && rule.Severity.rank() > out[r.ID].rank() {
				out[r.ID] = rule.Severity
			}
		}
	}
	return out, nil
}
