package boltstore

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// AuditEntriesRead returns how many audit entries the searches of s read
// since it opened: what a search costs, counted.
func (s *Store) AuditEntriesRead() int64 { return s.auditRead.Load() }

// CredentialsRead returns how many credential records the lookups of a
// codice fiscale (Credentials, Unlock) read since s opened.
func (s *Store) CredentialsRead() int64 { return s.credsRead.Load() }

// LoginCommits returns how many transactions the group commit of
// Attempt and Succeed has committed since s opened.
func (s *Store) LoginCommits() int64 { return s.logins.commits.Load() }

// OnLoginQueued sets f to be called each time a call of Attempt or
// Succeed is queued for the group commit.
func (s *Store) OnLoginQueued(f func()) {
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	s.logins.onQueue = f
}

// HoldWrites takes bbolt's one writer and keeps it until release is
// closed; it returns once it holds it, and done is closed once it has
// let it go.
func (s *Store) HoldWrites(release <-chan struct{}) (done <-chan struct{}) {
	held, out := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(out)
		s.db.Update(func(*bolt.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	return out
}

// UpdateStamped runs fn in a write transaction of the closed store at
// path stamped as this centrale's own (file.Update): a change that is no
// centrale of before's, as a damaged record.
func UpdateStamped(path string, fn func(*bolt.Tx) error) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return file{db}.Update(fn)
}

// Stamped reports whether the last write transaction of the closed
// store at path is stamped as this centrale's (file.Update): false
// after any write that went around the stamp, which the next Open would
// take for an older centrale's and rebuild the indexes for.
func Stamped(path string) (bool, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return false, err
	}
	defer db.Close()
	stamped := false
	err = db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		stamped = m != nil && bytes.Equal(m.Get(metaWritten), binary.BigEndian.AppendUint64(nil, uint64(tx.ID())))
		return nil
	})
	return stamped, err
}
