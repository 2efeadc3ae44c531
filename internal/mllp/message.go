package mllp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/hl7"
	"github.com/tend-health/tend/internal/readings"
)

// maxProblems bounds the ERR segments of one acknowledgement.
const maxProblems = 20

// problem is one thing wrong with a message, as an ERR segment says it.
type problem struct {
	code hl7.ErrorCode
	loc  hl7.Location
	text string
}

// verdict is what became of a message.
type verdict struct {
	problems []problem
	// fault is a failure of Tend's own: the message is rejected (AR) so
	// that the sender resends it; it is logged, never sent.
	fault   error
	stored  int
	dupes   int
	refused int
	// for the audit trail
	patientID string
	deviceID  string
}

func (v *verdict) add(code hl7.ErrorCode, loc hl7.Location, format string, args ...any) {
	v.problems = append(v.problems, problem{code: code, loc: loc, text: fmt.Sprintf(format, args...)})
}

func (v *verdict) addErr(err error) {
	var he *hl7.Error
	if errors.As(err, &he) {
		v.problems = append(v.problems, problem{code: he.Code, loc: he.Location, text: he.Detail()})
		return
	}
	v.fault = err
}

// message handles one framed message and returns the acknowledgement to
// send, or false when the bytes are not HL7 enough to answer (the caller
// then closes the connection).
func (d *Door) message(data []byte, remote string) ([]byte, bool) {
	at := d.clock.Now()
	m, err := hl7.Parse(data)
	if err != nil {
		h, herr := hl7.ParseHeader(data)
		if herr != nil {
			d.log.Warn("frame is not an HL7 message; closing the connection", "remote", remote, "err", err)
			return nil, false
		}
		d.log.Warn("message refused", "remote", remote, "control_id", logID(h.ControlID()), "err", err)
		ack, aerr := hl7.ACKFor(h, err, d.ackID(at), at)
		return ack, aerr == nil
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.IngestTimeout)
	defer cancel()
	ctx = audit.WithOrigin(ctx, audit.Origin{IP: remote, UserAgent: "mllp"})
	v := d.handle(ctx, m)
	ack, err := d.ack(m, v, at)
	if err != nil {
		d.log.Error("building an acknowledgement", "remote", remote, "err", err)
		return nil, false
	}
	code := ackCode(v)
	attrs := []any{"remote", remote, "control_id", logID(m.ControlID()), "ack", string(code),
		"stored", v.stored, "duplicate", v.dupes, "refused", v.refused}
	switch {
	case v.fault != nil:
		d.log.Error("message not stored: resend later", append(attrs, "err", v.fault)...)
	case len(v.problems) > 0:
		d.log.Info("message answered with errors", append(attrs, "where", problemPlaces(v.problems))...)
	default:
		d.log.Debug("message stored", attrs...)
	}
	d.audit(ctx, m, v, code)
	return ack, true
}

// handle reads an ORU^R01 and stores its readings.
func (d *Door) handle(ctx context.Context, m *hl7.Message) verdict {
	var v verdict
	oru, err := hl7.ParseORU(m, time.UTC)
	if err != nil {
		v.addErr(err)
		return v
	}
	if p := oru.ProcessingID; p != "" && p != "P" {
		v.add(hl7.CodeUnsupportedProcessingID, hl7.Location{Segment: "MSH", Sequence: 1, Field: 11},
			"processing id %s: only production messages (P) are stored", quote(p))
		return v
	}
	pat, ok := d.patient(ctx, oru, &v)
	if !ok {
		return v
	}
	v.patientID = pat.ID
	if pat.Location != time.UTC {
		// Times without an offset are the patient's local times.
		if oru, err = hl7.ParseORU(m, pat.Location); err != nil {
			v.addErr(err)
			return v
		}
	}
	batches := plan(oru, &v)
	for _, b := range batches {
		d.store(ctx, oru, pat, b, &v)
		if v.fault != nil {
			return v
		}
	}
	return v
}

