// Package uitest makes the test goroutine the UI goroutine of an app whose
// background jobs end with a step on the UI goroutine (ui/desk, ui/kiosk),
// checks that a screen's fields and buttons stay where they are when a
// message shows ([AssertStays]), and lays a window out as the real driver
// does at each frame ([Frames]).
//
// # Caveats
//
// Fyne's test driver runs fyne.DoAndWait's function at once on the calling
// goroutine: a background job's last step would touch the widgets on the
// job's goroutine while the test goroutine touches them too (an entry goes
// on refreshing itself after its OnSubmitted started a job). [Steps.Do],
// set as the app's way to the UI goroutine, hands the step to the test
// goroutine instead, and blocks, as fyne.DoAndWait does, until
// [Steps.Wait] has run it.
package uitest

import "sync"

// Steps are the last steps of an app's background jobs, waiting for the
// test goroutine to run them. The zero value is not usable: call New.
type Steps struct {
	ch chan func()
}

// New returns the steps of one app.
func New() *Steps { return &Steps{ch: make(chan func())} }

// Do hands step to the test goroutine and returns once Wait has run it.
func (s *Steps) Do(step func()) {
	done := make(chan struct{})
	s.ch <- func() {
		defer close(done)
		step()
	}
	<-done
}

// Next runs, on the calling (test) goroutine, the next step to come: the
// step of the one job the test knows is running, while others (a print
// the test holds) go on.
func (s *Steps) Next() { (<-s.ch)() }

// Wait runs, on the calling (test) goroutine, the steps as they come,
// until every job counted in busy is done, those the steps start
// included: a job must count in busy until its step has run.
func (s *Steps) Wait(busy *sync.WaitGroup) {
	idle := make(chan struct{})
	go func() {
		busy.Wait()
		close(idle)
	}()
	for {
		select {
		case step := <-s.ch:
			step()
		case <-idle:
			return
		}
	}
}
