package monitoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
	"github.com/tend-health/tend/internal/monitoring/outbox"
	"github.com/tend-health/tend/internal/notify"
	"github.com/tend-health/tend/internal/people"
)

// Status is where an alert stands.
type Status string

// The statuses, in the order an alert goes through them.
const (
	Open         Status = "open"
	Acknowledged Status = "acknowledged"
	Resolved     Status = "resolved"
)

// The kinds of event monitoring publishes about alerts, besides those
// package events names. All carry scope alerts and an Alert as data.
const (
	AlertRepeated  = "alert.repeated"  // the condition was seen again; Count went up
	AlertEscalated = "alert.escalated" // unacknowledged, it went to the next step
	AlertCleared   = "alert.cleared"   // the condition went away; the alert awaits resolution
	AlertCommented = "alert.commented"
	AlertWorsened  = "alert.worsened" // a repeat raised the severity; sent as a notification kind
)

// Alert is a condition someone must look at.
type Alert struct {
	ID          string   `json:"id"`
	PatientID   string   `json:"patientId"`
	PatientName string   `json:"patientName,omitempty"`
	RuleKey     string   `json:"ruleKey" doc:"The rule that raised it; device rules end in :<device id>, missed ones in :<measurement type>"`
	Kind        string   `json:"kind" enum:"vital,news2,missed,device"`
	Severity    Severity `json:"severity" enum:"info,warning,critical"`
	Title       string   `json:"title"`
	Detail      string   `json:"detail,omitempty"`
	ReadingID   string   `json:"readingId,omitempty"`
	DeviceID    string   `json:"deviceId,omitempty"`
	Status      Status   `json:"status" enum:"open,acknowledged,resolved"`
	// Count is how many times the condition was seen while the alert was
	// open or acknowledged: repeats count here rather than raise new alerts.
	Count              int       `json:"count"`
	FirstAt            time.Time `json:"firstAt"`
	LastAt             time.Time `json:"lastAt"`
	OpenedAt           time.Time `json:"openedAt"`
	AcknowledgedAt     time.Time `json:"acknowledgedAt,omitzero"`
	AcknowledgedBy     string    `json:"acknowledgedBy,omitempty"`
	AcknowledgedByName string    `json:"acknowledgedByName,omitempty"`
	AckComment         string    `json:"ackComment,omitempty"`
	ResolvedAt         time.Time `json:"resolvedAt,omitzero"`
	ResolvedBy         string    `json:"resolvedBy,omitempty" doc:"Empty with resolvedAt: resolved by Tend itself"`
	ResolvedByName     string    `json:"resolvedByName,omitempty"`
	ResolveComment     string    `json:"resolveComment,omitempty"`
	// ClearedAt is when the condition went away (back past the clear
	// threshold); the alert stays until a person resolves it.
	ClearedAt      time.Time `json:"clearedAt,omitzero"`
	EscalationStep int       `json:"escalationStep"`
	EscalateAt     time.Time `json:"escalateAt,omitzero"`
	// History lists what happened since it opened; filled by Alert only.
	History []AlertLogEntry `json:"history,omitempty"`
}

