//go:build linux

// Package filelimit runs a test's body again in a child process, the
// test binary itself, with no file larger than a limit (RLIMIT_FSIZE):
// a write past it fails (EFBIG) as a write on a full disk does, so that
// a test sees what a program leaves behind a write that failed.
//
//	func TestX(t *testing.T) {
//		if arg, ok := filelimit.Child(); ok {
//			// the child: filelimit.Set(n), then the writes, then os.Exit
//		}
//		out, err := filelimit.Run("TestX", arg)
//		// the parent: check out and what is on disk
//	}
package filelimit

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// env carries the child's argument.
const env = "PINSEDE_TEST_FILE_LIMIT_CHILD"

// Child returns the argument the parent gave Run, when this process is
// the child.
func Child() (string, bool) {
	arg := os.Getenv(env)
	return arg, arg != ""
}

// Set limits the files this process writes to n bytes: a write past
// them fails, and the signal it raises (SIGXFSZ) is ignored by Go.
func Set(n uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
}

// Hold limits the files this process writes to n bytes, as Set does,
// until release, which gives back the limit of before: the limit held is
// the soft one, below a hard limit left as it was. A test holds it around
// the writes it means to fail, and writes its own files (its screenshots)
// after.
func Hold(n uint64) (release func() error, err error) {
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &was); err != nil {
		return nil, fmt.Errorf("file size limit: %w", err)
	}
	held := syscall.Rlimit{Cur: min(n, was.Max), Max: was.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &held); err != nil {
		return nil, fmt.Errorf("file size limit %d: %w", n, err)
	}
	return func() error {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &was); err != nil {
			return fmt.Errorf("file size limit given back: %w", err)
		}
		return nil
	}, nil
}

// Run runs the test named test of this test binary again, as a child
// whose Child returns arg (not empty), and returns what it wrote to its
// standard output and error.
func Run(test, arg string) ([]byte, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env+"="+arg)
	return cmd.CombinedOutput()
}
