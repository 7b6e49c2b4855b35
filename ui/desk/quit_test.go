package desk

import (
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that work ending in the background once the program quits leaves
// the window alone: Fyne runs what is sent to its ended loop in place, off
// the UI goroutine (a login's or a print's last step at SIGTERM, seen by
// the real desk's random keys under load). Its last step is dropped, and
// what went before it is not.
func TestQuitDropsBackgroundEnd(t *testing.T) {
	testclock.RealDayOnly(t, "work ending after the quit")
	h := ready(t)
	release, ended := make(chan struct{}), make(chan struct{})
	ran := false
	h.app.background(func() func() {
		<-release
		close(ended)
		return func() { ran = true }
	})
	h.app.Quitting() // the program quits while the work runs
	close(release)
	h.until(ended, "the background work")
	h.wait()
	if ran {
		t.Error("the background work's last step ran after Quitting")
	}

	h2 := ready(t)
	h2.app.background(func() func() { return func() { ran = true } })
	h2.wait()
	if !ran {
		t.Error("the background work's last step did not run, the program not quitting")
	}
}
