package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tend-health/tend/internal/people"
)

// rule says who may call a route.
type rule struct {
	public  bool          // no sign-in needed
	roles   []people.Role // one of these roles; none = any signed-in user
	patient bool          // touches the data of the patient in {patientId}: audited
	audit   bool          // an administrative action: audited
	device  bool          // a device signed in with its credential may call it too
}

var (
	public    = rule{public: true}
	signedIn  = rule{}
	adminOnly = rule{roles: []people.Role{people.Admin}, audit: true}
	patientOp = rule{patient: true}
)

// Route is a registered route and its rule, for tests over the route table.
type Route struct {
	Method, Path, OperationID string
	Public, Patient, Audited  bool
	Device                    bool
	Roles                     []people.Role
}

// Routes lists every API route with its rule.
func (s *Server) Routes() []Route {
	var out []Route
	for path, item := range s.api.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put,
			"PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			rl, _ := op.Metadata["rule"].(rule)
			out = append(out, Route{Method: method, Path: path, OperationID: op.OperationID, Public: rl.public,
				Patient: rl.patient, Audited: rl.patient || rl.audit, Roles: rl.roles, Device: rl.device})
		}
	}
	return out
}

// bulk marks a route that takes large batches: a bigger body limit, and no
// schema validation of the body by huma, since the service checks every
// item itself and answers item by item.
func bulk(op *huma.Operation) {
	op.MaxBodyBytes = 16 << 20
	op.SkipValidateBody = true
}

// route registers one operation with its rule.
func route[I, O any](s *Server, method, path, id, summary string, status int, rl rule, h func(context.Context, *I) (*O, error),
	opts ...func(*huma.Operation)) {
	op := huma.Operation{
		OperationID: id, Method: method, Path: path, Summary: summary, DefaultStatus: status,
		Metadata: map[string]any{"rule": rl},
	}
	for _, o := range opts {
		o(&op)
	}
	if !rl.public {
		op.Security = []map[string][]string{{"session": {}}, {"token": {}}}
	}
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return out, nil
	})
}