// AlertLogEntry is one thing that happened to an alert.
type AlertLogEntry struct {
	At        time.Time `json:"at"`
	ActorID   string    `json:"actorId,omitempty" doc:"Empty: Tend itself"`
	ActorName string    `json:"actorName,omitempty"`
	Action    string    `json:"action" enum:"notified,escalated,acknowledged,commented,resolved,cleared,severity"`
	Step      *int      `json:"step,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// hit is a rule firing for a patient: a new alert, or a repeat of the
// active one.
type hit struct {
	patientID, ruleKey, kind string
	patientName              string // when the caller has it; else read here
	severity                 Severity
	title, detail            string
	readingID, deviceID      string
	at                       time.Time
	count                    int
}

func alertKey(patientID, ruleKey string) string { return patientID + "\x00" + ruleKey }

// raise opens alerts for new hits and counts repeats on the active ones,
// in tx, adding the notifications and events to out. Hits of one patient
// and rule are merged first.
func (s *Service) raise(ctx context.Context, tx querier, hits []hit, now time.Time, out *[]outbox.Item) error {
	if len(hits) == 0 {
		return nil
	}
	merged := map[string]*hit{}
	var order []string
	var patients []string
	seenPatient := map[string]bool{}
	for _, h := range hits {
		if h.count == 0 {
			h.count = 1
		}
		k := alertKey(h.patientID, h.ruleKey)
		m, ok := merged[k]
		if !ok {
			c := h
			merged[k] = &c
			order = append(order, k)
			if !seenPatient[h.patientID] {
				seenPatient[h.patientID] = true
				patients = append(patients, h.patientID)
			}
			continue
		}
		m.count += h.count
		if h.severity.rank() > m.severity.rank() {
			m.severity, m.title = h.severity, h.title
		}
		if !h.at.Before(m.at) {
			m.at, m.detail, m.readingID = h.at, h.detail, h.readingID
		}
	}
	chains, err := s.chainsFor(ctx, tx, patients, now)
	if err != nil {
		return err
	}
	var unnamed []string
	names := map[string]string{}
	for _, k := range order {
		if h := merged[k]; h.patientName != "" {
			names[h.patientID] = h.patientName
		}
	}
	for _, p := range patients {
		if _, ok := names[p]; !ok {
			unnamed = append(unnamed, p)
		}
	}
	more, err := userNames(ctx, tx, unnamed)
	if err != nil {
		return err
	}
	for id, n := range more {
		names[id] = n
	}
	var logs [][]any
	// One order for every writer, so that two transactions raising the
	// same alerts (two nodes, two workers) wait on each other's rows in
	// the same order and never deadlock.
	slices.Sort(order)
	for start := 0; start < len(order); start += rowsPerInsert {
		chunk := order[start:min(start+rowsPerInsert, len(order))]
		var args db.Args
		var sb strings.Builder
		sb.WriteString(`INSERT INTO alerts (id, patient_id, rule_key, kind, severity, title, detail, reading_id, device_id,
			status, count, first_at, last_at, opened_at, escalation_step, escalate_at, updated_at) VALUES `)
		for i, k := range chunk {
			h := merged[k]
			var escalate any
			if ch := chains[h.patientID]; h.severity.rank() >= s.EscalateFrom.rank() && len(ch) > 1 {
				escalate = db.Millis(now.Add(ch[0].wait))
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + args.Add(uuid.Must(uuid.NewV7()).String()) + ", " + args.Add(h.patientID) + ", " +
				args.Add(h.ruleKey) + ", " + args.Add(h.kind) + ", " + args.Add(string(h.severity)) + ", " + args.Add(h.title) + ", " +
				args.Add(h.detail) + ", " + args.Add(nullString(h.readingID)) + ", " + args.Add(nullString(h.deviceID)) + ", 'open', " +
				args.Add(h.count) + ", " + args.Add(db.Millis(h.at)) + ", " + args.Add(db.Millis(h.at)) + ", " +
				args.Add(db.Millis(now)) + ", 0, " + args.Add(escalate) + ", " + args.Add(db.Millis(now)) + ")")
		}
		sb.WriteString(` ON CONFLICT (patient_id, rule_key) WHERE status IN ('open', 'acknowledged') DO UPDATE SET
			count = alerts.count + excluded.count,
			last_at = CASE WHEN excluded.last_at > alerts.last_at THEN excluded.last_at ELSE alerts.last_at END,
			detail = CASE WHEN excluded.last_at >= alerts.last_at THEN excluded.detail ELSE alerts.detail END,
			reading_id = CASE WHEN excluded.last_at >= alerts.last_at THEN COALESCE(excluded.reading_id, alerts.reading_id) ELSE alerts.reading_id END,
			severity = CASE WHEN ` + sevRank("excluded.severity") + ` > ` + sevRank("alerts.severity") + ` THEN excluded.severity ELSE alerts.severity END,
			title = CASE WHEN ` + sevRank("excluded.severity") + ` > ` + sevRank("alerts.severity") + ` THEN excluded.title ELSE alerts.title END,
			raised_at = CASE WHEN ` + sevRank("excluded.severity") + ` > ` + sevRank("alerts.severity") + ` THEN excluded.updated_at ELSE alerts.raised_at END,
			cleared_at = NULL,
			updated_at = excluded.updated_at
			RETURNING id, patient_id, rule_key, count, status, severity, escalation_step, escalate_at, opened_at, first_at, raised_at`)
		rows, err := tx.QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return errs.Wrap(err, "raising alerts")
		}
		type result struct {
			a           Alert
			esc, raised sql.NullInt64
		}
		var results []result
		for rows.Next() {
			var r result
			var opened, first int64
			if err := rows.Scan(&r.a.ID, &r.a.PatientID, &r.a.RuleKey, &r.a.Count, &r.a.Status, &r.a.Severity,
				&r.a.EscalationStep, &r.esc, &opened, &first, &r.raised); err != nil {
				rows.Close()
				return errs.Wrap(err, "raising alerts")
			}
			r.a.OpenedAt, r.a.FirstAt, r.a.EscalateAt = db.Time(opened), db.Time(first), db.NullTime(r.esc)
			results = append(results, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "raising alerts")
		}
		for _, r := range results {
			k := alertKey(r.a.PatientID, r.a.RuleKey)
			h := merged[k]
			a := r.a
			a.PatientName = names[a.PatientID]
			a.Kind, a.Title, a.Detail, a.ReadingID, a.DeviceID, a.LastAt = h.kind, h.title, h.detail, h.readingID, h.deviceID, h.at
			// An update adds to a count of at least one, so a count equal to
			// this hit's own is a row just inserted.
			if a.Count == h.count {
				if row := s.tell(a, chains[a.PatientID], 0, events.AlertOpened, now, out); row != nil {
					logs = append(logs, row)
				}
				*out = append(*out, outbox.Event(events.AlertOpened, a.PatientID, access.Alerts, a))
				continue
			}
			*out = append(*out, outbox.Event(AlertRepeated, a.PatientID, access.Alerts, a))
			if r.raised.Valid && r.raised.Int64 == db.Millis(now) {
				// Worse than it was: tell whoever holds it now again.
				logs = append(logs, []any{uuid.Must(uuid.NewV7()).String(), a.ID, db.Millis(now), nil, "severity", a.EscalationStep,
					"now " + string(a.Severity)})
				if a.Status == Open {
					if row := s.tell(a, chains[a.PatientID], a.EscalationStep, AlertWorsened, now, out); row != nil {
						logs = append(logs, row)
					}
				}
			}
		}
	}
	return writeLog(ctx, tx, logs)
}

func sevRank(col string) string {
	return `(CASE ` + col + ` WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END)`
}

func userNames(ctx context.Context, q querier, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(ids); start += idsPerQuery {
		var args db.Args
		rows, err := q.QueryContext(ctx, `SELECT id, name FROM users WHERE id IN (`+placeholders(&args, ids[start:min(start+idsPerQuery, len(ids))])+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "reading names")
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "reading names")
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "reading names")
		}
	}
	return out, nil
}

// tell notifies the people at a step of the chain about a, and returns
// the alert_log row that records it (see writeLog). A step past the end of
// the chain tells nobody.
func (s *Service) tell(a Alert, chain []chainStep, step int, why string, now time.Time, out *[]outbox.Item) []any {
	if step >= len(chain) {
		return nil
	}
	who := chain[step].users
	kind, action := "alert.opened", "notified"
	body := "A monitoring alert needs attention. Open Tend to review and acknowledge it."
	switch why {
	case AlertEscalated:
		kind, action = AlertEscalated, "escalated"
		body = fmt.Sprintf("Nobody has acknowledged this alert since %s UTC; it now comes to you. Open Tend to review and acknowledge it.",
			a.OpenedAt.UTC().Format("2006-01-02 15:04"))
	case AlertWorsened:
		kind = AlertWorsened
		body = "A monitoring alert you were told of has become " + string(a.Severity) + ". Open Tend to review and acknowledge it."
	}
	// The title becomes an email's subject and a phone's lock-screen line:
	// it names the condition, never the patient; the link, behind a
	// sign-in, says who.
	title := a.Title
	sev := notify.Severity(a.Severity)
	key := fmt.Sprintf("alert:%s:step:%d:%s", a.ID, step, a.Severity) // one per step and severity
	for _, u := range who {
		*out = append(*out, outbox.Notify(notify.Notification{RecipientID: u, Kind: kind, Severity: sev, Title: title,
			Body: body, Link: "/patients/" + a.PatientID + "/alerts/" + a.ID, PatientID: a.PatientID,
			DedupeKey: key, EventID: key}))
	}
	return []any{uuid.Must(uuid.NewV7()).String(), a.ID, db.Millis(now), nil, action, step, strings.Join(who, ",")}
}

// writeLog writes alert_log rows: id, alert, at, actor, action, step, detail.
func writeLog(ctx context.Context, tx querier, rows [][]any) error {
	return errs.Wrap(upsertRows(ctx, tx, `INSERT INTO alert_log (id, alert_id, at, actor_id, action, step, detail) VALUES `, ``, rows),
		"logging alerts")
}

// clearAlerts marks the active alerts of rules whose condition went away.
func (s *Service) clearAlerts(ctx context.Context, tx querier, keys []stateKey, now time.Time, out *[]outbox.Item) error {
	for _, k := range keys {
		rows, err := tx.QueryContext(ctx, `UPDATE alerts SET cleared_at = $1, updated_at = $1
			WHERE patient_id = $2 AND rule_key = $3 AND status IN ('open', 'acknowledged') AND cleared_at IS NULL RETURNING id`,
			db.Millis(now), k.patient, k.rule)
		if err != nil {
			return errs.Wrap(err, "clearing alerts")
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return errs.Wrap(err, "clearing alerts")
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alert_log (id, alert_id, at, action) VALUES ($1, $2, $3, 'cleared')`,
				uuid.Must(uuid.NewV7()).String(), id, db.Millis(now)); err != nil {
				return errs.Wrap(err, "logging a clearance")
			}
			*out = append(*out, outbox.Event(AlertCleared, k.patient, access.Alerts, Alert{ID: id, PatientID: k.patient, RuleKey: k.rule, ClearedAt: now}))
		}
	}
	return nil
}

