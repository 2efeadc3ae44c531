package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tend-health/tend/internal/appointments"
	"github.com/tend-health/tend/internal/errs"
)

// Availability: a professional's weekly hours and exceptions.

type professionalInput struct {
	UserID string `path:"userId" doc:"The nurse or doctor"`
}

type availabilityOutput struct{ Body appointments.Availability }

func (s *Server) getAvailability(ctx context.Context, in *professionalInput) (*availabilityOutput, error) {
	a, err := s.Appointments.Availability(ctx, principal(ctx), in.UserID)
	return &availabilityOutput{Body: a}, err
}

type setAvailabilityInput struct {
	UserID string `path:"userId"`
	Body   appointments.NewAvailability
}

func (s *Server) setAvailability(ctx context.Context, in *setAvailabilityInput) (*availabilityOutput, error) {
	a, err := s.Appointments.SetAvailability(ctx, principal(ctx), in.UserID, in.Body)
	return &availabilityOutput{Body: a}, err
}

type addExceptionInput struct {
	UserID string `path:"userId"`
	Body   appointments.NewException
}

type exceptionOutput struct{ Body appointments.Exception }

func (s *Server) addException(ctx context.Context, in *addExceptionInput) (*exceptionOutput, error) {
	e, err := s.Appointments.AddException(ctx, principal(ctx), in.UserID, in.Body)
	return &exceptionOutput{Body: e}, err
}

type exceptionIDInput struct {
	UserID      string `path:"userId"`
	ExceptionID string `path:"exceptionId"`
}

func (s *Server) removeException(ctx context.Context, in *exceptionIDInput) (*struct{}, error) {
	return nil, s.Appointments.RemoveException(ctx, principal(ctx), in.UserID, in.ExceptionID)
}

// Slots and whom a patient can book.

type slotsInput struct {
	UserID    string    `path:"userId" doc:"The nurse or doctor"`
	From      time.Time `query:"from" required:"true" doc:"Slots that start at or after this instant"`
	To        time.Time `query:"to" required:"true" doc:"… and before this one"`
	PatientID string    `query:"patientId" doc:"Booking for this patient: the professional must be one the patient can book, and each slot is also shown on the patient's wall clock"`
}

// slot is an open slot, with the patient's wall clock when the caller
// books for a patient.
type slot struct {
	appointments.Slot
	PatientTime *appointments.LocalSpan `json:"patientTime,omitempty" doc:"The slot on the patient's wall clock, when patientId was given"`
}

type slotsOutput struct {
	Body struct {
		Slots []slot `json:"slots"`
	}
}

func (s *Server) listSlots(ctx context.Context, in *slotsInput) (*slotsOutput, error) {
	p := principal(ctx)
	patientZone := ""
	if in.PatientID != "" {
		pros, err := s.Appointments.Professionals(ctx, p, in.PatientID)
		if err != nil {
			return nil, err
		}
		found := false
		for _, pro := range pros {
			found = found || pro.ID == in.UserID
		}
		if !found {
			return nil, errs.NotFoundf("professional %s is not one patient %s can book", in.UserID, in.PatientID)
		}
		patientZone = s.Appointments.ZoneOf(ctx, in.PatientID)
	}
	slots, err := s.Appointments.OpenSlots(ctx, p, in.UserID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	out := &slotsOutput{}
	out.Body.Slots = make([]slot, len(slots))
	for i, sl := range slots {
		out.Body.Slots[i].Slot = sl
		if patientZone != "" {
			span := sl.In(patientZone)
			out.Body.Slots[i].PatientTime = &span
		}
	}
	return out, nil
}

type professionalsOutput struct {
	Body struct {
		Professionals []appointments.Professional `json:"professionals"`
	}
}

func (s *Server) listProfessionals(ctx context.Context, in *patientInput) (*professionalsOutput, error) {
	ps, err := s.Appointments.Professionals(ctx, principal(ctx), in.PatientID)
	out := &professionalsOutput{}
	out.Body.Professionals = ps
	return out, err
}

// Booking and changing bookings. The service audits these itself.

type bookInput struct {
	Body appointments.NewBooking
}

type appointmentOutput struct{ Body appointments.Appointment }

func (s *Server) bookAppointment(ctx context.Context, in *bookInput) (*appointmentOutput, error) {
	a, err := s.Appointments.Book(ctx, principal(ctx), in.Body)
	return &appointmentOutput{Body: a}, err
}

type cancelInput struct {
	AppointmentID string `path:"appointmentId"`
	Body          struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why; the other side sees it in the appointment, not in notifications"`
	}
}

