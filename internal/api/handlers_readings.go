package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/gatt"
	"github.com/tend-health/tend/internal/measure"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

// measurementType is the catalogue's entry as the web app needs it.
type measurementType struct {
	Key          string                 `json:"key"`
	Name         string                 `json:"name"`
	LOINC        string                 `json:"loinc"`
	Category     string                 `json:"category"`
	Unit         string                 `json:"unit"`
	Units        []string               `json:"units" doc:"Units accepted on input"`
	DisplayUnits []string               `json:"displayUnits" doc:"Units a person may choose to see values in"`
	Min          float64                `json:"min,omitempty"`
	Max          float64                `json:"max,omitempty"`
	Components   []measurementComponent `json:"components,omitempty"`
}

type measurementComponent struct {
	Key      string  `json:"key"`
	Name     string  `json:"name"`
	LOINC    string  `json:"loinc"`
	Required bool    `json:"required"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
}

type typesOutput struct {
	Body struct {
		Types []measurementType `json:"types"`
	}
}

func (s *Server) measurementTypes(ctx context.Context, _ *struct{}) (*typesOutput, error) {
	out := &typesOutput{}
	for _, t := range measure.Types() {
		mt := measurementType{Key: t.Key, Name: t.Name, LOINC: t.Code.Code, Category: t.Category,
			Unit: t.Value.Unit, Units: t.Value.Units, DisplayUnits: t.Value.DisplayUnits, Min: t.Value.Min, Max: t.Value.Max}
		for _, c := range t.Components {
			if mt.Unit == "" {
				mt.Unit, mt.Units, mt.DisplayUnits = c.Value.Unit, c.Value.Units, c.Value.DisplayUnits
			}
			mt.Components = append(mt.Components, measurementComponent{Key: c.Key, Name: c.Name, LOINC: c.Code.Code,
				Required: c.Required, Min: c.Value.Min, Max: c.Value.Max})
		}
		out.Body.Types = append(out.Body.Types, mt)
	}
	return out, nil
}

type ingestOutput struct {
	Body struct {
		Results   []readings.Result `json:"results" doc:"One per item sent, in the same order"`
		Stored    int               `json:"stored"`
		Duplicate int               `json:"duplicate"`
		Refused   int               `json:"refused"`
	}
}

func ingestAnswer(rs []readings.Result) *ingestOutput {
	out := &ingestOutput{}
	out.Body.Results = rs
	out.Body.Stored, out.Body.Duplicate, out.Body.Refused = readings.Tally(rs)
	return out
}

// recordIngest audits a batch of readings written for a patient.
func (s *Server) recordIngest(ctx context.Context, action, patientID string, rs []readings.Result, err error) {
	ev := audit.Event{Action: action, PatientID: patientID, Resource: "readings", Outcome: audit.Success}
	if err != nil {
		ev.Outcome = audit.Failure
		if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
			ev.Outcome = audit.Denied
		}
	} else {
		stored, dup, refused := readings.Tally(rs)
		ev.Detail = fmt.Sprintf("stored %d, duplicate %d, refused %d", stored, dup, refused)
	}
	if aerr := s.Audit.Record(ctx, ev); aerr != nil {
		s.Log.ErrorContext(ctx, "audit write failed", "err", aerr)
	}
}

type ingestInput struct {
	Body struct {
		PatientID string          `json:"patientId,omitempty" doc:"Whose readings, when a person (not a device) sends them"`
		Readings  []readings.Item `json:"readings" maxItems:"10000"`
	}
}

// ingestReadings is the batch door for devices and gateways: a device's
// readings go to the patient it is assigned to; a person (a phone app
// importing from a health store) names the patient.
func (s *Server) ingestReadings(ctx context.Context, in *ingestInput) (*ingestOutput, error) {
	b := readings.Batch{Door: readings.DoorHTTP, Items: in.Body.Readings}
	if d, ok := deviceFrom(ctx); ok {
		b.Source, b.DeviceID, b.PatientID = readings.SourceDevice, d.ID, in.Body.PatientID
	} else {
		p := principal(ctx)
		if in.Body.PatientID == "" {
			return nil, errs.Field("patientId", "say whose readings these are: a person sending readings gives patientId")
		}
		b.Source, b.By, b.PatientID = readings.SourceImport, &p, in.Body.PatientID
	}
	rs, err := s.Readings.Ingest(ctx, b)
	patient := b.PatientID
	if d, ok := deviceFrom(ctx); ok && patient == "" {
		patient = d.PatientID
	}
	s.recordIngest(ctx, "readings.ingest", patient, rs, err)
	if err != nil {
		return nil, err
	}
	return ingestAnswer(rs), nil
}

type gattValue struct {
	Characteristic string     `json:"characteristic" example:"2A35" doc:"The characteristic's 16-bit UUID or name"`
	Hex            string     `json:"hex,omitempty" example:"1E8A0058007800" doc:"The value's bytes in hex (or use base64)"`
	Base64         string     `json:"base64,omitempty"`
	ExternalID     string     `json:"externalId,omitempty" doc:"The relay's id for the value, so that a retry is not stored twice"`
	ReceivedAt     *time.Time `json:"receivedAt,omitempty" doc:"When the phone received it; used when the device sent no time"`
}

type gattInput struct {
	DeviceID string `path:"deviceId"`
	Body     struct {
		Values []gattValue `json:"values" maxItems:"1000"`
	}
}

type gattResult struct {
	Characteristic string            `json:"characteristic"`
	Error          string            `json:"error,omitempty" doc:"Why the value could not be decoded"`
	Results        []readings.Result `json:"results" doc:"One per reading the value held"`
}

type gattOutput struct {
	Body struct {
		Values []gattResult `json:"values"`
	}
}

func (v gattValue) bytes() ([]byte, error) {
	switch {
	case v.Hex != "" && v.Base64 != "":
		return nil, fmt.Errorf("give the value as hex or as base64, not both")
	case v.Hex != "":
		return hex.DecodeString(strings.NewReplacer(" ", "", ":", "", "-", "").Replace(v.Hex))
	case v.Base64 != "":
		return base64.StdEncoding.DecodeString(v.Base64)
	}
	return nil, fmt.Errorf("the value has no bytes: give hex or base64")
}

// ingestGATT takes raw Bluetooth characteristic values that a phone
// relays for a device: the device itself may post them with its
// credential, or a person who may write the patient's vitals.
func (s *Server) ingestGATT(ctx context.Context, in *gattInput) (*gattOutput, error) {
	var by *people.Principal
	if d, ok := deviceFrom(ctx); ok {
		if d.ID != in.DeviceID {
			return nil, errs.Forbiddenf("a device may only send its own values")
		}
	} else {
		p := principal(ctx)
		by = &p
	}
	dev, err := s.Devices.Lookup(ctx, in.DeviceID)
	if err != nil {
		return nil, err
	}
	if by != nil && dev.PatientID != "" {
		if err := s.Access.Check(ctx, *by, dev.PatientID, access.Vitals); err != nil {
			s.recordIngest(ctx, "readings.gatt", dev.PatientID, nil, err)
			return nil, errs.NotFoundf("no device %s, or you may not send its readings", in.DeviceID)
		}
	}
	loc := time.UTC
	if dev.PatientID != "" {
		if u, err := s.People.Get(ctx, dev.PatientID); err == nil {
			loc = u.Profile.Location()
		}
	}
	now := time.Now()
	out := &gattOutput{}
	out.Body.Values = make([]gattResult, len(in.Body.Values))
	var items []readings.Item
	owner := make([]int, 0, len(in.Body.Values)) // value index of each item
	for i, v := range in.Body.Values {
		out.Body.Values[i] = gattResult{Characteristic: v.Characteristic, Results: []readings.Result{}}
		raw, err := v.bytes()
		if err != nil {
			out.Body.Values[i].Error = err.Error()
			continue
		}
		res, err := gatt.Decode(v.Characteristic, raw)
		if err != nil {
			out.Body.Values[i].Error = err.Error()
			continue
		}
		received := now
		if v.ReceivedAt != nil {
			received = *v.ReceivedAt
		}
		for _, it := range readings.FromGATT(res, loc, received, v.ExternalID) {
			items = append(items, it)
			owner = append(owner, i)
		}
	}
	if len(items) == 0 {
		return out, nil
	}
	rs, err := s.Readings.Ingest(ctx, readings.Batch{Door: readings.DoorGATT, Source: readings.SourceDevice, DeviceID: dev.ID, By: by, Items: items})
	s.recordIngest(ctx, "readings.gatt", dev.PatientID, rs, err)
	if err != nil {
		return nil, err
	}
	for j, r := range rs {
		out.Body.Values[owner[j]].Results = append(out.Body.Values[owner[j]].Results, r)
	}
	return out, nil
}

type listReadingsInput struct {
	PatientID             string    `path:"patientId"`
	Types                 []string  `query:"type" doc:"Measurement type keys; none for every type"`
	From                  time.Time `query:"from"`
	To                    time.Time `query:"to"`
	Limit                 int       `query:"limit" minimum:"0" maximum:"1000"`
	Cursor                string    `query:"cursor"`
	Order                 string    `query:"order" enum:"asc,desc," doc:"desc (newest first) by default"`
	IncludeEnteredInError bool      `query:"includeEnteredInError"`
}

type readingsOutput struct{ Body readings.Page }

func (s *Server) listReadings(ctx context.Context, in *listReadingsInput) (*readingsOutput, error) {
	page, err := s.Readings.List(ctx, principal(ctx), readings.Query{PatientID: in.PatientID, Types: in.Types, From: in.From, To: in.To,
		Limit: in.Limit, Cursor: in.Cursor, Ascending: in.Order == "asc", IncludeEnteredInError: in.IncludeEnteredInError})
	if err != nil {
		return nil, err
	}
	if err := s.nameReadings(ctx, in.PatientID, page.Readings); err != nil {
		return nil, err
	}
	return &readingsOutput{Body: page}, nil
}

// latestReadings answers with the newest final reading of each type, newest
// first, with who entered each: where every vital stands now.
func (s *Server) latestReadings(ctx context.Context, in *patientInput) (*readingsOutput, error) {
	rs, err := s.Readings.LatestOf(ctx, principal(ctx), in.PatientID)
	if err != nil {
		return nil, err
	}
	if err := s.nameReadings(ctx, in.PatientID, rs); err != nil {
		return nil, err
	}
	return &readingsOutput{Body: readings.Page{Readings: rs}}, nil
}

type enterInput struct {
	PatientID string `path:"patientId"`
	Body      struct {
		Readings []readings.Item `json:"readings" maxItems:"10000"`
	}
}

// enterReadings is manual entry by the patient, or by someone who may write
// the patient's vitals.
func (s *Server) enterReadings(ctx context.Context, in *enterInput) (*ingestOutput, error) {
	p := principal(ctx)
	door := readings.DoorHTTP
	if p.SessionID != "" {
		door = readings.DoorWeb
	}
	rs, err := s.Readings.Ingest(ctx, readings.Batch{Door: door, Source: readings.SourceManual, By: &p, PatientID: in.PatientID, Items: in.Body.Readings})
	if err != nil {
		return nil, err
	}
	return ingestAnswer(rs), nil
}

type bucketsInput struct {
	PatientID string    `path:"patientId"`
	Type      string    `query:"type" required:"true"`
	From      time.Time `query:"from" required:"true"`
	To        time.Time `query:"to" required:"true"`
	N         int       `query:"n" minimum:"0" maximum:"10000" doc:"At most this many buckets (default 1000)"`
}

type seriesOutput struct{ Body readings.Series }

func (s *Server) readingBuckets(ctx context.Context, in *bucketsInput) (*seriesOutput, error) {
	series, err := s.Readings.Buckets(ctx, principal(ctx), readings.BucketQuery{PatientID: in.PatientID, Type: in.Type, From: in.From, To: in.To, N: in.N})
	return &seriesOutput{Body: series}, err
}

type readingIDInput struct {
	PatientID string `path:"patientId"`
	ReadingID string `path:"readingId"`
}

type readingOutput struct{ Body readings.Reading }

func (s *Server) getReading(ctx context.Context, in *readingIDInput) (*readingOutput, error) {
	r, err := s.Readings.Get(ctx, principal(ctx), in.ReadingID)
	if err == nil && r.PatientID != in.PatientID {
		return nil, errs.NotFoundf("patient %s has no reading %s", in.PatientID, in.ReadingID)
	}
	return s.namedReading(ctx, in.PatientID, r, err)
}

type correctInput struct {
	PatientID string `path:"patientId"`
	ReadingID string `path:"readingId"`
	Body      struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the reading is wrong"`
	}
}

