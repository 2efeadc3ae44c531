package api

import (
	"context"
	"slices"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/people"
	"github.com/tend-health/tend/internal/readings"
)

func errsField(field, msg string) error { return errs.Field(field, "%s", msg) }

type patientsOutput struct {
	Body struct {
		Patients []access.Patient `json:"patients"`
	}
}

func (s *Server) listPatients(ctx context.Context, _ *struct{}) (*patientsOutput, error) {
	ps, err := s.Access.Patients(ctx, principal(ctx))
	out := &patientsOutput{}
	out.Body.Patients = ps
	return out, err
}

type patientInput struct {
	PatientID string `path:"patientId"`
}

type patientOutput struct{ Body access.Patient }

func (s *Server) getPatient(ctx context.Context, in *patientInput) (*patientOutput, error) {
	p, err := s.Access.Patient(ctx, principal(ctx), in.PatientID)
	return &patientOutput{Body: p}, err
}

type overviewInput struct {
	PatientID string    `path:"patientId"`
	Chart     []string  `query:"chart,explode" doc:"Measurement types in the order the first chart prefers them; it shows the first the patient has readings of"`
	From      time.Time `query:"from" doc:"Start of the first chart's range; without from and to there is no chart"`
	To        time.Time `query:"to" doc:"End of the first chart's range"`
	N         int       `query:"n" minimum:"0" maximum:"10000" doc:"At most this many buckets in the chart (default 1000)"`
}

// Overview is what a patient's page shows first. A viewer who may not see
// the patient's vitals gets the patient alone: nothing is refused.
type Overview struct {
	Patient access.Patient     `json:"patient"`
	Latest  []readings.Reading `json:"latest,omitempty" doc:"The newest reading of each type, newest first, when the viewer may see vitals"`
	Series  *readings.Series   `json:"series,omitempty" doc:"The first chart: the first type in chart that has readings, summarised over from–to"`
}

type overviewOutput struct{ Body Overview }

// patientOverview answers with the patient, the latest reading of each type
// and the first chart's buckets, so that a page opened directly needs one
// round trip after the sign-in check instead of three in a row (patient,
// then the latest readings, then the chart of the first type found).
func (s *Server) patientOverview(ctx context.Context, in *overviewInput) (*overviewOutput, error) {
	viewer := principal(ctx)
	p, err := s.Access.Patient(ctx, viewer, in.PatientID)
	if err != nil {
		return nil, err
	}
	out := &overviewOutput{Body: Overview{Patient: p}}
	if p.Access != "self" && !slices.Contains(p.Scopes, access.Vitals) {
		return out, nil
	}
	// The patient's access is known: Latest, not LatestOf, so it is not checked twice.
	byPatient, err := s.Readings.Latest(ctx, viewer, []string{in.PatientID})
	if err != nil {
		return nil, err
	}
	latest := byPatient[in.PatientID]
	if err := s.nameReadings(ctx, in.PatientID, latest); err != nil {
		return nil, err
	}
	out.Body.Latest = latest
	if in.From.IsZero() && in.To.IsZero() {
		return out, nil
	}
	for _, t := range in.Chart {
		if !slices.ContainsFunc(latest, func(r readings.Reading) bool { return r.Type == t }) {
			continue
		}
		series, err := s.Readings.Buckets(ctx, viewer, readings.BucketQuery{PatientID: in.PatientID, Type: t, From: in.From, To: in.To, N: in.N})
		if err != nil {
			return nil, err
		}
		out.Body.Series = &series
		break
	}
	return out, nil
}

type grantsOutput struct {
	Body struct {
		Grants []access.Grant `json:"grants"`
	}
}

func (s *Server) listGrants(ctx context.Context, in *patientInput) (*grantsOutput, error) {
	gs, err := s.Access.Grants(ctx, principal(ctx), in.PatientID)
	out := &grantsOutput{}
	out.Body.Grants = gs
	return out, err
}

type createGrantInput struct {
	PatientID string `path:"patientId"`
	Body      access.NewShare
}

type grantOutput struct{ Body access.Grant }

func (s *Server) createGrant(ctx context.Context, in *createGrantInput) (*grantOutput, error) {
	g, err := s.Access.Share(ctx, principal(ctx), in.PatientID, in.Body)
	return &grantOutput{Body: g}, err
}

type grantIDInput struct {
	PatientID string `path:"patientId"`
	GrantID   string `path:"grantId"`
}

func (s *Server) revokeGrant(ctx context.Context, in *grantIDInput) (*struct{}, error) {
	return nil, s.Access.Revoke(ctx, principal(ctx), in.PatientID, in.GrantID)
}

type careInput struct {
	PatientID string `path:"patientId"`
	Body      struct {
		UserID string `json:"userId" doc:"The nurse or doctor to assign"`
	}
}

func (s *Server) assignCare(ctx context.Context, in *careInput) (*grantOutput, error) {
	g, err := s.Access.AssignCare(ctx, principal(ctx), in.PatientID, in.Body.UserID)
	return &grantOutput{Body: g}, err
}

type accessLogInput struct {
	PatientID string    `path:"patientId"`
	Before    time.Time `query:"before"`
	Limit     int       `query:"limit" minimum:"0" maximum:"1000"`
}

// accessLog shows a patient who touched their data. It is the patient's own
// view; administrators use the audit log.
func (s *Server) accessLog(ctx context.Context, in *accessLogInput) (*auditOutput, error) {
	p := principal(ctx)
	if p.UserID != in.PatientID || !p.Has(people.Patient) {
		return nil, errs.NotFoundf("no access log of patient %s for you: only patients read their own", in.PatientID)
	}
	es, err := s.Audit.List(ctx, audit.Query{PatientID: in.PatientID, Before: in.Before, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	if err := s.hideOtherPatients(ctx, in.PatientID, es); err != nil {
		return nil, err
	}
	out := &auditOutput{}
	out.Body.Events = es
	return out, nil
}

// hideOtherPatients keeps a patient's access log from naming other
// patients: an actor who is neither staff nor family (say, another patient
// who tried a link) is shown as "another Tend user". Staff and family are
// named, since the patient has a right to know who looked.
func (s *Server) hideOtherPatients(ctx context.Context, self string, es []audit.Entry) error {
	var ids []string
	for _, e := range es {
		if e.ActorKind == "user" {
			ids = append(ids, e.ActorID)
		}
	}
	names, err := s.People.NamesIn(ctx, self, self, ids)
	if err != nil {
		return err
	}
	for i := range es {
		if name, ok := names[es[i].ActorID]; es[i].ActorKind == "user" && (!ok || name == people.HiddenName) {
			es[i].ActorID, es[i].ActorName = "", people.HiddenName
		}
	}
	return nil
}
