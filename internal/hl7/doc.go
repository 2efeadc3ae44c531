// Package hl7 reads and writes the small part of HL7 version 2 that Tend
// needs to take vital signs from bedside monitors and gateways: the IHE
// Patient Care Device profile's PCD-01 transaction, an ORU^R01 message sent
// over MLLP.
//
// The package is a leaf: it knows nothing about patients, devices or storage
// in Tend, does no network I/O of its own (only io.Reader and io.Writer) and
// uses the standard library only. Everything here handles bytes from outside
// the system, so each parser is fuzzed.
//
// # Layers
//
// An MLLP listener does four things with each connection, one message at a
// time:
//
//  1. [Reader.ReadMessage] takes one framed message (0x0B … 0x1C 0x0D) off
//     the stream. Junk, oversized frames and frames cut short are reported as
//     a [*FrameError]; the reader has already resynchronised, so the
//     listener logs it and reads on.
//  2. [Parse] turns the bytes into a [Message]: segments, fields,
//     repetitions, components and subcomponents, with the delimiters taken
//     from MSH-1 and MSH-2 rather than assumed, and escape sequences checked.
//  3. [ParseORU] checks that the message is an ORU^R01 and pulls out a
//     neutral [ORU]: who sent it, the patient identifiers, and one
//     [Observation] per OBX row with its MDC code, containment path, exact
//     value text, unit, status, time and device EUI-64.
//  4. [ACKFor] (or [BuildACK]) writes the acknowledgement and [WriteFrame]
//     sends it back.
//
// [MapObservation] translates an observation's MDC code and unit into the
// LOINC code and UCUM unit that a FHIR vital-signs Observation needs, from a
// fixed table in mdc.go. Codes outside the table are reported, never guessed.
//
// # Numbering
//
// All positions are 1-based, as HL7 numbers them. In MSH the field separator
// itself is MSH-1 and the encoding characters are MSH-2, so MSH-3 is the
// sending application; in every other segment field 1 is the first field
// after the segment name.
//
// # Errors
//
// Parse and ParseORU return an [*Error] that names the segment (by position
// and name) and the field, and carries an HL7 table 0357 error code, so the
// listener can answer AE or AR with a useful ERR segment. Error texts quote
// delimiters, segment names and codes, but never field contents: they may be
// written to logs, and logs must not hold health data.
//
// # Time
//
// HL7 timestamps may omit their UTC offset. Such times are read in a
// location that the caller passes in, and [Timestamp.HasOffset] reports
// that the offset was missing. Nothing in this package reads the clock: the
// time written into an acknowledgement is supplied by the caller.
package hl7
