package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarball returns a gzip'd tar of the package's files as they are in
// assets/fonts (what the generator wrote), changed by edit.
func tarball(t *testing.T, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "..", "fonts", f.to))
		if err != nil {
			t.Fatal(err)
		}
		if b = edit(f.from, b); b == nil {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: f.from, Mode: 0o644, Size: int64(len(b))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

// Ensure that the files embedded are those the pins name, that extract
// takes them, and that it refuses a file changed or missing.
func TestExtract(t *testing.T) {
	got, err := extract(tarball(t, func(_ string, b []byte) []byte { return b }))
	if err != nil {
		t.Fatalf("the embedded fonts do not match their pins: %v", err)
	}
	if len(got) != len(files) {
		t.Errorf("%d files, want %d", len(got), len(files))
	}
	changed := files[0].from
	_, err = extract(tarball(t, func(name string, b []byte) []byte {
		if name == changed {
			b = bytes.Clone(b)
			b[100] ^= 1
		}
		return b
	}))
	if err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("a changed %s: %v, want an error naming the SHA-256", changed, err)
	}
	_, err = extract(tarball(t, func(name string, b []byte) []byte {
		if name == changed {
			return nil
		}
		return b
	}))
	if err == nil || !strings.Contains(err.Error(), "has no") {
		t.Errorf("no %s: %v, want an error naming it", changed, err)
	}
}
