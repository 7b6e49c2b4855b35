package desk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/lang"
)

// smallDisk mounts a tmpfs of size (a real file system, that fills) on a
// new folder, and makes it the folder of the test's temporary files
// (TMPDIR): a harness started after it keeps its store there. It skips
// the test unless run as root, who may mount.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount a small tmpfs")
	}
	dir, err := os.MkdirTemp("", "pinsede-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
		os.Remove(dir)
	})
	t.Setenv("TMPDIR", dir)
	return dir
}

// fillDisk writes a file in dir until its file system has no space
// left, as another program would, and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "altro-programma.tmp")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v, want the disk full", dir, err)
			}
			return path
		}
	}
}

// Ensure that an issue whose record the disk refuses (the store's disk
// full: a real tmpfs, filled by another program) tells the clerk, in each
// of the desk's languages, that the PIN was not issued and no envelope
// printed, and what to do; the form keeps what was typed, and Emetti PIN
// issues once space is back.
func TestIssueDiskFullTold(t *testing.T) {
	dir := smallDisk(t, "2m")
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	filler := fillDisk(t, dir)
	inEachLanguage(t, func(t *testing.T, language string) {
		h.tap(h.app.verify.issue)
		if got, want := h.app.verify.msg.text(), lang.L("issue.disk.full"); got != want {
			t.Errorf("Emetti PIN on a full disk: %q, want %q", got, want)
		}
		shot(t, h, "verifica-disco-pieno-"+language)
	})
	if n := len(h.printer.printed()); n != 0 {
		t.Errorf("%d slips printed for a PIN the disk did not take, want none", n)
	}
	v, r := h.app.verify, h.app.request
	if v.number.Text != passport.Number || v.authority.Text != passport.Authority || !v.checkPhoto.Checked ||
		r.cognome.Text != mario.Cognome || r.cf.Text != string(mario.CodiceFiscale) {
		t.Errorf("the form lost what was typed: document %q %q, photo checked %v, MV35 %q %q",
			v.number.Text, v.authority.Text, v.checkPhoto.Checked, r.cognome.Text, r.cf.Text)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	h.tap(h.app.verify.issue)
	if n := len(h.printer.printed()); n != 1 {
		t.Errorf("space back, Emetti PIN printed %d slips (%q), want one", n, h.app.verify.msg.text())
	}
}
