package xtest

import (
	"strings"
	"testing"
)

// quitRuns is how many times TestQuitWhileSending starts and stops its
// program.
const quitRuns = 50

// TestQuitWhileSending starts, again and again, a real Fyne program whose
// goroutines keep sending functions to the main thread (testdata/quitrace)
// and sends it SIGTERM: each run must end by itself, its stop hook run.
// Fyne's driver, stopping, queued the stop hook and then emptied and
// closed its queue of functions for the main thread without a lock: a
// function sent in between was dropped with its sender waiting, which
// was the stop hook's runner, and Run never returned (a CI run's
// slowpaint, still running a minute after SIGTERM), or it was sent on the
// closed queue, a panic.
func TestQuitWhileSending(t *testing.T) {
	Need(t, "xdotool")
	bin := build(t, "quitrace", "./testdata/quitrace")
	display := StartXvfb(t, "320x240x24")
	for i := 0; i < quitRuns; i++ {
		app := Start(t, bin, display, t.TempDir(), "quitrace")
		if _, err := app.WaitTitle(UntilDeadline, "quitrace sending"); err != nil {
			t.Fatal(err)
		}
		if err := app.stop(); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, app.Output())
		}
		out := app.Output()
		if !strings.Contains(out, "quitrace: stopped") || !strings.Contains(out, "quitrace: ended") {
			t.Fatalf("run %d: the stop hook or the end of Run missing:\n%s", i, out)
		}
	}
}