// patient finds the patient PID-3 names.
func (d *Door) patient(ctx context.Context, oru *hl7.ORU, v *verdict) (Patient, bool) {
	pid3 := hl7.Location{Segment: "PID", Sequence: 1, Field: 3}
	var found Patient
	for _, id := range oru.Patient.Identifiers {
		if id.ID == "" {
			continue
		}
		p, err := d.deps.Patients.ByMRN(ctx, id.ID)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			v.fault = err
			return Patient{}, false
		}
		if found.ID != "" && found.ID != p.ID {
			v.add(hl7.CodeUnknownKeyIdentifier, pid3, "PID-3 names two different patients of Tend: send one identifier per patient")
			return Patient{}, false
		}
		found = p
	}
	switch {
	case found.ID != "":
		return found, true
	case len(oru.Patient.Identifiers) == 0:
		v.add(hl7.CodeRequiredFieldMissing, pid3, "no patient identifier: PID-3 must hold the patient's medical record number")
	default:
		v.add(hl7.CodeUnknownKeyIdentifier, pid3, "no patient in Tend has the medical record number given in PID-3")
	}
	return Patient{}, false
}

// store sends one device's readings to the ingest path and notes what
// became of them.
func (d *Door) store(ctx context.Context, oru *hl7.ORU, pat Patient, b *batch, v *verdict) {
	euiLoc := b.euiLocation()
	dev, err := d.deps.Devices.ByEUI64(ctx, b.eui)
	if errs.Is(err, errs.NotFound) {
		v.add(hl7.CodeUnknownKeyIdentifier, euiLoc, "no device in Tend has the EUI-64 %s: register it first", b.eui)
		v.refused += len(b.items)
		return
	}
	if err != nil {
		v.fault = err
		return
	}
	if v.deviceID == "" {
		v.deviceID = dev.ID
	}
	items := make([]readings.Item, len(b.items))
	for i, p := range b.items {
		items[i] = p.item
	}
	ictx := audit.WithActor(ctx, audit.Actor{ID: dev.ID, Kind: "device"})
	rs, err := d.deps.Readings.Ingest(ictx, readings.Batch{Door: readings.DoorMLLP, Source: readings.SourceDevice,
		DeviceID: dev.ID, PatientID: pat.ID, Items: items})
	if err != nil {
		var e *errs.Error
		if errs.KindOf(err) == errs.Internal || ctx.Err() != nil || !errors.As(err, &e) {
			v.fault = err
			return
		}
		v.add(hl7.CodeDataType, euiLoc, "%s", e.Message)
		v.refused += len(items)
		return
	}
	// A refusal of the device itself (disabled, unassigned, assigned to
	// someone else) is said once, not once per reading.
	saidDevice := false
	for i, r := range rs {
		switch r.Outcome {
		case readings.Stored:
			v.stored++
			continue
		case readings.Duplicate:
			v.dupes++
			continue
		}
		v.refused++
		switch r.Reason {
		case readings.ReasonDisabled, readings.ReasonUnassigned, readings.ReasonPatientMismatch:
			if !saidDevice {
				v.add(hl7.CodeUnknownKeyIdentifier, euiLoc, "device with EUI-64 %s: %s", b.eui, r.Message)
				saidDevice = true
			}
			continue
		}
		code, field := reasonCode(r.Reason)
		row := b.items[i].rows[0]
		v.add(code, obxLocation(row, field), "%s: %s", rowName(oru, row, field), r.Message)
	}
}

// reasonCode gives the table 0357 code and the OBX field for a refusal.
func reasonCode(r readings.Reason) (hl7.ErrorCode, int) {
	switch r {
	case readings.ReasonUnit:
		return hl7.CodeTableValueNotFound, 6
	case readings.ReasonUnknownType:
		return hl7.CodeTableValueNotFound, 3
	case readings.ReasonIncomplete:
		return hl7.CodeRequiredFieldMissing, 3
	case readings.ReasonFuture, readings.ReasonBeforeAssignment:
		return hl7.CodeDataType, 14
	}
	return hl7.CodeDataType, 5 // implausible, invalid
}

// obxLocation points at a field of the OBX row with index i (0-based among
// the message's OBX segments).
func obxLocation(i, field int) hl7.Location {
	return hl7.Location{Segment: "OBX", Sequence: i + 1, Field: field}
}

