package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tend-health/tend/internal/summaries"
)

type summaryInput struct {
	PatientID  string    `path:"patientId"`
	Days       int       `query:"days" minimum:"0" maximum:"366" doc:"The period's length in days, ending at end (default 14)"`
	End        time.Time `query:"end" doc:"When the period ends (default now)"`
	Population string    `query:"population" enum:"adults,older,pregnancy," doc:"Whose consensus glucose targets: adults with type 1 or 2 diabetes (default), older or high-risk adults, pregnancy with type 1 diabetes"`
}

func (in *summaryInput) request() summaries.Request {
	pop := summaries.Populations[in.Population] // "" is the default, adults
	return summaries.Request{PatientID: in.PatientID, Days: in.Days, End: in.End, Population: pop}
}

type summaryOutput struct{ Body summaries.Summary }

func (s *Server) getSummaries(ctx context.Context, in *summaryInput) (*summaryOutput, error) {
	sum, err := s.Summaries.Summarize(ctx, principal(ctx), in.request())
	return &summaryOutput{Body: sum}, err
}

type exportInput struct {
	PatientID             string    `path:"patientId"`
	From                  time.Time `query:"from" doc:"The first instant to export (default: the first reading)"`
	To                    time.Time `query:"to" doc:"Export readings taken before this instant (default: all)"`
	Types                 []string  `query:"type" doc:"Measurement type keys; none for every type"`
	IncludeEnteredInError bool      `query:"includeEnteredInError" default:"true" doc:"Keep readings marked entered-in-error, with the reason (default true)"`
}

// download is an answer written as it is made: a file the browser saves.
type download struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               func(huma.Context)
}

func attachment(filename string) string { return fmt.Sprintf("attachment; filename=%q", filename) }

// exportReadings streams a patient's readings as CSV. Access and the
// request are checked first, so a refusal is still a problem+json; once
// rows flow, a failure can only cut the connection, which the client sees
// as a broken download rather than a short file.
func (s *Server) exportReadings(ctx context.Context, in *exportInput) (*download, error) {
	exp, err := s.Summaries.CSV(ctx, principal(ctx), summaries.ExportRequest{PatientID: in.PatientID, From: in.From, To: in.To,
		Types: in.Types, EnteredInError: in.IncludeEnteredInError})
	if err != nil {
		return nil, err
	}
	return &download{ContentType: "text/csv; charset=utf-8; header=present", ContentDisposition: attachment(exp.Filename()),
		Body: func(hc huma.Context) {
			hc.SetStatus(http.StatusOK)
			if err := exp.Write(hc.Context(), hc.BodyWriter()); err != nil {
				s.abort(hc.Context(), "exporting readings", err)
			}
		}}, nil
}

// abort ends a response that has begun by cutting the connection, so that
// the client cannot take a partial file for a whole one.
func (s *Server) abort(ctx context.Context, doing string, err error) {
	if ctx.Err() != nil {
		s.Log.InfoContext(ctx, doing+": the client went away", "request_id", requestID(ctx))
	} else {
		s.Log.ErrorContext(ctx, doing+" failed midway", "err", err, "request_id", requestID(ctx))
	}
	panic(http.ErrAbortHandler)
}

// fileResponse documents a route that answers a file of the given media type.
func fileResponse(mediaType, description string) func(*huma.Operation) {
	return func(op *huma.Operation) {
		op.Responses = map[string]*huma.Response{"200": {Description: description,
			Content: map[string]*huma.MediaType{mediaType: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
	}
}

type reportInput struct {
	PatientID   string    `path:"patientId"`
	Days        int       `query:"days" minimum:"0" maximum:"366" doc:"The period's length in days, ending at end (default 14)"`
	End         time.Time `query:"end" doc:"When the period ends (default now)"`
	Population  string    `query:"population" enum:"adults,older,pregnancy," doc:"Whose consensus glucose targets (default adults)"`
	GlucoseUnit string    `query:"glucoseUnit" enum:"mg/dL,mmol/L," doc:"Glucose in mg/dL (default) or mmol/L"`
	WeightUnit  string    `query:"weightUnit" enum:"kg,[lb_av]," doc:"Weight in kg (default) or pounds"`
}

// report answers the PDF report of the patient's summaries.
func (s *Server) report(ctx context.Context, in *reportInput) (*download, error) {
	sum := summaryInput{PatientID: in.PatientID, Days: in.Days, End: in.End, Population: in.Population}
	rep, err := s.Summaries.Report(ctx, principal(ctx), summaries.ReportRequest{Request: sum.request(),
		GlucoseUnit: in.GlucoseUnit, WeightUnit: in.WeightUnit})
	if err != nil {
		return nil, err
	}
	pdf := rep.Bytes()
	return &download{ContentType: "application/pdf", ContentDisposition: attachment(rep.Filename()),
		Body: func(hc huma.Context) {
			hc.SetHeader("Content-Length", strconv.Itoa(len(pdf)))
			hc.SetStatus(http.StatusOK)
			hc.BodyWriter().Write(pdf)
		}}, nil
}
