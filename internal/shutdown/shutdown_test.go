package shutdown

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Ensure that a Gate's guarded functions run while it is open and never
// once it is closed.
func TestGate(t *testing.T) {
	var g Gate
	n := 0
	g.Live(func() { n++ })()
	if n != 1 {
		t.Fatalf("open gate: ran %d times, want 1", n)
	}
	g.Close()
	g.Live(func() { n++ })()
	if n != 1 {
		t.Errorf("closed gate: ran %d times, want still 1", n)
	}
}

// Ensure that sends racing Close, many goroutines released together with
// it, each either run before Close returns or are dropped: none runs, nor
// is still running, once Close has returned. At least one is running
// when Close is called; it waits, after the call, for Close to return,
// up to the grace: a Gate that lets Close return while a function that
// passed its check is yet to run or still running is caught. Run it
// with go test -race -count=20.
func TestGateRacingClose(t *testing.T) {
	const senders, grace = 64, 20 * time.Millisecond
	var (
		g                       Gate
		start                   = make(chan struct{})
		closing, closed         = make(chan struct{}), make(chan struct{})
		running                 = make(chan struct{})
		runningOnce             sync.Once
		ran, dropped, afterward atomic.Int64
		wg                      sync.WaitGroup
	)
	f := func() {
		ran.Add(1)
		runningOnce.Do(func() { close(running) })
		select {
		case <-closed:
			afterward.Add(1)
			return
		default:
		}
		<-closing
		select {
		case <-closed:
			afterward.Add(1)
		case <-time.After(grace):
		}
	}
	for range senders {
		wg.Go(func() {
			<-start
			done := false
			g.Live(func() { done = true; f() })()
			if !done {
				dropped.Add(1)
			}
		})
	}
	wg.Go(func() {
		<-start
		<-running // one send is past the gate's check
		close(closing)
		g.Close()
		close(closed)
	})
	close(start) // the barrier: senders and Close go together
	wg.Wait()
	if n := afterward.Load(); n != 0 {
		t.Errorf("%d sends ran, or went on running, after Close returned; want each run before it returns or dropped", n)
	}
	if r, d := ran.Load(), dropped.Load(); r+d != senders || r == 0 {
		t.Errorf("%d sends ran and %d were dropped, want %d in all, at least one run", r, d, senders)
	}
	late := false
	g.Live(func() { late = true })()
	if late {
		t.Error("a send after Close ran")
	}
}

// Ensure that the watchdog bounds the quit by the time without progress
// that the process ran: a quit that moves on, step after step, longer
// than Grace in all is not stuck, nor is one frozen longer than Grace (a
// stopped or starved process, whose looks come late); Grace of looks on
// time without a step is, at the step taken last. The old bound, Grace
// from SIGTERM, cut the first two.
func TestWatchdogCountsTheTimeRun(t *testing.T) {
	var w watchdog
	now := time.Now() // any time: the watchdog counts durations
	look := func(d time.Duration) (string, bool) {
		now = now.Add(d)
		return w.look(now)
	}
	w.moved("", now) // the signal
	for i := range 3 * int(Grace/time.Second) {
		for range int(time.Second / tick) {
			if step, stuck := look(tick); stuck {
				t.Fatalf("a quit that moves on each second: stuck at %q after %d s", step, i)
			}
		}
		w.moved(fmt.Sprintf("step %d", i), now)
	}
	if step, stuck := look(3 * Grace); stuck { // frozen
		t.Fatalf("after a freeze of %v, stuck at %q", 3*Grace, step)
	}
	w.moved("closing the store", now)
	for looks := 1; looks <= 2*int(Grace/tick); looks++ {
		if step, stuck := look(tick); stuck {
			if looks != int(Grace/tick) || step != "closing the store" {
				t.Errorf("stuck at %q after %d looks a tick apart, want closing the store after %d", step, looks, Grace/tick)
			}
			return
		}
	}
	t.Errorf("never stuck after %v of looks a tick apart without a step", 2*Grace)
}
