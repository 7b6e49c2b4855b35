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
	"time"

	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/dirsync"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
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
	return ToFileEdit(ctx, db, path, nil)
}

// ToFileEdit is ToFileContext, and edit, when not nil, runs on the copy
// once it is written whole and synced, before it is renamed into place:
// in a write transaction of the copy opened with bbolt, committed (so
// synced) before the rename. A copy at path always holds its edit; the
// database copied is not edited. For the copy to open, the .part is let
// go of for an instant, and bbolt's own lock holds it from then on: the
// file bbolt opened is checked to be the one written, still at its name
// (a Prune of another copy may have removed it in that instant, which
// fails this one). A copy bbolt panics on (of a damaged database) fails
// with boltsafe.ErrDamaged.
func ToFileEdit(ctx context.Context, db *bolt.DB, path string, edit func(*bolt.Tx) error) (int64, error) {
	switch _, err := os.Lstat(path); {
	case err == nil:
		return 0, ErrExists
	case !errors.Is(err, fs.ErrNotExist):
		return 0, err
	}
	dir := filepath.Dir(path)
	// Held until in place, that Prune leaves it alone (removeCutShort).
	f, held, err := createPart(dir, filepath.Base(path)+".*.part")
	if err != nil {
		return 0, fmt.Errorf("copy to %s: %w", path, err)
	}
	tmp := f.Name()
	release := held.Close
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
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && edit != nil {
		held.Close() // bbolt takes the lock itself
		release = func() error { return nil }
		var cp *bolt.DB
		if cp, err = editPart(tmp, fi, edit); err == nil {
			release = cp.Close
		}
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

// editPart opens with bbolt the copy at path, the file fi, written whole
// and let go of, checks that it is fi still at path, and runs edit in a
// write transaction of it. It returns the copy open: bbolt's lock holds
// it until closed.
func editPart(path string, fi fs.FileInfo, edit func(*bolt.Tx) error) (*bolt.DB, error) {
	var db *bolt.DB
	var file *os.File // the file bbolt opened
	openExisting := func(name string, flag int, perm os.FileMode) (f *os.File, err error) {
		f, err = os.OpenFile(name, flag&^os.O_CREATE, perm) // no empty database where a Prune removed the copy
		file = f
		return f, err
	}
	err := boltsafe.Do(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: partWait, OpenFile: openExisting})
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", path, errGone)
		}
		if err != nil {
			return err
		}
		if hi, err := file.Stat(); err != nil || !os.SameFile(fi, hi) || !at(path, fi) {
			return fmt.Errorf("%s: %w", path, errGone)
		}
		return db.Update(edit)
	})
	if err != nil {
		if db != nil {
			db.Close()
		}
		return nil, fmt.Errorf("edit the copy: %w", err)
	}
	return db, nil
}

// partAttempts is how many .part files a copy makes, each removed by a
// Prune before the copy held it, before it gives up.
const partAttempts = 10

// partWait is how long a copy waits to hold its new .part while another
// holds it: a Prune that found it not held yet, removing it.
const partWait = time.Second

// errGone is a .part file a Prune removed before its copy held it.
var errGone = errors.New("removed before held")

// createPart creates a new file in dir named by pattern (os.CreateTemp)
// and takes bbolt's lock on it (boltsafe.HoldFile), for Prune to leave it
// alone (removeCutShort); it returns the file, open to write, and the one
// held, which closed lets go of the lock. Between the two a Prune may find
// the file not held, and remove it: it does while holding it, and only if
// its name is still the file's, so the copy, once it holds its file, finds
// it at its name or not at all; in that case it makes another.
func createPart(dir, pattern string) (f, held *os.File, err error) {
	for range partAttempts {
		if f, err = os.CreateTemp(dir, pattern); err != nil {
			return nil, nil, err
		}
		var fi fs.FileInfo
		if fi, err = f.Stat(); err == nil {
			if held, err = holdPart(f.Name(), fi); err == nil {
				return f, held, nil
			}
		}
		f.Close()
		if fi != nil && at(f.Name(), fi) {
			os.Remove(f.Name())
		}
		if !errors.Is(err, errGone) && !errors.Is(err, berrors.ErrTimeout) {
			return nil, nil, err
		}
	}
	return nil, nil, fmt.Errorf("%d files to copy to, the last: %w", partAttempts, err)
}

// holdPart holds the file at path (boltsafe.HoldFile), fi, and returns it
// held; errGone when path names it no more once held, or names none.
func holdPart(path string, fi fs.FileInfo) (*os.File, error) {
	held, err := boltsafe.HoldFile(path, partWait)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, errGone)
	}
	if err != nil {
		return nil, err
	}
	if hi, err := held.Stat(); err != nil || !os.SameFile(fi, hi) || !at(path, fi) {
		held.Close()
		return nil, fmt.Errorf("%s: %w", path, errGone)
	}
	return held, nil
}

// at tells whether path names the file fi is of.
func at(path string, fi fs.FileInfo) bool {
	now, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, now)
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
