// Package testclock is the clock of the test suites, so that they run as
// any day: the instant named by PINSEDE_TEST_NOW (RFC 3339, for example
// 2028-02-29T23:59:30+01:00) when it is set, the real time at the first
// call, to the second, when it is not.
//
// The clock stands still for the whole test process, so that no fixture
// crosses midnight between two reads. Every component under test takes
// this clock from its caller (a Now field or a now argument); a test that
// needs successive reads to be ordered, as real ones are, takes Stepping.
package testclock

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Env names the variable that sets the suite's clock.
const Env = "PINSEDE_TEST_NOW"

var suite = sync.OnceValue(func() time.Time {
	t, err := Parse(os.Getenv(Env))
	if err != nil {
		panic(err)
	}
	return t
})

// Parse returns the instant s names, or the real time to the second when s
// is empty: whole seconds survive every store and wire format unchanged.
func Parse(s string) (time.Time, error) {
	if s == "" {
		return time.Now().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s=%q: want an RFC 3339 time such as 2028-02-29T23:59:30+01:00: %w", Env, s, err)
	}
	return t, nil
}

// Now returns the suite's instant, the same at every call in a process. It
// is a func() time.Time, so it can be given as any component's clock.
func Now() time.Time { return suite() }

// Stepping returns a clock that starts at Now and moves step forward at
// each read, from any goroutine: successive reads are ordered as real ones
// are, whatever the machine's speed. A step of a microsecond survives
// PostgreSQL's timestamps.
func Stepping(step time.Duration) func() time.Time {
	start := Now()
	var reads atomic.Int64
	return func() time.Time { return start.Add(time.Duration(reads.Add(1)-1) * step) }
}
