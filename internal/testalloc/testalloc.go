// Package testalloc measures what a piece of code allocates, for the
// tests and fuzz targets that bound it by the size of its input.
//
// # Caveats
//
// It reads the runtime's memory statistics, which stops the world twice
// a run (about 16 µs each): a fuzz target that uses it runs several times
// slower. What other goroutines allocate meanwhile would be counted too:
// Bytes runs f on one processor, three times, and keeps the least, so
// that a background allocation (a fuzzing worker's, a timer's) must come
// three times in a row to be counted. f must be the same each time: it
// makes its own reader of the input.
//
// Under the race detector ([Race]) sync.Pool drops a share of what is
// put back, at random, so code that pools its buffers allocates more,
// and by chance: a push of 4 MiB measured 1.24 times its size without
// -race, 1.29 to 1.30 with it. A tight bound is checked without -race.
package testalloc

import "runtime"

// Bytes returns the bytes allocated on the heap while f ran: the least of
// three runs, with GOMAXPROCS 1.
func Bytes(f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	least := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}
