package monitoring

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/people"
)

// chainStep is one step of an escalation chain as the scheduler uses it.
type chainStep struct {
	users []string
	wait  time.Duration
}

// ChainMember is a person at a step of an escalation chain.
type ChainMember struct {
	UserID string        `json:"userId"`
	Name   string        `json:"name"`
	Roles  []people.Role `json:"roles"`
}

// ChainStep is one step of an escalation chain: everyone at it is told at
// once; unacknowledged after WaitMinutes the alert goes to the next step.
type ChainStep struct {
	Members     []ChainMember `json:"members"`
	WaitMinutes int           `json:"waitMinutes"`
}

// Chain is who hears of a patient's alerts, in order.
type Chain struct {
	PatientID string `json:"patientId"`
	// Custom is set when a professional wrote this patient's chain; otherwise
	// it comes from the care team: the nurses, then the doctors.
	Custom bool        `json:"custom"`
	Steps  []ChainStep `json:"steps"`
}

// ChainStepInput is one step of a chain a professional writes.
type ChainStepInput struct {
	UserIDs     []string `json:"userIds" minItems:"1"`
	WaitMinutes int      `json:"waitMinutes" minimum:"1" maximum:"1440"`
}

const activeAlertGrant = `g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > %s) AND g.scopes LIKE '%%,alerts,%%'`

// chainsFor returns the escalation chains of some patients as they stand
// at now: a patient's own chain, with only the members who still may see
// their alerts, or else the default from the care team (nurses, then
// doctors). Steps without anyone are left out.
func (s *Service) chainsFor(ctx context.Context, q querier, patientIDs []string, now time.Time) (map[string][]chainStep, error) {
	out := map[string][]chainStep{}
	custom := map[string]bool{}
	for start := 0; start < len(patientIDs); start += idsPerQuery {
		chunk := patientIDs[start:min(start+idsPerQuery, len(patientIDs))]
		var args db.Args
		in := placeholders(&args, chunk)
		rows, err := q.QueryContext(ctx, `SELECT e.patient_id, e.step, e.user_id, e.wait_minutes,
			CASE WHEN u.disabled = 0 AND EXISTS (SELECT 1 FROM grants g WHERE g.patient_id = e.patient_id AND g.grantee_id = e.user_id
				AND `+fmt.Sprintf(activeAlertGrant, args.Add(db.Millis(now)))+`) THEN 1 ELSE 0 END
			FROM escalation_steps e JOIN users u ON u.id = e.user_id
			WHERE e.patient_id IN (`+in+`) ORDER BY e.patient_id, e.step, e.user_id`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading escalation chains")
		}
		last := map[string]int{}
		for rows.Next() {
			var pid, uid string
			var step, wait, ok int
			if err := rows.Scan(&pid, &step, &uid, &wait, &ok); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading escalation chains")
			}
			custom[pid] = true
			if ok == 0 {
				continue
			}
			steps := out[pid]
			if l, seen := last[pid]; !seen || l != step {
				steps = append(steps, chainStep{wait: time.Duration(wait) * time.Minute})
				last[pid] = step
			}
			steps[len(steps)-1].users = append(steps[len(steps)-1].users, uid)
			out[pid] = steps
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading escalation chains")
		}
		var rest []string
		for _, pid := range chunk {
			if !custom[pid] {
				rest = append(rest, pid)
			}
		}
		if len(rest) == 0 {
			continue
		}
		args = nil
		in = placeholders(&args, rest)
		rows, err = q.QueryContext(ctx, `SELECT g.patient_id, u.id,
			MAX(CASE WHEN r.role = 'nurse' THEN 1 ELSE 0 END)
			FROM grants g JOIN users u ON u.id = g.grantee_id AND u.disabled = 0
			JOIN user_roles r ON r.user_id = u.id AND r.role IN ('nurse', 'doctor')
			WHERE g.patient_id IN (`+in+`) AND g.kind = 'care' AND `+fmt.Sprintf(activeAlertGrant, args.Add(db.Millis(now)))+`
			GROUP BY g.patient_id, u.id ORDER BY g.patient_id, u.id`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading care teams")
		}
		nurses, doctors := map[string][]string{}, map[string][]string{}
		for rows.Next() {
			var pid, uid string
			var nurse int
			if err := rows.Scan(&pid, &uid, &nurse); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading care teams")
			}
			if nurse == 1 {
				nurses[pid] = append(nurses[pid], uid)
			} else {
				doctors[pid] = append(doctors[pid], uid)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading care teams")
		}
		for _, pid := range rest {
			var steps []chainStep
			for _, us := range [][]string{nurses[pid], doctors[pid]} {
				if len(us) > 0 {
					steps = append(steps, chainStep{users: us, wait: s.EscalationWait})
				}
			}
			out[pid] = steps
		}
	}
	return out, nil
}

