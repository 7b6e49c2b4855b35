package glfw

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// These tests run with the real driver under a display: TestMain
// (window_test.go) runs the main loop on the main thread. Each makes the
// loop wait for events with a timeout of an hour, then asks it for
// something from another goroutine: only a wake ends that wait before the
// test times out.

// stuck bounds how long a test waits for what an awake loop does at once.
const stuck = time.Minute

// waitUntilIdle makes the main loop's waits last an hour and returns when
// the loop waits so.
func waitUntilIdle(t *testing.T) {
	t.Helper()
	waitMu.Lock()
	saved := idleWait
	idleWait = time.Hour
	waitMu.Unlock()
	t.Cleanup(func() {
		waitMu.Lock()
		idleWait = saved
		waitMu.Unlock()
		wakeMain()
	})
	// A wait already under way has the former timeout: the loop waits for
	// an hour once it is over, or once anything wakes it.
	for {
		waitMu.Lock()
		w := waiting
		waitMu.Unlock()
		if w == time.Hour {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Ensure that a function sent from a goroutine (fyne.Do, fyne.DoAndWait)
// runs while the loop waits for events.
func TestIdleLoopRunsFunctions(t *testing.T) {
	waitUntilIdle(t)
	ran := make(chan struct{})
	d.DoFromGoroutine(func() { close(ran) }, false)
	select {
	case <-ran:
	case <-time.After(stuck):
		t.Fatal("fyne.Do's function did not run while the loop waited for events")
	}

	waitUntilIdle(t)
	done := make(chan struct{})
	go func() {
		d.DoFromGoroutine(func() {}, true)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stuck):
		t.Fatal("fyne.DoAndWait did not return while the loop waited for events")
	}
}

// Ensure that what a function sent from a goroutine changes on screen is
// drawn: when the loop waits again, the window is not dirty.
func TestIdleLoopDrawsChanges(t *testing.T) {
	w := createWindow("Idle")
	defer w.Close()
	label := widget.NewLabel("before")
	w.SetContent(label)
	runOnMain(w.window.Show)

	waitUntilIdle(t)
	d.DoFromGoroutine(func() { label.SetText("after") }, false)
	// The label's refresh made the window dirty, which woke the loop...
	waitUntilIdle(t)
	// ... which drew it before it waited again.
	var dirty bool
	runOnMain(func() {
		dirty = w.canvas.CheckDirtyAndClear()
	})
	if dirty {
		t.Error("the loop waits for events with the window still to draw")
	}
}

// Ensure that an animation started from a goroutine runs to its end while
// the loop waited for events: the loop does not wait (for an hour) while
// it runs, though it draws nothing.
func TestIdleLoopRunsAnimations(t *testing.T) {
	waitUntilIdle(t)
	var once sync.Once
	ended := make(chan struct{})
	a := fyne.NewAnimation(100*time.Millisecond, func(done float32) {
		if done == 1 {
			once.Do(func() { close(ended) })
		}
	})
	d.StartAnimation(a)
	select {
	case <-ended:
	case <-time.After(stuck):
		t.Fatal("the animation did not run to its end while the loop waited for events")
	}
}
