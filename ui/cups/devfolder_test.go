package cups

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that DevFolder writes the PDF, owner-only, in a folder it
// creates owner-only.
func TestDevFolderWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stampe")
	if err := (DevFolder{Dir: dir}).Print(t.Context(), Job{Title: "busta-ROMA01-20261123-3F9A2C", PDF: []byte("%PDF-1.4")}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "busta-ROMA01-20261123-3F9A2C.pdf")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("%s is not a PDF", path)
	}
	for p, want := range map[string]fs.FileMode{path: 0o600, dir: 0o700} {
		if fi, err := os.Stat(p); err != nil {
			t.Error(err)
		} else if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", p, got, want)
		}
	}
}

// Ensure that DevFolder never overwrites a file: a second print of one
// title (the MV35 printed again) goes to the next free name (issue 14,
// finding 8: it used to fail with no reason given).
func TestDevFolderNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mv35-DEV01.pdf")
	if err := os.WriteFile(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mv35-DEV01-2.pdf", "mv35-DEV01-3.pdf"} {
		if err := (DevFolder{Dir: dir}).Print(t.Context(), Job{Title: "mv35-DEV01", PDF: []byte("%PDF-again")}); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, want)); err != nil || string(b) != "%PDF-again" {
			t.Errorf("%s: %q, %v", want, b, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("the file was overwritten: %q", b)
	}
}

// Ensure that a folder that cannot be written gives an error naming it.
// (The test runs as root too, where permission bits do not stop a write:
// the folder's path goes through a regular file instead.)
func TestDevFolderUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "stampe")
	err := DevFolder{Dir: dir}.Print(t.Context(), Job{Title: "busta-1", PDF: []byte("%PDF-")})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want an error naming %s", err, dir)
	}
}

// Ensure that a title cannot lead out of the folder.
func TestDevFolderTitle(t *testing.T) {
	dir := t.TempDir()
	for _, title := range []string{"", "../busta", "a/b", ".hidden", `c:\x`, "busta 1"} {
		if err := (DevFolder{Dir: dir}).Print(t.Context(), Job{Title: title, PDF: []byte("%PDF-")}); err == nil {
			t.Errorf("title %q accepted", title)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("files written: %v", entries)
	}
}