// rowName names an OBX row and field for a person reading ERR-8.
func rowName(oru *hl7.ORU, row, field int) string {
	if id := oru.Observations[row].SetID; id > 0 {
		return fmt.Sprintf("OBX with set id %d, field %d", id, field)
	}
	return fmt.Sprintf("OBX number %d, field %d", row+1, field)
}

// ackCode is MSA-1 for a verdict.
func ackCode(v verdict) hl7.AckCode {
	switch {
	case v.fault != nil:
		return hl7.AR
	case len(v.problems) == 0:
		return hl7.AA
	}
	for _, p := range v.problems {
		if p.code.AckCode() == hl7.AR {
			return hl7.AR
		}
	}
	return hl7.AE
}

// ack writes the acknowledgement of a verdict: one ERR segment per
// problem.
func (d *Door) ack(m *hl7.Message, v verdict, at time.Time) ([]byte, error) {
	id := d.ackID(at)
	if v.fault != nil {
		return hl7.ACKFor(m, v.fault, id, at) // AR, 207, nothing internal said
	}
	code := ackCode(v)
	if code == hl7.AA {
		return hl7.BuildACK(m, hl7.ACKOptions{Code: hl7.AA, ControlID: id, Time: at})
	}
	ps := v.problems
	if len(ps) > maxProblems {
		more := len(ps) - maxProblems + 1
		ps = append(ps[:maxProblems-1:maxProblems-1], problem{code: ps[maxProblems-1].code,
			text: fmt.Sprintf("and %d more problems of the same kinds", more)})
	}
	first := ps[0]
	text := first.text
	if v.stored+v.dupes > 0 {
		text += fmt.Sprintf(" (%d other observations of this message were stored)", v.stored+v.dupes)
	}
	out, err := hl7.BuildACK(m, hl7.ACKOptions{Code: code, ControlID: id, Time: at, Error: first.code, Text: text, Location: first.loc})
	if err != nil {
		return nil, err
	}
	for _, p := range ps[1:] {
		seg, err := errSegment(p, at)
		if err != nil {
			return nil, err
		}
		out = append(out, seg...)
	}
	return out, nil
}

// errSegment writes one more ERR segment, exactly as hl7.BuildACK writes
// its own.
func errSegment(p problem, at time.Time) ([]byte, error) {
	b, err := hl7.BuildACK(nil, hl7.ACKOptions{Code: hl7.AE, ControlID: "x", Time: at, Error: p.code, Text: p.text, Location: p.loc})
	if err != nil {
		return nil, err
	}
	i := strings.Index(string(b), "\rERR|")
	if i < 0 {
		return nil, errors.New("mllp: acknowledgement without ERR segment")
	}
	return b[i+1:], nil
}

func (d *Door) audit(ctx context.Context, m *hl7.Message, v verdict, code hl7.AckCode) {
	if d.deps.Audit == nil {
		return
	}
	actor := audit.Actor{ID: "mllp", Kind: "anonymous"}
	if v.deviceID != "" {
		actor = audit.Actor{ID: v.deviceID, Kind: "device"}
	}
	outcome := audit.Success
	if code != hl7.AA {
		outcome = audit.Failure
	}
	e := audit.Event{Action: "mllp.oru", PatientID: v.patientID, Resource: "hl7/" + logID(m.ControlID()), Outcome: outcome,
		Detail: fmt.Sprintf("%s: stored %d, duplicate %d, refused %d", code, v.stored, v.dupes, v.refused)}
	if err := d.deps.Audit.Record(context.WithoutCancel(audit.WithActor(ctx, actor)), e); err != nil {
		d.log.Error("audit write failed", "err", err)
	}
}

// logID shortens a control id for logs and the audit trail.
func logID(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// quote quotes a short code from a message for an error text, cut off so
// that no long run of message content is ever repeated.
func quote(s string) string {
	if len(s) > 32 {
		s = s[:32] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// problemPlaces lists where the problems are, for the log: positions and
// codes only.
func problemPlaces(ps []problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%d", p.loc, int(p.code))
	}
	return b.String()
}
