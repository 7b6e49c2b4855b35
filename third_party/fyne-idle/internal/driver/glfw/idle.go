package glfw

import (
	"sync"
	"sync/atomic"
	"time"
)

// The main loop (runGL) polls for events at the frame rate while the app is
// active, and waits for them once it has been idle for idleAfter: nothing
// drawn, no animation running and no function queued for the main thread.
// Whatever then needs the main thread wakes the wait at once (wakeMain).
const (
	// idleAfter is how long the loop keeps polling at the frame rate after
	// it last drew a frame or ticked an animation, as it did before it could
	// wait: a frame often asks for the next one (a window that grows to its
	// content's minimum size, a scroll or a drag in progress).
	idleAfter = 500 * time.Millisecond
)

var (
	// idleWait bounds a wait for events, so that the loop's own timed work
	// still runs while nothing happens: the render caches are walked to keep
	// them alive every 50 s and expire after a minute (internal/cache).
	// waitMu guards it: the tests make it long, so that a missing wake
	// shows.
	idleWait = time.Second

	// queued counts the functions sent to funcQueue and not yet run.
	queued atomic.Int64

	// waitMu orders waiting against wakeMain, and Terminate after both:
	// an empty event is posted only while the loop waits, so never before
	// GLFW is initialised nor after it is terminated.
	waitMu sync.Mutex
	// waiting is the timeout of the main loop's wait for events while it
	// waits, 0 otherwise; waitMu guards it.
	waiting time.Duration
)

// wakeMain ends the main loop's wait for events, if it is waiting, so that
// it runs what was just queued for it or sees that the driver stops. Safe to
// call from any goroutine.
func wakeMain() {
	waitMu.Lock()
	defer waitMu.Unlock()
	if waiting > 0 {
		postEmptyEvent()
	}
}

// idleState is the main loop's view of its own activity; only the main
// thread uses it.
type idleState struct {
	lastActive time.Time
}

// waitIdle waits for events, for at most idleWait, if the app has been idle
// for idleAfter and nothing is queued for the main thread and the driver is
// running. It reports whether it waited, in which case the caller handles
// the events as after a poll and asks again. active says whether the frame
// just run drew anything or ticked an animation.
func (s *idleState) waitIdle(d *gLDriver, active bool) bool {
	now := time.Now()
	if active {
		s.lastActive = now
	}
	if !canWaitEvents || now.Sub(s.lastActive) < idleAfter {
		return false
	}

	waitMu.Lock()
	// A function queued after this read of queued calls wakeMain after
	// it, which then finds waiting set and ends the wait.
	if queued.Load() == 0 && running.Load() {
		waiting = idleWait
	}
	timeout := waiting
	waitMu.Unlock()
	if timeout == 0 {
		return false
	}

	d.waitEvents(timeout)

	waitMu.Lock()
	waiting = 0
	waitMu.Unlock()
	return true
}
