package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Ensure that the desk's log file rotates at its size: the lines before
// go to FILE.1, none is lost or split, and the file never grows past the
// limit by more than one line.
func TestRotatingLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "sportello.log")
	r, err := openRotating(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("0123456789012345678901234567890123456789\n") // 41 bytes
	for range 5 {
		if _, err := r.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path + ".1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) > 100 || len(old) > 100 || !bytes.HasSuffix(cur, line) {
		t.Errorf("sizes %d and %d, want at most 100 each, whole lines", len(cur), len(old))
	}
	if n := bytes.Count(cur, line) + bytes.Count(old, line); n != 3 && n != 5 {
		t.Errorf("%d lines in the two files", n)
	}
	// Opening again appends to the file there.
	r, err = openRotating(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.size != int64(len(cur)) {
		t.Errorf("reopened at size %d, want %d", r.size, len(cur))
	}
}
