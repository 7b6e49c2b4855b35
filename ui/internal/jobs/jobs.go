// Package jobs counts an app's background jobs and tells when none runs.
//
// A [sync.WaitGroup] cannot be waited on by a watcher that may give up
// first: the watcher's goroutine stays in Wait, and a job added once the
// count has come back to zero, before that Wait has returned, panics
// ("WaitGroup is reused before previous Wait has returned"). An app's
// jobs come and go for as long as it runs, and a test waits for them,
// or for an event that may come first (ui/internal/uitest): [Count.Idle]
// gives a channel, and leaves nothing behind when it is not read.
package jobs

import "sync"

// closed is the channel Idle returns while no job runs.
var closed = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// Count counts the jobs running. The zero value counts none; a Count
// must not be copied after first use.
type Count struct {
	mu sync.Mutex
	n  int
	// idle is closed when n comes back to zero; nil until Idle asks
	// for it while jobs run.
	idle chan struct{}
}

// Add counts one more job.
func (c *Count) Add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// Done counts one job less. More Dones than Adds panic, as a
// WaitGroup's do.
func (c *Count) Done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		panic("jobs: Done without Add")
	}
	c.n--
	if c.n == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// Running reports how many jobs run now.
func (c *Count) Running() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Idle returns a channel closed once no job runs: at once if none runs
// now, else when the jobs running now and those added before they all
// end have ended.
func (c *Count) Idle() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		return closed
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	return c.idle
}
