package readings

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/events"
)

// maxExternalID bounds the sender's id of a reading: it is stored and indexed.
const maxExternalID = 256

// origin is who a batch's readings come from, once checked.
type origin struct {
	source     Source
	patientID  string
	deviceID   string
	enteredBy  string
	assignedAt time.Time
	// refusal, when set, refuses every item (a disabled or unassigned device).
	refusal *Result
}

// Ingest is the one way readings get into Tend, whatever door they came
// through. It checks the source (an enabled device assigned to a patient,
// or a person allowed to write the patient's vitals), then each item on its
// own (type, unit, plausibility, time), converts values to canonical units,
// and stores the valid items of the batch in one transaction, shared with
// the batches of concurrent callers (group commit). When it returns, the
// stored items are committed.
//
// The answer holds one Result per item, in order: stored, duplicate (the
// same source sent the same external id before; the answer carries the id
// stored then, and nothing is written again) or refused, with the reason
// and, field by field, what is wrong. Refusals from a device are counted
// on the device. The error is for the batch as a whole: the person may not
// write this patient's data (NotFound, as if the patient did not exist), a
// malformed batch (Invalid, TooLarge), or a fault (Internal; nothing was
// stored, and a retry with the same external ids is safe).
func (s *Service) Ingest(ctx context.Context, b Batch) ([]Result, error) {
	if len(b.Items) > MaxItems {
		return nil, &errs.Error{Kind: errs.TooLarge, Message: "a batch holds at most 10000 readings; send the rest in another"}
	}
	if !slices.Contains(doors, b.Door) {
		return nil, errs.Invalidf("unknown door %q", b.Door)
	}
	now := s.clock.Now()
	arrival := s.w.arrive()
	defer arrival.done()
	o, err := s.origin(ctx, &b)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(b.Items))
	rows := make([]row, 0, len(b.Items))
	rowOf := make([]int, len(b.Items)) // the row an item became, or -1
	firstExt := map[string]int{}       // external id -> item that carries it first
	received := db.Millis(now)
	var report devices.Report
	for i := range b.Items {
		it := &b.Items[i]
		rowOf[i] = -1
		if it.BatteryPercent != nil {
			report.BatteryPercent = it.BatteryPercent
		}
		if it.DeviceStatus != "" {
			report.Status = it.DeviceStatus
		}
		res, ok := s.checkItem(it, &o, now)
		if ok && it.ExternalID != "" {
			if j, seen := firstExt[it.ExternalID]; seen {
				rowOf[i] = rowOf[j] // answered with the first's id, after the commit
				results[i] = Result{Outcome: Duplicate, ExternalID: it.ExternalID}
				continue
			}
		}
		if !ok {
			res.ExternalID = it.ExternalID
			results[i] = res
			continue
		}
		vals, res, ok := check(it)
		if !ok {
			res.ExternalID = it.ExternalID
			results[i] = res
			continue
		}
		if it.ExternalID != "" {
			firstExt[it.ExternalID] = i
		}
		rowOf[i] = len(rows)
		rows = append(rows, row{
			id: uuid.Must(uuid.NewV7()).String(), patientID: o.patientID, typeKey: vals.ti.t.Key, loinc: vals.loinc,
			v: vals.v, orig: vals.orig, has: vals.has, unit: unitOf(vals.ti), origUnit: vals.origUnit,
			takenAt: db.Millis(it.TakenAt), receivedAt: received, source: o.source, door: b.Door,
			deviceID: o.deviceID, enteredBy: o.enteredBy, flags: vals.flags, externalID: it.ExternalID,
		})
	}
	if o.deviceID != "" {
		report.At = now
		s.devices.Seen(o.deviceID, report)
		s.countRefusals(o.deviceID, results)
	}
	if len(rows) == 0 {
		return results, nil
	}
	// settle turns the writer's answer into results, and the readings
	// stored now; with an audit event asked for, it runs inside the
	// transaction (again, should the group's commit be retried).
	var created []Reading
	settle := func(req *request) {
		created = created[:0]
		for i := range results {
			if rowOf[i] < 0 {
				continue
			}
			k := rowOf[i]
			switch {
			case results[i].Outcome == Duplicate && b.Items[i].ExternalID != "" && firstExt[b.Items[i].ExternalID] != i:
				results[i].ID = req.ids[k]
			case req.inserted[k]:
				results[i] = Result{Outcome: Stored, ID: req.ids[k], ExternalID: b.Items[i].ExternalID}
				created = append(created, rows[k].reading())
			default:
				results[i] = Result{Outcome: Duplicate, ID: req.ids[k], ExternalID: b.Items[i].ExternalID}
			}
		}
	}
	var note func(*request) (audit.Prepared, bool)
	if b.Audit != nil {
		if s.opts.Audit == nil {
			return nil, errs.Wrap(errors.New("a batch asks for an audit event but the readings service has no audit log"), "storing readings")
		}
		note = func(req *request) (audit.Prepared, bool) {
			settle(req)
			ev, ok := b.Audit(results)
			if !ok {
				return audit.Prepared{}, false
			}
			return s.opts.Audit.Prepare(ctx, ev), true
		}
	}
	req, err := s.w.submit(ctx, arrival, rows, note)
	if err != nil {
		return nil, err
	}
	if note == nil {
		settle(req)
	}
	s.publishCreated(ctx, o.patientID, created)
	return results, nil
}

