// Package mllp is Tend's HL7 v2 door: a TCP listener that takes ORU^R01
// messages from bedside monitors and their gateways, framed by the Minimal
// Lower Layer Protocol and shaped by the IHE PCD-01 profile, stores their
// vital signs through the ingest path, and answers each with an ACK.
//
// # From message to readings
//
// The patient is the one whose medical record number (Profile.MRN) equals
// an identifier in PID-3; every repetition is tried, and one that names a
// second patient makes the message ambiguous. Each OBX row that holds a
// number (OBX-2 NM, status R, F or C) is one reading. Its MDC code and unit
// become a LOINC code and a UCUM unit through hl7.MapObservation, and its
// device is the one registered with the EUI-64 of OBX-18, of the device row
// that contains it, or else of MSH-3. The systolic, diastolic and mean rows
// of one non-invasive blood pressure (the same OBR, channel and time) become
// a single blood pressure reading. Rows without a number (device rows,
// text) are passed over. Times without a UTC offset are read in the
// patient's time zone.
//
// Each reading's external id is MSH-10, the OBR number and the OBX set id
// (of its first row, for a blood pressure), and the observation time,
// so a message sent again is answered "duplicate" and stored once, while a
// gateway whose message counter restarts after a reboot does not lose new
// readings to old ids.
//
// # Acknowledgements
//
//   - AA: every reading was stored, or had been before (a resend).
//   - AE, with one ERR segment per problem, naming the segment and field:
//     an unknown patient or EUI-64, an unmapped MDC code or a unit that does
//     not fit it, an implausible value, a disabled or unassigned device, a
//     malformed segment. Readings of the message without a problem are
//     stored; sending the corrected message again stores the rest, and the
//     others are duplicates.
//   - AR: a message type other than ORU^R01, an HL7 version other than 2.x,
//     a processing id other than P, or a fault of Tend's own (the database
//     is down): send the same message again later.
//
// # The connection
//
// A connection may carry any number of messages, one after another, each
// answered before the next is read. Bytes outside a frame are skipped. A
// frame that is too large, cut short by a new start block or badly ended is
// answered with AE when its MSH segment can be read, and otherwise the
// connection is closed; so is a frame whose content is not HL7 at all, and
// a connection that stays silent longer than the read timeout. The number
// of connections open at once is capped; the listener keeps serving
// whatever one connection sends.
//
// Logs name the sender, the control id, the acknowledgement code and the
// error positions, never field contents: they are health data.
package mllp
