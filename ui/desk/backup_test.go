package desk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that a copy of the store that fails shows in the status bar, in
// red, with since when, the folder, why and who to tell, on the login
// screen as at work, and in the details with what the supervisor does;
// that a second failure keeps the time of the first; and that the first
// copy written clears it. The folder of the first failure cannot be
// made, even by root: its parent is a regular file.
func TestBackupFailureShown(t *testing.T) {
	h := ready(t)
	states := make(chan client.State, 1)
	states <- client.State{Status: client.Online, LastSync: testNow}
	h.app.UseSync(stateSync(states), "") // certexpiry_test.go
	s := h.app.sync
	h.statusText()

	tmp, err := os.MkdirTemp("", "c") // short: the bar shows the folder
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	dir, mkErr := unmakeableDir(t, filepath.Join(tmp, "usb"), "copie")
	first := testNow.Add(-2 * time.Hour)
	h.app.BackupDone(BackupOutcome{Dir: dir, At: first, Err: mkErr})
	want := lang.L("sync.backup.failed", map[string]any{"Since": first.Format("15:04"), "Why": lang.L("sync.backup.fault.writable")})
	if text := h.statusText(); !strings.Contains(text, want) || s.button.Importance != widget.DangerImportance {
		t.Errorf("after a failed copy the bar says %q (importance %v), want %q in red", text, s.button.Importance, want)
	}
	if !strings.Contains(want, "cartella non scrivibile") {
		t.Errorf("the bar's warning %q", want)
	}
	// The bar keeps its text beside its clock: with the folder's path the
	// warning ran under the clock, and would widen the window.
	if bar, clock, win := s.button.MinSize().Width, s.clock.MinSize().Width, h.win.Canvas().Size().Width; bar+clock > win {
		t.Errorf("the bar (%v) and its clock (%v) are wider than the window (%v)", bar, clock, win)
	}

	full := &os.PathError{Op: "write", Path: filepath.Join(dir, "sportello-x.db"), Err: syscall.ENOSPC}
	h.app.BackupDone(BackupOutcome{Dir: dir, At: testNow, Err: full})
	want = lang.L("sync.backup.failed", map[string]any{"Since": first.Format("15:04"), "Why": lang.L("sync.backup.fault.space")})
	if text := h.statusText(); !strings.Contains(text, want) {
		t.Errorf("after a second failed copy the bar says %q, want %q: since the first", text, want)
	}
	h.app.lockSession()
	if text := h.statusText(); !strings.Contains(text, want) {
		t.Errorf("on the lock screen the bar says %q, want %q", text, want)
	}
	shot(t, h, "statusbar-backup-failed")
	test.Tap(s.button)
	shot(t, h, "statusbar-backup-failed-details")
	details := strings.Join(h.texts(), "\n")
	if w := lang.L("sync.backup.failing", map[string]any{"When": when(first), "Dir": dir, "Why": lang.L("sync.backup.fault.space")}); !strings.Contains(details, w) {
		t.Errorf("the details lack %q:\n%s", w, details)
	}

	written := testNow.Add(time.Minute)
	h.app.BackupDone(BackupOutcome{Dir: dir, At: written})
	if text := h.statusText(); strings.Contains(text, lang.L("sync.backup")) || strings.Contains(text, dir) || s.button.Importance == widget.DangerImportance {
		t.Errorf("after a copy written the bar says %q (importance %v), want no warning", text, s.button.Importance)
	}
	details = strings.Join(h.texts(), "\n")
	if w := lang.L("sync.backup.written", map[string]any{"When": when(written), "Dir": dir}); !strings.Contains(details, w) {
		t.Errorf("the details, open, lack %q:\n%s", w, details)
	}
	if pinsede.DateOf(first) != pinsede.DateOf(testNow) {
		t.Fatal("the test's failures are meant to be of the same day")
	}
}

// unmakeableDir returns the folder name under file, a regular file it
// writes, which cannot be made, even by root, and the error making it.
func unmakeableDir(t *testing.T, file, name string) (string, error) {
	t.Helper()
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, name)
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		t.Fatal("a folder made under a file")
	}
	return dir, err
}

// Ensure that a copy found damaged (the store it was made of is damaged)
// says so in the bar and, in the details, that the copies of before are
// kept and support restores one; it said "errore di scrittura", and
// asked to free space or make the folder writable.
func TestBackupDamagedShown(t *testing.T) {
	h := ready(t)
	states := make(chan client.State, 1)
	states <- client.State{Status: client.Online, LastSync: testNow}
	h.app.UseSync(stateSync(states), "")
	s := h.app.sync
	h.statusText()
	dir := t.TempDir()
	damaged := fmt.Errorf("back up store: check the copy %s: %w: 1 faults: page 2", filepath.Join(dir, "sportello-x.db"), boltsafe.ErrDamaged)
	h.app.BackupDone(BackupOutcome{Dir: dir, At: testNow, Err: damaged})
	if text := h.statusText(); !strings.Contains(text, "archivio danneggiato") || s.button.Importance != widget.DangerImportance {
		t.Errorf("after a damaged copy the bar says %q (importance %v), want the store damaged, in red", text, s.button.Importance)
	}
	test.Tap(s.button)
	details := strings.Join(h.texts(), "\n")
	for _, w := range []string{"danneggiato", "copie precedenti in " + dir + " sono conservate", "assistenza"} {
		if !strings.Contains(details, w) {
			t.Errorf("the details lack %q:\n%s", w, details)
		}
	}
	if strings.Contains(details, "liberi spazio") {
		t.Errorf("the details ask to free space for a damaged store:\n%s", details)
	}
}
