package local

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

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/boltcopy"
	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/dirsync"
	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store file to w, as of the
// moment it starts, while the store stays in use: it runs in one bbolt
// read transaction (Tx.WriteTo), so issues and pushes go on beside it and
// none of them is half in the copy. The copy holds the sealed data only:
// without the key file it cannot be read, and the key is never in it.
// It returns the number of bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	if err := s.g.Err(); err != nil {
		return 0, fmt.Errorf("back up store %s: %w", s.path, corrupt(err))
	}
	n, err := boltcopy.WriteTo(s.db, w)
	if err != nil {
		return n, fmt.Errorf("back up store %s: %w", s.path, err)
	}
	return n, nil
}

// BackupFile writes a copy of the store (see Backup) to a new file at
// path, readable by the user only. It refuses with ErrExists when path
// exists. The copy is written beside path, synced to disk and renamed
// into place when complete: a copy at path is always whole.
func (s *Store) BackupFile(path string) (int64, error) {
	return s.backupFile(context.Background(), path)
}

// backupFile is BackupFile, given up when ctx ends
// (boltcopy.ToFileContext).
func (s *Store) backupFile(ctx context.Context, path string) (int64, error) {
	if err := s.g.Err(); err != nil {
		return 0, fmt.Errorf("back up store %s to %s: %w", s.path, path, corrupt(err))
	}
	n, err := boltcopy.ToFileContext(ctx, s.db, path)
	if errors.Is(err, boltcopy.ErrExists) {
		err = ErrExists
	}
	if err != nil {
		return 0, fmt.Errorf("back up store %s to %s: %w", s.path, path, err)
	}
	return n, nil
}

// BackupStore writes a copy of the store at path, not in use, to a new
// file at out, as BackupFile does, without opening the store to write:
// the store and its copy keep the schema they have, so that a copy made
// before an update, by the new version's pinctl, still opens with the
// version before (Open would bring the store up to date first). The key
// in keyPath must open the store (the errors are Open's); ErrAlreadyOpen
// while a program holds the store to write.
//
// No desk runs on the store, so a slip it keeps as printing was cut
// short: the copy says so (metaClosedCopy), for Restore to leave such
// slips to the desk's start, which revokes them, rather than take them
// as printing when the copy was made (markRestored).
//
// The copy is checked as CheckCopy does, now deciding expiries: the copy
// of a damaged store (a page bbolt finds damaged, a record that does not
// open) is removed, and the error wraps ErrCorrupt. A break in the audit
// chain is not the copy's to refuse: pinctl audit verify reports it, and
// a copy of the store as it is keeps the evidence.
func BackupStore(path, keyPath, out string, now time.Time) (int64, error) {
	s, _, err := openUnwritten(path, keyPath)
	if err != nil {
		return 0, fmt.Errorf("back up store %s: %w", path, err)
	}
	n, err := s.BackupFile(out)
	if err == nil {
		if _, err = s.checkCopyAt(out, now); err != nil {
			if rerr := os.Remove(out); rerr != nil {
				err = fmt.Errorf("%w; the copy is left at %s: %w", err, out, rerr)
			}
			err = fmt.Errorf("back up store %s: %w", path, err)
		}
	}
	s.Close()
	if err != nil {
		return n, err
	}
	if err := markClosedCopy(out); err != nil {
		os.Remove(out)
		return 0, fmt.Errorf("back up store %s: %w", path, err)
	}
	return n, nil
}

// verifyCopy checks the copy of s just written at path as CheckCopy does,
// with now deciding expiries. A copy that is damaged (ErrCorrupt), or
// whose audit chain has breaks, is an error wrapping boltsafe.ErrDamaged.
func (s *Store) verifyCopy(path string, now time.Time) error {
	r, err := s.checkCopyAt(path, now)
	switch {
	case errors.Is(err, ErrCorrupt) && !errors.Is(err, boltsafe.ErrDamaged):
		return fmt.Errorf("check the copy %s: %w: %w", path, boltsafe.ErrDamaged, err)
	case err != nil:
		return fmt.Errorf("check the copy %s: %w", path, err)
	case len(r.Audit.Problems) > 0:
		p := r.Audit.Problems[0]
		return fmt.Errorf("check the copy %s: %w: %d breaks in the audit chain, the first at entry %d: %s (%s)",
			path, boltsafe.ErrDamaged, len(r.Audit.Problems), p.Seq, p.Kind, p.Detail)
	}
	return nil
}