func unitOf(ti *typeInfo) string {
	if ti.t.IsPanel() {
		return ti.t.Components[0].Value.Unit
	}
	return ti.t.Value.Unit
}

// checkItem checks what does not depend on the item's values: the source's
// verdict, the time, the external id.
func (s *Service) checkItem(it *Item, o *origin, now time.Time) (Result, bool) {
	if o.refusal != nil {
		return *o.refusal, false
	}
	if len(it.ExternalID) > maxExternalID {
		return refuse(ReasonInvalid, "externalId", "the external id is longer than %d characters", maxExternalID), false
	}
	if res, ok := checkTime(it.TakenAt, now); !ok {
		return res, false
	}
	if !o.assignedAt.IsZero() && it.TakenAt.Before(o.assignedAt.Add(-ClockSkew)) {
		return refuse(ReasonBeforeAssignment, "takenAt",
			"taken at %s, before the device was assigned to its patient (%s): it may be someone else's reading",
			it.TakenAt.UTC().Format(time.RFC3339), o.assignedAt.UTC().Format(time.RFC3339)), false
	}
	return Result{}, true
}

// origin checks who the batch comes from and whose readings they are.
func (s *Service) origin(ctx context.Context, b *Batch) (origin, error) {
	if b.DeviceID == "" {
		if b.By == nil || b.By.UserID == "" {
			return origin{}, errs.Invalidf("a reading comes from a device or is entered by a person; this batch has neither")
		}
		if b.PatientID == "" {
			return origin{}, errs.Field("patientId", "say whose readings these are")
		}
		switch b.Source {
		case "":
			b.Source = SourceManual
		case SourceManual, SourceImport:
		default:
			return origin{}, errs.Invalidf("readings entered by a person are manual or imported, not %q", b.Source)
		}
		if err := s.access.Check(ctx, *b.By, b.PatientID, access.Vitals); err != nil {
			return origin{}, err
		}
		return origin{source: b.Source, patientID: b.PatientID, enteredBy: b.By.UserID}, nil
	}

	if b.Source != "" && b.Source != SourceDevice {
		return origin{}, errs.Invalidf("readings sent by a device have the source device, not %q", b.Source)
	}
	dev, err := s.devices.Lookup(ctx, b.DeviceID)
	if err != nil {
		return origin{}, err
	}
	o := origin{source: SourceDevice, deviceID: dev.ID, patientID: dev.PatientID}
	if b.By != nil {
		o.enteredBy = b.By.UserID
	}
	switch {
	case !dev.Enabled:
		r := refuse(ReasonDisabled, "", "device %s (%s %s) is disabled: its readings are not stored until an administrator enables it",
			dev.ID, dev.Maker, dev.Serial)
		o.refusal = &r
	case !dev.Assigned():
		r := refuse(ReasonUnassigned, "", "device %s (%s %s) is not assigned to a patient: its readings are not stored until an administrator assigns it",
			dev.ID, dev.Maker, dev.Serial)
		o.refusal = &r
	case b.PatientID != "" && b.PatientID != dev.PatientID:
		r := refuse(ReasonPatientMismatch, "patient", "device %s is assigned to another patient than the one the message names", dev.ID)
		o.refusal = &r
	default:
		o.assignedAt = *dev.AssignedAt
		// A person relaying a device's readings (a phone posting its
		// Bluetooth values) must be allowed to write that patient's vitals.
		if b.By != nil {
			if err := s.access.Check(ctx, *b.By, dev.PatientID, access.Vitals); err != nil {
				return origin{}, err
			}
		}
	}
	return o, nil
}

func (s *Service) countRefusals(deviceID string, results []Result) {
	var counts map[Reason]int
	for _, r := range results {
		if r.Outcome == Refused {
			if counts == nil {
				counts = map[Reason]int{}
			}
			counts[r.Reason]++
		}
	}
	for reason, n := range counts {
		s.devices.Refused(deviceID, string(reason), n)
	}
}

// Created is the data of a reading.created event: the readings of one
// patient stored by one batch.
type Created struct {
	Readings []Reading `json:"readings"`
}

// DecodeCreated returns the readings a reading.created event announces.
func DecodeCreated(e events.Event) ([]Reading, error) {
	var c Created
	if err := json.Unmarshal(e.Data, &c); err != nil {
		return nil, err
	}
	return c.Readings, nil
}

func (s *Service) publishCreated(ctx context.Context, patientID string, rs []Reading) {
	if len(rs) > 0 && s.opts.AfterCommit != nil {
		s.opts.AfterCommit(context.WithoutCancel(ctx), patientID, rs)
	}
	if s.events == nil || len(rs) == 0 {
		return
	}
	data, err := json.Marshal(Created{Readings: rs})
	if err == nil {
		err = s.events.Publish(context.WithoutCancel(ctx), events.Event{Kind: events.ReadingCreated, PatientID: patientID,
			Scope: access.Vitals, At: s.clock.Now(), Data: data})
	}
	if err != nil {
		// The readings are committed; listeners that missed the event
		// reload from the database.
		slog.Warn("publishing stored readings", "count", len(rs), "err", err)
	}
}