// resolveBySystem resolves a patient's active alert of a rule that Tend
// itself saw end (a silent device that reported again).
func (s *Service) resolveBySystem(ctx context.Context, tx querier, patientID, ruleKey, comment string, now time.Time, out *[]outbox.Item) error {
	var id string
	err := tx.QueryRowContext(ctx, `UPDATE alerts SET status = 'resolved', resolved_at = $1, resolve_comment = $2, escalate_at = NULL,
		updated_at = $1 WHERE patient_id = $3 AND rule_key = $4 AND status IN ('open', 'acknowledged') RETURNING id`,
		db.Millis(now), comment, patientID, ruleKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return errs.Wrap(err, "resolving an alert")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO alert_log (id, alert_id, at, action, detail) VALUES ($1, $2, $3, 'resolved', $4)`,
		uuid.Must(uuid.NewV7()).String(), id, db.Millis(now), comment); err != nil {
		return errs.Wrap(err, "logging a resolution")
	}
	*out = append(*out, outbox.Event(events.AlertResolved, patientID, access.Alerts,
		Alert{ID: id, PatientID: patientID, RuleKey: ruleKey, Status: Resolved, ResolvedAt: now, ResolveComment: comment}))
	return nil
}

const alertColumns = `a.id, a.patient_id, pu.name, a.rule_key, a.kind, a.severity, a.title, a.detail, a.reading_id, a.device_id,
	a.status, a.count, a.first_at, a.last_at, a.opened_at, a.acknowledged_at, a.acknowledged_by, au.name, a.ack_comment,
	a.resolved_at, a.resolved_by, ru.name, a.resolve_comment, a.cleared_at, a.escalation_step, a.escalate_at`

const alertFrom = ` FROM alerts a JOIN users pu ON pu.id = a.patient_id
	LEFT JOIN users au ON au.id = a.acknowledged_by LEFT JOIN users ru ON ru.id = a.resolved_by`

func scanAlerts(rows *sql.Rows) ([]Alert, error) {
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		var reading, device, ackBy, ackName, resBy, resName sql.NullString
		var first, last, opened int64
		var acked, resolved, cleared, escalate sql.NullInt64
		if err := rows.Scan(&a.ID, &a.PatientID, &a.PatientName, &a.RuleKey, &a.Kind, &a.Severity, &a.Title, &a.Detail,
			&reading, &device, &a.Status, &a.Count, &first, &last, &opened, &acked, &ackBy, &ackName, &a.AckComment,
			&resolved, &resBy, &resName, &a.ResolveComment, &cleared, &a.EscalationStep, &escalate); err != nil {
			return nil, errs.Wrap(err, "reading alerts")
		}
		a.ReadingID, a.DeviceID = reading.String, device.String
		a.AcknowledgedBy, a.AcknowledgedByName, a.ResolvedBy, a.ResolvedByName = ackBy.String, ackName.String, resBy.String, resName.String
		a.FirstAt, a.LastAt, a.OpenedAt = db.Time(first), db.Time(last), db.Time(opened)
		a.AcknowledgedAt, a.ResolvedAt, a.ClearedAt, a.EscalateAt = db.NullTime(acked), db.NullTime(resolved), db.NullTime(cleared), db.NullTime(escalate)
		out = append(out, a)
	}
	return out, errs.Wrap(rows.Err(), "reading alerts")
}

// AlertFilter narrows a listing of alerts.
type AlertFilter struct {
	PatientID string   // one patient; empty for every patient the viewer may see
	Status    []Status // default: open and acknowledged
	// MinSeverity leaves out less severe alerts.
	MinSeverity Severity
	// Before pages back: only alerts opened before this time.
	Before time.Time
	// Limit is at most this many, newest first (default 100, at most 500).
	Limit int
}

// Alerts lists the alerts viewer may see (the alerts scope of each
// patient), newest first. A patient the viewer may not see contributes
// nothing: the filter is part of the query.
func (s *Service) Alerts(ctx context.Context, viewer people.Principal, f AlertFilter) ([]Alert, error) {
	var args db.Args
	where := []string{access.Where(&args, "a.patient_id", viewer.UserID, access.Alerts, s.clock.Now())}
	if f.PatientID != "" {
		where = append(where, "a.patient_id = "+args.Add(f.PatientID))
	}
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = []Status{Open, Acknowledged}
	}
	var ss []string
	for _, st := range statuses {
		if st != Open && st != Acknowledged && st != Resolved {
			return nil, errs.Field("status", "status must be open, acknowledged or resolved")
		}
		ss = append(ss, string(st))
	}
	where = append(where, "a.status IN ("+placeholders(&args, ss)+")")
	if f.MinSeverity != "" {
		if f.MinSeverity.rank() == 0 {
			return nil, errs.Field("minSeverity", "severity must be info, warning or critical")
		}
		where = append(where, sevRank("a.severity")+" >= "+args.Add(f.MinSeverity.rank()))
	}
	if !f.Before.IsZero() {
		where = append(where, "a.opened_at < "+args.Add(db.Millis(f.Before)))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+alertColumns+alertFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.opened_at DESC, a.id DESC LIMIT `+args.Add(limit), args...)
	if err != nil {
		return nil, errs.Wrap(err, "listing alerts")
	}
	return scanAlerts(rows)
}

