package appointments

import (
	"fmt"
	"sync"
	"time"
)

// Kind says how a visit takes place.
type Kind string

// The kinds of visit.
const (
	InPerson Kind = "in_person"
	Video    Kind = "video"
)

func (k Kind) valid() bool { return k == InPerson || k == Video }

// Status is where an appointment stands.
type Status string

// The statuses. A rescheduled appointment is Cancelled with RescheduledTo set.
const (
	Booked    Status = "booked"
	Cancelled Status = "cancelled"
	Done      Status = "done"
)

// Availability is when a professional can be booked.
type Availability struct {
	ProfessionalID string        `json:"professionalId"`
	TimeZone       string        `json:"timeZone" doc:"IANA time zone the hours are written in" example:"Europe/Oslo"`
	SlotMinutes    int           `json:"slotMinutes" doc:"Default slot length in minutes"`
	Weekly         []WeeklyHours `json:"weekly"`
	Exceptions     []Exception   `json:"exceptions" doc:"Days off and extra hours from today on"`
	UpdatedAt      time.Time     `json:"updatedAt"`
}

// NewAvailability replaces a professional's zone, slot length and weekly
// hours. Exceptions are kept and changed on their own.
type NewAvailability struct {
	TimeZone    string        `json:"timeZone" doc:"IANA time zone" example:"Europe/Oslo"`
	SlotMinutes int           `json:"slotMinutes" minimum:"5" maximum:"480" example:"20"`
	Weekly      []WeeklyHours `json:"weekly"`
}

// WeeklyHours is a block of hours that comes back every week.
type WeeklyHours struct {
	Weekday     string `json:"weekday" enum:"monday,tuesday,wednesday,thursday,friday,saturday,sunday"`
	Start       string `json:"start" doc:"Local time HH:MM" example:"09:00"`
	End         string `json:"end" doc:"Local time HH:MM, after start; 24:00 for midnight" example:"12:00"`
	Kind        Kind   `json:"kind" enum:"in_person,video"`
	SlotMinutes int    `json:"slotMinutes,omitempty" doc:"Slot length for this block; 0 uses the availability's"`
}

// ExceptionKind tells a day off from extra hours.
type ExceptionKind string

// The kinds of exception.
const (
	Off   ExceptionKind = "off"   // no weekly hours on these dates
	Extra ExceptionKind = "extra" // hours on one date, on top of the weekly ones
)

// Exception changes the weekly hours on some dates. Extra hours are offered
// even on a day off, so a professional on leave can still open an afternoon.
type Exception struct {
	ID          string        `json:"id"`
	Kind        ExceptionKind `json:"kind" enum:"off,extra"`
	From        string        `json:"from" doc:"First local date, YYYY-MM-DD"`
	To          string        `json:"to" doc:"Last local date, inclusive; the same as from for extra hours"`
	Start       string        `json:"start,omitempty" doc:"Extra hours only: local HH:MM"`
	End         string        `json:"end,omitempty"`
	VisitKind   Kind          `json:"visitKind,omitempty" enum:"in_person,video,"`
	SlotMinutes int           `json:"slotMinutes,omitempty"`
	Note        string        `json:"note,omitempty"`
	CreatedAt   time.Time     `json:"createdAt"`
}

// NewException is a day-off range or a date with extra hours.
type NewException struct {
	Kind        ExceptionKind `json:"kind" enum:"off,extra"`
	From        string        `json:"from" doc:"First local date, YYYY-MM-DD" example:"2026-12-24"`
	To          string        `json:"to,omitempty" doc:"Last local date, inclusive; defaults to from"`
	Start       string        `json:"start,omitempty" doc:"Extra hours: local start HH:MM"`
	End         string        `json:"end,omitempty" doc:"Extra hours: local end HH:MM"`
	VisitKind   Kind          `json:"visitKind,omitempty" enum:"in_person,video,"`
	SlotMinutes int           `json:"slotMinutes,omitempty" doc:"Extra hours: slot length; 0 uses the availability's"`
	Note        string        `json:"note,omitempty" maxLength:"200"`
}

// Slot is an open time that can be booked.
type Slot struct {
	ProfessionalID   string    `json:"professionalId"`
	Start            time.Time `json:"start" doc:"UTC"`
	End              time.Time `json:"end" doc:"UTC"`
	Kind             Kind      `json:"kind" enum:"in_person,video"`
	ProfessionalTime LocalSpan `json:"professionalTime" doc:"The slot on the professional's wall clock"`
	ViewerTime       LocalSpan `json:"viewerTime" doc:"The slot on the wall clock of whoever asked"`
}

// In renders the slot in zone (an IANA name; UTC when unknown).
func (s Slot) In(zone string) LocalSpan { return Span(s.Start, s.End, zone) }

// Professional is a nurse or doctor a patient can book.
type Professional struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	TimeZone string   `json:"timeZone,omitempty"`
	// Bookable is false while the professional has published no hours.
	Bookable bool `json:"bookable"`
}

// NewBooking asks for an open slot.
type NewBooking struct {
	PatientID      string    `json:"patientId"`
	ProfessionalID string    `json:"professionalId"`
	Start          time.Time `json:"start" doc:"The slot's start, as OpenSlots gave it"`
	Kind           Kind      `json:"kind,omitempty" enum:"in_person,video," doc:"Needed only when two slots start at once"`
	Reason         string    `json:"reason" minLength:"1" maxLength:"500"`
}

