package config

import "runtime/debug"

// GCPercent is how far the heap may grow over what is live before the Go
// garbage collector runs again, in tend serve unless GOGC says otherwise.
// Go's default, 100, suits programs with a large live heap; Tend's is small
// (tens of MB) and its ingest allocates quickly, so at 100 it collects
// hundreds of times a second and spends a fifth of its CPU doing so. At 400
// the heap peaks at five times what is live, still small on any server.
const GCPercent = 400

// TuneGC sets the garbage collector to GCPercent, unless the GOGC
// environment variable (read through getenv) sets it already.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
