package jobs

import (
	"sync"
	"testing"
)

// Ensure that Idle is closed while no job runs, open while one does, and
// closes when the last one ends.
func TestIdle(t *testing.T) {
	var c Count
	if !isClosed(c.Idle()) {
		t.Fatal("Idle with no job: not closed")
	}
	c.Add()
	c.Add()
	idle := c.Idle()
	c.Done()
	if isClosed(idle) || c.Running() != 1 {
		t.Fatalf("one of two jobs ended: idle closed %v, running %d, want open and 1", isClosed(idle), c.Running())
	}
	c.Done()
	if !isClosed(idle) || c.Running() != 0 {
		t.Fatalf("both jobs ended: idle closed %v, running %d, want closed and 0", isClosed(idle), c.Running())
	}
	c.Add()
	if again := c.Idle(); isClosed(again) {
		t.Fatal("a job added after the count came back to zero: Idle closed, want open")
	}
	c.Done()
}

// Ensure that watchers that stop reading leave nothing that a job added
// after the count came back to zero can trip over: with a WaitGroup
// watched by a goroutine in Wait, this panicked within a few rounds
// ("WaitGroup is reused before previous Wait has returned").
func TestIdleAbandonedThenReused(t *testing.T) {
	var c Count
	c.Add()
	for range 20000 {
		_ = c.Idle() // a watcher that gave up: its event came first
		done := make(chan struct{})
		go func() { c.Done(); c.Add(); close(done) }()
		<-done
	}
	c.Done()
	if c.Running() != 0 || !isClosed(c.Idle()) {
		t.Fatalf("after the rounds: running %d, want 0 and Idle closed", c.Running())
	}
}

// Ensure that jobs added and ended on many goroutines at once, with
// watchers among them, leave the count at zero and every watcher's
// channel closed.
func TestConcurrent(t *testing.T) {
	var c Count
	var wg sync.WaitGroup
	watched := make(chan (<-chan struct{}), 64*100)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				c.Add()
				watched <- c.Idle()
				c.Done()
			}
		}()
	}
	wg.Wait()
	close(watched)
	for idle := range watched {
		if !isClosed(idle) {
			t.Fatal("every job ended: a watcher's channel still open")
		}
	}
}

// Ensure that more Dones than Adds panic.
func TestDoneWithoutAdd(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Done without Add: no panic")
		}
	}()
	var c Count
	c.Done()
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
