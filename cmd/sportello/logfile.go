package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// logMaxBytes is the size at which the desk's log file is rotated: the
// file becomes FILE.1 (the one before is dropped) and a new one starts. Two
// files of 5 MiB hold weeks of a desk's lines.
const logMaxBytes = 5 << 20

// rotatingFile is the desk's log file, rotated at max bytes. The Windows
// GUI build has no stderr: this file is where support finds a panic's stack.
type rotatingFile struct {
	mu   sync.Mutex
	path string
	max  int64
	f    *os.File
	size int64
}

// openRotating opens (or creates, with its folder) the log file at path,
// for appending.
func openRotating(path string, max int64) (*rotatingFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("log folder: %w", err)
	}
	r := &rotatingFile{path: path, max: max}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write appends p, first rotating the file when p would take it past max.
func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		r.f.Close()
		if err := os.Rename(r.path, r.path+".1"); err != nil {
			return 0, fmt.Errorf("rotate log: %w", err)
		}
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// Close closes the file.
func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Close()
}

// deskLog returns the desk's logger, to stderr and to sportello.log beside
// the store, that file's path, and what closes it; to stderr only when the
// file cannot be opened (the reason goes to stderr).
func deskLog(storePath string) (log *slog.Logger, path string, closeLog func()) {
	path = filepath.Join(filepath.Dir(storePath), "sportello.log")
	f, err := openRotating(path, logMaxBytes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sportello:", err)
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), "", func() {}
	}
	return slog.New(slog.NewTextHandler(io.MultiWriter(os.Stderr, f), nil)), path, func() { f.Close() }
}
