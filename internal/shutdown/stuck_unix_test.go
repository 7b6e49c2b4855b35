//go:build unix

package shutdown

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stuckChildEnv tells the test binary it runs as TestStuckChild.
const stuckChildEnv = "PINSEDE_SHUTDOWN_STUCK_CHILD"

// TestStuckChild is not a test: it is the child process of TestStuckExits.
// Its log (slog's default logger) is file descriptor 3; its quit takes a
// step that never ends.
func TestStuckChild(t *testing.T) {
	if os.Getenv(stuckChildEnv) == "" {
		t.Skip("the child process of TestStuckExits")
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.NewFile(3, "log"), nil)))
	Step("a step that hangs")
	select {}
}

// Ensure that the watchdog ends a quit stuck at a step, with status 1,
// its log saying where it hung, and that it does so with its log on a
// writer that no longer takes a line: a real pipe, full, that nobody
// reads (as sportello.log on a disk that stops answering: a write waits
// in write(2) for as long as it does not answer). Before, the watchdog
// wrote "the quit begins" on the caller's goroutine before it started,
// and "the quit is stuck" before os.Exit: either write waited forever,
// and the process never ended (the reviewer's probe, its log on an ext4
// file system frozen: still alive 9 s after the quit began, Grace 5 s).
func TestStuckExits(t *testing.T) {
	for _, full := range []bool{false, true} {
		t.Run(map[bool]string{false: "log written", true: "log blocked"}[full], func(t *testing.T) {
			t.Parallel()
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if full {
				fill(t, w)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestStuckChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), stuckChildEnv+"=1")
			cmd.ExtraFiles = []*os.File{w}
			var out bytes.Buffer // the child's test output
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close() // the child's copy stays open
			logged := make(chan []byte, 1)
			if !full {
				go func() {
					b, _ := io.ReadAll(r) // to the end: the child exited
					logged <- b
				}()
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			bound := time.NewTimer(Grace + time.Minute) // ends only a wait that would never end
			defer bound.Stop()
			select {
			case err = <-exited:
			case <-bound.C:
				cmd.Process.Kill()
				<-exited
				t.Fatalf("the child still runs %v after its quit began (Grace %v): killed; it wrote:\n%s", Grace+time.Minute, Grace, out.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("the child ended with %v, want status 1; it wrote:\n%s", err, out.String())
			}
			if full {
				return
			}
			log := string(<-logged)
			for _, want := range []string{`msg="the quit begins"`, `msg="the quit is stuck: exiting" step="a step that hangs"`} {
				if !strings.Contains(log, want) {
					t.Errorf("the child's log lacks %s:\n%s", want, log)
				}
			}
		})
	}
}

// fill writes to the pipe w until it takes no more: a write then waits
// until someone reads. w is made blocking again once passed to a child
// (exec.Cmd's ExtraFiles: os.File.Fd).
func fill(t *testing.T, w *os.File) {
	t.Helper()
	rc, err := w.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		// Down to single bytes: a line is short.
		for size := 4096; size > 0 && (werr == nil || errors.Is(werr, syscall.EAGAIN)); size /= 2 {
			buf := make([]byte, size)
			for werr = nil; werr == nil; {
				_, werr = syscall.Write(int(fd), buf)
			}
		}
		return true // w is full, or failed: no wait for it to take more
	})
	if err != nil || !errors.Is(werr, syscall.EAGAIN) {
		t.Fatalf("fill the pipe: %v, %v", err, werr)
	}
}
