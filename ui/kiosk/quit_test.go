package kiosk

import "testing"

// Ensure that work ending in the background once the program quits (a
// ticket's print job at SIGTERM) leaves the window alone: Fyne runs what
// is sent to its ended loop in place, off the UI goroutine. Its last step
// is dropped; before Quitting it runs.
func TestQuittingDropsBackgroundEnd(t *testing.T) {
	for _, quit := range []bool{true, false} {
		h := newHarness(t)
		release := make(chan struct{})
		ran := false
		h.app.background(func() func() {
			<-release
			return func() { ran = true }
		})
		if quit {
			h.app.Quitting()
		}
		close(release)
		h.wait()
		if ran == quit {
			t.Errorf("quitting %v: the background work's last step ran: %v", quit, ran)
		}
	}
}
