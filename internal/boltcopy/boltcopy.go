// Package boltcopy copies a bbolt database while it is in use, as of one
// moment: the desk's store (local) and centrale's (sync/boltstore) are
// backed up through it.
package boltcopy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/dirsync"
	bolt "go.etcd.io/bbolt"
)

// ErrExists is returned by ToFile when the copy's file exists: a copy
// never overwrites anything.
var ErrExists = errors.New("backup file already exists")

// WriteTo writes a consistent copy of the whole database to w, as of the
// moment it starts, while the database stays in use: it runs in one read
// transaction (Tx.WriteTo), so a write is in the copy whole or not at all.
// It returns the number of bytes written.
func WriteTo(db *bolt.DB, w io.Writer) (int64, error) {
	var n int64
	err := db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// ToFile writes a copy of the database (see WriteTo) to a new file at
// path, readable by the user only, and refuses with ErrExists when path
// exists. The copy is written beside path (path.<random>.part, held by
// bbolt's lock while written: boltsafe.Hold), synced and renamed into
// place when complete, and the folder synced: a copy at path is always
// whole.
func ToFile(db *bolt.DB, path string) (int64, error) {
	return ToFileContext(context.Background(), db, path)
}

// ToFileContext is ToFile, given up when ctx ends (the program quits):
// the copy stops at its next write, and what it wrote beside path is
// removed; it returns ctx's error. The database's read transaction ends
// with it: closing the database waits for none.
func ToFileContext(ctx context.Context, db *bolt.DB, path string) (int64, error) {
	switch _, err := os.Lstat(path); {
	case err == nil:
		return 0, ErrExists
	case !errors.Is(err, fs.ErrNotExist):
		return 0, err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.part")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	// Held until in place, that Prune leaves it alone (removeCutShort).
	release, err := boltsafe.Hold(tmp, 0)
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return 0, fmt.Errorf("copy to %s: %w", path, err)
	}
	// Windows renames and removes no open file: there the lock goes
	// just before.
	early := runtime.GOOS == "windows"
	n, err := WriteTo(db, ctxWriter{ctx, f})
	if err != nil && ctx.Err() != nil {
		err = ctx.Err() // bbolt's WriteTo keeps the writer's error as text only
	}
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if early {
		release()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = dirsync.Sync(dir)
	}
	if err != nil {
		os.Remove(tmp)
	}
	if !early {
		release()
	}
	if err != nil {
		return 0, fmt.Errorf("copy to %s: %w", path, err)
	}
	return n, nil
}

// ctxWriter is a writer that refuses to write once its context ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
