// Package readings holds what Tend exists for: the measurements taken on
// patients, and the journal they keep beside them.
//
// # One way in
//
// Every door (the HTTP JSON batch endpoint, FHIR, MQTT, HL7 v2 over MLLP,
// Bluetooth values relayed by phones, the web app's forms) decodes its own
// format into Items and hands them, as a Batch, to Service.Ingest. Nothing
// else writes measurements, so a check or a speed-up made here serves all of
// them. Ingest
//
//   - checks the source once per batch: a device must be enabled and assigned
//     to a patient (its readings then belong to that patient, and a reading
//     taken before the assignment began is refused, since it may be the
//     previous holder's); a person entering readings must be the patient or
//     hold a grant with the vitals scope;
//   - checks each item on its own: known type (by key or LOINC), accepted
//     unit, plausible value, complete panel, a time that is neither in the
//     future nor before 1990, with every problem named field by field;
//   - converts values to the type's canonical unit with the measure
//     catalogue, keeping what was sent beside it;
//   - stores the valid items in one transaction and answers each item:
//     stored, duplicate or refused, with the reason;
//   - tells the device register what it learnt (last seen, battery, status,
//     refusals by reason), which gathers it in memory and writes it in bulk;
//   - after the commit, publishes one reading.created event per batch and
//     patient on the events bus, for alert rules, live charts and schedules.
//
// # Idempotency
//
// An item may carry the sender's own id. It is unique per source, the device
// when there is one and otherwise the person who entered the reading, so a
// retry of the same batch is answered "duplicate" with the ids stored the
// first time, and never writes a second row; the database's unique index
// guarantees it even across nodes.
//
// # Speed
//
// Ingest does the checking in the caller's goroutine and hands the rows to
// a writer that commits the batches of concurrent callers together (group
// commit): while one transaction commits, the next batches queue, and the
// next transaction takes them all. A caller returns only after its rows
// are committed, and its rows are never split across transactions. Rows go
// in with prepared multi-row INSERTs of up to 512 rows. "Committed" is as
// durable as the database is told to be: on SQLite in WAL mode with
// synchronous=NORMAL (the default) a committed reading survives a crash of
// the process but may be lost with the last transactions in a power cut;
// synchronous=FULL makes it survive that too, at a cost in speed.
//
// In the same transaction the new readings are added to hourly summaries
// per patient and type (count, min, max, sum per component), so that
// Buckets, which draws charts, reads a year of minute-by-minute readings as
// some 8,800 summary rows, plus the readings of the partial hours at either
// end of the range.
//
// # Reading back and correcting
//
// List, Get and Buckets are scoped inside their SQL by who may see whose
// vitals (access.Where). A wrong reading is never deleted:
// MarkEnteredInError marks it, with who, when and why, and it leaves the
// default listing, the charts and the summaries.
//
// # Audit
//
// A stored reading carries its own provenance: the device or the person,
// the door, when it was taken and when it arrived. The doors record the
// audit event of the request that brought it, as for any access to a
// patient's data.
package readings
