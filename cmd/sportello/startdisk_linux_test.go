package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede/internal/testdisk"
	"github.com/pinsede/pinsede/ui/i18n"
)

// Ensure that a store on a file system mounted read-only (as Linux
// remounts a disk after errors: a real tmpfs, remounted) stops the desk
// with a message in the clerk's language that says the store cannot be
// written and whom to call, not an English error.
func TestStartReadOnlyDisk(t *testing.T) {
	dir := testdisk.Small(t, "4m")
	store, key := filepath.Join(dir, "sportello.db"), filepath.Join(t.TempDir(), "store.key")
	s, err := openStore(store, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	_, err = openStore(store, key)
	for _, language := range i18n.Languages {
		if err := i18n.Load(language); err != nil {
			t.Fatal(err)
		}
		want := lang.L("start.disk.readonly", map[string]any{"Store": store})
		if got := startMessage(err, store, key); got != want || !strings.Contains(got, store) {
			t.Errorf("%s: %q, want %q", language, got, want)
		}
	}
}

// Ensure that a store file the desk's user may read but not write (mode
// 0400) stops the desk with a message that says so, and whom to call,
// and that the error logged says it cannot be written (it said it
// could not be read).
// The open runs as the user nobody (setpriv), for whom the permission
// holds, in this test's program run again (storeDeniedChild).
func TestStartStoreNotWritable(t *testing.T) {
	if store := os.Getenv("PINSEDE_TEST_DENIED_STORE"); store != "" {
		storeDeniedChild(t, store, os.Getenv("PINSEDE_TEST_DENIED_KEY"))
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the desk's open as another user")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("needs setpriv, to run the desk's open as another user")
	}
	const nobody = 65534
	// A folder nobody may enter (t.TempDir's parent is root's only).
	dir, err := os.MkdirTemp("", "pinsede-denied-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	store, key := filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key")
	s, err := openStore(store, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The test's program, where nobody may run it (go test's folder is
	// root's only).
	prog := filepath.Join(dir, "sportello.test")
	copyFile(t, os.Args[0], prog)
	for _, f := range []string{store, key} {
		if err := os.Chown(f, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(store, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, language := range i18n.Languages {
		cmd := exec.Command(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups",
			prog, "-test.run", "^TestStartStoreNotWritable$", "-test.count", "1")
		cmd.Env = append(os.Environ(), "PINSEDE_TEST_DENIED_STORE="+store, "PINSEDE_TEST_DENIED_KEY="+key,
			"PINSEDE_TEST_DENIED_LANG="+language, "TMPDIR=/tmp")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s as nobody: %v\n%s", prog, err, out)
		}
		if err := i18n.Load(language); err != nil {
			t.Fatal(err)
		}
		want := lang.L("start.disk.denied", map[string]any{"Store": store, "Key": key})
		if !strings.Contains(string(out), "start: "+want+"\n") {
			t.Errorf("%s: the start says\n%s\nwant %q", language, out, want)
		}
		if !strings.Contains(string(out), "cannot be written: permission denied") {
			t.Errorf("the error, in the log, does not say the file cannot be written:\n%s", out)
		}
	}
}

// storeDeniedChild opens the store as the desk does at its start, and
// prints what the start screen says, in the language asked, and the
// error as the log has it.
func storeDeniedChild(t *testing.T, store, key string) {
	if err := i18n.Load(os.Getenv("PINSEDE_TEST_DENIED_LANG")); err != nil {
		t.Fatal(err)
	}
	s, err := openStore(store, key)
	if err == nil {
		s.Close()
		t.Fatalf("uid %d opened a store of mode 0400 to write", os.Getuid())
	}
	os.Stdout.WriteString("start: " + startMessage(err, store, key) + "\nerror: " + err.Error() + "\n")
}

// copyFile copies the file from to a new file to, executable.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
