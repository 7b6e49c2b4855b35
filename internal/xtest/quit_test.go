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

// tapRuns bounds how many times TestNoTapAfterQuit clicks its program and
// stops it; tapQuick is how many runs must have quit within the double
// tap delay of the click, the runs that prove something.
const tapRuns, tapQuick = 12, 3

// TestNoTapAfterQuit clicks, again and again, the entry that fills a real
// Fyne program's window (testdata/quittap) and sends it SIGTERM as soon
// as the button is released, well within Fyne's double tap delay (300
// ms), after which the driver's goroutine delivers the tap: the app has
// stopped by then, and the tap must not come. It did: the driver, its
// queue for the main thread closed, runs what is sent there in place, so
// the entry was tapped on that goroutine while the main one tore the
// window down, and Fyne complained of a call off its main goroutine (the
// desk, in CI, quitting 327 ms after a click of TestXInputRandom).
// A run in which the app stopped after the tap, the quit slower than the
// delay, proves nothing and is not counted.
func TestNoTapAfterQuit(t *testing.T) {
	Need(t, "xdotool")
	bin := build(t, "quittap", "./testdata/quittap")
	display := StartXvfb(t, "320x240x24")
	quick := 0
	for i := 0; i < tapRuns && quick < tapQuick; i++ {
		app := Start(t, bin, display, t.TempDir(), "quittap")
		if _, err := app.WaitTitle(UntilDeadline, "quittap"); err != nil {
			t.Fatal(err)
		}
		if err := Xdotool(display, "mousemove", "100", "50", "click", "1"); err != nil {
			t.Fatal(err)
		}
		if _, err := app.WaitTitle(UntilDeadline, "quittap released"); err != nil {
			t.Fatalf("run %d: the click did not reach the entry: %v", i, err)
		}
		if err := app.stop(); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, app.Output())
		}
		out := app.Output()
		stopped := strings.Index(out, "quittap: stopped")
		if stopped < 0 || !strings.Contains(out, "quittap: ended") {
			t.Fatalf("run %d: the stop hook or the end of Run missing:\n%s", i, out)
		}
		tapped := strings.Index(out, "quittap: tapped")
		switch {
		case tapped > stopped:
			t.Fatalf("run %d: the entry was tapped after the app stopped:\n%s", i, out)
		case tapped < 0:
			quick++
		}
	}
	if quick < tapQuick {
		t.Fatalf("%d of %d runs stopped before the tap's delay ran out, %d needed: the test proves nothing on this machine", quick, tapRuns, tapQuick)
	}
}