// EscalationChain returns who hears of a patient's alerts, in order.
func (s *Service) EscalationChain(ctx context.Context, viewer people.Principal, patientID string) (Chain, error) {
	if err := s.access.Check(ctx, viewer, patientID, access.Alerts); err != nil {
		return Chain{}, err
	}
	return s.chain(ctx, s.db.R, patientID)
}

func (s *Service) chain(ctx context.Context, q querier, patientID string) (Chain, error) {
	chains, err := s.chainsFor(ctx, q, []string{patientID}, s.clock.Now())
	if err != nil {
		return Chain{}, err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalation_steps WHERE patient_id = $1`, patientID).Scan(&n); err != nil {
		return Chain{}, errs.Wrap(err, "reading the escalation chain")
	}
	c := Chain{PatientID: patientID, Custom: n > 0, Steps: []ChainStep{}}
	var ids []string
	for _, st := range chains[patientID] {
		ids = append(ids, st.users...)
	}
	names, err := userNames(ctx, q, ids)
	if err != nil {
		return Chain{}, err
	}
	roles, err := userRoles(ctx, q, ids)
	if err != nil {
		return Chain{}, err
	}
	for _, st := range chains[patientID] {
		cs := ChainStep{WaitMinutes: int(st.wait / time.Minute)}
		for _, u := range st.users {
			cs.Members = append(cs.Members, ChainMember{UserID: u, Name: names[u], Roles: roles[u]})
		}
		c.Steps = append(c.Steps, cs)
	}
	return c, nil
}

func userRoles(ctx context.Context, q querier, ids []string) (map[string][]people.Role, error) {
	out := map[string][]people.Role{}
	if len(ids) == 0 {
		return out, nil
	}
	var args db.Args
	rows, err := q.QueryContext(ctx, `SELECT user_id, role FROM user_roles WHERE role IN ('nurse', 'doctor') AND user_id IN (`+
		placeholders(&args, ids)+`) ORDER BY user_id, role`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "reading roles")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r people.Role
		if err := rows.Scan(&id, &r); err != nil {
			return nil, errs.Wrap(err, "reading roles")
		}
		out[id] = append(out[id], r)
	}
	return out, errs.Wrap(rows.Err(), "reading roles")
}

// SetEscalationChain writes a patient's own escalation chain; no steps
// returns the patient to the default from the care team. Every member must
// be a nurse or doctor who may see the patient's alerts.
func (s *Service) SetEscalationChain(ctx context.Context, viewer people.Principal, patientID string, steps []ChainStepInput) (Chain, error) {
	if err := s.mayChange(ctx, viewer, patientID, access.Alerts); err != nil {
		return Chain{}, err
	}
	if len(steps) > 10 {
		return Chain{}, errs.Field("steps", "a chain has at most 10 steps")
	}
	now := s.clock.Now()
	var seen []string
	for i, st := range steps {
		f := fmt.Sprintf("steps[%d]", i)
		if len(st.UserIDs) == 0 {
			return Chain{}, errs.Field(f+".userIds", "name at least one person for each step")
		}
		if st.WaitMinutes < 1 || st.WaitMinutes > 1440 {
			return Chain{}, errs.Field(f+".waitMinutes", "wait between 1 minute and 24 hours")
		}
		for _, u := range st.UserIDs {
			if slices.Contains(seen, u) {
				return Chain{}, errs.Field(f+".userIds", "each person may be at one step only")
			}
			seen = append(seen, u)
			var ok int
			err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u WHERE u.id = $1 AND u.disabled = 0
				AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('nurse', 'doctor'))
				AND EXISTS (SELECT 1 FROM grants g WHERE g.patient_id = $2 AND g.grantee_id = u.id AND `+fmt.Sprintf(activeAlertGrant, "$3")+`)`,
				u, patientID, db.Millis(now)).Scan(&ok)
			if err != nil {
				return Chain{}, errs.Wrap(err, "checking the chain")
			}
			if ok == 0 {
				return Chain{}, errs.Field(f+".userIds", "%s is not a nurse or doctor who may see this patient's alerts", u)
			}
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM escalation_steps WHERE patient_id = $1`, patientID); err != nil {
			return errs.Wrap(err, "saving the chain")
		}
		for i, st := range steps {
			for _, u := range st.UserIDs {
				if _, err := tx.ExecContext(ctx, `INSERT INTO escalation_steps (patient_id, step, user_id, wait_minutes, updated_at, updated_by)
					VALUES ($1, $2, $3, $4, $5, $6)`, patientID, i, u, st.WaitMinutes, db.Millis(now), viewer.UserID); err != nil {
					return errs.Wrap(err, "saving the chain")
				}
			}
		}
		return nil
	})
	if err != nil {
		return Chain{}, err
	}
	s.record(ctx, audit.Event{Action: "escalation_chain.update", PatientID: patientID, Resource: "escalation-chain", Outcome: audit.Success})
	return s.chain(ctx, s.db.R, patientID)
}

// escalate moves unacknowledged alerts whose time has come to the next
// step of their chain, one claimed batch at a time, and returns how many
// moved. On PostgreSQL rows are claimed with SKIP LOCKED, so nodes share
// the work; an acknowledgement in between wins (it clears escalate_at).
func (s *Service) escalate(ctx context.Context, now time.Time) (claimed, moved int, err error) {
	err = s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		claimed, moved = 0, 0
		// Only open alerts have an escalate_at (acknowledging and resolving
		// clear it), so the partial index on it is all the claim reads.
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.patient_id, a.rule_key, a.kind, a.severity, a.title, a.escalation_step,
			a.escalate_at, a.opened_at, a.status FROM alerts a WHERE a.escalate_at <= $1
			ORDER BY a.escalate_at LIMIT $2`+s.skipLocked("a"), db.Millis(now), s.batch())
		if err != nil {
			return errs.Wrap(err, "claiming escalations")
		}
		type due struct {
			a  Alert
			at time.Time
		}
		var dues []due
		var patients []string
		for rows.Next() {
			var d due
			var at, opened int64
			if err := rows.Scan(&d.a.ID, &d.a.PatientID, &d.a.RuleKey, &d.a.Kind, &d.a.Severity, &d.a.Title,
				&d.a.EscalationStep, &at, &opened, &d.a.Status); err != nil {
				rows.Close()
				return errs.Wrap(err, "claiming escalations")
			}
			d.at, d.a.OpenedAt = db.Time(at), db.Time(opened)
			dues = append(dues, d)
			if !slices.Contains(patients, d.a.PatientID) {
				patients = append(patients, d.a.PatientID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "claiming escalations")
		}
		claimed = len(dues)
		if len(dues) == 0 {
			return nil
		}
		chains, err := s.chainsFor(ctx, tx, patients, now)
		if err != nil {
			return err
		}
		names, err := userNames(ctx, tx, patients)
		if err != nil {
			return err
		}
		var logs [][]any
		for _, d := range dues {
			a := d.a
			a.PatientName = names[a.PatientID]
			chain := chains[a.PatientID]
			next := a.EscalationStep + 1
			var escalate any
			if a.Status == Open && next < len(chain) {
				if next+1 < len(chain) {
					// Keep to the chain's clock: after downtime the next
					// steps follow at once, as they would have.
					escalate = db.Millis(d.at.Add(chain[next].wait))
				}
				a.EscalationStep = next
				if row := s.tell(a, chain, next, AlertEscalated, now, out); row != nil {
					logs = append(logs, row)
				}
				*out = append(*out, outbox.Event(AlertEscalated, a.PatientID, access.Alerts, a))
				moved++
			}
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET escalation_step = $1, escalate_at = $2, updated_at = $3 WHERE id = $4`,
				a.EscalationStep, escalate, db.Millis(now), a.ID); err != nil {
				return errs.Wrap(err, "escalating an alert")
			}
		}
		return writeLog(ctx, tx, logs)
	})
	return claimed, moved, err
}

func (s *Service) batch() int {
	if s.Batch <= 0 {
		return 500
	}
	return s.Batch
}
