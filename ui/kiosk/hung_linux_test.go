//go:build linux

package kiosk

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hungFolder makes, in a temporary folder, a named pipe that no program
// writes to: opened as the spool folder it hangs the open, as a share
// whose server is gone does. At the end of the test it is opened for
// writing, which ends the opens that wait on it, once the kiosk's
// upkeep is done (release).
func hungFolder(t *testing.T) (path string, release func(*App)) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "spool")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	return path, func(a *App) {
		w, err := os.OpenFile(path, os.O_RDWR, 0) // Linux: never waits
		if err != nil {
			t.Error(err)
			return
		}
		<-a.chores.Idle()
		w.Close()
	}
}

// Ensure that a spool folder that hangs stops neither the kiosk nor its
// idle wipe: the kiosk starts (the cleanup of the spool ran on the UI
// goroutine, and a kiosk booting with the share hung showed nothing),
// and with the cleanup hung the idle timer still warns and wipes on time
// (the cleanup ran on the idle timer's goroutine: 85 s after an idle
// time of 75 s the surname still showed).
func TestIdleWipeWithSpoolHung(t *testing.T) {
	dir, release := hungFolder(t)
	ticks, upkeeps := make(chan time.Time), make(chan time.Time)
	h := newHarnessWith(t, func(c *Config) {
		c.Sink = SpoolSink{Dir: dir}
		c.ticks, c.upkeeps = ticks, upkeeps
	})
	t.Cleanup(func() { release(h.app) })
	if h.app.Screen() != "languages" {
		t.Fatalf("screen %s after Start, want the languages", h.app.Screen())
	}
	w := h.startWizard("en")
	h.typeInto(w.cognome, "Brambilla")
	upkeeps <- h.now // the minute's upkeep: the last still hangs
	tick := func(after time.Duration) {
		h.now = h.now.Add(after)
		ticks <- h.now
		h.steps.Next() // the idle check, on the test goroutine
	}
	tick(DefaultIdle - DefaultWarn)
	if !h.app.warned || !strings.Contains(h.texts(), tr("idle.title")) {
		t.Fatalf("no idle warning after %v with the spool hung", DefaultIdle-DefaultWarn)
	}
	upkeeps <- h.now
	tick(DefaultWarn)
	if h.app.Screen() != "languages" || strings.Contains(h.texts(), "Brambilla") {
		t.Fatalf("screen %s after the idle time with the spool hung, want the languages, wiped:\n%s", h.app.Screen(), h.texts())
	}
}

// toldSink hands each request to sink, then tells its answer on told.
type toldSink struct {
	sink TicketSink
	told chan error
}

func (s toldSink) Submit(ctx context.Context, sub Submission) error {
	err := s.sink.Submit(ctx, sub)
	s.told <- err
	return err
}

// Ensure that a spool cleanup hung on the share stops not the retries of
// the requests waiting at the kiosk: centrale, back, takes them at the
// minute's upkeep.
func TestRetriesWithSpoolHung(t *testing.T) {
	dir, release := hungFolder(t)
	upkeeps := make(chan time.Time)
	centrale := &memorySink{fail: errSinkDown}
	first := toldSink{sink: centrale, told: make(chan error, 8)}
	h := newHarnessWith(t, func(c *Config) {
		c.Sink = FallbackSink{First: first, Then: SpoolSink{Dir: dir}}
		c.ticks, c.upkeeps = make(chan time.Time), upkeeps
	})
	t.Cleanup(func() { release(h.app) })
	h.startWizard("es")
	h.fill(rossi)
	h.confirm()
	if err := <-first.told; err == nil || h.app.Waiting() != 1 {
		t.Fatalf("centrale down and the spool no folder: %v, %d waiting; want the request waiting", err, h.app.Waiting())
	}
	centrale.mu.Lock()
	centrale.fail = nil
	centrale.mu.Unlock()
	upkeeps <- h.now
	if err := <-first.told; err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if got := centrale.received(); len(got) != 1 || got[0].Ticket.Number != "K001" {
		t.Errorf("centrale received %+v, want K001", got)
	}
}
