//go:build unix

package cupstest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// lock takes the machine's lock on the test queue, released when t ends.
func lock(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "pinsede-cupstest.lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		t.Fatalf("cups test lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("cups test lock %s: %v", f.Name(), err)
	}
	t.Cleanup(func() { f.Close() }) // closing the file releases the lock
}
