// Package simulate is `tend simulate`: simulated patients whose devices
// send realistic readings to a running Tend through any of its doors, for
// the demo and the benchmarks.
//
// # Patients and their bodies
//
// Patient i has profile i mod 5 (see Profiles): hypertensive and elderly
// (a cuff morning and evening, two readings a minute apart, and a scale),
// type 1 diabetic (a CGM every 5 minutes: meals, insulin that does not
// always match them, a dawn rise), COPD (an oximeter four times a day with
// SpO2 around scale 2's 88–92 %, a thermometer, exacerbations of a few
// days), healthy adult (a heart rate strap every minute, exercise, a
// weekly weigh-in) and hospital at home (a bedside monitor every 15
// minutes, blood pressure hourly). Every body has a circadian rhythm in
// the patient's own time zone: sleep lowers heart rate and pressure, the
// pressure surges after waking, temperature peaks late in the afternoon.
//
// Who the patients are (email, name, MRN, time zone, devices, serials,
// EUI-64s) depends only on their index, so every run finds the same
// people in Tend; their physiology depends on the seed. Every value is a
// pure function of the seed, the device and the time (rand.go): the same
// seed gives the same readings whatever the door, rate or batching.
//
// # Faults it injects
//
//   - out of range: a fraction of readings get a value beyond the plausible
//     range of internal/measure (heart rate 320–820, SpO2 above 100 …),
//     which Tend must refuse as "implausible";
//   - gaps: a device falls silent for two-hour stretches, a fraction of
//     its time;
//   - duplicates: a fraction of measurements are sent twice with the same
//     ids, as by a device that missed an acknowledgement; Tend answers
//     "duplicate" (HL7 says AA for both);
//   - a disabled device: one device (of those sending most often) is
//     disabled through the admin API and keeps sending; Tend refuses its
//     readings as "disabled" and counts them on the device.
//
// # Doors
//
// http posts JSON batches as the device (HTTP Basic); gatt posts the raw
// Bluetooth characteristic values a phone would relay, in hex (gattenc.go
// writes them); fhir posts vital-signs Observations one by one, or batch
// or transaction Bundles; mqtt publishes JSON batches with QoS 1 to the
// device's own topic and counts the door's answers on its results topic;
// mllp sends one IHE PCD-01 ORU^R01 per measurement over a TCP connection
// per device and reads each ACK. A door that cannot carry what a kind of
// device measures (GATT and weight, HL7 and glucose) leaves those devices
// on http. mixed gives each kind of device its usual door.
//
// Failures of the network or the server (5xx, 429, a broken HTTP or MLLP
// connection, HL7 AR) are retried with the same content, so the same ids:
// a retry is never stored twice. The MQTT client reconnects by itself.
//
// # Ids
//
// A reading's external id is sim:{serial}:{type}:{unix time}. In a run
// faster or slower than real time (Config.Rate), readings are stamped with
// the real time they are sent at, and that time joins the id
// ({unix time}@{unix ms sent}), so two runs over the same simulated hours
// send new readings rather than duplicates.
//
// # Setup and backfill
//
// With an administrator's token the simulator creates (or finds, by email
// and serial) the patients and their devices through the admin API, gives
// each device a fresh credential, assigns and enables it; the devices file
// keeps the credentials for runs without a token. Tend refuses device
// readings taken before the device was assigned, so history (Config.
// Backfill) cannot come from devices registered a moment ago: it is
// imported over the HTTP batch door by a gateway account (GatewayEmail), a
// nurse on each simulated patient's care team, with a token made for the
// run and revoked after it.
//
// # Scenarios
//
// RunScenarios (tend simulate --scenario) stages one clinical event per
// scenario on a patient of its own, for a demo of monitoring: a blood
// pressure of 192/124 (out-of-range), vitals whose NEWS2 is 7 (news2), and a
// blood pressure asked for two to three minutes ahead that never comes
// (missed). Each patient's care team is one nurse and one doctor, so the
// default escalation chain tells the nurse first and the doctor when the
// nurse does not acknowledge within the server's escalation wait. What only
// a nurse may do (the schedule, the NEWS2 observation of consciousness and
// air) is done as the gateway account, which then leaves those care teams.
package simulate
