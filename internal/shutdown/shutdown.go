// Package shutdown bounds how long the Fyne programs take to end once
// told to: Fyne's desktop driver quits the app on SIGINT and SIGTERM
// itself (its catchTerm), and the program must not call Quit as well.
//
// # Caveats
//
// A Quit of the program's own, run after the driver had shut GLFW down,
// closed a window of a terminated GLFW: the desk panicked on its way
// out, and the kiosk, its Fyne calls then refused ("should have been
// called in fyne.Do") and waiting on a loop that had ended, never
// ended. ExitIfStuck is the bound should anything else hold the exit.
//
// A log on a disk that stops answering (sportello.log, beside the store)
// waits in write(2) for as long as the disk does not answer: the
// watchdog's own lines, "the quit begins" on the caller's goroutine and
// "the quit is stuck" before it exited, held the quit and the watchdog
// there, and the process never ended. Log bounds a line of the quit.
// The kernel ends the process once no thread of it is in such a write:
// on a file system frozen (fsfreeze) the write waits uninterruptibly,
// and the process, its exit begun, lingers until the disk answers (as
// it would for the store's own write, waiting on the same disk).
//
// The bound is Grace without progress (Step), in the time the process
// could run: a fixed 5 s from SIGTERM cut short a quit that merely took
// longer on a loaded machine (the desk's status 1, failing the test that
// stopped it), and counted the time a stopped process could not run;
// counting the time between looks on time whole still took a quit
// whose threads waited for a processor, at load 15 on two cores, as
// stuck. The time the threads waited (Linux's schedstat) is not
// counted; backstop bounds the rest. A step that hangs, a share or a
// printer that no longer answers, still ends the process, loaded or not.
//
// Once Fyne's loop has ended, it runs a function sent to its UI goroutine
// (fyne.Do, fyne.DoAndWait) in place, on the sender's goroutine, against
// a window being torn down: the last step of a login or a print that
// ends as the program quits. A Gate drops them.
package shutdown

import (
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Gate tells whether the program quits. Its zero value is open.
//
// A guarded function either runs whole before Close returns or does
// nothing: Close waits for those that passed the check before it. A
// check without the lock (a flag read, then f run) let one read the gate
// open, Close return, and f run after it, against the window torn down.
type Gate struct {
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup // the guarded functions past the check
}

// Close marks the program as quitting, from any goroutine: at SIGTERM
// (OnSignal) and when Fyne's loop has ended (its lifecycle's OnStopped).
// It returns once the guarded functions running have ended; a guarded
// function must not call it.
func (g *Gate) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.running.Wait()
}

// Live returns f, to be sent to the UI goroutine, guarded so that it does
// nothing once the gate is closed. A guarded function may run another
// (Fyne runs what is sent to its ended loop in place): the lock is not
// held while f runs.
func (g *Gate) Live(f func()) func() {
	return func() {
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			return
		}
		g.running.Add(1)
		g.mu.Unlock()
		defer g.running.Done()
		f()
	}
}

// OnSignal calls f, on a goroutine of its own, at the first SIGINT or
// SIGTERM: as Fyne's driver starts to end its loop on it.
func OnSignal(f func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		f()
	}()
}

// Grace is how long the process's quit may go without progress (Step),
// in the time the process could run, before ExitIfStuck ends it: far
// beyond any step that ends (the longest, Fyne's own quit, takes a few
// tens of milliseconds of processor).
const Grace = 5 * time.Second

// backstop bounds the quit without progress in the time between looks
// on time, should the time the process waited for a processor not be
// known, or be counted so generously (many threads waiting at once)
// that a step that hangs on a machine loaded without end never reaches
// Grace.
const backstop = 12 * Grace

const (
	// tick is how often the watchdog looks at the quit.
	tick = 100 * time.Millisecond
	// frozen is the gap between two looks beyond which the process is
	// taken not to have run meanwhile (stopped, starved, suspended): the
	// gap does not count. A look on a loaded machine comes some tens of
	// milliseconds late; a process that no step holds looks on time.
	frozen = 500 * time.Millisecond
)

// LogWait bounds how long a line of the quit's log holds the quit (Log):
// far beyond a line written to a disk that answers, well within Grace.
const LogWait = time.Second

