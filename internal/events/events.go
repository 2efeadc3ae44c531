// Package events is how Tend's parts tell each other that something
// happened to a patient: a reading was stored, an alert was opened or
// acknowledged, a schedule changed, a message was sent, a grant changed.
//
// A service publishes an Event on the Bus after the change is committed;
// whoever cares (alert rules, the live WebSocket door, schedules) holds a
// Subscription and reads events from its channel. Events are notices, not
// the record: the database stays the source of truth, and a subscriber that
// missed something reloads from it.
//
// # Two buses
//
// Local keeps events inside one process; it is the default, and what a
// single node on SQLite uses. Postgres carries them between every tend
// node that shares one PostgreSQL database, with LISTEN/NOTIFY: an event
// published on one node reaches the subscribers of all nodes. The local
// node's own subscribers get it at once, without waiting for the database
// to echo it back, and the echo is recognised and dropped, so nobody sees
// an event twice.
//
// # Slow subscribers
//
// Publishing never waits for a subscriber. Each subscription has a bounded
// buffer; when an event does not fit, the subscription ends: the events
// already buffered can still be read, then the channel is closed and Err
// reports ErrLagged. The same happens to every subscription when the
// Postgres bus loses its connection and may have missed events. A lagged
// subscriber cannot know what it missed, so it reloads its state from the
// database and subscribes again; it never goes on with a silent gap.
//
// # Health data
//
// Only Data may carry health data (a value, a note). Kind, PatientID,
// Scope and the ids are what routing and logging may look at; nothing in
// this package logs Data, and neither should a subscriber.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/access"
)

// Event is a notice that something happened to a patient's data.
type Event struct {
	// ID is unique per event; Publish makes one (a UUIDv7) when empty.
	ID string `json:"id"`
	// Kind says what happened, as noun.verb: "reading.created", "alert.opened".
	Kind string `json:"kind"`
	// PatientID is whose data it is about. Every event has one, or a UserID:
	// it is what decides who may hear of it.
	PatientID string `json:"patientId"`
	// UserID, when set, addresses the event to that user alone (a notice
	// for them, such as a new notification): only their own connections
	// hear it, whatever patients they watch.
	UserID string `json:"userId,omitempty"`
	// Scope is the part of the patient's data the event shows, so only
	// those granted that scope hear of it. access.Any means anyone who may
	// see the patient at all.
	Scope access.Scope `json:"scope"`
	// At is when it happened; Publish sets the current time when zero.
	At time.Time `json:"at"`
	// Data is the event's body as JSON, particular to its kind. It may carry
	// health data: never log it. Subscribers share it and must not modify it.
	Data json.RawMessage `json:"data,omitempty"`
}

// The kinds of event Tend's services publish, and the scope each carries.
// Publishers may add kinds; keep to noun.verb in the past tense.
const (
	ReadingCreated     = "reading.created"     // Vitals
	ReadingCorrected   = "reading.corrected"   // Vitals (entered in error)
	AlertOpened        = "alert.opened"        // Alerts
	AlertAcknowledged  = "alert.acknowledged"  // Alerts
	AlertResolved      = "alert.resolved"      // Alerts
	ScheduleChanged    = "schedule.changed"    // Vitals
	MedicationChanged  = "medication.changed"  // Medications
	JournalCreated     = "journal.created"     // Journal
	MessageSent        = "message.sent"        // Messages
	AppointmentBooked  = "appointment.booked"  // Appointments
	AppointmentChanged = "appointment.changed" // Appointments
	// GrantChanged says that who may see a patient changed: a share or care
	// assignment was made, changed or revoked. Build it with NewGrantChanged.
	GrantChanged = "grant.changed" // access.Any
	// NotificationSent tells one user (UserID) that a notification for them
	// was recorded. Its Data is NotificationNotice: no health detail, the
	// app fetches the notification itself.
	NotificationSent = "notification.sent"
)

// NotificationNotice is the Data of a NotificationSent event.
type NotificationNotice struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
}

// GrantChange is the Data of a GrantChanged event.
type GrantChange struct {
	// GranteeID is the user whose access to the patient changed. When empty,
	// listeners treat everyone's access to the patient as changed.
	GranteeID string `json:"granteeId,omitempty"`
}

// NewGrantChanged returns the event that tells listeners (the live door's
// access caches above all) that granteeID's access to patientID changed.
// The access service, or the door that called it, publishes it after each
// share, care assignment and revocation.
func NewGrantChanged(patientID, granteeID string) Event {
	data, _ := json.Marshal(GrantChange{GranteeID: granteeID})
	return Event{Kind: GrantChanged, PatientID: patientID, Scope: access.Any, Data: data}
}

// Bus carries events from publishers to subscribers.
type Bus interface {
	// Publish hands e to every current subscriber without waiting for any
	// of them. It fills in ID and At when empty. It fails when e lacks a
	// kind or patient, when Data is not valid JSON, when the bus is closed,
	// or when the event could not be passed to other nodes.
	Publish(ctx context.Context, e Event) error
	// Subscribe starts a subscription holding up to buffer events that are
	// not yet read (a default when buffer < 1). Close it when done.
	Subscribe(buffer int) *Subscription
	// Close stops the bus and ends every subscription with ErrClosed.
	Close() error
}

// Errors that end a subscription, and that Publish returns.
var (
	// ErrLagged ends a subscription that did not keep up, or that may have
	// missed events: reload state from the database and subscribe again.
	ErrLagged = errors.New("events: subscriber fell behind and missed events")
	// ErrClosed is the end of every subscription of a closed bus, and what
	// Publish returns after Close.
	ErrClosed = errors.New("events: bus closed")
)

// DefaultBuffer is a subscription's buffer when Subscribe is given none.
const DefaultBuffer = 256

// prepare checks e and fills in what Publish fills in. It copies Data, so
// that the publisher may reuse its slice.
func prepare(e *Event) error {
	switch {
	case e.Kind == "":
		return errors.New("events: an event needs a kind")
	case e.PatientID == "" && e.UserID == "":
		return errors.New("events: an event needs a patient or a user")
	case len(e.Data) > 0 && !json.Valid(e.Data):
		return errors.New("events: the data of a " + e.Kind + " event is not valid JSON")
	}
	if e.ID == "" {
		e.ID = uuid.Must(uuid.NewV7()).String()
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if len(e.Data) > 0 {
		e.Data = append(json.RawMessage(nil), e.Data...)
	} else {
		e.Data = nil
	}
	return nil
}
