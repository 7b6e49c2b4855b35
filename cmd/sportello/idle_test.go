package main

import (
	"os"
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
// its resident memory. It runs only when PINSEDE_IDLE_SECONDS is set
// (make idle): a measurement, for BENCHMARKS.md, not a check of the
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
	pid := d.app.cmd.Process.Pid
	before, start := idleCPUTime(t, pid), time.Now()
	time.Sleep(time.Duration(secs) * time.Second) // the measurement's window
	used, wall := idleCPUTime(t, pid)-before, time.Since(start)
	if err := d.app.alive(); err != nil {
		t.Fatalf("the desk stopped while idle: %v", err)
	}
	t.Logf("idle desk at the home screen: %.2f%% of a core over %v, resident memory %s",
		100*used.Seconds()/wall.Seconds(), wall.Round(time.Second), idleStatus(t, pid, "VmRSS"))
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

// idleStatus returns a field of /proc/PID/status, such as "VmRSS".
func idleStatus(t *testing.T, pid int, field string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
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
