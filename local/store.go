package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/dirsync"
	"github.com/pinsede/pinsede/internal/smallfile"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var _ pinsede.Store = (*Store)(nil)

// Store is the store of one desk PC: a bbolt file whose values are sealed
// with the key in a separate key file. It is safe for concurrent use by
// the goroutines of one program; only one program may open it at a time.
type Store struct {
	db *bolt.DB
	// g runs db's transactions and closes it: the first damage bbolt
	// panics on in a write poisons it, and the store with it.
	g    *boltsafe.Guard
	path string
	k    *keys
	// desk is the desk id SetDesk gave: its write transactions put it in
	// each audit entry and outbox event that names none.
	desk string
	// refused is the last commit's error, ErrWrite, that the store's
	// file refused; update writes it, the reads and writes read it. A
	// commit whose growth the disk refused at bbolt's mmap leaves bbolt
	// without its file's map: every transaction after it says only
	// "database isn't correctly mapped", which unmapped tells with this
	// cause.
	refused atomic.Pointer[error]
}

// lockTimeout is how long Open waits for another program to release the
// store before it gives up with ErrAlreadyOpen.
const lockTimeout = time.Second

// boltOptions are the options of every bbolt file the store opens.
func boltOptions() *bolt.Options {
	return &bolt.Options{
		Timeout: lockTimeout,
		// bbolt creates a missing file; the store never does behind
		// Create's back.
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			return smallfile.OpenFileRegular(name, "store", flag&^os.O_CREATE, perm)
		},
	}
}

