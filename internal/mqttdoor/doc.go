// Package mqttdoor is Tend's MQTT door: a broker that runs inside `tend serve`
// and turns what devices publish into readings.
//
// # Who may connect
//
// A device signs in with its own id as the MQTT user name and its credential
// as the password; the devices register checks them. MQTT 3.1.1 and 5 are
// spoken. A disabled or unassigned device is let in on purpose: what it sends
// is refused by the ingest path with that reason, counted on the device and
// answered on its results topic, so an administrator sees why nothing arrives
// instead of a device retrying a login for ever.
//
// Each device lives under its own branch of the topic tree and nowhere else:
//
//	tend/devices/{id}/readings        JSON readings (publish)
//	tend/devices/{id}/gatt/{char}     one raw Bluetooth characteristic value (publish)
//	tend/devices/{id}/results         what became of each publish (subscribe)
//
// A publish outside its branch, or to its results topic, is refused (an MQTT
// 3.1.1 client is disconnected, as that version has no way to say no to a
// publish; an MQTT 5 client gets PUBACK with reason 0x87) and counted on the
// device for the reason "topic"; a subscription outside it is refused in
// SUBACK. Client ids are kept apart per device, so one device cannot take over
// another's session by guessing its client id, and a will message may only
// name the device's own branch.
//
// # Payloads
//
// The readings topic takes the HTTP door's batch, {"readings": [item, …]},
// a bare array of items, or a single item object; the fields are those of
// readings.Item, and unknown fields are refused so that a misspelt one is not
// silently lost. An item without an externalId is given one derived from its
// content, since MQTT delivers at least once and the same item sent twice by
// the same device is the same reading.
//
// The gatt topic takes the value's bytes exactly as the characteristic gave
// them (2A35 blood pressure, 2A1C temperature, 2A37 heart rate, 2A18 glucose,
// 2A5E and 2A5F pulse oximetry; the last topic level is any name the gatt
// package accepts). The value's external id is a hash of the characteristic
// and the bytes, which include the device's own time stamp, so a redelivery is
// a duplicate. A value without a complete device time would make two real
// readings of the same value look alike; such a value gets an id from the
// characteristic, the bytes and the time it first arrived, and a redelivery
// (the MQTT DUP flag) within an hour reuses it. An MQTT 5 client may instead
// name the value itself with the user property "externalId".
//
// # Acknowledged means committed
//
// The broker processes a client's packets one after another, and the door does
// its work inside the broker's publish hook, before the broker writes PUBACK
// (or PUBREC for QoS 2). So for QoS 1 and 2 the acknowledgement leaves only
// after readings.Service.Ingest has returned, that is after the transaction
// holding the readings committed. Then:
//
//   - stored, duplicate or refused readings, and payloads that can never be
//     stored (broken JSON, truncated bytes, an unknown characteristic) are
//     acknowledged, and the outcome of each item is published on the device's
//     results topic, with the refusals counted on the device;
//   - when ingest fails for a reason of Tend's own (the database is down),
//     nothing is acknowledged: the door disconnects the client, which sends
//     the publish again, with the DUP flag, when it reconnects. The external
//     ids make that safe.
//
// What devices publish is never passed on to other subscribers nor retained:
// the door consumes it.
//
// The broker (github.com/mochi-mqtt/server) stays inside this package; nothing
// outside sees its types, so it can be replaced without touching callers.
package mqttdoor
