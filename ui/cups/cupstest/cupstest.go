// Package cupstest gives tests the real CUPS queue that
// scripts/cups-setup.sh makes: a PDF printer (cups-pdf) whose output the
// tests read back.
//
// # Caveats
//
// The queue, cupsd's spool and cups-pdf's output folder are shared by every
// test process of the machine: [Need] holds a lock on them until the test
// ends, so that one test's look at the spool never sees another's job.
package cupstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The test queue that scripts/cups-setup.sh creates, where cups-pdf writes
// what it prints (a folder per user below it), and cupsd's spool.
const (
	Queue  = "pinsede-pdf"
	Output = "/var/spool/cups-pdf/pinsede"
	Spool  = "/var/spool/cups"
)

// Need makes sure cupsd runs with [Queue]: it runs scripts/cups-setup.sh
// when it can (as root). Without CUPS it skips the test, or fails it when
// $CI is set. It holds the machine's test lock on the queue until the test
// ends.
func Need(t testing.TB) {
	t.Helper()
	ready := func() bool {
		return exec.Command("lpstat", "-p", Queue).Run() == nil
	}
	if !ready() {
		why := "CUPS with the queue " + Queue + " is not available"
		if os.Geteuid() == 0 {
			out, err := exec.Command("bash", setupScript()).CombinedOutput()
			if err == nil && ready() {
				lock(t)
				return
			}
			why += ": scripts/cups-setup.sh: " + strings.TrimSpace(string(out))
		} else {
			why += " (run scripts/cups-setup.sh as root)"
		}
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	lock(t)
}

// setupScript returns the path of scripts/cups-setup.sh, found from this
// file's place in the repository.
func setupScript() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "cups-setup.sh")
}

// Printed waits for the PDF that cups-pdf wrote for the job titled title
// (it writes the file as the job ends), fails t unless there is exactly
// one, and returns its path. The file is removed when the test ends.
func Printed(t testing.TB, title string) string {
	t.Helper()
	pattern := filepath.Join(Output, "*", title+"*.pdf")
	var files []string
	for range 50 {
		if files, _ = filepath.Glob(pattern); len(files) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(files) != 1 {
		t.Fatalf("%d files match %s, want 1", len(files), pattern)
	}
	t.Cleanup(func() { os.Remove(files[0]) })
	return files[0]
}