// boltError maps the errors of bolt.Open to the store's.
func boltError(err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return ErrAlreadyOpen
	case errors.Is(err, fs.ErrNotExist):
		return ErrNoStore
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// Create makes a new store at path and its new key (32 random bytes) at
// keyPath, readable by the user only, making their folders (0700) if
// needed. It refuses with ErrExists if the store file exists, and with
// ErrNoStore if the key file exists but the store file does not: the store
// may have been moved or deleted, and is never silently made again.
//
// The store is built beside path and renamed into place when complete, so
// an interrupted Create leaves no half-made store.
func Create(path, keyPath string) (*Store, error) {
	wrap := func(err error) error { return fmt.Errorf("create store %s: %w", path, err) }
	switch _, err := os.Lstat(path); {
	case err == nil:
		return nil, wrap(ErrExists)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, wrap(err)
	}
	switch _, err := os.Lstat(keyPath); {
	case err == nil:
		return nil, wrap(fmt.Errorf("key file %s exists without its store: %w", keyPath, ErrNoStore))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, wrap(err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, wrap(err)
	}
	master, err := writeKey(keyPath)
	if err != nil {
		return nil, wrap(err)
	}
	k, err := deriveKeys(master)
	clear(master)
	if err == nil {
		err = build(path+".new", k)
	}
	if err == nil {
		err = os.Rename(path+".new", path)
	}
	if err == nil {
		err = dirsync.Sync(dir)
	}
	if err != nil {
		os.Remove(path + ".new")
		os.Remove(keyPath)
		return nil, wrap(err)
	}
	s, err := open(path, k)
	if err != nil {
		return nil, wrap(err)
	}
	return s, nil
}

// build makes a store of the current schema in a new file at path.
func build(path string, k *keys) error {
	os.Remove(path) // left by an interrupted Create, which never finished it
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	db, err := bolt.Open(path, 0o600, boltOptions())
	if err != nil {
		return boltError(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return migrate(tx, k, 0) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open opens the existing store at path with the key in keyPath, and
// brings its schema up to date. It never creates a file. It returns
// ErrNoStore if the store file does not exist, ErrNoKey if the key file
// does not, ErrCorrupt if the store file is damaged or not a store,
// ErrAlreadyOpen if another program holds it (after waiting a second),
// ErrSchemaTooNew if a newer pinsede wrote it, ErrWrongKey if the key
// is not the store's, and ErrKeyNotFile if a folder, a pipe or a device
// is in the key file's place. On error the store file is left as it was.
func Open(path, keyPath string) (*Store, error) {
	wrap := func(err error) error { return fmt.Errorf("open store %s: %w", path, err) }
	if err := checkFile(path); err != nil {
		return nil, wrap(boltError(err))
	}
	master, err := readKey(keyPath)
	if err != nil {
		return nil, wrap(err)
	}
	k, err := deriveKeys(master)
	clear(master)
	if err != nil {
		return nil, wrap(err)
	}
	s, err := open(path, k)
	if err != nil {
		return nil, wrap(err)
	}
	return s, nil
}

// open opens the bbolt file, checks its schema version and key, and runs
// the migrations it has not had. A bbolt panic on a damaged file comes back
// as ErrCorrupt.
func open(path string, k *keys) (*Store, error) {
	g, err := openFile(path, boltOptions(), func(db *bolt.DB) error {
		var version uint64
		err := db.View(func(tx *bolt.Tx) (err error) {
			if version, err = schemaOf(tx); err != nil {
				return err
			}
			return checkKey(tx, k)
		})
		if err == nil && version < SchemaVersion {
			err = db.Update(func(tx *bolt.Tx) error {
				v, err := schemaOf(tx)
				if err != nil {
					return err
				}
				return migrate(tx, k, v)
			})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Store{db: g.DB(), g: g, path: path, k: k}, nil
}

// openFile opens the bbolt file at path with opts and runs fn on it, as a
// write of its Guard (boltsafe.Open, Guard.Write); on an error of either
// the file is closed, or let go of after a damage in a write. The panic
// bbolt raises on a damaged page is ErrCorrupt (corrupt).
func openFile(path string, opts *bolt.Options, fn func(*bolt.DB) error) (*boltsafe.Guard, error) {
	g, err := boltsafe.Open(path, 0o600, opts)
	if err != nil {
		return nil, corrupt(boltError(err))
	}
	if err := g.Write(func() error { return fn(g.DB()) }); err != nil {
		g.Close()
		return nil, corrupt(err)
	}
	return g, nil
}

// corrupt returns err, with bbolt's panic on a damaged page
// (boltsafe.ErrDamaged) as ErrCorrupt.
func corrupt(err error) error {
	if errors.Is(err, boltsafe.ErrDamaged) {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// DefaultPaths returns where the desk app keeps its store and its key: the
// store in the user's data folder ($XDG_DATA_HOME, by default
// ~/.local/share; %LocalAppData% on Windows) as pinsede/sportello.db, the
// key in the user's configuration folder (os.UserConfigDir) as
// pinsede/store.key. Keeping them apart means a copy of the data folder
// alone is of no use.
func DefaultPaths() (storePath, keyPath string, err error) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", "", fmt.Errorf("default store paths: %w", err)
	}
	data, err := dataDir()
	if err != nil {
		return "", "", fmt.Errorf("default store paths: %w", err)
	}
	return filepath.Join(data, "pinsede", "sportello.db"), filepath.Join(cfg, "pinsede", "store.key"), nil
}

// dataDir is the user's folder for application data.
func dataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) { // a relative one is invalid: ignored
		return d, nil
	}
	if runtime.GOOS == "windows" {
		if d := os.Getenv("LocalAppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%LocalAppData% is not defined")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share"), nil
}

// Path returns the store file's path.
func (s *Store) Path() string { return s.path }

// SetDesk names the desk PC the store is of (pinsede.Desk.DeskID, read
// from its certificate at start): from then on each audit entry and
// outbox event written that names no desk carries desk. The store keeps
// it in those only, not as a setting: a PC given another certificate
// writes its new desk from then on. Call it before the store is shared.
func (s *Store) SetDesk(desk string) { s.desk = desk }

// Close closes the store. Transactions still running finish first. A
// store poisoned by damage in a write (guard) is not closed by bbolt, whose
// writer lock the damage may have left held: its file is let go of, for a
// restore or another program to take, its memory map left until the
// process ends (boltsafe.Guard.Close).
func (s *Store) Close() error {
	if err := s.g.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// View runs fn in a read-only transaction. The values fn reads are copies;
// the Tx itself is valid only until fn returns. A page of the file bbolt
// finds damaged on the way is ErrCorrupt (guard).
func (s *Store) View(fn func(pinsede.Tx) error) error {
	return s.guard(func() error {
		btx, err := s.db.Begin(false)
		if err != nil {
			return fmt.Errorf("read store %s: %w", s.path, s.unmapped(err, ErrRead))
		}
		defer btx.Rollback()
		t := &tx{btx: btx, k: s.k}
		defer func() { t.btx = nil }()
		return fn(t)
	})
}

// guard runs fn, an operation that reads the store's bbolt file, and
// returns the panic bbolt raises on a damaged page as ErrCorrupt
// (boltsafe.Guard.Read), for the desk to say so and the tools to report
// it: restore from a copy. Once the store is poisoned (guardWrite) it
// returns its ErrCorrupt at once, without running fn.
func (s *Store) guard(fn func() error) error {
	return corrupt(s.g.Read(fn))
}

// guardWrite runs fn, an operation that writes to the store's bbolt file,
// as guard does, one at a time (boltsafe.Guard.Write). A panic of bbolt
// in it poisons the store: bbolt's rollback may have panicked again with
// its writer lock held. From then on every operation of the store returns
// the same ErrCorrupt at once, and Close lets go of the file; nothing of
// the write that met the damage is committed.
func (s *Store) guardWrite(fn func() error) error {
	return corrupt(s.g.Write(fn))
}

// check runs bbolt's consistency check over the whole store file
// (boltsafe.Check): a damaged page is ErrCorrupt.
func (s *Store) check() error {
	return s.guard(func() error { return boltsafe.Check(s.db) })
}

// view is bolt's View of the store's file, guarded (guard).
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.guard(func() error { return s.unmapped(s.db.View(fn), ErrRead) })
}

// update runs fn in a read-write bolt transaction of the store's file,
// guarded (guardWrite), and commits what it wrote when it returns nil;
// otherwise nothing is written, and fn's error is returned as is. A
// commit that fails is ErrWrite, with its cause: the disk's refusal
// (package diskerr) or bbolt's.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.guardWrite(func() error {
		btx, err := s.db.Begin(true)
		if err != nil {
			return fmt.Errorf("write store %s: %w", s.path, s.unmapped(err, nil))
		}
		defer btx.Rollback() // after a Commit, does nothing
		if err := fn(btx); err != nil {
			return err
		}
		if err := btx.Commit(); err != nil {
			refused := fmt.Errorf("commit to store %s: %w: %w", s.path, ErrWrite, err)
			s.refused.Store(&refused)
			return refused
		}
		return nil
	})
}

// unmapped returns err, of a transaction bbolt could not begin, with the
// cause of the commit that left bbolt without its file's map (refused),
// and as what too (ErrRead for a read; nil for a write, which the
// commit's ErrWrite tells); err as is when that is not why.
func (s *Store) unmapped(err error, what error) error {
	refused := s.refused.Load()
	if refused == nil || !errors.Is(err, berrors.ErrInvalidMapping) {
		return err
	}
	if what != nil {
		return fmt.Errorf("%w: %w since %w", what, err, *refused)
	}
	return fmt.Errorf("%w since %w", err, *refused)
}

// Update runs fn in a read-write transaction and commits what it wrote
// when it returns nil. When fn returns an error or panics, nothing is
// written: the error is returned as is, the panic goes on, but for
// bbolt's on a damaged page, which is ErrCorrupt and poisons the store
// (guardWrite). A commit the disk refuses is ErrWrite (update). Only one
// Update runs at a time; others wait.
func (s *Store) Update(fn func(pinsede.Tx) error) error {
	return s.update(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k, desk: s.desk}
		defer func() { t.btx = nil }()
		return fn(t)
	})
}
