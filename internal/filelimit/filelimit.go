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

// Run runs the test named test of this test binary again, as a child
// whose Child returns arg (not empty), and returns what it wrote to its
// standard output and error.
func Run(test, arg string) ([]byte, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env+"="+arg)
	return cmd.CombinedOutput()
}
