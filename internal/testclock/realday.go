package testclock

import (
	"os"
	"testing"
)

// RealDayOnly skips tb on a pass with the suite's clock moved (Env set:
// make test's hard-day and clocks-back passes), so that a test whose
// subject is not a date (keys, layout, a store's refusals) runs once, on
// make test's first pass, on the real day, and not again where it would
// prove nothing more. what names the test's subject in the skip message.
// A test about a date, an expiry, a lock, a time-out, a back-off, a day
// boundary or a time zone on the suite's clock never calls it. One whose
// subject is a time-out on another process's own clock, which the pass
// does not move (PostgreSQL's timers: its now() and its
// idle_in_transaction_session_timeout), may: the pass would run it again
// on the same real clock, proving nothing more.
func RealDayOnly(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv(Env) != "" {
		tb.Skipf("%s: run once, on the real day: its subject is not a date (testclock.RealDayOnly)", what)
	}
}
