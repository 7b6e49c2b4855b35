//go:build linux

// Package testload loads one processor of the machine for as long as a
// test runs, and pins processes to it: a machine loaded many times over,
// made by the test and not hoped for from its neighbours.
package testload

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Burn starts n processes that never sleep, pinned to one processor of
// those the test may use, and returns that processor; they are killed
// when the test and its subtests have ended, or should the test's
// process end first (SIGKILL at its death). Threads of the test's own
// spinning do not load the processor as much: the runtime preempts a
// goroutine every 10 ms, and a goroutine locked to its thread then
// sleeps until handed a processor of the runtime again (a desk's quit
// took 1.9 s beside 40 such threads, 5.7 to 68 s beside 40 shells).
func Burn(t testing.TB, n int) int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatalf("testload: the test's processors: %v", err)
	}
	cpu := 0
	for !set.IsSet(cpu) {
		cpu++
	}
	for range n {
		cmd := exec.Command("taskset", "-c", strconv.Itoa(cpu), "sh", "-c", "while :; do :; done")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("testload: start a burner on processor %d: %v", cpu, err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	return cpu
}

// Pin moves every thread of process pid to processor cpu; the threads
// it starts afterwards inherit it from the thread that starts them.
func Pin(t testing.TB, pid, cpu int) {
	t.Helper()
	var one unix.CPUSet
	one.Set(cpu)
	tasks, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil {
		t.Fatalf("testload: the threads of process %d: %v", pid, err)
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		// A thread that ended since the listing: ESRCH.
		if err := unix.SchedSetaffinity(tid, &one); err != nil && err != unix.ESRCH {
			t.Fatalf("testload: pin thread %d of process %d to processor %d: %v", tid, pid, cpu, err)
		}
	}
}