// NewTime moves a booking to another open slot of the same professional.
type NewTime struct {
	Start  time.Time `json:"start"`
	Kind   Kind      `json:"kind,omitempty" enum:"in_person,video,"`
	Reason string    `json:"reason" minLength:"1" maxLength:"500" doc:"Why it moves"`
}

// Appointment is a booking, active or past.
type Appointment struct {
	ID               string     `json:"id"`
	ProfessionalID   string     `json:"professionalId"`
	ProfessionalName string     `json:"professionalName"`
	PatientID        string     `json:"patientId"`
	PatientName      string     `json:"patientName"`
	Kind             Kind       `json:"kind" enum:"in_person,video"`
	Status           Status     `json:"status" enum:"booked,cancelled,done"`
	Start            time.Time  `json:"start" doc:"UTC"`
	End              time.Time  `json:"end" doc:"UTC"`
	Reason           string     `json:"reason"`
	BookedBy         string     `json:"bookedBy"`
	BookedByName     string     `json:"bookedByName"`
	BookedAt         time.Time  `json:"bookedAt"`
	CancelledBy      string     `json:"cancelledBy,omitempty"`
	CancelledByName  string     `json:"cancelledByName,omitempty"`
	CancelledAt      *time.Time `json:"cancelledAt,omitempty"`
	CancelReason     string     `json:"cancelReason,omitempty"`
	DoneAt           *time.Time `json:"doneAt,omitempty"`
	RescheduledFrom  string     `json:"rescheduledFrom,omitempty" doc:"The booking this one replaced"`
	RescheduledTo    string     `json:"rescheduledTo,omitempty" doc:"The booking that replaced this one"`
	// JoinPath opens the video call of a video visit. Calls do not exist in
	// Tend yet; the path is reserved for them.
	JoinPath         string    `json:"joinPath,omitempty" example:"/calls/appointment/0193…"`
	ProfessionalTime LocalSpan `json:"professionalTime" doc:"On the professional's wall clock"`
	PatientTime      LocalSpan `json:"patientTime" doc:"On the patient's wall clock"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

// In renders the appointment's times in zone (an IANA name; UTC when unknown).
func (a Appointment) In(zone string) LocalSpan { return Span(a.Start, a.End, zone) }

// JoinPath is where the video call of appointment id will open.
func JoinPath(id string) string { return "/calls/appointment/" + id }

// Notification tells a patient or professional that an appointment changed.
type Notification struct {
	ID            string     `json:"id"`
	AppointmentID string     `json:"appointmentId"`
	RecipientID   string     `json:"recipientId"`
	Event         string     `json:"event" enum:"booked,cancelled,rescheduled"`
	ActorID       string     `json:"actorId"`
	Text          string     `json:"text" doc:"In the recipient's time zone; no reasons or other health details"`
	CreatedAt     time.Time  `json:"createdAt"`
	ReadAt        *time.Time `json:"readAt,omitempty"`
	DeliveredAt   *time.Time `json:"deliveredAt,omitempty"`
}

// The notification events.
const (
	EventBooked      = "booked"
	EventCancelled   = "cancelled"
	EventRescheduled = "rescheduled"
)

// Reminder is a reminder due to one recipient of one appointment.
type Reminder struct {
	AppointmentID string        `json:"appointmentId"`
	RecipientID   string        `json:"recipientId"`
	Offset        time.Duration `json:"-"`
	OffsetMinutes int           `json:"offsetMinutes" doc:"How long before the start this reminder is meant for"`
	Start         time.Time     `json:"start"`
	Kind          Kind          `json:"kind"`
	JoinPath      string        `json:"joinPath,omitempty"`
	Text          string        `json:"text" doc:"In the recipient's time zone; no health details"`
}

// LocalSpan is an interval on the wall clock of one time zone.
type LocalSpan struct {
	TimeZone   string    `json:"timeZone" example:"America/New_York"`
	Start      time.Time `json:"start" doc:"With the zone's offset" example:"2026-03-09T04:00:00-04:00"`
	End        time.Time `json:"end"`
	Date       string    `json:"date" doc:"Local date of the start" example:"2026-03-09"`
	StartClock string    `json:"startClock" example:"04:00"`
	EndClock   string    `json:"endClock" example:"04:30"`
	Abbrev     string    `json:"abbrev" doc:"Zone abbreviation at the start" example:"EDT"`
}

// String reads like "Mon 9 Mar 2026 04:00–04:30 EDT".
func (l LocalSpan) String() string {
	return fmt.Sprintf("%s %s–%s %s", l.Start.Format("Mon 2 Jan 2006"), l.StartClock, l.EndClock, l.Abbrev)
}

var zones sync.Map // IANA name → *time.Location

// Location loads an IANA zone; unknown or empty names give UTC.
func Location(zone string) *time.Location {
	if zone == "" || zone == "Local" {
		return time.UTC
	}
	if loc, ok := zones.Load(zone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC
	}
	zones.Store(zone, loc)
	return loc
}

// Span renders the interval [start, end) in zone (UTC when unknown).
func Span(start, end time.Time, zone string) LocalSpan {
	loc := Location(zone)
	s, e := start.In(loc), end.In(loc)
	abbrev, _ := s.Zone()
	return LocalSpan{TimeZone: loc.String(), Start: s, End: e, Date: s.Format("2006-01-02"),
		StartClock: s.Format("15:04"), EndClock: e.Format("15:04"), Abbrev: abbrev}
}
