// Package devices is Tend's register of the machines that measure patients:
// cuffs, thermometers, glucose meters, oximeters, heart rate straps, scales
// and bedside monitors.
//
// A device is known by its maker and serial number (unique together) and, for
// monitors that speak HL7, by its EUI-64. It has its own credential, a random
// secret shown once when the device is added or its credential rotated, and
// stored only as a SHA-256 hash; Authenticate checks it in constant time. A
// device can be disabled without losing anything, and is assigned to at most
// one patient at a time. Every assignment is kept, with when it began and
// ended and who made and ended it, so a reading can always be traced to the
// patient who held the device.
//
// The ingest path tells the register what it learns as readings arrive: that
// a device was heard from, its battery level or status, and readings it had
// to refuse (disabled, unassigned, implausible …). These reports arrive at the
// rate of readings, so they are gathered in memory and written together at
// most once every FlushInterval per device, never once per reading; reads on
// the same node see the gathered values at once. Close writes what is left.
//
// Lookup and Authenticate, which every incoming reading needs, answer from
// memory for up to CacheTTL (a second). A change made through the Service
// applies at once; one made by another node sharing a PostgreSQL database
// (a device disabled, a credential rotated) reaches this node within
// CacheTTL.
//
// Managing devices is an administrator's task, and the route table checks
// the role; this package trusts its caller there. ForPatient is the one
// listing meant for clinicians and patients, and it is scoped by access.
package devices
