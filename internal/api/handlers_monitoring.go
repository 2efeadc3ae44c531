package api

// Monitoring: measurement schedules, alert rules, NEWS2, alerts and who hears
// of them, and medications.
//
// Reads sit under /patients/{patientId}, where the route audits them. Changes
// name the patient in their body instead, because monitoring and medications
// audit each change they make with the patient it concerns (as appointments
// do); they do not audit a change they refuse, so the door records that one
// (auditRefusal), and every attempt leaves exactly one event.

import (
	"context"
	"time"

	"github.com/tend-health/tend/internal/access"
	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/medications"
	"github.com/tend-health/tend/internal/monitoring"
)

// auditRefusal records a change that a service refused or failed: the
// service audits its changes only when they succeed.
func (s *Server) auditRefusal(ctx context.Context, action, patientID, resource string, err error) {
	if err == nil {
		return
	}
	outcome := audit.Failure
	if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
		outcome = audit.Denied
	}
	if aerr := s.Audit.Record(ctx, audit.Event{Action: action, PatientID: patientID, Resource: resource, Outcome: outcome}); aerr != nil {
		s.Log.ErrorContext(ctx, "audit write failed", "err", aerr, "request_id", requestID(ctx))
	}
}

// orEmpty answers an empty list as [] rather than null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// patientRef is the body of a change that needs nothing but the patient.
type patientRef struct {
	PatientID string `json:"patientId" doc:"The patient this concerns"`
}

// Schedules.

type schedulesInput struct {
	PatientID string `path:"patientId"`
	Stopped   bool   `query:"stopped" doc:"Include stopped schedules"`
}

type schedulesOutput struct {
	Body struct {
		Schedules []monitoring.Schedule `json:"schedules"`
	}
}

func (s *Server) listSchedules(ctx context.Context, in *schedulesInput) (*schedulesOutput, error) {
	scs, err := s.Monitoring.Schedules(ctx, principal(ctx), in.PatientID, in.Stopped)
	out := &schedulesOutput{}
	out.Body.Schedules = orEmpty(scs)
	return out, err
}

type dueTodayOutput struct {
	Body struct {
		Due []monitoring.Occurrence `json:"due" doc:"Today's measurements on the patient's clock, by due time"`
	}
}

func (s *Server) dueToday(ctx context.Context, in *patientInput) (*dueTodayOutput, error) {
	due, err := s.Monitoring.DueToday(ctx, principal(ctx), in.PatientID, time.Now())
	out := &dueTodayOutput{}
	out.Body.Due = orEmpty(due)
	return out, err
}

type scheduleBody struct {
	PatientID string `json:"patientId" doc:"Whose schedule"`
	monitoring.ScheduleInput
}

type createScheduleInput struct {
	Body scheduleBody
}

type scheduleOutput struct{ Body monitoring.Schedule }

func (s *Server) createSchedule(ctx context.Context, in *createScheduleInput) (*scheduleOutput, error) {
	sc, err := s.Monitoring.CreateSchedule(ctx, principal(ctx), in.Body.PatientID, in.Body.ScheduleInput)
	s.auditRefusal(ctx, "schedule.create", in.Body.PatientID, "schedules", err)
	return &scheduleOutput{Body: sc}, err
}

type updateScheduleInput struct {
	ScheduleID string `path:"scheduleId"`
	Body       scheduleBody
}

func (s *Server) updateSchedule(ctx context.Context, in *updateScheduleInput) (*scheduleOutput, error) {
	sc, err := s.Monitoring.UpdateSchedule(ctx, principal(ctx), in.Body.PatientID, in.ScheduleID, in.Body.ScheduleInput)
	s.auditRefusal(ctx, "schedule.update", in.Body.PatientID, "schedules/"+in.ScheduleID, err)
	return &scheduleOutput{Body: sc}, err
}

type stopScheduleInput struct {
	ScheduleID string `path:"scheduleId"`
	Body       patientRef
}

func (s *Server) stopSchedule(ctx context.Context, in *stopScheduleInput) (*struct{}, error) {
	err := s.Monitoring.StopSchedule(ctx, principal(ctx), in.Body.PatientID, in.ScheduleID)
	s.auditRefusal(ctx, "schedule.stop", in.Body.PatientID, "schedules/"+in.ScheduleID, err)
	return nil, err
}

// Alert rules.

type rulesOutput struct {
	Body struct {
		Rules []monitoring.Rule `json:"rules" doc:"Every rule that applies to the patient: the defaults, with this patient's changes applied (overridden)"`
	}
}

