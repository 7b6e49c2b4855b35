package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/local"
)

// starvedQuota is the processor time the starved desk and its X server
// get together each second (cgroup): a load far beyond the 12 to 15 on
// 2 cores seen in CI, under which the desk's quit, some tens of
// milliseconds of processor, takes seconds.
const starvedQuota = time.Millisecond

// Ensure that the desk starved of processor quits on SIGTERM by itself,
// with status 0, its store whole and closed: the quit merely takes
// longer. Its bound (shutdown.ExitIfStuck) counts the time without
// progress that the process ran; a fixed 5 s from SIGTERM cut the quit
// short with status 1, failing whichever test stopped a desk on a loaded
// machine. The desk and its X server, which its quit waits on, run in a
// cgroup of their own, given starvedQuota of processor each second once
// the window shows; the test waits for the desk's exit, the event, not
// for a time, up to WaitNet: the quit takes some 7 s so, at times far
// longer.
func TestQuitStarved(t *testing.T) {
	t.Parallel()
	xtest.Need(t)
	starve := cpuCgroup(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	dir := t.TempDir()
	backups := filepath.Join(dir, "copie")
	app := smokeStartApp(t, bin, display, dir, "-backup-dir", backups)
	if _, err := app.WaitMapped(xtest.UntilDeadline); err != nil {
		t.Fatalf("sportello window: %v", err)
	}
	if err := app.Painted(xtest.UntilDeadline); err != nil { // its loop runs: Fyne quits on SIGTERM
		t.Fatalf("sportello's first frame: %v", err)
	}
	xvfb, ok := xtest.ServerPID(display)
	if !ok {
		t.Fatalf("no X server of the test on %s", display)
	}
	starve(xvfb)
	starve(app.Cmd.Process.Pid)
	began := time.Now()
	if err := app.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	net := xtest.WaitNet // not Stop's minute: the starved quit's length varies
	if at, ok := xtest.Deadline(t); ok {
		net = min(net, time.Until(at))
	}
	select {
	case <-app.Done():
	case <-time.After(net):
		t.Fatalf("sportello still quitting %v after SIGTERM", net)
	}
	if code := app.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("sportello starved quit with status %d, want 0", code)
	}
	t.Logf("quit starved to %v of processor a second: %v, %v of processor in all the desk's life",
		starvedQuota, time.Since(began).Round(time.Millisecond), (app.Cmd.ProcessState.UserTime() + app.Cmd.ProcessState.SystemTime()).Round(time.Millisecond))
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
// runs of TestQuitStarved).
func TestQuitAsItShows(t *testing.T) {
	t.Parallel()
	xtest.Need(t)
	app := smokeStartApp(t, smokeBuild(t), smokeStartXvfb(t), t.TempDir())
	if _, err := app.WaitMapped(xtest.UntilDeadline); err != nil {
		t.Fatalf("sportello window: %v", err)
	}
	app.Stop(t) // SIGTERM: status 0, or the test fails
}

// cpuCgroup makes a cgroup of the cpu controller for the test, which
// gives its processes starvedQuota of processor each second, and returns
// the function that moves a process into it; the cgroup goes when the
// test ends. It skips the test where cgroups cannot be made (not root, no
// cpu controller), saying so.
func cpuCgroup(t *testing.T) func(pid int) {
	t.Helper()
	name := fmt.Sprintf("pinsede-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), os.Getpid())
	type knob struct{ file, value string }
	var (
		dir   string
		knobs []knob
	)
	switch v1, v2 := "/sys/fs/cgroup/cpu", "/sys/fs/cgroup"; {
	case exists(filepath.Join(v1, "cpu.cfs_quota_us")):
		dir = filepath.Join(v1, name)
		knobs = []knob{{"cpu.cfs_period_us", "1000000"}, {"cpu.cfs_quota_us", strconv.FormatInt(starvedQuota.Microseconds(), 10)}}
	case exists(filepath.Join(v2, "cgroup.controllers")):
		dir = filepath.Join(v2, name)
		knobs = []knob{{"cpu.max", fmt.Sprintf("%d 1000000", starvedQuota.Microseconds())}}
	default:
		t.Skip("no cgroup cpu controller to starve the desk in (/sys/fs/cgroup)")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("a cgroup to starve the desk in (root only): %v", err)
	}
	t.Cleanup(func() { os.Remove(dir) }) // once its process has ended: Stop ran
	for _, k := range knobs {
		if err := os.WriteFile(filepath.Join(dir, k.file), []byte(k.value), 0o644); err != nil {
			t.Skipf("cgroup %s: %v", k.file, err)
		}
	}
	return func(pid int) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			t.Fatalf("move the desk into its cgroup: %v", err)
		}
	}
}
