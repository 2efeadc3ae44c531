// Package monitoring watches a patient's readings and the readings that do
// not come, and makes sure the right person hears of what matters, once.
//
// # Where readings come in
//
// The ingest path calls OnReadings after each committed batch, whatever door
// the readings came through. In one transaction per batch monitoring marks
// the scheduled measurements they fulfil, keeps the patient's latest NEWS2
// inputs, runs the patient's alert rules in the order the readings were
// taken, scores NEWS2 again, and notes which devices were heard from. The
// call is direct rather than a subscription to the event bus on purpose: a
// bus subscriber that falls behind loses events, and a lost reading here
// would be a lost alert.
//
// # Schedules
//
// A nurse or doctor asks a patient to measure a type at local times of day
// (or every N hours, N dividing 24), on some or all days of the week, read in
// the patient's time zone. Each occurrence has a window: it opens
// EarlyMinutes before the due time and closes GraceMinutes after it (08:00
// due, 07:30–10:00). A reading of the type taken inside the window fulfils
// the occurrence. Windows of one schedule may not overlap, so a reading
// fulfils at most one occurrence of it. An occurrence counts only if its
// window opened after the schedule was created or last changed: nobody is
// blamed for a measurement asked for after the fact.
//
// Times follow the wall clock across daylight-saving changes, as package
// recur documents: 08:00 stays 08:00; a time in the skipped spring hour
// happens that many minutes after midnight (02:30 becomes 03:30 on the
// clock); a time in the repeated autumn hour happens once, at its first pass.
//
// # Missed measurements and the scheduler
//
// Every running schedule has one row in schedule_deadlines: the occurrence
// it waits on, its stage, and when to act next, indexed by that time. Tick
// claims due rows in batches (FOR UPDATE SKIP LOCKED on PostgreSQL, so any
// number of nodes may run it; SQLite's single writer serialises) and acts:
//
//   - remind: ReminderLeadMinutes before the window closes, if no reading
//     has come, the patient is reminded (notification kind
//     reminder.measurement);
//   - close: when the window closes without a reading, a missed-measurement
//     alert (rule key missed:<type>) goes to the care team.
//
// The row then moves to its next stage or occurrence, in the same
// transaction as the alert and the notifications it writes to the outbox
// (package outbox), so a crash repeats a whole step or none of it. After
// downtime every past deadline is caught up on the next tick, oldest first:
// windows that closed meanwhile are alerted (once, with a repeat count on the
// open alert), reminders for windows already closed are skipped. The work of
// a tick grows with the deadlines falling due, not with the number of
// patients.
//
// # Rules
//
// DefaultRules come from the shared standards reference: hypertensive crisis
// (systolic above 180 and/or diastolic above 120), hypoglycaemia levels 1 and
// 2 (below 70 and 54 mg/dL), hyperglycaemia above 250 and, less severe, 180
// mg/dL, SpO2 at or below 91 % (83 % on NEWS2 scale 2), heart rate below 40 or
// above 130, temperature at or below 35.0 or at or above 39.1 °C; NEWS2 at 5 or
// more (critical from 7) and any single parameter scoring 3; a missed
// measurement; and the device rules: battery low, sensor or device fault
// (from the flags a device sends with a reading), and a device silent longer
// than expected. Values are compared as the charts write them: whole
// numbers, tenths of a degree.
//
// A nurse or doctor may change a rule for one patient (thresholds, severity,
// on or off). Against alarm fatigue a rule may need N breaching readings in a
// row before it fires, and has a clear threshold: once fired it stays active,
// counting repeats on the same alert, until a value is back past the clear
// value, so a reading hovering at the threshold does not flap. Of the rules
// in one group (the hypoglycaemia levels, the hyperglycaemia levels) only
// the most severe that fires raises an alert for a reading. Readings older
// than the last one a rule has seen are history and do not move it.
//
// # Alerts
//
// An alert is open, then acknowledged, then resolved, each with who, when
// and a comment. A patient has at most one active (open or acknowledged)
// alert per rule, enforced by a partial unique index; a repeat raises the
// alert's count, its severity if worse, and tells nobody again unless the
// severity rose. When the condition clears the alert is marked cleared but
// stays for a person to resolve; a silent device that reports again is the
// one alert Tend resolves itself.
//
// Who hears of an alert is the patient's escalation chain: by default the
// care team's nurses, then its doctors (a professional may write a chain of
// their own, each step with its wait). The first step is told when the alert
// opens; an alert of at least EscalateFrom severity not acknowledged within
// the step's wait goes to the next step, driven by the same Tick and
// idempotent. Acknowledging stops it. Notifications go through notify (which
// owns channels, preferences and quiet hours); every change publishes an
// event with scope alerts: alert.opened, alert.repeated, alert.escalated,
// alert.acknowledged, alert.resolved, alert.cleared, alert.commented.
//
// Listing and changing alerts is scoped inside the query by the viewer's
// alerts scope for each patient; only nurses and doctors acknowledge and
// resolve.
//
// # NEWS2
//
// The latest value of each input (respiratory rate, SpO2, systolic
// pressure, pulse, temperature, and the consciousness and air/oxygen a
// professional records with RecordObservation, or the patient's standing
// air/oxygen setting) no older than NEWS2Window is scored with package
// news2; a score missing some inputs is labelled partial. LatestNEWS2 shows
// it beside the patient.
package monitoring

import _ "time/tzdata" // schedules must load zones even where the system has no zone database