func (s *Server) correctReading(ctx context.Context, in *correctInput) (*readingOutput, error) {
	if _, err := s.getReading(ctx, &readingIDInput{PatientID: in.PatientID, ReadingID: in.ReadingID}); err != nil {
		return nil, err
	}
	r, err := s.Readings.MarkEnteredInError(ctx, principal(ctx), in.ReadingID, in.Body.Reason)
	return s.namedReading(ctx, in.PatientID, r, err)
}

type journalInput struct {
	PatientID             string    `path:"patientId"`
	Kinds                 []string  `query:"kind" doc:"food, medication, symptom or note; none for all"`
	From                  time.Time `query:"from"`
	To                    time.Time `query:"to"`
	Limit                 int       `query:"limit" minimum:"0" maximum:"1000"`
	Cursor                string    `query:"cursor"`
	IncludeEnteredInError bool      `query:"includeEnteredInError"`
}

type journalOutput struct{ Body readings.JournalPage }

func (s *Server) listJournal(ctx context.Context, in *journalInput) (*journalOutput, error) {
	kinds := make([]readings.EntryKind, len(in.Kinds))
	for i, k := range in.Kinds {
		kinds[i] = readings.EntryKind(k)
	}
	page, err := s.Readings.Journal(ctx, principal(ctx), readings.JournalQuery{PatientID: in.PatientID, Kinds: kinds, From: in.From, To: in.To,
		Limit: in.Limit, Cursor: in.Cursor, IncludeEnteredInError: in.IncludeEnteredInError})
	if err != nil {
		return nil, err
	}
	if err := s.nameEntries(ctx, in.PatientID, page.Entries); err != nil {
		return nil, err
	}
	return &journalOutput{Body: page}, nil
}

type addJournalInput struct {
	PatientID string `path:"patientId"`
	Body      readings.NewEntry
}

type entryOutput struct{ Body readings.Entry }

func (s *Server) addJournal(ctx context.Context, in *addJournalInput) (*entryOutput, error) {
	e, err := s.Readings.AddEntry(ctx, principal(ctx), in.PatientID, in.Body)
	return s.namedEntry(ctx, in.PatientID, e, err)
}

type correctEntryInput struct {
	PatientID string `path:"patientId"`
	EntryID   string `path:"entryId"`
	Body      struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500"`
	}
}

func (s *Server) correctJournal(ctx context.Context, in *correctEntryInput) (*entryOutput, error) {
	e, err := s.Readings.Entry(ctx, principal(ctx), in.EntryID)
	if err != nil {
		return nil, err
	}
	if e.PatientID != in.PatientID {
		return nil, errs.NotFoundf("patient %s has no journal entry %s", in.PatientID, in.EntryID)
	}
	e, err = s.Readings.MarkEntryInError(ctx, principal(ctx), in.EntryID, in.Body.Reason)
	return s.namedEntry(ctx, in.PatientID, e, err)
}