func notVisible(id string) error {
	return errs.NotFoundf("no alert %s, or you have no access to it", id)
}

// Alert returns one alert with its history, if viewer may see it.
func (s *Service) Alert(ctx context.Context, viewer people.Principal, id string) (Alert, error) {
	a, err := s.alert(ctx, s.db.R, viewer, id)
	if err != nil {
		return Alert{}, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT l.at, l.actor_id, u.name, l.action, l.step, l.detail FROM alert_log l
		LEFT JOIN users u ON u.id = l.actor_id WHERE l.alert_id = $1 ORDER BY l.at, l.id`, id)
	if err != nil {
		return Alert{}, errs.Wrap(err, "reading the alert's history")
	}
	defer rows.Close()
	for rows.Next() {
		var e AlertLogEntry
		var at int64
		var actor, name sql.NullString
		var step sql.NullInt64
		if err := rows.Scan(&at, &actor, &name, &e.Action, &step, &e.Detail); err != nil {
			return Alert{}, errs.Wrap(err, "reading the alert's history")
		}
		e.At, e.ActorID, e.ActorName = db.Time(at), actor.String, name.String
		if step.Valid {
			n := int(step.Int64)
			e.Step = &n
		}
		if e.Action == "notified" || e.Action == "escalated" {
			e.Detail = "" // user ids of recipients: the names are in the chain
		}
		a.History = append(a.History, e)
	}
	return a, errs.Wrap(rows.Err(), "reading the alert's history")
}

func (s *Service) alert(ctx context.Context, q querier, viewer people.Principal, id string) (Alert, error) {
	var args db.Args
	rows, err := q.QueryContext(ctx, `SELECT `+alertColumns+alertFrom+` WHERE a.id = `+args.Add(id)+` AND `+
		access.Where(&args, "a.patient_id", viewer.UserID, access.Alerts, s.clock.Now()), args...)
	if err != nil {
		return Alert{}, errs.Wrap(err, "reading the alert")
	}
	as, err := scanAlerts(rows)
	if err != nil {
		return Alert{}, err
	}
	if len(as) == 0 {
		return Alert{}, notVisible(id)
	}
	return as[0], nil
}

// Acknowledge records that viewer (a nurse or doctor who may see the
// patient's alerts) is dealing with an open alert; it stops escalating.
func (s *Service) Acknowledge(ctx context.Context, viewer people.Principal, id, comment string) (Alert, error) {
	return s.change(ctx, viewer, id, "acknowledge", "acknowledged", comment, func(a Alert) (string, error) {
		if a.Status != Open {
			return "", errs.Conflictf("the alert is already %s", a.Status)
		}
		return `status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2, ack_comment = $3, escalate_at = NULL`, nil
	}, events.AlertAcknowledged)
}

// Resolve closes an open or acknowledged alert, with a comment saying
// what was done. A later breach of the rule opens a new alert.
func (s *Service) Resolve(ctx context.Context, viewer people.Principal, id, comment string) (Alert, error) {
	return s.change(ctx, viewer, id, "resolve", "resolved", comment, func(a Alert) (string, error) {
		if a.Status == Resolved {
			return "", errs.Conflictf("the alert is already resolved")
		}
		return `status = 'resolved', resolved_at = $1, resolved_by = $2, resolve_comment = $3, escalate_at = NULL`, nil
	}, events.AlertResolved)
}

// Comment adds a note to an alert's history without changing its status.
func (s *Service) Comment(ctx context.Context, viewer people.Principal, id, comment string) (Alert, error) {
	if strings.TrimSpace(comment) == "" {
		return Alert{}, errs.Field("comment", "write a comment")
	}
	return s.change(ctx, viewer, id, "comment", "commented", comment, func(Alert) (string, error) { return "", nil }, AlertCommented)
}

const maxComment = 2000

func (s *Service) change(ctx context.Context, viewer people.Principal, id, verb, action, comment string,
	set func(Alert) (string, error), eventKind string) (Alert, error) {
	comment = strings.TrimSpace(comment)
	if len(comment) > maxComment {
		return Alert{}, errs.Field("comment", "keep the comment under %d characters", maxComment)
	}
	var a Alert
	err := s.write(ctx, func(tx querier, out *[]outbox.Item) error {
		var err error
		if a, err = s.alert(ctx, tx, viewer, id); err != nil {
			return err
		}
		if !viewer.HasAny(people.Nurse, people.Doctor) {
			return errs.Forbiddenf("only a nurse or doctor can %s alerts", verb)
		}
		now := s.clock.Now()
		clause, err := set(a)
		if err != nil {
			return err
		}
		if clause != "" {
			res, err := tx.ExecContext(ctx, `UPDATE alerts SET `+clause+`, updated_at = $1 WHERE id = $4 AND status = $5`,
				db.Millis(now), viewer.UserID, comment, id, string(a.Status))
			if err != nil {
				return errs.Wrap(err, "changing the alert")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.Conflictf("the alert changed meanwhile; reload it")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_log (id, alert_id, at, actor_id, action, step, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			uuid.Must(uuid.NewV7()).String(), id, db.Millis(now), viewer.UserID, action, a.EscalationStep, comment); err != nil {
			return errs.Wrap(err, "logging the change")
		}
		if a, err = s.alert(ctx, tx, viewer, id); err != nil {
			return err
		}
		*out = append(*out, outbox.Event(eventKind, a.PatientID, access.Alerts, a))
		return nil
	})
	outcome := audit.Success
	if err != nil {
		outcome = audit.Failure
		if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
			outcome = audit.Denied
		}
	}
	s.record(ctx, audit.Event{Action: "alert." + verb, PatientID: a.PatientID, Resource: "alerts/" + id, Outcome: outcome})
	return a, err
}
