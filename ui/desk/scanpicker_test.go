package desk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that the scan picker attaches a file by keyboard alone: the
// folder's lines (a folder above, the folders, then the scans, hidden
// files and other files left out), Down and Enter into a folder, Down and
// Enter on a scan, which is attached; a pipe is refused, in the picker,
// without blocking.
func TestScanPickerKeys(t *testing.T) {
	testclock.RealDayOnly(t, "the scan picker's keys")
	h := ready(t)
	dir := t.TempDir()
	h.app.scanFolder = dir
	for name, data := range map[string]string{"b.PDF": "%PDF-1.4 b", "a.jpg": "jpeg", "note.txt": "x", ".nascosto.pdf": "x",
		"doc/passaporto.png": "png"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "tubo.pdf"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.toVerification(mario)
	v := h.app.verify
	h.tap(v.scanChoose)
	list, ok := h.win.Canvas().Focused().(*pickList)
	if !ok {
		t.Fatalf("the picker opens with %T focused, want its list", h.win.Canvas().Focused())
	}
	p := list.p
	if got, want := pickNames(p), "../ doc/ a.jpg b.PDF tubo.pdf"; got != want {
		t.Fatalf("%s lists %q, want %q", dir, got, want)
	}
	keys := func(names ...fyne.KeyName) {
		for _, n := range names {
			key(list, n)
		}
	}
	keys(fyne.KeyDown, fyne.KeyReturn) // into doc
	if got, want := pickNames(p), "../ passaporto.png"; p.dir != filepath.Join(dir, "doc") || got != want {
		t.Fatalf("Enter on doc: %s lists %q, want doc with %q", p.dir, got, want)
	}
	keys(fyne.KeyUp, fyne.KeyReturn, fyne.KeyDown, fyne.KeyDown, fyne.KeyDown, fyne.KeyDown, fyne.KeyReturn) // back up, on the pipe
	if len(h.app.dialogs) != 1 || !strings.Contains(p.note.Text, "tubo.pdf") {
		t.Fatalf("Enter on a pipe: %d dialogs, note %q; want the picker open, saying why", len(h.app.dialogs), p.note.Text)
	}
	keys(fyne.KeyUp, fyne.KeyReturn) // b.PDF
	if len(h.app.dialogs) != 0 || v.scan == nil || v.scan.Name != "b.PDF" || string(v.scan.Data) != "%PDF-1.4 b" {
		t.Fatalf("Enter on b.PDF: %d dialogs, scan %+v; want it attached, the picker closed", len(h.app.dialogs), v.scan)
	}
	h.tap(v.scanChoose)
	if l, ok := h.win.Canvas().Focused().(*pickList); !ok || l.p.dir != dir {
		t.Errorf("the picker opens again on another folder than %s, where it was", dir)
	}
}

// Ensure that the scan picker lists a bounded part of a huge folder, and
// says so.
func TestScanPickerBounded(t *testing.T) {
	testclock.RealDayOnly(t, "the scan picker's bound")
	dir := t.TempDir()
	for i := range maxPickEntries + 5 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d.pdf", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	items, more, err := readPickFolder(dir)
	if err != nil || !more || len(items) != maxPickEntries {
		t.Errorf("readPickFolder: %d lines, more %v, %v; want %d, more", len(items), more, err, maxPickEntries)
	}
}

// pickNames returns the lines of the picker, folders with a slash.
func pickNames(p *scanPicker) string {
	var names []string
	for _, it := range p.items {
		if it.dir {
			names = append(names, it.name+"/")
		} else {
			names = append(names, it.name)
		}
	}
	return strings.Join(names, " ")
}
