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
// that the process could run: a quit that moves on, step after step,
// longer than Grace in all is not stuck, nor is one frozen longer than
// Grace (a stopped process, whose looks come late), nor one whose
// threads waited for a processor most of the time (a loaded machine);
// Grace of looks on time, the threads not waiting, without a step is,
// at the step taken last, and so is backstop of looks on time where
// the wait is not known or always as long as the gap. The old bound,
// Grace from SIGTERM, cut the first two; the look that counted every
// gap on time whole, the third.
func TestWatchdogCountsTheTimeRun(t *testing.T) {
	var w watchdog
	s := sample{at: time.Now(), waitedKnown: true} // any time: the watchdog counts durations
	look := func(gap, waited time.Duration) (string, bool) {
		s.at = s.at.Add(gap)
		s.waited += waited
		return w.look(s)
	}
	w.moved("", s) // the signal
	for i := range 3 * int(Grace/time.Second) {
		for range int(time.Second / tick) {
			if step, stuck := look(tick, 0); stuck {
				t.Fatalf("a quit that moves on each second: stuck at %q after %d s", step, i)
			}
		}
		w.moved(fmt.Sprintf("step %d", i), s)
	}
	if step, stuck := look(3*Grace, 0); stuck { // frozen
		t.Fatalf("after a freeze of %v, stuck at %q", 3*Grace, step)
	}
	// Loaded: looks 300 ms apart, 280 ms of which spent waiting for a
	// processor (the quit's thread, and the watchdog's own wake-up).
	w.moved("Fyne's quit", s)
	for looks := 1; looks <= int(3*Grace/(300*time.Millisecond)); looks++ {
		if step, stuck := look(300*time.Millisecond, 280*time.Millisecond); stuck {
			t.Fatalf("a quit starved of processor: stuck at %q after %d looks 300 ms apart, 280 ms of each waited", step, looks)
		}
	}
	stuckAfter := func(what string, gap, waited time.Duration, known bool, want int) {
		t.Helper()
		s.waitedKnown = known
		w.moved(what, s)
		for looks := 1; looks <= 2*want; looks++ {
			if step, stuck := look(gap, waited); stuck {
				if looks != want || step != what {
					t.Errorf("stuck at %q after %d looks %v apart (%v waited), want %s after %d", step, looks, gap, waited, what, want)
				}
				return
			}
		}
		t.Errorf("never stuck after %d looks %v apart (%v waited) without a step, want stuck after %d", 2*want, gap, waited, want)
	}
	stuckAfter("closing the store", tick, 0, true, int(Grace/tick))
	// Threads waiting, the quit's not among them: a step that hangs on a
	// machine loaded 15 times over counts at least the watchdog's tick.
	stuckAfter("a share that does not answer", 2*tick, tick, true, int(Grace/tick))
	stuckAfter("every thread waiting", tick, tick, true, int(backstop/tick))
	stuckAfter("the wait unknown", tick, tick*4/5, false, int(Grace/tick)) // the old rule
}
