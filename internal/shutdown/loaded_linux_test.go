package shutdown

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testload"
	"golang.org/x/sys/unix"
)

// loadedChildEnv tells the test binary it runs as TestLoadedChild.
const loadedChildEnv = "PINSEDE_SHUTDOWN_LOADED_CHILD"

// loadedWork is the processor time the child's step takes: on one
// processor shared with loadedBurners processes that never sleep, its
// fair share takes (loadedBurners+1) times as long, 8 s, beyond Grace.
const (
	loadedWork    = 500 * time.Millisecond
	loadedBurners = 15
)

// TestLoadedChild is not a test: it is a child process of
// TestLoadedQuitEnds. Its log (slog's default logger) is file descriptor
// 3; its quit takes a step that ends after loadedWork of processor
// (PINSEDE_SHUTDOWN_LOADED_CHILD=work), or one that never ends (hang).
func TestLoadedChild(t *testing.T) {
	if os.Getenv(loadedChildEnv) == "" {
		t.Skip("the child process of TestLoadedQuitEnds")
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.NewFile(3, "log"), nil)))
	if os.Getenv(loadedChildEnv) == "hang" {
		Step("a step that hangs")
		select {}
	}
	Step("a step that needs processor")
	runtime.LockOSThread()
	for threadTime() < loadedWork {
	}
	slog.Info("the step ended")
	os.Exit(0)
}

// threadTime returns the processor time the calling thread has run.
func threadTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

// Ensure that a quit whose step merely waits for a processor, on a
// machine loaded many times over, ends with status 0, and is not taken
// as stuck, while a step that hangs there still is, with status 1: the
// children and loadedBurners processes that never sleep share one
// processor (taskset, sched_setaffinity), and the first child's step
// needs loadedWork of it, 8 s away at its fair share. The watchdog that
// counted each gap between its looks whole, the looks on time some
// 100 ms apart, exited with status 1 after Grace: as the desk did at
// load 15 in Fyne's quit (cmd/sportello's TestXInputRandom).
func TestLoadedQuitEnds(t *testing.T) {
	if _, ok := runWait(); !ok {
		t.Skip("the kernel does not tell the threads' wait for a processor (/proc/self/task/*/schedstat)")
	}
	cpu := testload.Burn(t, loadedBurners)

	// Both children at once, on the burners' processor.
	for _, c := range []struct {
		mode, step, log string
		status          int
	}{
		{"work", "a step that needs processor", `msg="the step ended"`, 0},
		{"hang", "a step that hangs", `msg="the quit is stuck: exiting" step="a step that hangs"`, 1},
	} {
		t.Run(c.mode, func(t *testing.T) {
			t.Parallel()
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			cmd := exec.Command("taskset", "-c", strconv.Itoa(cpu), os.Args[0], "-test.run=^TestLoadedChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), loadedChildEnv+"="+c.mode)
			cmd.ExtraFiles = []*os.File{w}
			var out bytes.Buffer // the child's test output
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatalf("start the child on processor %d: %v", cpu, err)
			}
			w.Close() // the child's copy stays open
			logged := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(r) // to the end: the child exited
				logged <- b
			}()
			err = cmd.Wait()
			log := string(<-logged)
			status := 0
			if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatalf("the child: %v; it wrote:\n%s", err, out.String())
			}
			if status != c.status || !strings.Contains(log, c.log) {
				t.Errorf("the child, %s on a loaded processor, ended with status %d, want %d and %s in its log; its log:\n%s%s", c.step, status, c.status, c.log, log, out.String())
			}
		})
	}
}