// checkCopyAt checks the copy of s at path as CheckCopy does, with s's
// key.
func (s *Store) checkCopyAt(path string, now time.Time) (CopyReport, error) {
	c, version, err := openReadOnly(path, s.k)
	if err != nil {
		return CopyReport{}, err
	}
	return c.checkCopy(version, now)
}

// markClosedCopy marks the copy at path as one of a store not in use
// (metaClosedCopy), and syncs it.
func markClosedCopy(path string) error {
	g, err := openFile(path, boltOptions(), func(db *bolt.DB) error {
		return db.Update(func(btx *bolt.Tx) error {
			b := btx.Bucket(bucketMeta)
			if b == nil {
				return fmt.Errorf("%w: no meta bucket", ErrCorrupt)
			}
			return b.Put(metaClosedCopy, []byte{1})
		})
	})
	if err == nil {
		err = g.Close()
	}
	if err != nil {
		return fmt.Errorf("mark the copy %s as of a store not in use: %w", path, err)
	}
	return nil
}

// Counts are the numbers of records in a store, for a supervisor checking
// a copy: they hold no personal data.
type Counts struct {
	// Operators counts the desk's operators, active or not.
	Operators int
	// Citizens counts the citizens on record.
	Citizens int
	// Credentials counts the credentials by their state at the time
	// given to Counts (an active one past its expiry is scaduto).
	Credentials map[pinsede.CredentialState]int
	// Delegations counts the delegations, whatever their state.
	Delegations int
	// AuditEntries counts the entries of the audit chain.
	AuditEntries int
	// Outbox counts the events not yet taken by centrale.
	Outbox int
}

// Counts counts the store's records in one read transaction; now decides
// which active credentials have expired.
func (s *Store) Counts(now time.Time) (Counts, error) {
	c := Counts{Credentials: map[pinsede.CredentialState]int{}}
	err := s.View(func(ptx pinsede.Tx) error {
		t := ptx.(*tx)
		for _, n := range []struct {
			bucket []byte
			to     *int
		}{
			{bucketOperators, &c.Operators},
			{bucketCitizens, &c.Citizens},
			{bucketDelegations, &c.Delegations},
			{bucketAudit, &c.AuditEntries},
			{bucketOutbox, &c.Outbox},
		} {
			b, err := t.bucket(n.bucket)
			if err != nil {
				return err
			}
			*n.to = b.Stats().KeyN
		}
		b, err := t.bucket(bucketCredentials)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var cr pinsede.Credential
			if err := t.decode(bucketCredentials, k, v, &cr); err != nil {
				return err
			}
			c.Credentials[cr.StateAt(now)]++
			return nil
		})
	})
	if err != nil {
		return Counts{}, fmt.Errorf("count records of %s: %w", s.path, err)
	}
	return c, nil
}

// CopyReport is what CheckCopy found in a copy of a store.
type CopyReport struct {
	// Schema is the schema version the copy was written with; an older
	// one is brought up to date on a scratch copy to be checked, and by
	// Open once restored.
	Schema uint64
	// Audit is the verification of the copy's audit chain.
	Audit AuditReport
	// Counts are the copy's records.
	Counts Counts
}

// CheckCopy checks a copy of a store (from Backup, or any store file not
// in use) without writing to it: it opens with the key in keyPath (the
// errors are Open's), bbolt's consistency check reads every page of it
// (a damaged page is ErrCorrupt), its audit chain is verified and its
// records are counted, with now deciding expiries. A broken audit chain is a report
// with problems, not an error.
func CheckCopy(path, keyPath string, now time.Time) (CopyReport, error) {
	wrap := func(err error) error { return fmt.Errorf("check copy %s: %w", path, err) }
	s, version, err := openUnwritten(path, keyPath)
	if err != nil {
		return CopyReport{}, wrap(err)
	}
	r, err := s.checkCopy(version, now)
	if err != nil {
		return CopyReport{}, wrap(err)
	}
	return r, nil
}

// checkCopy is CheckCopy of s, a copy opened read-only (openReadOnly) of
// schema version; it closes s.
func (s *Store) checkCopy(version uint64, now time.Time) (CopyReport, error) {
	if err := s.check(); err != nil {
		s.Close()
		return CopyReport{}, err
	}
	if version < SchemaVersion {
		// The reading code is the current schema's: check a migrated
		// scratch copy, and leave the copy as it was.
		s.Close()
		scratch, err := os.MkdirTemp("", "pinsede-check-")
		if err != nil {
			return CopyReport{}, err
		}
		defer os.RemoveAll(scratch)
		tmp := filepath.Join(scratch, "copy.db")
		if err := copyFile(s.path, tmp); err != nil {
			return CopyReport{}, err
		}
		if s, err = open(tmp, s.k); err != nil {
			return CopyReport{}, err
		}
	}
	defer s.Close()
	audit, err := s.VerifyAudit()
	if err != nil {
		return CopyReport{}, err
	}
	counts, err := s.Counts(now)
	if err != nil {
		return CopyReport{}, err
	}
	return CopyReport{Schema: version, Audit: audit, Counts: counts}, nil
}

