//go:build !wasm

package app

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

func (p *preferences) storageWriter() (writeSyncCloser, error) {
	return p.storageWriterForPath(p.storagePath())
}

func (p *preferences) storageReader() (io.ReadCloser, error) {
	return p.storageReaderForPath(p.storagePath())
}

// storageWriterForPath returns a writer of a new file beside path, which
// its Close puts in place of path once synced, or removes otherwise. A
// reader of path (the watch of the preferences, this app's or another
// instance's) finds the old preferences or the new, never the file
// truncated and not yet written again, and a crash while writing leaves
// the old: os.Create truncated path in place, and the watch, woken by the
// truncation, read an empty file ("Preferences load error: EOF",
// fyne-io/fyne#2936), as it did now and then at the save of every exit.
func (p *preferences) storageWriterForPath(path string) (writeSyncCloser, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil { // this is not an exists error according to docs
		return nil, err
	}
	file, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	return &replacingFile{File: file, path: path}, nil
}

// A replacingFile is a new file that Close renames to path once Sync
// succeeded, and removes otherwise.
type replacingFile struct {
	*os.File
	path   string
	synced bool
}

// Sync commits the file's content to storage.
func (f *replacingFile) Sync() error {
	err := f.File.Sync()
	f.synced = err == nil
	return err
}

// Close closes the file and renames it to path if it was synced; the file
// is removed if it was not, or cannot be.
func (f *replacingFile) Close() error {
	err := f.File.Close()
	if err == nil && !f.synced {
		err = errors.New("preferences not written: not synced")
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func (p *preferences) storageReaderForPath(path string) (io.ReadCloser, error) {
	file, err := os.Open(path) // #nosec
	if err != nil {
		if os.IsNotExist(err) {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, err
			}
			return nil, errEmptyPreferencesStore
		}
		return nil, err
	}
	return file, nil
}

// the following are only used in tests to save preferences to a tmp file

func (p *preferences) saveToFile(path string) error {
	file, err := p.storageWriterForPath(path)
	if err != nil {
		return err
	}
	return p.saveToStorage(file)
}

func (p *preferences) loadFromFile(path string) error {
	file, err := p.storageReaderForPath(path)
	if err != nil {
		return err
	}
	return p.loadFromStorage(file)
}