func (s *Server) listRules(ctx context.Context, in *patientInput) (*rulesOutput, error) {
	rs, err := s.Monitoring.Rules(ctx, principal(ctx), in.PatientID)
	out := &rulesOutput{}
	out.Body.Rules = orEmpty(rs)
	return out, err
}

type setRuleInput struct {
	RuleKey string `path:"ruleKey" example:"heart_rate_high"`
	Body    struct {
		PatientID string `json:"patientId" doc:"Whose rule to change"`
		monitoring.RulePatch
	}
}

type ruleOutput struct{ Body monitoring.Rule }

func (s *Server) setRule(ctx context.Context, in *setRuleInput) (*ruleOutput, error) {
	r, err := s.Monitoring.SetRule(ctx, principal(ctx), in.Body.PatientID, in.RuleKey, in.Body.RulePatch)
	s.auditRefusal(ctx, "alert_rule.update", in.Body.PatientID, "alert-rules/"+in.RuleKey, err)
	return &ruleOutput{Body: r}, err
}

type resetRuleInput struct {
	RuleKey string `path:"ruleKey"`
	Body    patientRef
}

func (s *Server) resetRule(ctx context.Context, in *resetRuleInput) (*struct{}, error) {
	err := s.Monitoring.ResetRule(ctx, principal(ctx), in.Body.PatientID, in.RuleKey)
	s.auditRefusal(ctx, "alert_rule.reset", in.Body.PatientID, "alert-rules/"+in.RuleKey, err)
	return nil, err
}

// NEWS2.

type news2Output struct{ Body monitoring.NEWS2 }

func (s *Server) latestNEWS2(ctx context.Context, in *patientInput) (*news2Output, error) {
	n, err := s.Monitoring.LatestNEWS2(ctx, principal(ctx), in.PatientID)
	return &news2Output{Body: n}, err
}

type news2SettingsOutput struct{ Body monitoring.NEWS2Settings }

func (s *Server) news2Settings(ctx context.Context, in *patientInput) (*news2SettingsOutput, error) {
	st, err := s.Monitoring.NEWS2Settings(ctx, principal(ctx), in.PatientID)
	return &news2SettingsOutput{Body: st}, err
}

type setNEWS2SettingsInput struct {
	Body struct {
		PatientID string `json:"patientId"`
		monitoring.NEWS2Settings
	}
}

func (s *Server) setNEWS2Settings(ctx context.Context, in *setNEWS2SettingsInput) (*news2SettingsOutput, error) {
	st, err := s.Monitoring.SetNEWS2Settings(ctx, principal(ctx), in.Body.PatientID, in.Body.NEWS2Settings)
	s.auditRefusal(ctx, "news2_settings.update", in.Body.PatientID, "news2-settings", err)
	return &news2SettingsOutput{Body: st}, err
}

type observationInput struct {
	Body struct {
		PatientID string `json:"patientId"`
		monitoring.Observation
	}
}

func (s *Server) recordObservation(ctx context.Context, in *observationInput) (*news2Output, error) {
	n, err := s.Monitoring.RecordObservation(ctx, principal(ctx), in.Body.PatientID, in.Body.Observation)
	s.auditRefusal(ctx, "news2_observation.create", in.Body.PatientID, "news2", err)
	return &news2Output{Body: n}, err
}

// Alerts.

// alertFilter reads the query of an alert listing.
func alertFilter(patientID string, status []string, minSeverity string, before time.Time, limit int) monitoring.AlertFilter {
	f := monitoring.AlertFilter{PatientID: patientID, MinSeverity: monitoring.Severity(minSeverity), Before: before, Limit: limit}
	for _, st := range status {
		f.Status = append(f.Status, monitoring.Status(st))
	}
	return f
}

type alertInboxInput struct {
	PatientID   string    `query:"patientId" doc:"Only this patient's alerts"`
	Status      []string  `query:"status" enum:"open,acknowledged,resolved" doc:"Comma-separated statuses; by default open and acknowledged"`
	MinSeverity string    `query:"minSeverity" enum:"info,warning,critical," doc:"Leave out less severe alerts"`
	Before      time.Time `query:"before" doc:"Page back: only alerts opened before this instant"`
	Limit       int       `query:"limit" minimum:"0" maximum:"500" doc:"At most this many, newest first (default 100)"`
}

type alertsOutput struct {
	Body struct {
		Alerts []monitoring.Alert `json:"alerts"`
	}
}

// alertInbox lists the alerts of every patient whose alerts the caller may
// see: a nurse's or doctor's inbox.
func (s *Server) alertInbox(ctx context.Context, in *alertInboxInput) (*alertsOutput, error) {
	as, err := s.Monitoring.Alerts(ctx, principal(ctx), alertFilter(in.PatientID, in.Status, in.MinSeverity, in.Before, in.Limit))
	out := &alertsOutput{}
	out.Body.Alerts = orEmpty(as)
	return out, err
}