// Log runs write, a line of the quit's log, on a goroutine of its own,
// and returns once it has returned, or after LogWait: a log on a disk
// that no longer answers (sportello.log beside the store) waits in
// write(2) for as long as the disk does not answer, and must not hold
// the quit with it. The line is written still, whole, if the disk
// answers before the process ends.
func Log(write func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		write()
	}()
	bound := time.NewTimer(LogWait)
	defer bound.Stop()
	select {
	case <-done:
	case <-bound.C:
	}
}

// ExitIfStuck ends the process with status 1 should its quit, from the
// first SIGINT or SIGTERM, or from its first Step, go Grace without a
// Step, counting only the time the process could run; it logs which
// step hung (slog's default logger), waiting for the log at most
// LogWait.
func ExitIfStuck() { OnSignal(func() { quit.begin("") }) }

// Step tells that the quit has moved on, to what: the step it now takes,
// named should it hang there (ExitIfStuck). The first Step begins the
// quit when no signal did (the window closed), with the same bound.
func Step(what string) { quit.begin(what) }

// quit is the process's watchdog.
var quit watchdog

// sample is what the watchdog reads at a look: the time, and how long
// the process's threads have waited for a processor in all, since they
// began (waitedKnown false where the system does not tell: runWait).
type sample struct {
	at          time.Time
	waited      time.Duration
	waitedKnown bool
}

// now reads the clock and the process's wait for a processor.
func now() sample {
	waited, ok := runWait()
	return sample{at: time.Now(), waited: waited, waitedKnown: ok}
}

// watchdog ends the process once its quit goes Grace, in the time the
// process could run, without a step.
type watchdog struct {
	once   sync.Once
	mu     sync.Mutex
	step   string        // what the quit does now
	last   sample        // the last look, or the quit's beginning
	ran    time.Duration // the time the process could run since the last step
	onTime time.Duration // the time between looks on time since the last step
}

// begin records the step what ("" for none: the signal), and starts the
// watchdog at the first call, which it logs (slog's default logger). No
// line holds the watchdog, nor the quit, beyond LogWait (Log): written
// on the caller's goroutine or the watchdog's, a line to a disk that
// stopped answering waited there for as long, and the process never
// ended.
func (w *watchdog) begin(what string) {
	w.moved(what, now())
	w.once.Do(func() {
		go func() {
			t := time.NewTicker(tick)
			defer t.Stop()
			for range t.C {
				// Now, not the tick's time: a tick that waited for a
				// starved process to run is as late as the look.
				if step, stuck := w.look(now()); stuck {
					Log(func() { slog.Error("the quit is stuck: exiting", "step", step, "without_progress", Grace) })
					os.Exit(1)
				}
			}
		}()
		Log(func() { slog.Info("the quit begins", "bound", Grace.String()+" without progress") })
	})
}

// moved records that the quit took the step what at s.
func (w *watchdog) moved(what string, s sample) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if what != "" {
		w.step = what
	}
	if w.last.at.IsZero() {
		w.last = s
	}
	w.ran, w.onTime = 0, 0
}

// look adds the time since the last look that the process could run to
// the time without a step, and reports the step taken last, and whether
// the quit is stuck there: Grace without a step, or backstop of looks
// on time. A gap longer than frozen does not count: the process did not
// run. Nor does the time its threads waited for a processor meanwhile:
// on a machine loaded 15 times over its two cores, Fyne's quit (GLFW's
// end waiting on the graphics driver's threads) took up to 1.8 s from
// SIGTERM, each look some tens of milliseconds late and every gap
// counted whole, and the desk exited with status 1 as stuck.
func (w *watchdog) look(s sample) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	gap := max(s.at.Sub(w.last.at), 0)
	if gap > frozen {
		gap = 0
	}
	waited := time.Duration(0)
	if s.waitedKnown && w.last.waitedKnown {
		// A thread that ended takes its wait with it: the sum may fall.
		waited = max(s.waited-w.last.waited, 0)
	}
	w.last = s
	w.onTime += gap
	w.ran += max(gap-waited, 0)
	step := w.step
	if step == "" {
		step = "the program's own end (Fyne's quit)"
	}
	return step, w.ran >= Grace || w.onTime >= backstop
}
