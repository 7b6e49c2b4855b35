// Package testalloc measures what a piece of code allocates, for the
// tests and fuzz targets that bound it by the size of its input.
//
// # Caveats
//
// It reads the runtime's memory statistics, which stops the world twice
// a call (about 16 µs each): a fuzz target that uses it runs several times
// slower. What other goroutines allocate meanwhile is counted too.
package testalloc

import "runtime"

// Bytes returns the bytes allocated on the heap while f ran.
func Bytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