type patientAlertsInput struct {
	PatientID   string    `path:"patientId"`
	Status      []string  `query:"status" enum:"open,acknowledged,resolved" doc:"Comma-separated statuses; by default open and acknowledged"`
	MinSeverity string    `query:"minSeverity" enum:"info,warning,critical," doc:"Leave out less severe alerts"`
	Before      time.Time `query:"before" doc:"Page back: only alerts opened before this instant"`
	Limit       int       `query:"limit" minimum:"0" maximum:"500" doc:"At most this many, newest first (default 100)"`
}

func (s *Server) listPatientAlerts(ctx context.Context, in *patientAlertsInput) (*alertsOutput, error) {
	p := principal(ctx)
	// The listing alone would be empty for a patient the caller may not
	// see; asking first answers that as not found, like every patient route.
	if err := s.Access.Check(ctx, p, in.PatientID, access.Alerts); err != nil {
		return nil, err
	}
	as, err := s.Monitoring.Alerts(ctx, p, alertFilter(in.PatientID, in.Status, in.MinSeverity, in.Before, in.Limit))
	out := &alertsOutput{}
	out.Body.Alerts = orEmpty(as)
	return out, err
}

type patientAlertInput struct {
	PatientID string `path:"patientId"`
	AlertID   string `path:"alertId"`
}

type alertOutput struct{ Body monitoring.Alert }

func (s *Server) getAlert(ctx context.Context, in *patientAlertInput) (*alertOutput, error) {
	a, err := s.Monitoring.Alert(ctx, principal(ctx), in.AlertID)
	if err == nil && a.PatientID != in.PatientID {
		return nil, errs.NotFoundf("no alert %s of patient %s, or you may not see it", in.AlertID, in.PatientID)
	}
	return &alertOutput{Body: a}, err
}

// Acknowledging, resolving and commenting: monitoring audits each attempt.

type alertChangeInput struct {
	AlertID string `path:"alertId"`
	Body    struct {
		Comment string `json:"comment,omitempty" maxLength:"2000" doc:"What is being done, or was done"`
	}
}

func (s *Server) acknowledgeAlert(ctx context.Context, in *alertChangeInput) (*alertOutput, error) {
	a, err := s.Monitoring.Acknowledge(ctx, principal(ctx), in.AlertID, in.Body.Comment)
	return &alertOutput{Body: a}, err
}

func (s *Server) resolveAlert(ctx context.Context, in *alertChangeInput) (*alertOutput, error) {
	a, err := s.Monitoring.Resolve(ctx, principal(ctx), in.AlertID, in.Body.Comment)
	return &alertOutput{Body: a}, err
}

type alertCommentInput struct {
	AlertID string `path:"alertId"`
	Body    struct {
		Comment string `json:"comment" minLength:"1" maxLength:"2000"`
	}
}

func (s *Server) commentAlert(ctx context.Context, in *alertCommentInput) (*alertOutput, error) {
	a, err := s.Monitoring.Comment(ctx, principal(ctx), in.AlertID, in.Body.Comment)
	return &alertOutput{Body: a}, err
}

// The escalation chain.

type chainOutput struct{ Body monitoring.Chain }

func (s *Server) escalationChain(ctx context.Context, in *patientInput) (*chainOutput, error) {
	c, err := s.Monitoring.EscalationChain(ctx, principal(ctx), in.PatientID)
	return &chainOutput{Body: c}, err
}

type setChainInput struct {
	Body struct {
		PatientID string                      `json:"patientId"`
		Steps     []monitoring.ChainStepInput `json:"steps" maxItems:"10" doc:"In order; none returns the patient to the default chain from the care team"`
	}
}

func (s *Server) setEscalationChain(ctx context.Context, in *setChainInput) (*chainOutput, error) {
	c, err := s.Monitoring.SetEscalationChain(ctx, principal(ctx), in.Body.PatientID, in.Body.Steps)
	s.auditRefusal(ctx, "escalation_chain.update", in.Body.PatientID, "escalation-chain", err)
	return &chainOutput{Body: c}, err
}

// Medications.

type medicationsInput struct {
	PatientID string `path:"patientId"`
	Stopped   bool   `query:"stopped" doc:"Include stopped medicines"`
}

type medicationsOutput struct {
	Body struct {
		Medications []medications.Medication `json:"medications"`
	}
}

