package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestIdleCPU measures what an idle desk costs: the real sportello, built
// as make builds it, under Xvfb, set up and logged in by keyboard and left
// at the home screen with the focus in the codice fiscale field (its text
// cursor showing), for PINSEDE_IDLE_SECONDS. It reports the share of a
// core the process used (its user and system time over the wall time) and
// its resident memory, and how often its main thread woke up (its context
// switches: 60 a second when Fyne's loop polls, about 3 when it waits for
// events, third_party/fyne-idle). Then it takes a screenshot of the desk
// (PINSEDE_SMOKE_OUT keeps it). It runs only when PINSEDE_IDLE_SECONDS is
// set (make idle): a measurement, for BENCHMARKS.md, not a check of the
// machine's load.
func TestIdleCPU(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("PINSEDE_IDLE_SECONDS"))
	if secs <= 0 {
		t.Skip("set PINSEDE_IDLE_SECONDS (make idle) to measure the idle desk")
	}
	xinTools(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	d := xinStart(t, bin, display, t.TempDir())
	d.setUpAndLogIn()
	pid := d.app.Cmd.Process.Pid
	before, switches, start := idleCPUTime(t, pid), idleSwitches(t, pid), time.Now()
	time.Sleep(time.Duration(secs) * time.Second) // the measurement's window
	used, woke, wall := idleCPUTime(t, pid)-before, idleSwitches(t, pid)-switches, time.Since(start)
	if err := d.app.Alive(); err != nil {
		t.Fatalf("the desk stopped while idle: %v", err)
	}
	t.Logf("idle desk at the home screen: %.2f%% of a core over %v, main thread woken %.1f times a second, resident memory %s",
		100*used.Seconds()/wall.Seconds(), wall.Round(time.Second), float64(woke)/wall.Seconds(), idleStatus(t, pid, "", "VmRSS"))
	shot, _ := d.shot("idle")
	t.Logf("the desk after %v idle: %s", wall.Round(time.Second), shot)
}

// idleSwitches returns how many times the main thread of process pid was
// switched out: its voluntary and involuntary context switches.
func idleSwitches(t *testing.T, pid int) int {
	t.Helper()
	n := 0
	for _, field := range []string{"voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"} {
		v, err := strconv.Atoi(idleStatus(t, pid, "task/"+strconv.Itoa(pid), field))
		if err != nil {
			t.Fatalf("%s of process %d: %v", field, pid, err)
		}
		n += v
	}
	return n
}

// idleCPUTime returns the user and system time process pid has used
// (/proc/PID/stat, in clock ticks of 10 ms: Linux's USER_HZ).
func idleCPUTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 14th and 15th of the line.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("/proc/%d/stat: %q", pid, b)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// idleStatus returns a field of /proc/PID/status, such as "VmRSS", or of
// /proc/PID/SUB/status when sub is not empty.
func idleStatus(t *testing.T, pid int, sub, field string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), sub, "status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