// openUnwritten opens the store file at path read-only (openReadOnly)
// with the key in keyPath; the errors are Open's.
func openUnwritten(path, keyPath string) (*Store, uint64, error) {
	if err := checkFile(path); err != nil {
		return nil, 0, boltError(err)
	}
	master, err := readKey(keyPath)
	if err != nil {
		return nil, 0, err
	}
	k, err := deriveKeys(master)
	clear(master)
	if err != nil {
		return nil, 0, err
	}
	return openReadOnly(path, k)
}

// openReadOnly opens a store file read-only, shared with other readers,
// and checks its key; it returns the store and its schema version. It
// fails with ErrAlreadyOpen while a program holds the file to write.
func openReadOnly(path string, k *keys) (*Store, uint64, error) {
	opts := boltOptions()
	opts.ReadOnly = true
	var version uint64
	g, err := openFile(path, opts, func(db *bolt.DB) error {
		return db.View(func(tx *bolt.Tx) (err error) {
			if version, err = schemaOf(tx); err != nil {
				return err
			}
			return checkKey(tx, k)
		})
	})
	if err != nil {
		return nil, 0, err
	}
	return &Store{db: g.DB(), g: g, path: path, k: k}, version, nil
}

// copyFile copies the file from to a new file to, readable by the user
// only, and syncs it to disk.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
	}
	return err
}

// Restored is what Restore did.
type Restored struct {
	// Previous is where the store replaced was kept (path with
	// ".pre-restore-" and the time of the restore), empty when there
	// was none.
	Previous string
	// Printing are the slips that were printing when the copy was made,
	// now marked as restored (pinsede.MarkRestored): their PINs stay
	// active, and their operators are told at their next login.
	Printing []pinsede.Printing
}

