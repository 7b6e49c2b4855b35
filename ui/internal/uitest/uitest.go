// Package uitest makes the test goroutine the UI goroutine of an app whose
// background jobs end with a step on the UI goroutine (ui/desk, ui/kiosk),
// checks that a screen's fields and buttons stay where they are when a
// message shows ([AssertStays]), and lays a window out as the real driver
// does at each frame ([Frames]).
//
// # Caveats
//
// Fyne's test driver runs fyne.DoAndWait's function at once on the calling
// goroutine: a background job's last step would touch the widgets on the
// job's goroutine while the test goroutine touches them too (an entry goes
// on refreshing itself after its OnSubmitted started a job). [Steps.Do],
// set as the app's way to the UI goroutine, hands the step to the test
// goroutine instead, and blocks, as fyne.DoAndWait does, until
// [Steps.Wait] has run it.
//
// A wait of the steps ([NewFor]) has an end of its own: it fails the
// test at once when what it waits for can no longer come (every job
// ended without it, [Steps.Until]), and at [Bound] else, saying what it
// waited for. Without it a job that never ends (a printer held by a test
// that failed before releasing it) held the test until go test's
// -timeout, whose panic hid the test's own failure.
package uitest

import (
	"testing"
	"time"

	"github.com/pinsede/pinsede/ui/internal/jobs"
)

// WaitNet is the longest a wait of the steps lasts, if the test's
// deadline is later: far beyond any job of the tests, so that one that
// never ends fails its test in minutes, not the whole test binary at go
// test's -timeout.
const WaitNet = 2 * time.Minute

// DeadlineGrace is how long before the test's deadline (go test
// -timeout) a wait of the steps gives up: time for the test to fail and
// say why.
const DeadlineGrace = 10 * time.Second

// Steps are the last steps of an app's background jobs, waiting for the
// test goroutine to run them. The zero value is not usable: call NewFor.
type Steps struct {
	ch chan func()
	tb testing.TB // fails at the end of a wait
}

// NewFor returns the steps of one app of the test tb, whose waits end at
// Bound(tb) at the latest, failing tb.
func NewFor(tb testing.TB) *Steps { return &Steps{ch: make(chan func()), tb: tb} }

// Bound returns a channel that receives when a wait of tb gives up:
// DeadlineGrace before tb's deadline, or after WaitNet if that comes
// first; and the function that releases its timer.
func Bound(tb testing.TB) (<-chan time.Time, func()) {
	left := WaitNet
	if d, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if at, ok := d.Deadline(); ok {
			left = min(left, time.Until(at.Add(-DeadlineGrace)))
		}
	}
	t := time.NewTimer(max(left, 0))
	return t.C, func() { t.Stop() }
}

// Await waits until ch is ready (closed, or a value sent), failing tb at
// Bound(tb), saying it waited for what.
func Await(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	bound, release := Bound(tb)
	defer release()
	select {
	case <-ch:
	case <-bound:
		tb.Fatalf("gave up waiting for %s", what)
	}
}

// Do hands step to the test goroutine and returns once Wait has run it.
func (s *Steps) Do(step func()) {
	done := make(chan struct{})
	s.ch <- func() {
		defer close(done)
		step()
	}
	<-done
}

// Next runs, on the calling (test) goroutine, the next step to come: the
// step of the one job the test knows is running, while others (a print
// the test holds) go on.
func (s *Steps) Next() {
	bound, release := Bound(s.tb)
	defer release()
	select {
	case step := <-s.ch:
		step()
	case <-bound:
		s.tb.Helper()
		s.tb.Fatal("gave up waiting for the next step of a background job")
	}
}

// Wait runs, on the calling (test) goroutine, the steps as they come,
// until every job counted in busy is done, those the steps start
// included: a job must count in busy until its step has run.
func (s *Steps) Wait(busy *jobs.Count) {
	s.until(busy.Idle(), nil, "the background jobs to end")
}

// Until runs, on the calling (test) goroutine, the steps as they come,
// until event is ready (closed, or a value sent): a print the test
// holds has started, say. When every job counted in busy has ended
// without it, it can no longer come: Until fails the test at once,
// saying it waited for what.
func (s *Steps) Until(busy *jobs.Count, event <-chan struct{}, what string) {
	if s.until(event, busy.Idle(), what) {
		return
	}
	select {
	case <-event: // it came with the jobs' end
	default:
		s.tb.Helper()
		s.tb.Fatalf("the background jobs ended without %s", what)
	}
}

// until runs the steps as they come until done is ready, and reports
// true; false once over is ready first. At the steps' bound it fails the
// test, saying it waited for what.
func (s *Steps) until(done, over <-chan struct{}, what string) bool {
	bound, release := Bound(s.tb)
	defer release()
	for {
		select {
		case step := <-s.ch:
			step()
		case <-done:
			return true
		case <-over:
			return false
		case <-bound:
			s.tb.Helper()
			s.tb.Fatalf("gave up waiting for %s", what)
		}
	}
}
