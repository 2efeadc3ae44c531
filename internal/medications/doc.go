// Package medications keeps a patient's medicines, reminds the patient when
// a dose is due, and keeps the record of each dose: taken, skipped, or
// missed.
//
// # Medicines and their times
//
// A medicine has a name, a dose as prescribed ("500 mg") and instructions,
// and is taken at local times of day on some or all days of the week, read
// in the patient's time zone with the daylight-saving rules of package
// monitoring/recur (08:00 stays 08:00; a time in the skipped spring hour
// happens that many minutes after midnight; a time in the repeated autumn
// hour happens once). The patient, or a nurse or doctor who may see the
// patient's medications, writes and stops them; a stopped medicine stays in
// the record.
//
// # Doses
//
// Each time of day makes a dose. The patient, or anyone acting for them with
// the medications scope (a carer, a nurse), records it taken (with when) or
// skipped (with a note), from an hour before its time. A dose not recorded
// by the end of its window (two hours by default) is recorded missed by the
// scheduler; recording it later replaces "missed" with what happened, and
// the record keeps who wrote it and when. The care team sees every dose,
// missed ones included, with Doses; each change publishes an event with
// scope medications (medication.changed, medication.dose_recorded,
// medication.dose_missed) for live dashboards.
//
// The dose record is this package's own table, medication_doses. A dose
// recorded taken or skipped is also written in the patient's journal (the
// readings service's journal_entries, through readings.WriteDose) in the
// same transaction, with who recorded it: recording the same thing again
// changes nothing, and recording it differently marks the earlier entry
// entered-in-error beside the new one. Missed doses stay out of the
// journal (nobody wrote them); the care team sees them per patient with
// Doses and across its patients with Missed.
//
// # Reminders and the scheduler
//
// Like measurement schedules, every running medicine has one row in
// medication_deadlines holding the dose it waits on and when to act. Tick
// claims the rows that have fallen due (FOR UPDATE SKIP LOCKED on
// PostgreSQL): at the reminder time, if the dose is not yet recorded, the
// patient is reminded (notification kind reminder.medication, through
// notify, which owns channels and quiet hours); at the close an unrecorded
// dose becomes missed. Reminders go through monitoring's transactional
// outbox, so a crash neither loses nor repeats one; after downtime past
// doses are recorded missed and their reminders, now pointless, skipped.
package medications

import _ "time/tzdata" // zones must load even where the system has no zone database
