package main

import (
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testload"
	"github.com/pinsede/pinsede/internal/xtest"
)

// quitBurners is how many processes that never sleep share the desk's
// and its X server's processor in TestQuitLoaded: beside 15 the desk's
// quit took 2 s from SIGTERM; beside 40 and 60 the old watchdog exited
// with status 1 at each of 5 quits.
const quitBurners = 40

// Ensure that the desk quits on SIGTERM with status 0 on a machine
// loaded many times over: the desk and its X server pinned to one
// processor with quitBurners processes that never sleep (the test's,
// not its neighbours'). Fyne's quit (GLFW's end, waiting on the
// graphics driver's threads) then takes seconds from SIGTERM, each look
// of the watchdog on time, and the watchdog that counted the time
// between its looks whole took it as stuck: status 1 after 5 s, as in
// TestXInputRandom/seed=1 at load 15. It does not count the time the
// desk's threads waited for a processor (internal/shutdown).
func TestQuitLoaded(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the quit on a loaded machine")
	xtest.Need(t)
	app, xvfb := startToQuit(t, t.TempDir())
	cpu := testload.Burn(t, quitBurners)
	testload.Pin(t, xvfb, cpu)
	testload.Pin(t, app.Cmd.Process.Pid, cpu)
	app.Stop(t) // SIGTERM: status 0, or the test fails
}
