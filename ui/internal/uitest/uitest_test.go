package uitest

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/pinsede/pinsede/ui/internal/jobs"
)

// fatalTB is a test whose Fatal and Fatalf record the message and end
// the goroutine, as testing's do, and whose deadline is at.
type fatalTB struct {
	testing.TB
	at  time.Time
	msg string
}

func (f *fatalTB) Helper()                           {}
func (f *fatalTB) Deadline() (time.Time, bool)       { return f.at, true }
func (f *fatalTB) Fatal(args ...any)                 { f.msg = fmt.Sprint(args...); runtime.Goexit() }
func (f *fatalTB) Fatalf(format string, args ...any) { f.Fatal(fmt.Sprintf(format, args...)) }

// run runs do with steps of f, on a goroutine of its own, which f's
// Fatal ends, and waits for it.
func (f *fatalTB) run(do func(s *Steps)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		do(NewFor(f))
	}()
	<-done
}

// Ensure that Until fails at once, saying what it waited for, when the
// jobs end without the event (a print that never started: the issue
// refused), having run their steps; and returns when the event comes.
func TestUntilEndsWithTheJobs(t *testing.T) {
	f := &fatalTB{at: time.Now().Add(time.Hour)}
	var busy jobs.Count
	ran := false
	f.run(func(s *Steps) {
		busy.Add()
		go func() {
			defer busy.Done()
			s.Do(func() { ran = true })
		}()
		s.Until(&busy, make(chan struct{}), "the slip's print")
	})
	if want := "the background jobs ended without the slip's print"; f.msg != want || !ran {
		t.Errorf("Until, the jobs ended without the event: failed with %q, the step run %v; want %q, run", f.msg, ran, want)
	}

	f.msg = ""
	started := make(chan struct{})
	busy.Add()
	f.run(func(s *Steps) {
		go func() { close(started) }()
		s.Until(&busy, started, "the slip's print")
	})
	busy.Done()
	if f.msg != "" {
		t.Errorf("Until, the event come: failed with %q", f.msg)
	}
}

// Ensure that an Until whose event came while a job ran leaves nothing
// behind that the app's next jobs trip over: the desk's jobs end and
// start for as long as the test runs. With the jobs counted in a
// WaitGroup and watched by a goroutine in its Wait, a job started once
// the count came back to zero panicked the test binary ("WaitGroup is
// reused before previous Wait has returned"; ui/desk in CI, stop 33).
func TestUntilLeavesNothingBehind(t *testing.T) {
	f := &fatalTB{at: time.Now().Add(time.Hour)}
	var busy jobs.Count
	busy.Add()
	for range 20000 {
		event := make(chan struct{})
		close(event)
		f.run(func(s *Steps) { s.Until(&busy, event, "the slip's print") })
		if f.msg != "" {
			t.Fatalf("Until, the event come: failed with %q", f.msg)
		}
		done := make(chan struct{})
		go func() { busy.Done(); busy.Add(); close(done) }()
		<-done
	}
	busy.Done()
}

// Ensure that Wait gives up at the test's deadline, less DeadlineGrace,
// saying what it waited for, while a job never ends.
func TestWaitGivesUp(t *testing.T) {
	f := &fatalTB{at: time.Now().Add(DeadlineGrace)}
	var busy jobs.Count
	busy.Add() // never done
	defer busy.Done()
	f.run(func(s *Steps) { s.Wait(&busy) })
	if want := "gave up waiting for the background jobs to end"; f.msg != want {
		t.Errorf("Wait, a job that never ends: failed with %q, want %q", f.msg, want)
	}
}
