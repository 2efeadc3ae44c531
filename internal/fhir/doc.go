// Package fhir is the logic of Tend's FHIR R4 door: the few FHIR resources
// Tend serves, as Go structs with their R4 JSON, and the rules that turn an
// incoming vital-signs Observation into a reading and a stored reading back
// into an Observation. The HTTP handlers live elsewhere; this package does
// no I/O, reads no clock and imports nothing of Tend but the measurement
// catalogue (internal/measure).
//
// # What the HTTP door calls
//
//	POST /fhir/Observation   ParseObservation, ToReading, ApplyIfNoneExist
//	                         (If-None-Exist header); answer 201 with
//	                         Location(id, "1") or 200 for a duplicate
//	POST /fhir               ParseTransaction; Transaction.Err for a
//	                         transaction that fails whole, EntryError for an
//	                         entry the store refuses, Transaction.Response
//	GET  /fhir/Observation   LenientHandling(Prefer), ParseSearch, FromReading
//	                         for each stored reading, SearchSet
//	GET  /fhir/Observation/{id}  FromReading
//	GET  /fhir/metadata      Capability
//	errors                   OutcomeFor(err) gives the OperationOutcome and
//	                         the HTTP status
//
// # Reading FHIR JSON
//
// Parsing is strict about shape and exact about numbers. Every error is an
// *Error holding one Issue per problem, located by a FHIRPath-like
// expression ("Observation.component[1].valueQuantity.code",
// "Bundle.entry[3].resource.status"). Decimals are kept as the text they
// were sent in (see Decimal), so "37.60" stays "37.60". Unknown elements,
// duplicate keys, null and modifier extensions are refused; extensions and
// R4 elements Tend has no use for (text, performer, encounter, …) are read
// over. decode.go lists the rules.
//
// # The vital-signs rules of ToReading
//
// ToReading applies the R4 vital-signs profile (standards.md §1) as a
// receiver that stores readings, deciding where the profile leaves room:
//
//   - status: final, amended, corrected or preliminary. entered-in-error,
//     cancelled, registered and unknown are refused, each saying why: a
//     reading is marked entered-in-error after it was stored, never created
//     so.
//   - category: vital-signs (glucose, not a vital sign in R4, may be
//     laboratory instead). A missing category is accepted with a warning,
//     because the LOINC code already says what was measured and every
//     Observation Tend serves carries it; a category that says something
//     else is refused, as the sign of a sender meaning another kind of
//     Observation. The STU3 name of the category system is taken with a
//     warning.
//   - code: a LOINC coding the catalogue knows, any other codings (SNOMED,
//     MDC) beside it, every coding with its system. A component's code
//     alone (8480-6) is refused with the panel to send instead.
//   - subject: Patient/{id}, or an identifier with system and value for
//     matching a patient by MRN. Absolute URLs, contained and urn:uuid
//     references are refused.
//   - effectiveDateTime precise to at least the day, with a time zone once
//     it has a time; or effectivePeriod with its start. A date alone is
//     taken as midnight UTC, with TakenPrecision saying so. Nothing here
//     reads the clock: refusing readings from the future is the ingest
//     path's job.
//   - valueQuantity with system http://unitsofmeasure.org and a UCUM code
//     (case-sensitive: "mm[Hg]", not "mmHg") that the catalogue accepts for
//     the type, °F and lb included. Units beyond the profile's bindings that
//     the catalogue converts (kPa for blood pressure, the fraction "1" for
//     SpO2, m for height) are accepted too. Value and unit are kept as sent
//     and converted later by measure.Normalize; the value is nonetheless
//     checked now with measure.Normalize (and measure.CheckPanel for a
//     panel), so that a sure refusal is reported at its location.
//   - blood pressure: the 85354-9 panel with components 8480-6 and 8462-4
//     (8478-0, the mean, optional), and no value of its own.
//   - dataAbsentReason: a reading without its value is refused, saying the
//     reason given, since Tend stores measured values only. An optional
//     component without its value (the mean) is left out with a warning.
//   - device: Device/{id} or an identifier; DeviceMetric is refused.
//   - identifier: the first one becomes the reading's ExternalID, which
//     makes sending it again harmless.
//
// # Searching
//
// ParseSearch turns the query of GET /fhir/Observation into a Query: one
// patient, measurement types (codes OR'ed within a parameter, AND'ed across
// parameters), a half-open time range [From, To) that every date parameter
// narrows (a partial date covers its whole period), page size and order,
// and NoMatch when the conditions exclude each other. An empty PatientID
// means no patient was named: the caller scopes the search to what the
// asker may see, as always. Unknown parameters are refused unless the
// request says Prefer: handling=lenient.
//
// # Writing FHIR JSON
//
// FromReading writes what the profile asks: meta.profile (bp, bodytemp,
// heartrate, …), the category with its display, the LOINC code with its
// display, the value with its UCUM code, blood pressure as components.
// Transaction.Response, SearchSet, NewOutcome and Capability build the
// other answers.
package fhir
