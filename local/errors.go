package local

import (
	"errors"

	"github.com/pinsede/pinsede"
)

// Sentinel errors of the local store. They come back wrapped with the path
// or the record concerned; test them with errors.Is.
var (
	// ErrAlreadyOpen is returned by Open and Create when another program
	// (usually a second copy of the desk app) holds the store open. Only one
	// may write to the store at a time; close the other one.
	ErrAlreadyOpen = errors.New("store already open in another program")

	// ErrNoStore is returned by Open when the store file does not exist, and
	// by Create when the key file exists but the store file does not: the
	// store may have been moved or deleted, and it is never silently made
	// again over an existing key. Restore it from a backup or, on a real
	// first run interrupted half-way, remove the key file.
	ErrNoStore = errors.New("store file not found")

	// ErrExists is returned by Create when the store file already exists:
	// open it instead.
	ErrExists = errors.New("store file already exists")

	// ErrNoKey is returned by Open when the key file does not exist. Without
	// it the store cannot be read: restore the key file from where it was
	// kept safe.
	ErrNoKey = errors.New("store key file not found")

	// ErrKeyExposed is returned by Open when the key file can be read or
	// written by users other than its owner (on Unix): anyone who copies
	// it with the store reads everything. Restrict it (chmod 600) and open
	// again; nothing has been read.
	ErrKeyExposed = errors.New("store key file readable by other users")

	// ErrKeyNotFile is returned by Open when a folder, a pipe, a device
	// or a socket is where the key file should be: it is not read (a
	// pipe would hang the desk, a device fill its memory). Put the key
	// file back there.
	ErrKeyNotFile = errors.New("store key file is not a file")

	// ErrWrongKey is returned by Open when the key file does not open the
	// store: it belongs to another store, or it is damaged. Nothing in the
	// store has been read or changed.
	ErrWrongKey = errors.New("key does not open this store")

	// ErrCorrupt is returned when the store file is not a pinsede store, or
	// is damaged (truncated, overwritten), and when a sealed record does not
	// open or decode. Open leaves a corrupt file untouched: restore it from
	// a backup. It is the domain's pinsede.ErrStoreCorrupt, which the
	// desk's screens say.
	ErrCorrupt = pinsede.ErrStoreCorrupt

	// ErrWrite is returned, with the disk's error, when a write
	// transaction could not be committed to the store's file: nothing of
	// it is written. It is the domain's pinsede.ErrStoreWrite, which the
	// desk's screens say, by the disk's cause (package diskerr).
	ErrWrite = pinsede.ErrStoreWrite

	// ErrRead is returned, with the error of the write that caused it
	// (ErrWrite), by every read after a commit whose growth the disk
	// refused to map (a failing disk): bbolt is left without its file's
	// map until the store is opened again. It is the domain's
	// pinsede.ErrStoreRead, which the desk's screens say.
	ErrRead = pinsede.ErrStoreRead

	// ErrSchemaTooNew is returned by Open when the store was written by a
	// newer version of pinsede than this one: update the app. The store is
	// left untouched.
	ErrSchemaTooNew = errors.New("store written by a newer version of pinsede")
)
