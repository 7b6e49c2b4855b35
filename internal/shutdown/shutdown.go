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
// Once Fyne's loop has ended, it runs a function sent to its UI goroutine
// (fyne.Do, fyne.DoAndWait) in place, on the sender's goroutine, against
// a window being torn down: the last step of a login or a print that
// ends as the program quits. A Gate drops them.
package shutdown

import (
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

// Grace is how long after SIGINT or SIGTERM the process may take to end
// by itself: Run returning and main's deferred calls done.
const Grace = 5 * time.Second

// ExitIfStuck ends the process with status 1, Grace after SIGINT or
// SIGTERM, should it not have ended by then.
func ExitIfStuck() {
	OnSignal(func() { time.AfterFunc(Grace, func() { os.Exit(1) }) })
}
