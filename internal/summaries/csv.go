package summaries

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/devices"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// ExportRequest chooses the readings of a CSV export.
type ExportRequest struct {
	PatientID string
	// From and To bound when the readings were taken: From ≤ taken < To.
	// A zero bound is open.
	From, To time.Time
	// Types are measurement type keys; none means every type.
	Types []string
	// EnteredInError keeps the readings marked entered-in-error, with
	// their status and the reason, as a record should.
	EnteredInError bool
}

// CSVColumns are the export's columns, in order. The values are in each
// type's canonical UCUM unit; a blood pressure fills systolic, diastolic
// and (when sent) mean_arterial, any other type fills value.
var CSVColumns = []string{
	"reading_id", "taken_at_utc", "taken_at_local", "time_zone", "type", "name", "loinc",
	"value", "systolic", "diastolic", "mean_arterial", "unit", "original_value", "original_unit",
	"source", "door", "device_id", "device", "entered_by_id", "entered_by", "status",
	"error_reason", "error_at_utc", "error_by", "flags", "received_at_utc",
}

var csvIndex = func() map[string]int {
	m := make(map[string]int, len(CSVColumns))
	for i, c := range CSVColumns {
		m[c] = i
	}
	return m
}()

// Export is a CSV export whose access is checked and which is ready to be
// written.
type Export struct {
	s       *Service
	viewer  people.Principal
	req     ExportRequest
	patient patient
	now     time.Time
}

// CSV checks that the viewer may see the patient's vitals and that the
// request is sound, before a byte is written, so that a refusal can still
// be an HTTP error; Export.Write then streams the rows.
func (s *Service) CSV(ctx context.Context, viewer people.Principal, req ExportRequest) (*Export, error) {
	if !req.From.IsZero() && !req.To.IsZero() && !req.From.Before(req.To) {
		return nil, errs.Field("to", "the export's end must come after its start")
	}
	for _, t := range req.Types {
		if _, ok := measure.ByKey(t); !ok {
			return nil, errs.Field("type", "unknown measurement type %q", t)
		}
	}
	p, err := s.patient(ctx, viewer, req.PatientID)
	if err != nil {
		return nil, err
	}
	return &Export{s: s, viewer: viewer, req: req, patient: p, now: s.clock.Now()}, nil
}

// Filename names the file for a download, after the dates it covers on the
// patient's calendar: readings-2026-11-01-to-2026-11-22.csv.
func (e *Export) Filename() string {
	loc := e.patient.location()
	from, to := "start", e.now.In(loc).Format(time.DateOnly)
	if !e.req.From.IsZero() {
		from = e.req.From.In(loc).Format(time.DateOnly)
	}
	if !e.req.To.IsZero() && e.req.To.Before(e.now) {
		// The last day the range touches: an end at midnight closes the day before.
		to = e.req.To.Add(-time.Millisecond).In(loc).Format(time.DateOnly)
	}
	return "readings-" + from + "-to-" + to + ".csv"
}

// Write streams the export as RFC 4180 CSV: a header row, then one row per
// reading, oldest first, with CRLF line ends. It holds one page of readings
// at a time, whatever the range.
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	loc := e.patient.location()
	names := newNames(e.s, e.patient)
	row := make([]string, len(CSVColumns))
	n := 0
	err := e.s.readings.Each(ctx, e.viewer, readings.Query{PatientID: e.req.PatientID, Types: e.req.Types, From: e.req.From, To: e.req.To,
		IncludeEnteredInError: e.req.EnteredInError}, func(r readings.Reading) error {
		e.fill(ctx, row, r, loc, names)
		if err := cw.Write(row); err != nil {
			return err
		}
		if n++; n%1000 == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (e *Export) fill(ctx context.Context, row []string, r readings.Reading, loc *time.Location, names *names) {
	for i := range row {
		row[i] = ""
	}
	set := func(col, v string) { row[csvIndex[col]] = v }
	set("reading_id", r.ID)
	set("taken_at_utc", utc(r.TakenAt))
	set("taken_at_local", r.TakenAt.In(loc).Format(time.RFC3339Nano))
	set("time_zone", e.patient.TimeZone)
	set("type", r.Type)
	if t, ok := measure.ByKey(r.Type); ok {
		set("name", t.Name)
	}
	set("loinc", r.LOINC)
	if r.Value != nil {
		set("value", number(*r.Value))
	}
	for _, c := range r.Components {
		if c.Key == measure.Mean {
			set("mean_arterial", number(c.Value))
		} else {
			set(c.Key, number(c.Value))
		}
	}
	set("unit", r.Unit)
	if o := r.Original; o != nil {
		if o.Value != nil {
			set("original_value", number(*o.Value))
		} else {
			parts := make([]string, len(o.Components))
			for i, c := range o.Components {
				parts[i] = number(c.Value)
			}
			set("original_value", strings.Join(parts, "/"))
		}
		set("original_unit", o.Unit)
	}
	set("source", string(r.Source))
	set("door", string(r.Door))
	set("device_id", r.DeviceID)
	set("device", text(names.device(ctx, r.DeviceID)))
	set("entered_by_id", r.EnteredBy)
	set("entered_by", text(names.user(ctx, r.EnteredBy)))
	set("status", string(r.Status))
	if c := r.Correction; c != nil {
		set("error_reason", text(c.Reason))
		set("error_at_utc", utc(c.At))
		set("error_by", text(names.user(ctx, c.By)))
	}
	set("flags", strings.Join(r.Flags, ";"))
	set("received_at_utc", utc(r.ReceivedAt))
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// text guards a field people typed against spreadsheet formula injection:
// a cell that starts with =, +, -, @, a tab or a carriage return is read
// as a formula by spreadsheets, so it gets a leading apostrophe (OWASP's
// advice for CSV exports).
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// names looks up the people and devices named in an export once each.
type names struct {
	s       *Service
	users   map[string]string
	devices map[string]string
}

func newNames(s *Service, p patient) *names {
	return &names{s: s, users: map[string]string{p.ID: p.Name}, devices: map[string]string{}}
}

func (n *names) user(ctx context.Context, id string) string {
	return remember(n.users, id, func() string {
		if u, err := n.s.people.Get(ctx, id); err == nil {
			return u.Name
		}
		return ""
	})
}

func (n *names) device(ctx context.Context, id string) string {
	return remember(n.devices, id, func() string {
		if d, err := n.s.devices.Lookup(ctx, id); err == nil {
			return deviceName(d)
		}
		return ""
	})
}

// remember returns the name cached for id, looking it up the first time.
// A name that cannot be found stays empty.
func remember(cache map[string]string, id string, lookup func() string) string {
	if id == "" {
		return ""
	}
	name, ok := cache[id]
	if !ok {
		name = lookup()
		cache[id] = name
	}
	return name
}

// deviceName is how a person knows a device: its label, or maker and model,
// with the serial number.
func deviceName(d devices.Device) string {
	name := d.Label
	if name == "" {
		name = strings.TrimSpace(d.Maker + " " + d.Model)
	}
	if d.Serial != "" {
		name = strings.TrimSpace(name + " (serial " + d.Serial + ")")
	}
	return name
}
