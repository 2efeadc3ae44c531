package config

import "runtime/debug"

// GCPercent is how far the heap may grow over what is live before the Go
// garbage collector runs again, in tend serve unless GOGC says otherwise.
// Go's default, 100, suits programs with a large live heap; Tend's is small
// (tens of MB) and its ingest allocates quickly (some 30 KB per request), so
// at 100 it collects many times a second, and at 400 a quarter as often,
// for about a fifth less CPU per request. The heap then peaks at five times
// what is live, still small on any server.
const GCPercent = 400

// TuneGC sets the garbage collector to GCPercent, unless the GOGC
// environment variable (read through getenv) sets it already.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
