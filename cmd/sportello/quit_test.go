package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/shutdown"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/local"
)

// Ensure that the desk stopped in the middle of its quit, for longer
// than the bound without progress (shutdown.Grace), ends it by itself
// once it runs again, with status 0, its store whole and closed, no
// copy of the store cut short: the bound counts the time the process
// ran (shutdown.ExitIfStuck). A fixed 5 s from SIGTERM exited with
// status 1 as soon as the process ran again; so did the quits that a
// loaded machine merely slowed down.
//
// The freeze is the test's doing, not a hope about the machine's load:
// the X server first (the desk's quit, which talks to it, cannot end
// meanwhile), SIGTERM, then the desk once its log says the quit has
// begun, both seen stopped; after Grace and two seconds both go on. An
// earlier version starved the two in a cgroup of 1 ms of processor a
// second: the outcome depended on the kernel (cgroup v1 never ended the
// quit in 5 minutes, a v2 CI machine counted 5 s of it as run).
func TestQuitFrozen(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the quit with its X server frozen")
	xtest.Need(t)
	dir := t.TempDir()
	backups := filepath.Join(dir, "copie")
	app, xvfb := startToQuit(t, dir, "-backup-dir", backups)
	desk := app.Cmd.Process.Pid
	freeze(t, xvfb)
	t.Cleanup(func() { thaw(xvfb, desk) }) // a test that failed leaves nothing stopped
	if err := app.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, app, func() bool { return strings.Contains(app.Output(), `msg="the quit begins"`) }, "the desk's log saying the quit begins")
	freeze(t, desk)
	select {
	case <-app.Done():
		t.Fatalf("sportello ended its quit with its X server stopped: the desk was not frozen in the middle of it (status %d)", app.Cmd.ProcessState.ExitCode())
	default:
	}
	time.Sleep(shutdown.Grace + 2*time.Second) // the freeze: longer than the bound
	thaw(xvfb, desk)
	waitFor(t, app, func() bool {
		select {
		case <-app.Done():
			return true
		default:
			return false
		}
	}, "the desk's exit")
	if code := app.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("sportello frozen %v in its quit exited with status %d, want 0", shutdown.Grace+2*time.Second, code)
	}
	parts, _ := filepath.Glob(filepath.Join(backups, "*.part"))
	if len(parts) != 0 {
		t.Errorf("a copy of the store cut short is left in the folder: %v", parts)
	}
	s, err := local.Open(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatalf("the store after the quit: %v", err)
	}
	s.Close()
}

// Ensure that the desk quits on SIGTERM by itself, with status 0, as soon
// as its window shows: Fyne's driver asked for the signals in Run, after
// ShowAndRun had mapped the window, and a SIGTERM between the two went
// to the desk's own handlers only; the app never quit, and the desk
// exited with status 1 by its bound (3 runs of 3 by hand, and the first
// runs of a test that starved the quit in a cgroup, since replaced by
// TestQuitFrozen).
func TestQuitAsItShows(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the quit as the window shows")
	xtest.Need(t)
	app := smokeStartApp(t, smokeBuild(t), smokeStartXvfb(t), t.TempDir())
	if _, err := app.WaitMapped(xtest.UntilDeadline); err != nil {
		t.Fatalf("sportello window: %v", err)
	}
	app.Stop(t) // SIGTERM: status 0, or the test fails
}

// startToQuit starts the desk in dir, with args, on an X server of its
// own, and returns it once its loop runs (its first frame drawn: Fyne
// quits on SIGTERM), with its X server's process id.
func startToQuit(t *testing.T, dir string, args ...string) (*xtest.App, int) {
	t.Helper()
	display := smokeStartXvfb(t)
	app := smokeStartApp(t, smokeBuild(t), display, dir, args...)
	if _, err := app.WaitMapped(xtest.UntilDeadline); err != nil {
		t.Fatalf("sportello window: %v", err)
	}
	if err := app.Painted(xtest.UntilDeadline); err != nil {
		t.Fatalf("sportello's first frame: %v", err)
	}
	xvfb, ok := xtest.ServerPID(display)
	if !ok {
		t.Fatalf("no X server of the test on %s", display)
	}
	return app, xvfb
}

// freeze stops process pid (SIGSTOP) and returns once it is seen
// stopped (/proc/PID/stat's state T).
func freeze(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stop process %d: %v", pid, err)
	}
	stat := "/proc/" + strconv.Itoa(pid) + "/stat"
	for deadline := time.Now().Add(xtest.WaitNet); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			t.Fatalf("process %d: %v", pid, err)
		}
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "T" {
			return
		}
	}
	t.Fatalf("process %d not stopped %v after SIGSTOP", pid, xtest.WaitNet)
}

// thaw lets the processes stopped by freeze go on.
func thaw(pids ...int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
}

// waitFor returns once done reports true, looking every 10 ms, and fails
// the test, naming what, at its deadline or after xtest.WaitNet.
func waitFor(t *testing.T, app *xtest.App, done func() bool, what string) {
	t.Helper()
	net := xtest.WaitNet
	if at, ok := xtest.Deadline(t); ok {
		net = min(net, time.Until(at))
	}
	for deadline := time.Now().Add(net); !done(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v; the desk wrote:\n%s", what, net, app.Output())
		}
	}
}
