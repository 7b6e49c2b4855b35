package boltstore

import bolt "go.etcd.io/bbolt"

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
