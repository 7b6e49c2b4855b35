package server

import (
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that a logRate lets the first line through, holds back those
// within refusedLogEvery of the last line, and lets the next one after
// through with the events it held back.
func TestLogRate(t *testing.T) {
	var r logRate
	t0 := testclock.Now()
	for i, step := range []struct {
		at     time.Duration
		n      int
		logged bool
	}{
		{0, 1, true},
		{time.Second, 0, false},
		{refusedLogEvery - time.Nanosecond, 0, false},
		{refusedLogEvery, 3, true},
		{refusedLogEvery + time.Second, 0, false},
		{3 * refusedLogEvery, 2, true},
	} {
		if n, logged := r.event(t0.Add(step.at)); n != step.n || logged != step.logged {
			t.Errorf("event %d at +%v: %d, %v; want %d, %v", i, step.at, n, logged, step.n, step.logged)
		}
	}
}