func (s *Server) listMedications(ctx context.Context, in *medicationsInput) (*medicationsOutput, error) {
	ms, err := s.Medications.List(ctx, principal(ctx), in.PatientID, in.Stopped)
	out := &medicationsOutput{}
	out.Body.Medications = orEmpty(ms)
	return out, err
}

type dosesOutput struct {
	Body struct {
		Doses []medications.Dose `json:"doses"`
	}
}

func (s *Server) medicationsToday(ctx context.Context, in *patientInput) (*dosesOutput, error) {
	ds, err := s.Medications.Today(ctx, principal(ctx), in.PatientID, time.Now())
	out := &dosesOutput{}
	out.Body.Doses = orEmpty(ds)
	return out, err
}

type dosesInput struct {
	PatientID string    `path:"patientId"`
	From      time.Time `query:"from" required:"true" doc:"Doses due at or after this instant"`
	To        time.Time `query:"to" required:"true" doc:"… and before this one (at most 92 days later)"`
}

func (s *Server) listDoses(ctx context.Context, in *dosesInput) (*dosesOutput, error) {
	ds, err := s.Medications.Doses(ctx, principal(ctx), in.PatientID, in.From, in.To)
	out := &dosesOutput{}
	out.Body.Doses = orEmpty(ds)
	return out, err
}

type missedDosesInput struct {
	Since time.Time `query:"since" doc:"Doses due at or after this instant (default a week ago, at most 31 days)"`
	Limit int       `query:"limit" minimum:"0" maximum:"500" doc:"At most this many, newest first (default 100)"`
}

type missedDosesOutput struct {
	Body struct {
		Doses []medications.MissedDose `json:"doses"`
	}
}

func (s *Server) missedDoses(ctx context.Context, in *missedDosesInput) (*missedDosesOutput, error) {
	ds, err := s.Medications.Missed(ctx, principal(ctx), in.Since, in.Limit)
	out := &missedDosesOutput{}
	out.Body.Doses = orEmpty(ds)
	return out, err
}

type medicationBody struct {
	PatientID string `json:"patientId" doc:"Whose medicine"`
	medications.Input
}

type createMedicationInput struct {
	Body medicationBody
}

type medicationOutput struct{ Body medications.Medication }

func (s *Server) createMedication(ctx context.Context, in *createMedicationInput) (*medicationOutput, error) {
	m, err := s.Medications.Create(ctx, principal(ctx), in.Body.PatientID, in.Body.Input)
	s.auditRefusal(ctx, "medication.create", in.Body.PatientID, "medications", err)
	return &medicationOutput{Body: m}, err
}

type updateMedicationInput struct {
	MedicationID string `path:"medicationId"`
	Body         medicationBody
}

func (s *Server) updateMedication(ctx context.Context, in *updateMedicationInput) (*medicationOutput, error) {
	m, err := s.Medications.Update(ctx, principal(ctx), in.Body.PatientID, in.MedicationID, in.Body.Input)
	s.auditRefusal(ctx, "medication.update", in.Body.PatientID, "medications/"+in.MedicationID, err)
	return &medicationOutput{Body: m}, err
}

type stopMedicationInput struct {
	MedicationID string `path:"medicationId"`
	Body         patientRef
}

func (s *Server) stopMedication(ctx context.Context, in *stopMedicationInput) (*struct{}, error) {
	err := s.Medications.Stop(ctx, principal(ctx), in.Body.PatientID, in.MedicationID)
	s.auditRefusal(ctx, "medication.stop", in.Body.PatientID, "medications/"+in.MedicationID, err)
	return nil, err
}

type recordDoseInput struct {
	MedicationID string `path:"medicationId"`
	Body         struct {
		PatientID string    `json:"patientId"`
		DueAt     time.Time `json:"dueAt" doc:"The dose's time, as listed"`
		Status    string    `json:"status" enum:"taken,skipped"`
		TakenAt   time.Time `json:"takenAt,omitzero" doc:"When it was taken (default now); only with taken"`
		Note      string    `json:"note,omitempty" maxLength:"500"`
	}
}

type doseOutput struct{ Body medications.Dose }

func (s *Server) recordDose(ctx context.Context, in *recordDoseInput) (*doseOutput, error) {
	b := in.Body
	d, err := s.Medications.RecordDose(ctx, principal(ctx), b.PatientID, medications.Record{MedicationID: in.MedicationID,
		DueAt: b.DueAt, Status: medications.DoseStatus(b.Status), TakenAt: b.TakenAt, Note: b.Note})
	s.auditRefusal(ctx, "medication_dose.record", b.PatientID, "medications/"+in.MedicationID, err)
	return &doseOutput{Body: d}, err
}
