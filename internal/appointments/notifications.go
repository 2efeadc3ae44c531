package appointments

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tend-health/tend/internal/db"
	"github.com/tend-health/tend/internal/errs"
)

func kindText(k Kind) string {
	if k == Video {
		return "Video visit"
	}
	return "Appointment"
}

// party is one side of an appointment as a recipient sees it.
type party struct {
	id, other string
	span      LocalSpan
}

func parties(a Appointment) []party {
	return []party{
		{id: a.PatientID, other: a.ProfessionalName, span: a.PatientTime},
		{id: a.ProfessionalID, other: a.PatientName, span: a.ProfessionalTime},
	}
}

// notify writes one outbox row per recipient of a change. The text names
// the other side and the time in the recipient's zone, and leaves out
// reasons, which may say something about the patient's health.
func (s *Service) notify(ctx context.Context, tx *sql.Tx, event, actorID string, a Appointment, old *Appointment) error {
	var actorName string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, actorID).Scan(&actorName); err != nil {
		return errs.Wrap(err, "reading who acted")
	}
	now := db.Millis(s.clock.Now())
	for i, p := range parties(a) {
		by := actorName
		if actorID == p.id {
			by = "you"
		}
		var text string
		switch event {
		case EventBooked:
			text = fmt.Sprintf("%s with %s on %s: booked by %s.", kindText(a.Kind), p.other, p.span, by)
		case EventCancelled:
			text = fmt.Sprintf("%s with %s on %s: cancelled by %s.", kindText(a.Kind), p.other, p.span, by)
		case EventRescheduled:
			was := old.PatientTime
			if i == 1 {
				was = old.ProfessionalTime
			}
			text = fmt.Sprintf("%s with %s moved from %s to %s by %s.", kindText(a.Kind), p.other, was, p.span, by)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO appointment_notifications (id, appointment_id, recipient_id, event, actor_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), a.ID, p.id, event, actorID, text, now); err != nil {
			return errs.Wrap(err, "writing notification")
		}
	}
	return nil
}

const notificationColumns = `id, appointment_id, recipient_id, event, actor_id, body, created_at, read_at, delivered_at`

func scanNotifications(rows *sql.Rows, err error) ([]Notification, error) {
	if err != nil {
		return nil, errs.Wrap(err, "reading notifications")
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var created int64
		var read, delivered sql.NullInt64
		if err := rows.Scan(&n.ID, &n.AppointmentID, &n.RecipientID, &n.Event, &n.ActorID, &n.Text, &created, &read, &delivered); err != nil {
			return nil, errs.Wrap(err, "reading notifications")
		}
		n.CreatedAt = db.Time(created)
		if read.Valid {
			t := db.Time(read.Int64)
			n.ReadAt = &t
		}
		if delivered.Valid {
			t := db.Time(delivered.Int64)
			n.DeliveredAt = &t
		}
		out = append(out, n)
	}
	return out, errs.Wrap(rows.Err(), "reading notifications")
}

// Notifications returns the latest 200 appointment notifications of a
// user, newest first. The door passes the signed-in user's id.
func (s *Service) Notifications(ctx context.Context, userID string) ([]Notification, error) {
	return scanNotifications(s.db.R.QueryContext(ctx, `SELECT `+notificationColumns+` FROM appointment_notifications
		WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`, userID))
}

// MarkNotificationRead marks one of the user's notifications as read.
func (s *Service) MarkNotificationRead(ctx context.Context, userID, id string) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE appointment_notifications SET read_at = COALESCE(read_at, $1)
		WHERE id = $2 AND recipient_id = $3`, db.Millis(s.clock.Now()), id, userID)
	if err != nil {
		return errs.Wrap(err, "marking notification read")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("no notification %s", id)
	}
	return nil
}

// PendingNotifications returns up to limit notifications not yet handed
// to a delivery channel (email, push), oldest first: the outbox a delivery
// worker drains, calling MarkNotificationDelivered after each.
func (s *Service) PendingNotifications(ctx context.Context, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return scanNotifications(s.db.R.QueryContext(ctx, `SELECT `+notificationColumns+` FROM appointment_notifications
		WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT $1`, limit))
}

// MarkNotificationDelivered records that a notification left by another
// channel. It answers Conflict when another worker already did.
func (s *Service) MarkNotificationDelivered(ctx context.Context, id string) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE appointment_notifications SET delivered_at = $1 WHERE id = $2 AND delivered_at IS NULL`,
		db.Millis(s.clock.Now()), id)
	if err != nil {
		return errs.Wrap(err, "marking notification delivered")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.Conflictf("notification %s was already delivered, or does not exist", id)
	}
	return nil
}
