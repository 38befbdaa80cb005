package main

import (
	"os"
	"runtime/debug"
)

// gcPercent and memoryLimit are the server's garbage-collector settings
// when the environment sets none (GOGC, GOMEMLIMIT win). A desk's live
// heap is small (tens of MB) and its requests allocate a lot, so Go's
// default of collecting each time the heap doubles spends 11–16 % of the
// server's CPU on marking; collecting at three times the live heap halves
// that (docs/benchmarks.md, "Garbage collector"). The soft limit keeps a
// burst of large mails from tripling a big heap: near it the collector
// runs as often as it must.
const (
	gcPercent   = 200
	memoryLimit = 256 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
