// Package measure is Tend's catalogue of the things it can measure on a
// person: what each is called, how standards code it, which units it may
// arrive in and what values a living body can plausibly show.
//
// Every door (REST, FHIR, HL7 v2, MQTT, Bluetooth) funnels readings through
// Normalize before they are stored, so that the rest of Tend sees one
// canonical UCUM unit per measurement type and never has to convert again.
// The same catalogue answers the reverse questions the doors ask: which type
// a LOINC or an ISO/IEEE 11073 (MDC) code stands for, and how to show a
// stored value in the unit a person prefers.
//
// # Types
//
// A Type has a stable key ("heart_rate") used in the API and the database,
// a LOINC code with its display, any other LOINC codes that mean the same
// thing, MDC codes, and a FHIR observation category. Single-valued types
// describe their number in Type.Value; a panel (blood pressure) lists its
// Components instead, each with its own codes and number.
//
// # Units
//
// Units are written in UCUM, whose codes are case-sensitive ("mm[Hg]",
// "Cel", "[lb_av]"). On input Normalize, Convert and UnitCode also take the
// UCUM case-insensitive forms ("MM[HG]") and the spellings people and devices
// commonly use ("mmHg", "bpm", "°C", "lbs"), as well as the ISO/IEEE 11073
// unit codes the reference lists ("MDC_DIM_MMHG" or "266016"); they always
// answer in UCUM. Conversions use exact definitions: °F by its defining
// formula, 1 lb = 0.45359237 kg, 1 in = 2.54 cm, 1 mmHg = 133.322387415 Pa
// (so 1 kPa ≈ 7.50062 mmHg). Glucose uses 1 mmol/L = 18.016 mg/dL, the factor
// the shared reference fixes for the whole project.
//
// Oxygen saturation is accepted as a percentage ("%") or, as Apple HealthKit
// stores it, as a fraction of one (UCUM "1", so 0.97 means 97 %). The
// package never guesses a fraction from the size of a number: 0.97 sent as
// "%" is rejected as implausible, with a hint to send the unit "1".
//
// # Rounding
//
// A value that arrives in the canonical unit is kept exactly as sent. A
// converted value is rounded to the precision the sender's number carried,
// expressed in the canonical unit, but never coarser than the type's own
// step (Quantity.Decimals) and never finer than four decimals. For example
// 98.6 °F carries a step of 0.1 °F, about 0.06 °C, so it is kept to two
// decimals (37.00 °C); 150 lb becomes 68.0 kg; 5.5 mmol/L becomes 99 mg/dL.
// The precision of the sender's number is read from its decimal form to
// twelve significant digits, so floating-point noise from a decoder
// (18.900000000000002) does not count, and neither can trailing zeros the
// device sent (37.60); callers store the original value and unit beside the
// canonical one anyway.
//
// # Plausible ranges
//
// Each number has an inclusive range, in the canonical unit, outside which
// no living person's body can reasonably be measured; a value beyond it is a
// unit mix-up, a sensor fault or a typing slip, and is refused rather than
// alerted on. The ranges are deliberately wide, because refusing a real
// reading is worse than storing an odd one:
//
//   - body temperature 25–45 °C: below 25 °C or above 45 °C survival is the
//     stuff of single case reports; a thermometer showing it is reading the
//     room or a faulty probe.
//   - heart rate 20–300 /min: from profound bradycardia to infant
//     supraventricular tachycardia.
//   - systolic 40–300, diastolic 10–200, mean arterial 20–250 mmHg: from
//     shock to the highest pressures cuffs record.
//   - SpO2 40–100 %: pulse oximeters do not report reliably below about
//     40 %, and saturation cannot exceed 100 %.
//   - respiratory rate 2–100 /min: from near apnoea to a distressed
//     premature newborn.
//   - blood glucose 10–1000 mg/dL (0.6–55.5 mmol/L): meters read 10 or 20
//     to 600 mg/dL; laboratory values above 1000 mg/dL are rarities.
//   - body weight 0.2–650 kg: the smallest surviving newborns weighed about
//     250 g, the heaviest recorded person about 635 kg.
//   - body height 20–280 cm: an extremely premature newborn to the tallest
//     recorded person (272 cm).
//
// The package holds only logic and fixed data; it does no I/O and is safe
// for concurrent use. Types returned share their slices with the catalogue
// and must be treated as read-only.
package measure