func (s *Server) cancelAppointment(ctx context.Context, in *cancelInput) (*appointmentOutput, error) {
	a, err := s.Appointments.Cancel(ctx, principal(ctx), in.AppointmentID, in.Body.Reason)
	return &appointmentOutput{Body: a}, err
}

type rescheduleInput struct {
	AppointmentID string `path:"appointmentId"`
	Body          appointments.NewTime
}

func (s *Server) rescheduleAppointment(ctx context.Context, in *rescheduleInput) (*appointmentOutput, error) {
	a, err := s.Appointments.Reschedule(ctx, principal(ctx), in.AppointmentID, in.Body)
	return &appointmentOutput{Body: a}, err
}

type appointmentIDInput struct {
	AppointmentID string `path:"appointmentId"`
}

func (s *Server) markAppointmentDone(ctx context.Context, in *appointmentIDInput) (*appointmentOutput, error) {
	a, err := s.Appointments.MarkDone(ctx, principal(ctx), in.AppointmentID)
	return &appointmentOutput{Body: a}, err
}

// Reading appointments.

type patientAppointmentsInput struct {
	PatientID string    `path:"patientId"`
	From      time.Time `query:"from" required:"true" doc:"Appointments that end after this instant"`
	To        time.Time `query:"to" required:"true" doc:"… and start before this one"`
}

type appointmentsOutput struct {
	Body struct {
		Appointments []appointments.Appointment `json:"appointments"`
	}
}

func (s *Server) listPatientAppointments(ctx context.Context, in *patientAppointmentsInput) (*appointmentsOutput, error) {
	as, err := s.Appointments.ForPatient(ctx, principal(ctx), in.PatientID, in.From, in.To)
	out := &appointmentsOutput{}
	out.Body.Appointments = as
	return out, err
}

type patientAppointmentInput struct {
	PatientID     string `path:"patientId"`
	AppointmentID string `path:"appointmentId"`
}

// notTheirs answers for an appointment of another patient as for one that
// does not exist.
func notTheirs(in *patientAppointmentInput) error {
	return errs.NotFoundf("no appointment %s of patient %s, or you may not see it", in.AppointmentID, in.PatientID)
}

func (s *Server) getAppointment(ctx context.Context, in *patientAppointmentInput) (*appointmentOutput, error) {
	a, err := s.Appointments.Get(ctx, principal(ctx), in.AppointmentID)
	if err == nil && a.PatientID != in.PatientID {
		return nil, notTheirs(in)
	}
	return &appointmentOutput{Body: a}, err
}

func (s *Server) appointmentHistory(ctx context.Context, in *patientAppointmentInput) (*appointmentsOutput, error) {
	as, err := s.Appointments.History(ctx, principal(ctx), in.AppointmentID)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 || as[0].PatientID != in.PatientID {
		return nil, notTheirs(in)
	}
	out := &appointmentsOutput{}
	out.Body.Appointments = as
	return out, nil
}

type calendarInput struct {
	From     time.Time `query:"from" doc:"With to: appointments that overlap [from, to)"`
	To       time.Time `query:"to"`
	Date     string    `query:"date" doc:"Instead of from and to: the local day, or the week (Monday to Sunday) that holds it, as YYYY-MM-DD" example:"2026-03-09"`
	View     string    `query:"view" enum:"day,week" default:"week" doc:"With date: a day or a week"`
	TimeZone string    `query:"timeZone" doc:"With date: the IANA zone the date is read in; by default the one the professional's hours are in" example:"Europe/Oslo"`
}

