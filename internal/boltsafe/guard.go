package boltsafe

import (
	"errors"
	"fmt"
	"os"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A Guard runs the transactions of one open bbolt database through Do, and
// stops at the first damage bbolt panics on in a write: bbolt's rollback of
// that transaction reads the freelist page again and, when that page is the
// damaged one, panics a second time before it lets go of its writer lock,
// so that every later write, and Close, of the database would wait for it
// for ever. From that damage on the Guard is poisoned: Read and Write
// return its error at once, without entering bbolt, and Close lets go of
// the file without bbolt's Close. Damage met in a read transaction leaves
// nothing held, and does not poison.
//
// All the writes to the database, and its Close, must go through the
// Guard: it lets one write at a time into bbolt (bbolt's own writer lock
// may be the one never let go). A Guard is safe for concurrent use.
type Guard struct {
	db *bolt.DB
	// file is the database's file, as bbolt opened it.
	file *os.File
	// writer holds a token while a write (or Close) is in bbolt.
	writer chan struct{}
	// dead is closed when the Guard is poisoned, err set before.
	dead chan struct{}
	once sync.Once
	err  error
	// letGo lets go of the file once, with letGoErr, after the damage.
	letGo    sync.Once
	letGoErr error
}

// Open opens the bbolt file at path as bolt.Open does (opts may be nil),
// through Do, and returns its Guard. A panic of bbolt as it opens is an
// error wrapping ErrDamaged, and the file is let go of (its memory map, if
// bbolt made it, left in place: see Close).
func Open(path string, mode os.FileMode, opts *bolt.Options) (*Guard, error) {
	o := bolt.Options{}
	if opts != nil {
		o = *opts
	}
	openFile := o.OpenFile
	if openFile == nil {
		openFile = os.OpenFile
	}
	var file *os.File
	o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := openFile(name, flag, perm)
		file = f
		return f, err
	}
	var db *bolt.DB
	err := Do(func() error {
		var err error
		db, err = bolt.Open(path, mode, &o)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrDamaged) && file != nil {
			letGo(file) // bbolt's Open lets go of it on its errors, not on its panics
		}
		return nil, err
	}
	return &Guard{db: db, file: file, writer: make(chan struct{}, 1), dead: make(chan struct{})}, nil
}

// DB returns the database. Its transactions are to run through g's Read
// and Write, and it is closed by g's Close.
func (g *Guard) DB() *bolt.DB { return g.db }

// Err returns the error, wrapping ErrDamaged, that poisoned g, or nil.
func (g *Guard) Err() error {
	select {
	case <-g.dead:
		return g.err
	default:
		return nil
	}
}

// Read runs fn, which reads the database (read transactions only), through
// Do. Once g is poisoned it returns g's error and does not run fn.
func (g *Guard) Read(fn func() error) error {
	if err := g.Err(); err != nil {
		return err
	}
	return Do(fn)
}

// Write runs fn, which may write to the database, through Do, one Write at
// a time. A panic of bbolt in it poisons g: its error (wrapping ErrDamaged)
// is returned, and by every Read and Write after, and by those waiting for
// this one, without running their fn. Nothing of the transaction that met
// the damage is committed: bbolt panicked before writing its meta page.
func (g *Guard) Write(fn func() error) error {
	select {
	case g.writer <- struct{}{}:
	case <-g.dead:
		return g.err
	}
	defer func() { <-g.writer }()
	if err := g.Err(); err != nil {
		return err
	}
	err := Do(fn)
	if errors.Is(err, ErrDamaged) {
		g.once.Do(func() {
			g.err = err
			close(g.dead)
		})
	}
	return err
}

// Close closes the database once no write is in bbolt. A poisoned g does
// not call bbolt's Close, which would wait for ever for the writer lock
// the damage left held: it lets go of bbolt's lock on the file and closes
// it (another program, or a restore in this one, may then take the file),
// and leaves the database's memory map in place: a read begun before the
// damage may still be reading its pages (unmapping them under it would
// crash the process), and bbolt unmaps only in its Close. The map, as
// large as the file, and the file it maps (kept on disk when a restore
// moves it aside) are let go of when the process ends; on Windows the
// mapped file may not be renamed until then.
func (g *Guard) Close() error {
	select {
	case g.writer <- struct{}{}:
		defer func() { <-g.writer }()
		if g.Err() == nil {
			return g.db.Close()
		}
	case <-g.dead:
	}
	g.letGo.Do(func() { g.letGoErr = letGo(g.file) })
	if g.letGoErr != nil {
		return fmt.Errorf("let go of %s: %w", g.db.Path(), g.letGoErr)
	}
	return nil
}

// letGo lets go of bbolt's lock on f, its file, and closes it.
func letGo(f *os.File) error {
	err := unlock(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