// routes is the whole API surface.
func (s *Server) routes() {
	const v1 = "/api/v1"
	// Signing in and out.
	route(s, http.MethodPost, v1+"/auth/login", "auth.login", "Sign in with email and password", 200, public, s.login)
	route(s, http.MethodPost, v1+"/auth/logout", "auth.logout", "Sign out, ending the session", 204, signedIn, s.logout)

	// The caller's own account.
	route(s, http.MethodGet, v1+"/me", "me.read", "Who am I", 200, signedIn, s.me)
	route(s, http.MethodPost, v1+"/me/password", "me.password", "Change my password", 204, signedIn, s.changePassword)
	route(s, http.MethodGet, v1+"/me/tokens", "tokens.list", "List my API tokens", 200, signedIn, s.listTokens)
	route(s, http.MethodPost, v1+"/me/tokens", "tokens.create", "Create an API token (shown once)", 201, signedIn, s.createToken)
	route(s, http.MethodDelete, v1+"/me/tokens/{tokenId}", "tokens.revoke", "Revoke one of my API tokens", 204, signedIn, s.revokeToken)

	// Administration of users.
	route(s, http.MethodGet, v1+"/users", "users.list", "List users", 200, adminOnly, s.listUsers)
	route(s, http.MethodPost, v1+"/users", "users.create", "Add a user", 201, adminOnly, s.createUser)
	route(s, http.MethodGet, v1+"/users/{userId}", "users.read", "Read a user", 200, adminOnly, s.getUser)
	route(s, http.MethodPatch, v1+"/users/{userId}", "users.update", "Change a user's name, roles, profile or password, or disable them", 200, adminOnly, s.updateUser)
	route(s, http.MethodGet, v1+"/audit", "audit.list", "Read the audit log", 200, adminOnly, s.listAudit)

	// Patients, and who may see them.
	route(s, http.MethodGet, v1+"/patients", "patients.list", "The patients I may see", 200, rule{audit: true}, s.listPatients)
	route(s, http.MethodGet, v1+"/dashboard", "dashboard.read", "Every patient I may see at a glance, worst first: latest vitals, last reading, "+
		"open alerts, missed measurements today and NEWS2, each as far as my grant from the patient allows", 200, rule{audit: true}, s.dashboard)
	route(s, http.MethodGet, v1+"/patients/{patientId}", "patients.read", "A patient I may see", 200, patientOp, s.getPatient)
	route(s, http.MethodGet, v1+"/patients/{patientId}/overview", "patients.overview", "What a patient's page first shows, in one answer: the patient, the latest readings and the first chart", 200, patientOp, s.patientOverview)
	route(s, http.MethodGet, v1+"/patients/{patientId}/grants", "grants.list", "Who has access to the patient", 200, patientOp, s.listGrants)
	route(s, http.MethodPost, v1+"/patients/{patientId}/grants", "grants.create", "Share the patient's data (by the patient)", 201, patientOp, s.createGrant)
	route(s, http.MethodDelete, v1+"/patients/{patientId}/grants/{grantId}", "grants.revoke", "Revoke a grant", 204, patientOp, s.revokeGrant)
	route(s, http.MethodPost, v1+"/patients/{patientId}/care-team", "careteam.assign", "Put a nurse or doctor on the patient's care team", 201,
		rule{roles: []people.Role{people.Admin}, patient: true}, s.assignCare)
	route(s, http.MethodGet, v1+"/patients/{patientId}/access-log", "accesslog.list", "Who accessed the patient's data (for the patient)", 200, patientOp, s.accessLog)

	// The FHIR R4 door (fhir.go): Observations in and out, errors as OperationOutcomes.
	s.mux.HandleFunc("GET /fhir/metadata", s.fhirMetadata)
	s.mux.HandleFunc("POST /fhir/Observation", s.fhirCreate)
	s.mux.HandleFunc("GET /fhir/Observation", s.fhirSearch)
	s.mux.HandleFunc("POST /fhir/Observation/_search", s.fhirSearch)
	s.mux.HandleFunc("GET /fhir/Observation/{id}", s.fhirRead)
	s.mux.HandleFunc("POST /fhir", s.fhirBundle)
	s.mux.HandleFunc("POST /fhir/{$}", s.fhirBundle)
	s.mux.HandleFunc("/fhir", s.fhirUnknown)
	s.mux.HandleFunc("/fhir/", s.fhirUnknown)

	// Devices: the register, for administrators; a patient's devices for those who may see them.
	route(s, http.MethodGet, v1+"/devices", "devices.list", "List devices", 200, adminOnly, s.listDevices)
	route(s, http.MethodPost, v1+"/devices", "devices.create", "Register a device (its credential is shown once)", 201, adminOnly, s.createDevice)
	route(s, http.MethodGet, v1+"/devices/{deviceId}", "devices.read", "A device, with its refusal counts", 200, adminOnly, s.getDevice)
	route(s, http.MethodPatch, v1+"/devices/{deviceId}", "devices.update", "Enable or disable a device", 200, adminOnly, s.updateDevice)
	route(s, http.MethodPost, v1+"/devices/{deviceId}/credential", "devices.rotate", "Give a device a new credential (shown once)", 200, adminOnly, s.rotateCredential)
	route(s, http.MethodPut, v1+"/devices/{deviceId}/assignment", "devices.assign", "Assign a device to a patient", 200, adminOnly, s.assignDevice)
	route(s, http.MethodDelete, v1+"/devices/{deviceId}/assignment", "devices.unassign", "Take a device from its patient", 200, adminOnly, s.unassignDevice)
	route(s, http.MethodGet, v1+"/devices/{deviceId}/history", "devices.history", "Whom a device was assigned to, and when", 200, adminOnly, s.deviceHistory)
	route(s, http.MethodGet, v1+"/patients/{patientId}/devices", "patientdevices.list", "The patient's devices", 200, patientOp, s.patientDevices)

	// Readings: devices and gateways send them; people enter, read, chart and correct them.
	route(s, http.MethodGet, v1+"/measurement-types", "measure.types", "The measurement types, their codes and units", 200, signedIn, s.measurementTypes)
	route(s, http.MethodPost, v1+"/readings", "readings.ingest", "A device or gateway sends a batch of readings", 200,
		rule{device: true}, s.ingestReadings, bulk)
	route(s, http.MethodPost, v1+"/devices/{deviceId}/gatt", "readings.gatt", "A phone relays raw Bluetooth characteristic values", 200,
		rule{device: true}, s.ingestGATT, bulk)
	route(s, http.MethodGet, v1+"/patients/{patientId}/readings", "readings.list", "The patient's readings", 200, patientOp, s.listReadings)
	route(s, http.MethodPost, v1+"/patients/{patientId}/readings", "readings.enter", "Enter readings by hand", 200, patientOp, s.enterReadings, bulk)
	route(s, http.MethodGet, v1+"/patients/{patientId}/readings/latest", "readings.latest", "The newest reading of each type the patient has", 200, patientOp, s.latestReadings)
	route(s, http.MethodGet, v1+"/patients/{patientId}/readings/buckets", "readings.buckets", "A type's readings summarised for a chart", 200, patientOp, s.readingBuckets)
	route(s, http.MethodGet, v1+"/patients/{patientId}/readings/{readingId}", "readings.read", "One reading", 200, patientOp, s.getReading)
	route(s, http.MethodPost, v1+"/patients/{patientId}/readings/{readingId}/entered-in-error", "readings.correct",
		"Mark a reading entered in error (it is kept, never deleted)", 200, patientOp, s.correctReading)
	route(s, http.MethodGet, v1+"/patients/{patientId}/journal", "journal.list", "The patient's journal", 200, patientOp, s.listJournal)
	route(s, http.MethodPost, v1+"/patients/{patientId}/journal", "journal.add", "Add to the journal: food, medication taken, a symptom, a note", 201, patientOp, s.addJournal)
	route(s, http.MethodPost, v1+"/patients/{patientId}/journal/{entryId}/entered-in-error", "journal.correct", "Mark a journal entry entered in error", 200, patientOp, s.correctJournal)

	// Summaries and exports: what a clinician reads at a glance, what a patient takes to an appointment.
	route(s, http.MethodGet, v1+"/patients/{patientId}/summaries", "summaries.read", "Home blood pressure, glucose time in range and profile, and weight trend over a period", 200, patientOp, s.getSummaries)
	route(s, http.MethodGet, v1+"/patients/{patientId}/readings.csv", "readings.export", "The patient's readings as CSV (RFC 4180), streamed", 200, patientOp, s.exportReadings,
		fileResponse("text/csv", "One row per reading, oldest first, after a header row"))
	route(s, http.MethodGet, v1+"/patients/{patientId}/report.pdf", "summaries.report", "The summaries and their charts as a PDF report to take to an appointment", 200, patientOp, s.report,
		fileResponse("application/pdf", "An A4 PDF report"))

	// Appointments: availability, booking, calendars.
	pros := []people.Role{people.Nurse, people.Doctor}
	hours := rule{roles: []people.Role{people.Nurse, people.Doctor, people.Admin}, audit: true}
	route(s, http.MethodGet, v1+"/professionals/{userId}/availability", "availability.read", "A nurse's or doctor's bookable hours and exceptions", 200, signedIn, s.getAvailability)
	route(s, http.MethodPut, v1+"/professionals/{userId}/availability", "availability.set", "Publish weekly hours, time zone and slot length (the professional or an administrator)", 200, hours, s.setAvailability)
	route(s, http.MethodPost, v1+"/professionals/{userId}/availability/exceptions", "availability.exceptions.add", "Add days off or a date with extra hours", 201, hours, s.addException)
	route(s, http.MethodDelete, v1+"/professionals/{userId}/availability/exceptions/{exceptionId}", "availability.exceptions.remove", "Remove days off or extra hours (bookings stay)", 204, hours, s.removeException)
	route(s, http.MethodGet, v1+"/professionals/{userId}/slots", "slots.list", "A professional's open slots", 200, signedIn, s.listSlots)
	route(s, http.MethodGet, v1+"/patients/{patientId}/professionals", "professionals.list", "The nurses and doctors the patient can book", 200, patientOp, s.listProfessionals)
	route(s, http.MethodGet, v1+"/patients/{patientId}/appointments", "appointments.list", "The patient's appointments", 200, patientOp, s.listPatientAppointments)
	route(s, http.MethodGet, v1+"/patients/{patientId}/appointments/{appointmentId}", "appointments.read", "One of the patient's appointments", 200, patientOp, s.getAppointment)
	route(s, http.MethodGet, v1+"/patients/{patientId}/appointments/{appointmentId}/history", "appointments.history", "The bookings an appointment was moved through, oldest first", 200, patientOp, s.appointmentHistory)
	// Changes are audited by the service, with the patient they concern.
	route(s, http.MethodPost, v1+"/appointments", "appointments.book", "Book an open slot for a patient, with a reason", 201, signedIn, s.bookAppointment)
	route(s, http.MethodPost, v1+"/appointments/{appointmentId}/cancel", "appointments.cancel", "Cancel an appointment, with a reason", 200, signedIn, s.cancelAppointment)
	route(s, http.MethodPost, v1+"/appointments/{appointmentId}/reschedule", "appointments.reschedule", "Move an appointment to another open slot (a new booking replaces it)", 201, signedIn, s.rescheduleAppointment)
	route(s, http.MethodPost, v1+"/appointments/{appointmentId}/done", "appointments.done", "Record that an appointment took place (its professional)", 200, signedIn, s.markAppointmentDone)
	route(s, http.MethodGet, v1+"/me/appointments", "appointments.mine", "My calendar as a nurse or doctor: a day, a week, or a range", 200, rule{roles: pros, audit: true}, s.myAppointments)
	route(s, http.MethodGet, v1+"/me/calendar-feed", "calendarfeed.read", "Whether my private calendar feed is on", 200, signedIn, s.calendarFeedStatus)
	route(s, http.MethodPost, v1+"/me/calendar-feed", "calendarfeed.reset", "Turn on my private calendar feed, or give it a new secret address (shown once)", 200, signedIn, s.resetCalendarFeed)
	route(s, http.MethodDelete, v1+"/me/calendar-feed", "calendarfeed.disable", "Turn off my private calendar feed", 204, signedIn, s.disableCalendarFeed)
	s.mux.HandleFunc("GET /calendar/{file}", s.calendarFeed) // {secret}.ics, for calendar programs (RFC 5545)

	// Monitoring: schedules, alert rules, alerts, NEWS2, medications.
	// Reads are under the patient; changes name the patient in their body, and
	// the services audit them with it (the door audits what they refuse).
	route(s, http.MethodGet, v1+"/patients/{patientId}/schedules", "schedules.list", "The patient's measurement schedules", 200, patientOp, s.listSchedules)
	route(s, http.MethodGet, v1+"/patients/{patientId}/due-today", "schedules.due", "The measurements due today on the patient's clock, with where each stands", 200, patientOp, s.dueToday)
	route(s, http.MethodPost, v1+"/schedules", "schedules.create", "Ask a patient to measure something at set times (a nurse or doctor)", 201, signedIn, s.createSchedule)
	route(s, http.MethodPut, v1+"/schedules/{scheduleId}", "schedules.update", "Change a schedule's times and windows", 200, signedIn, s.updateSchedule)
	route(s, http.MethodPost, v1+"/schedules/{scheduleId}/stop", "schedules.stop", "Stop a schedule: nothing more is due from it", 204, signedIn, s.stopSchedule)
	route(s, http.MethodGet, v1+"/patients/{patientId}/alert-rules", "alertrules.list", "The alert rules that apply to the patient: defaults with the patient's changes", 200, patientOp, s.listRules)
	route(s, http.MethodPatch, v1+"/alert-rules/{ruleKey}", "alertrules.set", "Change a rule for one patient: thresholds, readings in a row, severity, on or off", 200, signedIn, s.setRule)
	route(s, http.MethodPost, v1+"/alert-rules/{ruleKey}/reset", "alertrules.reset", "Return a patient's rule to the default", 204, signedIn, s.resetRule)
	route(s, http.MethodGet, v1+"/patients/{patientId}/news2", "news2.read", "The patient's NEWS2 from their latest vitals", 200, patientOp, s.latestNEWS2)
	route(s, http.MethodGet, v1+"/patients/{patientId}/news2/settings", "news2.settings.read", "The patient's SpO2 scale and standing air or oxygen", 200, patientOp, s.news2Settings)
	route(s, http.MethodPut, v1+"/news2/settings", "news2.settings.set", "Set a patient's SpO2 scale and standing air or oxygen", 200, signedIn, s.setNEWS2Settings)
	route(s, http.MethodPost, v1+"/news2/observations", "news2.observe", "Record consciousness and air or oxygen for a patient; answers the new score", 200, signedIn, s.recordObservation)
	route(s, http.MethodGet, v1+"/alerts", "alerts.inbox", "Alerts of every patient whose alerts I may see, newest first", 200, rule{audit: true}, s.alertInbox)
	route(s, http.MethodGet, v1+"/patients/{patientId}/alerts", "alerts.list", "The patient's alerts, newest first", 200, patientOp, s.listPatientAlerts)
	route(s, http.MethodGet, v1+"/patients/{patientId}/alerts/{alertId}", "alerts.read", "One of the patient's alerts, with its history", 200, patientOp, s.getAlert)
	route(s, http.MethodPost, v1+"/alerts/{alertId}/acknowledge", "alerts.acknowledge", "Say I am dealing with an open alert (a nurse or doctor); it stops escalating", 200, signedIn, s.acknowledgeAlert)
	route(s, http.MethodPost, v1+"/alerts/{alertId}/resolve", "alerts.resolve", "Close an alert, saying what was done (a nurse or doctor)", 200, signedIn, s.resolveAlert)
	route(s, http.MethodPost, v1+"/alerts/{alertId}/comments", "alerts.comment", "Add a comment to an alert's history", 200, signedIn, s.commentAlert)
	route(s, http.MethodGet, v1+"/patients/{patientId}/escalation-chain", "escalation.read", "Who hears of the patient's alerts, in order", 200, patientOp, s.escalationChain)
	route(s, http.MethodPut, v1+"/escalation-chain", "escalation.set", "Write a patient's escalation chain; no steps returns to the care team's default", 200, signedIn, s.setEscalationChain)
	route(s, http.MethodGet, v1+"/patients/{patientId}/medications", "medications.list", "The patient's medicines", 200, patientOp, s.listMedications)
	route(s, http.MethodGet, v1+"/patients/{patientId}/medications/today", "medications.today", "Today's doses on the patient's clock: the checklist", 200, patientOp, s.medicationsToday)
	route(s, http.MethodGet, v1+"/patients/{patientId}/medications/doses", "medications.doses", "The patient's doses in a range, with what was recorded or missed", 200, patientOp, s.listDoses)
	route(s, http.MethodPost, v1+"/medications", "medications.create", "Add a medicine for a patient (the patient, or a nurse or doctor)", 201, signedIn, s.createMedication)
	route(s, http.MethodPut, v1+"/medications/{medicationId}", "medications.update", "Rewrite a medicine; doses from now on follow it", 200, signedIn, s.updateMedication)
	route(s, http.MethodPost, v1+"/medications/{medicationId}/stop", "medications.stop", "Stop a medicine; it stays in the record", 204, signedIn, s.stopMedication)
	route(s, http.MethodPost, v1+"/medications/{medicationId}/doses", "medications.record", "Record a dose taken or skipped; it is also written in the patient's journal", 200, signedIn, s.recordDose)
	route(s, http.MethodGet, v1+"/missed-doses", "medications.missed", "Doses missed and still unrecorded, by every patient whose medicines I may see, newest first", 200, rule{audit: true}, s.missedDoses)

	// Notifications: the inbox and preferences.
	route(s, http.MethodGet, v1+"/me/notifications", "notifications.list", "My notifications, newest first, and how many are unread", 200, signedIn, s.inbox)
	route(s, http.MethodPost, v1+"/me/notifications/{notificationId}/read", "notifications.markread", "Mark one of my notifications read", 204, signedIn, s.markNotificationRead)
	route(s, http.MethodPost, v1+"/me/notifications/read-all", "notifications.markallread", "Mark all my notifications read", 204, signedIn, s.markAllNotificationsRead)
	route(s, http.MethodGet, v1+"/me/notification-preferences", "notifications.preferences.read", "Which notifications also reach me by email, and my quiet hours", 200, signedIn, s.notificationPreferences)
	route(s, http.MethodPut, v1+"/me/notification-preferences", "notifications.preferences.set", "Choose which notifications also reach me by email, and quiet hours", 200, signedIn, s.setNotificationPreferences)
	route(s, http.MethodGet, v1+"/webhooks", "webhooks.list", "The webhooks events are sent to", 200, adminOnly, s.listWebhooks)
	route(s, http.MethodPost, v1+"/webhooks", "webhooks.add", "Send events to an integration's address (its secret is shown once)", 201, adminOnly, s.addWebhook)
	route(s, http.MethodDelete, v1+"/webhooks/{webhookId}", "webhooks.remove", "Stop sending to a webhook", 204, adminOnly, s.removeWebhook)
}