type calendarOutput struct {
	Body struct {
		From         time.Time                  `json:"from"`
		To           time.Time                  `json:"to"`
		TimeZone     string                     `json:"timeZone" doc:"The zone a date was read in; empty for from and to"`
		Appointments []appointments.Appointment `json:"appointments"`
	}
}

func (s *Server) myAppointments(ctx context.Context, in *calendarInput) (*calendarOutput, error) {
	p := principal(ctx)
	out := &calendarOutput{}
	from, to := in.From, in.To
	switch {
	case in.Date != "":
		zone := strings.TrimSpace(in.TimeZone)
		if zone == "" {
			zone = s.Appointments.ZoneOf(ctx, p.UserID)
		} else if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
			return nil, errs.Field("timeZone", "%q is not a time zone: use an IANA name such as Europe/Oslo", zone)
		}
		rangeOf := appointments.WeekRange
		if in.View == "day" {
			rangeOf = appointments.DayRange
		}
		var err error
		if from, to, err = rangeOf(in.Date, zone); err != nil {
			return nil, err
		}
		out.Body.TimeZone = zone
	case from.IsZero() && to.IsZero():
		return nil, errs.Field("date", "give a date (with view day or week), or from and to")
	}
	as, err := s.Appointments.ForProfessional(ctx, p, from, to)
	out.Body.From, out.Body.To, out.Body.Appointments = from, to, as
	return out, err
}

// The private iCalendar feed.

type feedStatusOutput struct {
	Body struct {
		Enabled bool `json:"enabled" doc:"Whether a secret feed address exists; the address itself is shown only when made"`
	}
}

func (s *Server) calendarFeedStatus(ctx context.Context, _ *struct{}) (*feedStatusOutput, error) {
	on, err := s.Appointments.HasFeed(ctx, principal(ctx))
	out := &feedStatusOutput{}
	out.Body.Enabled = on
	return out, err
}

// feedResetInput remembers the address the caller used, to build the
// subscription URL when no public base URL is configured.
type feedResetInput struct {
	host, proto string
	tls         bool
}

func (in *feedResetInput) Resolve(ctx huma.Context) []error {
	in.host, in.proto, in.tls = ctx.Host(), ctx.Header("X-Forwarded-Proto"), ctx.TLS() != nil
	return nil
}

type feedOutput struct {
	Body struct {
		URL  string `json:"url" doc:"The secret address for calendar programs; shown this once. Anyone who has it sees the calendar: reset it if it leaks"`
		Path string `json:"path" doc:"The same address without scheme and host"`
	}
}

func (s *Server) resetCalendarFeed(ctx context.Context, in *feedResetInput) (*feedOutput, error) {
	token, err := s.Appointments.ResetFeed(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := &feedOutput{}
	out.Body.Path = "/calendar/" + token + ".ics"
	base := strings.TrimRight(s.Appointments.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if in.tls || (s.TrustProxy && strings.EqualFold(in.proto, "https")) {
			scheme = "https"
		}
		base = scheme + "://" + in.host
	}
	out.Body.URL = base + out.Body.Path
	return out, nil
}

func (s *Server) disableCalendarFeed(ctx context.Context, _ *struct{}) (*struct{}, error) {
	return nil, s.Appointments.DisableFeed(ctx, principal(ctx))
}

// calendarFeed serves GET /calendar/{token}.ics to calendar programs, which
// sign in with nothing but the secret in the address.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || token == "" {
		writeProblem(w, http.StatusNotFound, "no such calendar feed: its address ends in .ics")
		return
	}
	data, err := s.Appointments.Feed(r.Context(), token)
	if err != nil {
		status := statusOf[errs.KindOf(err)]
		detail := err.Error()
		if status == http.StatusInternalServerError {
			id := requestID(r.Context())
			s.Log.ErrorContext(r.Context(), "calendar feed failed", "request_id", id, "err", err)
			detail = "something went wrong on our side; request id " + id
		}
		writeProblem(w, status, detail)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store") // it names patients
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="tend.ics"`)
	w.Write(data)
}
