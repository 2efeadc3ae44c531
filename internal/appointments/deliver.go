package appointments

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tend-health/tend/internal/errs"
	"github.com/tend-health/tend/internal/notify"
)

// Sender takes a notification for delivery; *notify.Service is one. Send
// must treat a second notification with the same ID as a no-op.
type Sender interface {
	Send(ctx context.Context, n notify.Notification) (notify.Receipt, error)
}

// Handover counts what one Deliver did.
type Handover struct {
	Notifications int // outbox rows handed to the sender
	Reminders     int // reminders handed to the sender
	// Dropped counts those the sender refused as invalid (a recipient who
	// no longer exists, say): they are marked done so that they do not
	// block the outbox, and never sent.
	Dropped int
}

// stableID makes the id of a notification Deliver sends from its source
// row, the same on every attempt: a UUIDv7 whose time is when the source
// happened (so that the inbox orders notifications sent at once by when
// things happened) and whose other bits are a hash of the parts.
func stableID(at time.Time, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	var u uuid.UUID
	copy(u[6:], sum[:10])
	ms := uint64(at.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 9562 variant
	return u.String()
}

// deliverBatch is how many outbox rows Deliver reads at a time.
const deliverBatch = 100

// Deliver hands the appointment outbox (bookings, cancellations and moves)
// and the reminders due now to the sender, which puts them in each
// recipient's inbox and sends them on by email where the recipient asked.
//
// Each notification is sent first and marked delivered (or the reminder
// sent) after, under an id made from its source row: if the process stops
// in between, the next round sends it again with the same id, which the
// sender drops, and marks it then. Several nodes may run Deliver at once for
// the same reason; the one that marks second gets a Conflict, which is
// ignored. Nothing is lost and nothing arrives twice.
func (s *Service) Deliver(ctx context.Context, to Sender) (Handover, error) {
	var h Handover
	for {
		batch, err := s.PendingNotifications(ctx, deliverBatch)
		if err != nil {
			return h, err
		}
		for _, n := range batch {
			sent, err := s.handOver(ctx, to, n)
			if err != nil {
				return h, err
			}
			if sent {
				h.Notifications++
			} else {
				h.Dropped++
			}
		}
		if len(batch) < deliverBatch {
			break
		}
	}
	due, err := s.DueReminders(ctx, s.clock.Now())
	if err != nil {
		return h, err
	}
	for _, r := range due {
		sent, dropped, err := s.remind(ctx, to, r)
		if err != nil {
			return h, err
		}
		if sent {
			h.Reminders++
		}
		if dropped {
			h.Dropped++
		}
	}
	return h, nil
}

// handOver sends one outbox row and marks it delivered. It tells whether
// the sender took it.
func (s *Service) handOver(ctx context.Context, to Sender, n Notification) (bool, error) {
	a, err := s.byID(ctx, s.db.R, n.AppointmentID)
	if err != nil {
		return false, err
	}
	severity := notify.Info
	if n.Event != EventBooked && n.ActorID != n.RecipientID {
		severity = notify.Warning // someone else took away or moved a time the recipient counted on
	}
	title := kindText(a.Kind) + " booked"
	switch n.Event {
	case EventCancelled:
		title = kindText(a.Kind) + " cancelled"
	case EventRescheduled:
		title = kindText(a.Kind) + " moved"
	}
	_, err = to.Send(ctx, notify.Notification{
		ID:          stableID(n.CreatedAt, "appointment-notification", n.ID),
		EventID:     stableID(n.CreatedAt, "appointment-event", n.AppointmentID, n.Event, strconv.FormatInt(n.CreatedAt.UnixMilli(), 10)),
		RecipientID: n.RecipientID,
		Kind:        "appointment." + n.Event,
		Severity:    severity,
		Title:       title,
		Body:        n.Text,
		Link:        AppPath(a.ID),
		PatientID:   a.PatientID,
	})
	// A notification the sender finds invalid can never be sent: mark it
	// all the same, so that it does not block the outbox behind it.
	taken := !errs.Is(err, errs.Invalid)
	if taken && err != nil {
		return false, errs.Wrap(err, "handing over appointment notification")
	}
	if err := s.MarkNotificationDelivered(ctx, n.ID); err != nil && !errs.Is(err, errs.Conflict) {
		return false, err
	}
	return taken, nil
}

// remind sends one due reminder and records it sent. It skips an
// appointment cancelled since DueReminders read it.
func (s *Service) remind(ctx context.Context, to Sender, r Reminder) (sent, dropped bool, err error) {
	a, err := s.byID(ctx, s.db.R, r.AppointmentID)
	if err != nil {
		return false, false, err
	}
	if a.Status != Booked {
		return false, false, nil
	}
	mins := strconv.Itoa(r.OffsetMinutes)
	due := r.Start.Add(-time.Duration(r.OffsetMinutes) * time.Minute)
	_, err = to.Send(ctx, notify.Notification{
		ID:          stableID(due, "appointment-reminder", r.AppointmentID, mins, r.RecipientID),
		EventID:     stableID(due, "appointment-reminder-event", r.AppointmentID, mins),
		RecipientID: r.RecipientID,
		Kind:        "appointment.reminder",
		Severity:    notify.Info,
		Title:       kindText(a.Kind) + " reminder",
		Body:        r.Text,
		Link:        AppPath(a.ID),
		PatientID:   a.PatientID,
	})
	dropped = errs.Is(err, errs.Invalid)
	if !dropped && err != nil {
		return false, false, errs.Wrap(err, "handing over appointment reminder")
	}
	err = s.MarkReminderSent(ctx, r)
	switch {
	case errs.Is(err, errs.Conflict):
		return false, false, nil // another node got there first, or it was cancelled meanwhile
	case err != nil:
		return false, false, err
	}
	return !dropped, dropped, nil
}

// AppPath is where the web app shows appointment id.
func AppPath(id string) string { return "/appointments/" + id }

// RunDelivery calls Deliver at once and then at every tick, until ctx
// ends; then it returns nil. A failed round is logged and tried again at
// the next tick. log may be nil.
func (s *Service) RunDelivery(ctx context.Context, tick <-chan time.Time, to Sender, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	for {
		h, err := s.Deliver(ctx, to)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "appointment notifications: delivery round failed", "err", err)
		}
		if h.Dropped > 0 {
			log.WarnContext(ctx, "appointment notifications: some were refused by notify and dropped", "dropped", h.Dropped)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		}
	}
}
