// Package appointments lets professionals publish when they can be seen and
// patients (or whoever the patient lets act for them) take one of those
// times.
//
// # Availability and slots
//
// A nurse or doctor writes their hours as they think of them: weekly blocks
// of local wall-clock time ("Monday 09:00–12:00, 20-minute video slots") in
// their own IANA time zone, with exceptions: ranges of days off, and single
// dates with extra hours. Open slots are computed on demand from those rules,
// never stored, and booked times are taken out of them.
//
// Slots follow the wall clock: a 09:00 slot is at 09:00 local time on both
// sides of a daylight-saving change, so its UTC instant moves by an hour.
// Every slot lasts its full length in real time. On the night a local hour is
// skipped (spring forward), a slot whose local start does not exist is not
// offered, nor one that would overlap the slot before it because the hour
// vanished. On the night an hour is repeated (fall back), each local start
// is offered once, at its first occurrence (summer time), so the second pass
// through the repeated hour offers nothing. Clinics rarely open at 02:00, but
// the rule is the same for zones that change at midnight.
//
// # No double booking
//
// A professional's time is held by at most one active booking. Three layers
// make that true on SQLite and on PostgreSQL with several tend nodes:
//
//  1. every transaction that books or moves a professional's time first
//     upserts that professional's row in appointment_locks; on PostgreSQL the
//     row lock queues those transactions one after another, SQLite's single
//     writer queues all writes anyway;
//  2. inside that transaction the service looks for an active booking that
//     overlaps the new interval (not only one with the same start) and
//     answers with a Conflict a person can act on;
//  3. the database refuses what slips past the service: a partial unique
//     index on (professional_id, starts_at) for active bookings, and a
//     trigger that takes the same lock and rejects any overlapping active
//     booking, whatever code writes it.
//
// # History, notifications, reminders
//
// Bookings are never deleted. Cancelling keeps the row with who, when and
// why; rescheduling cancels the old booking and creates a new one linked
// both ways, in one transaction. Each booking, cancellation or
// rescheduling writes one row per recipient (patient and professional) to an
// outbox that the in-app list reads and that a delivery worker (email, push)
// can drain. Reminders at configurable offsets before the start are
// computed by DueReminders and claimed once per appointment, offset and
// recipient by MarkReminderSent.
//
// # Calendars
//
// Professionals list their own appointments; patients, and those the patient
// granted the appointments scope, list the patient's. Each user may turn on a
// private iCalendar feed (RFC 5545) behind a secret token that is stored
// hashed and can be reset.
//
// # Video visits
//
// A video appointment carries JoinPath, /calls/appointment/{id}. Calls do not
// exist in Tend yet: the path is reserved for them, and until then the web
// app shows the appointment as a video visit without a working link.
//
// # Time zones
//
// Every time in the API types is a UTC instant. Appointments also carry the
// same times rendered in the professional's zone and in the patient's zone
// (LocalSpan), and Span renders them in any other zone.
package appointments

// The server may run where the system has no zone database (a scratch
// container); embed one so that zones always load.
import _ "time/tzdata"
