package xtest

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// wholeSaves is how many saves TestPreferencesWrittenWhole reads whole
// before it ends.
const wholeSaves = 50

// TestPreferencesWrittenWhole runs testdata/prefsave, which changes its
// preferences all the time, and reads the file Fyne saves them to at each
// change the kernel reports in its folder (inotify: a file created,
// written, moved in), as Fyne's own watch of that folder does, until it
// has read wholeSaves saves: each read must find the preferences whole.
// Fyne truncated the file in place (os.Create), then wrote it: a reader
// woken by the truncation found it empty, and Fyne's own watch, at the
// save of the exit, logged "Preferences load error: EOF" (the real desk,
// 3 of 22 quits; fyne-io/fyne#2936). The patch writes a new file and
// renames it over the old. The check of the program's output, which fails
// on any error Fyne logs, covers the exit's save.
func TestPreferencesWrittenWhole(t *testing.T) {
	Need(t)
	bin := build(t, "prefsave", "./testdata/prefsave")
	display := StartXvfb(t, "320x240x24")
	dir := t.TempDir()
	prefs := filepath.Join(dir, "config", "fyne", "it.inps.pinsede.prefsave", "preferences.json")
	if err := os.MkdirAll(filepath.Dir(prefs), 0o700); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	// Non-blocking, so that the runtime polls it and a read has a deadline.
	events := os.NewFile(uintptr(fd), "inotify")
	defer events.Close()
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(prefs), unix.IN_CREATE|unix.IN_MODIFY|unix.IN_MOVED_TO); err != nil {
		t.Fatalf("inotify on %s: %v", filepath.Dir(prefs), err)
	}
	if at, ok := Deadline(t); ok {
		if err := events.SetReadDeadline(at); err != nil {
			t.Fatal(err)
		}
	}
	app := Start(t, bin, display, dir, "prefsave")
	seen := map[float64]bool{}
	buf := make([]byte, 64<<10)
	for len(seen) < wholeSaves {
		if _, err := events.Read(buf); err != nil {
			t.Fatalf("after %d saves read whole: inotify: %v (prefsave alive: %v)", len(seen), err, app.Alive())
		}
		b, err := os.ReadFile(prefs)
		if errors.Is(err, os.ErrNotExist) {
			continue // a file of its own written first
		}
		if err != nil {
			t.Fatal(err)
		}
		var values struct{ N *float64 }
		if err := json.Unmarshal(b, &values); err != nil || values.N == nil {
			t.Fatalf("after %d saves read whole, the preferences file read at a change of it holds %q: %v", len(seen), b, err)
		}
		seen[*values.N] = true
	}
}
