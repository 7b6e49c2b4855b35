//go:build linux

package ticket

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// lateEnv names the spool folder, the code and the time of issue of the
// ticket that TestSpoolLateChild submits.
const lateEnv = "PINSEDE_SPOOL_LATE"

// Ensure that a kiosk's write to the spool folder that lands after a
// desk took its ticket does not put the ticket back in the queue: a
// write held in its rename (as on a share whose server is slow: the
// kiosk gave up on it at its bound, and the request waited at the kiosk)
// finishes after the desk took the ticket, from the kiosk's retry or
// from centrale. Neither Waiting lists it again nor does Take hand it
// out a second time, so no second clerk calls the citizen. The write is
// a child process under strace, held at its rename until strace is
// killed; the test goes on when strace tells the rename entered.
func TestSpoolLateWriteAfterTake(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Fatal("strace is missing (scripts/apt-packages.txt lists it; run scripts/setup.sh)")
	}
	now := testclock.Now()
	for _, c := range []struct {
		name  string
		retry bool // the kiosk's retry wrote the ticket, and the desk took it
	}{
		{"the retry's copy taken", true},
		{"taken from centrale", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
			if _, err := s.ensureKey(); err != nil {
				t.Fatal(err)
			}
			const code = "LATE2345"
			held := heldWrite(t, strace, s, code, now)
			if c.retry {
				spoolTicket(t, s, "K001", code, now)
				if sub, err := s.TakeOn(code, now); err != nil || sub.Request.Cognome != "Rossi" {
					t.Fatalf("the desk's take: %+v, %v", sub, err)
				}
			} else if _, err := s.Take(code); !errors.Is(err, os.ErrNotExist) {
				// A desk took it from centrale, and removes the spool's copy.
				t.Fatalf("the desk's take of a code not in the folder: %v, want not exist", err)
			}
			held.release()
			if _, err := os.Stat(filepath.Join(s.Dir, SpoolFile(code))); err != nil {
				t.Fatalf("the late write did not land (the test tests nothing): %v", err)
			}
			ts, err := s.Waiting(now)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range ts {
				if tk.Code == code {
					t.Errorf("the ticket taken is waiting again after a late write: %+v", tk)
				}
			}
			if sub, err := s.TakeOn(code, now); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the ticket taken is taken again after a late write: %+v, %v; want not exist", sub, err)
			}
		})
	}
}

// heldWriter is a child process submitting a ticket under strace, held
// in its rename.
type heldWriter struct {
	t      *testing.T
	strace *exec.Cmd
	out    *bytes.Buffer
}

// heldWrite starts TestSpoolLateChild under strace, which holds every
// rename at its entry, and returns once the child has written and closed
// its temporary file (inotify tells): its next step is the rename of it
// to the ticket's file, which strace holds.
func heldWrite(t *testing.T, strace string, s Spool, code string, issued time.Time) *heldWriter {
	t.Helper()
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	events := os.NewFile(uintptr(fd), "inotify")
	defer events.Close()
	if _, err := syscall.InotifyAddWatch(fd, s.Dir, syscall.IN_CLOSE_WRITE); err != nil {
		t.Fatal(err)
	}
	renames := "rename,renameat,renameat2"
	// Go's preemption signals, sent to the thread held, make strace 6.1
	// lose its hold ("delayed wait data set already"): none in the child.
	cmd := exec.Command(strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace="+renames,
		"-e", "inject="+renames+":delay_enter=3600s", os.Args[0], "-test.v", "-test.run=^TestSpoolLateChild$")
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1", lateEnv+"="+strings.Join([]string{s.Dir, code, issued.Format(time.RFC3339)}, "|"))
	h := &heldWriter{t: t, strace: cmd, out: new(bytes.Buffer)}
	cmd.Stdout, cmd.Stderr = h.out, h.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	written := make(chan bool, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := events.Read(buf)
			if err != nil {
				written <- false
				return
			}
			for b := buf[:n]; len(b) >= syscall.SizeofInotifyEvent; {
				e := (*syscall.InotifyEvent)(unsafe.Pointer(&b[0]))
				name := strings.TrimRight(string(b[syscall.SizeofInotifyEvent:syscall.SizeofInotifyEvent+e.Len]), "\x00")
				if strings.HasPrefix(name, ".ticket-") && strings.HasSuffix(name, ".tmp") {
					written <- true
					return
				}
				b = b[syscall.SizeofInotifyEvent+e.Len:]
			}
		}
	}()
	select {
	case <-written:
		return h
	case <-time.After(time.Minute): // a safety net for a hang, not a window
		cmd.Process.Kill()
		cmd.Wait()
		if bytes.Contains(h.out.Bytes(), []byte("ptrace")) && bytes.Contains(h.out.Bytes(), []byte("Operation not permitted")) {
			t.Skipf("this machine forbids tracing a process (a container's seccomp or yama): %s", h.out)
		}
		t.Fatalf("the child has not written its ticket in a minute: %s", h.out)
	}
	panic("unreachable")
}

// release kills strace, which lets the child's rename go on (a tracer
// that dies detaches its tracees), and returns once the child has ended:
// strace's output, which the child shares, is closed then.
func (h *heldWriter) release() {
	h.t.Helper()
	if err := h.strace.Process.Kill(); err != nil {
		h.t.Fatal(err)
	}
	h.strace.Wait()
	if out := h.out.String(); !strings.Contains(out, "PASS") {
		h.t.Fatalf("the child's Submit: %s", out)
	}
}

// TestSpoolLateChild submits the ticket $PINSEDE_SPOOL_LATE names; it
// runs only as TestSpoolLateWriteAfterTake's child.
func TestSpoolLateChild(t *testing.T) {
	env := os.Getenv(lateEnv)
	if env == "" {
		t.Skip("the child of TestSpoolLateWriteAfterTake")
	}
	f := strings.Split(env, "|")
	issued, err := time.Parse(time.RFC3339, f[2])
	if err != nil {
		t.Fatal(err)
	}
	sub := Submission{Ticket: Ticket{Number: "K001", Code: f[1], Service: "request", Issued: issued},
		Request: pinsede.Request{Cognome: "Rossi"}}
	if err := (Spool{Dir: f[0]}).Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
}
