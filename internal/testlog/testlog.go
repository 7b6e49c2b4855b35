// Package testlog is where tests collect what a server or a process
// logs from several goroutines at once, and wait for a line of it: at
// each write, never on a timer, for as long as the test may run.
package testlog

import (
	"bytes"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer safe for concurrent use: a logger's
// destination that a test reads while the server still writes, and
// waits on (Await).
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// grew is closed, and forgotten, at the next write; nil when no
	// Await waits.
	grew chan struct{}
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.grew != nil {
		close(b.grew)
		b.grew = nil
	}
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Await waits until what was written matches re, looking again at each
// write, and returns the match and its submatches
// (regexp.FindStringSubmatch). It fails tb, with what it waited for and
// what was written, DeadlineGrace before the test's deadline.
func (b *Buffer) Await(tb testing.TB, re *regexp.Regexp, what string) []string {
	tb.Helper()
	var giveUp <-chan time.Time
	if at, ok := Deadline(tb, DeadlineGrace); ok {
		t := time.NewTimer(time.Until(at))
		defer t.Stop()
		giveUp = t.C
	}
	for {
		b.mu.Lock()
		m := re.FindStringSubmatch(b.buf.String())
		if m == nil && b.grew == nil {
			b.grew = make(chan struct{})
		}
		grew := b.grew
		b.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-grew:
		case <-giveUp:
			tb.Fatalf("gave up waiting for %s at the test's deadline; the log:\n%s", what, b.String())
		}
	}
}

// DeadlineGrace is how long before the test's deadline (go test
// -timeout) Await gives up: long enough to fail saying what it waited
// for, where the test binary's panic would say only where each goroutine
// stood.
const DeadlineGrace = 10 * time.Second

// Deadline returns when a wait of tb for an event gives up: grace before
// the test's deadline; false when it has none (go test -timeout 0, a
// benchmark), and the wait lasts until the event.
func Deadline(tb testing.TB, grace time.Duration) (time.Time, bool) {
	d, ok := tb.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return time.Time{}, false
	}
	at, ok := d.Deadline()
	if !ok {
		return time.Time{}, false
	}
	return at.Add(-grace), true
}