// Restore puts the copy at from in place of the store at path, which the
// key in keyPath must open; the copy should have been checked first
// (CheckCopy). It refuses with ErrAlreadyOpen while a program holds the
// store, and holds it itself until the copy is in place (on Windows, which
// renames no open file, until just before), by bbolt's lock alone
// (boltsafe.Hold): a store bbolt finds damaged is restored over as a whole
// one is. The store it replaces is not deleted: it is renamed to
// Restored.Previous.
//
// The slips the copy keeps as printing (a copy made mid-print) are
// marked, in the copy put in place and before it is, as restored at now
// (pinsede.MarkRestored), and returned: their print went on after the
// copy, and the next start must not revoke their PINs as prints cut
// short. The copy keeps its schema (Open brings it up to date).
//
// A store restored from an older copy may hold events in its outbox that
// centrale already has: the sync client sends them again and centrale
// answers duplicate, which acknowledges them; nothing is applied twice.
// What the desk did after the copy, centrale holds: the copy put in
// place is marked to get it back (RecoverOwn), and its first pull asks
// centrale for the desk's own events too from the copy's cursor.
func Restore(from, path, keyPath string, now time.Time) (r Restored, err error) {
	wrap := func(err error) error { return fmt.Errorf("restore %s from %s: %w", path, from, err) }
	if _, err := os.Stat(keyPath); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = ErrNoKey
		}
		return Restored{}, wrap(err)
	}
	master, err := readKey(keyPath)
	if err != nil {
		return Restored{}, wrap(err)
	}
	k, err := deriveKeys(master)
	clear(master)
	if err != nil {
		return Restored{}, wrap(err)
	}
	var release func() error
	switch fi, err := os.Lstat(path); {
	case err == nil:
		// Hold the store so that no desk opens it while it is replaced,
		// by bbolt's lock alone: a store damaged where bbolt reads as it
		// opens (its freelist) is the one most likely restored.
		if fi.Mode().IsRegular() {
			if release, err = boltsafe.Hold(path, lockTimeout); err != nil {
				return Restored{}, wrap(boltError(err))
			}
			defer func() {
				if release != nil {
					release()
				}
			}()
		}
		r.Previous = path + ".pre-restore-" + now.Format(boltcopy.Stamp)
	case !errors.Is(err, fs.ErrNotExist):
		return Restored{}, wrap(err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Restored{}, wrap(err)
	}
	tmp := path + ".restore"
	os.Remove(tmp) // left by an interrupted Restore, which never finished it
	if err := copyFile(from, tmp); err != nil {
		return Restored{}, wrap(err)
	}
	if r.Printing, err = markRestored(tmp, k, now); err != nil {
		os.Remove(tmp)
		return Restored{}, wrap(err)
	}
	if release != nil && runtime.GOOS == "windows" {
		// Windows renames no open file: let go of the lock just before.
		release()
		release = nil
	}
	if r.Previous != "" {
		if err := os.Rename(path, r.Previous); err != nil {
			os.Remove(tmp)
			return Restored{}, wrap(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return Restored{Previous: r.Previous}, wrap(err)
	}
	if err := dirsync.Sync(dir); err != nil {
		return r, wrap(err)
	}
	return r, nil
}

// markRestored marks the slips kept as printing in the store file at
// path, a copy about to be put in place, as restored at now
// (pinsede.MarkRestored), without bringing its schema up to date (the
// slips are kept in the meta bucket of every schema), and returns them.
// A copy of a store not in use (BackupStore) is left as it is, but for
// its mark: its slips were cut short. Either is marked to get back its
// own events newer than the copy (metaRecoverOwn). The key k must open
// it.
func markRestored(path string, k *keys, now time.Time) ([]pinsede.Printing, error) {
	var ps []pinsede.Printing
	g, err := openFile(path, boltOptions(), func(db *bolt.DB) error {
		return db.Update(func(btx *bolt.Tx) error {
			if _, err := schemaOf(btx); err != nil {
				return err
			}
			if err := checkKey(btx, k); err != nil {
				return err
			}
			meta := btx.Bucket(bucketMeta)
			if err := meta.Put(metaRecoverOwn, []byte{1}); err != nil {
				return err
			}
			if meta.Get(metaClosedCopy) != nil {
				return meta.Delete(metaClosedCopy) // its slips were cut short: the start revokes them
			}
			var err error
			ps, err = pinsede.MarkRestored(&tx{btx: btx, k: k}, now)
			return err
		})
	})
	if err == nil {
		err = g.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("mark the slips printing in the copy: %w", err)
	}
	return ps, nil
}

// backupPrefix and backupSuffix frame the names of the copies BackupInto
// writes: sportello-YYYYMMDD-HHMMSS+hhmm.db (boltcopy.Name).
const (
	backupPrefix = "sportello-"
	backupSuffix = ".db"
)

// BackupInto writes a copy of the store (see BackupFile) into the folder
// dir, making it (0700) if needed, named after the time now, local time
// and its offset (sportello-YYYYMMDD-HHMMSS+hhmm.db: the hour repeated
// when the clocks go back names two copies apart), and then removes the
// oldest copies there beyond the keep newest (none when keep is 0 or
// less), older names without the offset included, never the copy just
// written (boltcopy.Prune: a clock put back names it before the others).
// It returns the copy's path.
//
// The copy is checked as CheckCopy does, with the store's key, before it
// counts: one that is damaged (a page bbolt finds damaged, a record that
// does not open, a break in the audit chain: the store it was made of is
// damaged) is removed, nothing is pruned, and the error wraps
// boltsafe.ErrDamaged (boltcopy.FaultDamaged): the copies made before
// the damage stay, to restore from. The desk app calls it on a schedule while
// it runs. A copy under way when ctx ends (the desk quits) is given up,
// and removed: it returns ctx's error.
func (s *Store) BackupInto(ctx context.Context, dir string, now time.Time, keep int) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("back up store %s: %w", s.path, err)
	}
	path := filepath.Join(dir, boltcopy.Name(backupPrefix, now, backupSuffix))
	if _, err := s.backupFile(ctx, path); err != nil {
		return "", err
	}
	if err := s.verifyCopy(path, now); err != nil {
		if rerr := os.Remove(path); rerr != nil {
			err = fmt.Errorf("%w; the copy is left at %s: %w", err, path, rerr)
		}
		return "", fmt.Errorf("back up store %s: copies in %s kept as they were: %w", s.path, dir, err)
	}
	if err := boltcopy.Prune(dir, backupPrefix, backupSuffix, keep, path); err != nil {
		return path, fmt.Errorf("back up store %s: %w", s.path, err)
	}
	return path, nil
}
