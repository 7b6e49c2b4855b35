package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/storetest"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// lookedUp is the codice fiscale the lookup tests ask for: two
// credentials, the first issued at ROMA01 and superseded by the second,
// issued at MILA01.
var lookedUp = storetest.CF(1)

// fillCredentials pushes lookedUp's two credentials and others, of as
// many other people, 500 a push over 4 sedi, as desks push.
func fillCredentials(t *testing.T, s *boltstore.Store, others int) {
	t.Helper()
	ctx := context.Background()
	hash := storetest.FakeHash(pinsede.DefaultPINParams)
	for _, ev := range []pinsede.Event{
		storetest.IssuedOn(3, "ROMA01", lookedUp, "x1", "cred-x1", hash),
		storetest.IssuedOn(1, "MILA01", lookedUp, "x2", "cred-x2", hash),
	} {
		if _, err := s.Apply(ctx, ev.Sede, []pinsede.Event{ev}, storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < others; {
		sede := fmt.Sprintf("S%05d", (i/500)%4)
		var evs []pinsede.Event
		for j := 0; j < 500 && i < others; j, i = j+1, i+1 {
			evs = append(evs, storetest.IssuedOn(i%150, sede, storetest.CF(100+i), fmt.Sprintf("ev-%d", i), fmt.Sprintf("cred-%d", i), hash))
		}
		if _, err := s.Apply(ctx, sede, evs, storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
}

// lookUp asks s for lookedUp's credentials and unlocks them, and returns
// the credential records each read.
func lookUp(t *testing.T, s *boltstore.Store) (credentials, unlock int64) {
	t.Helper()
	ctx := context.Background()
	before := s.CredentialsRead()
	recs, err := s.Credentials(ctx, lookedUp)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Credential.ID)
	}
	// Both accepted by the same push's clock: in the order of their ids.
	if err != nil || !slices.Equal(ids, []string{"cred-x1", "cred-x2"}) {
		t.Fatalf("Credentials = %v, %v; want cred-x1, cred-x2", ids, err)
	}
	credentials = s.CredentialsRead() - before
	before = s.CredentialsRead()
	if _, err := s.Unlock(ctx, lookedUp, "centrale:rossi", storetest.T0); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	unlock = s.CredentialsRead() - before
	if _, err := s.Unlock(ctx, storetest.CF(99), "centrale:rossi", storetest.T0); err == nil {
		t.Errorf("Unlock of a codice fiscale with no credential: no error")
	}
	return credentials, unlock
}

// Ensure that a lookup of a codice fiscale (a clerk's search of the
// archive, the conversion screen, `centrale credentials`) and an unlock
// (`centrale unlock`, in bbolt's one write transaction) read that
// person's credentials, however many the file holds: the same 2 records
// with 500 and with 5,000 other people's credentials.
func TestCredentialsReadTheirOwn(t *testing.T) {
	for _, others := range []int{500, 5000} {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
		if err != nil {
			t.Fatal(err)
		}
		fillCredentials(t, s, others)
		creds, unlock := lookUp(t, s)
		if creds != 2 || unlock != 2 {
			t.Errorf("with %d other credentials: Credentials read %d records, Unlock %d; want 2 each", others, creds, unlock)
		}
		s.Close()
	}
}

// Ensure that a file written before centrale indexed the credentials by
// codice fiscale gets the index when it opens: the lookup and the
// unlock find the same credentials, reading those only.
func TestCredentialsByCFMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fillCredentials(t, s, 1000)
	s.Close()
	// The file as an older centrale left it: no index by codice fiscale.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("credentials_by_cf")); !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if creds, unlock := lookUp(t, s); creds != 2 || unlock != 2 {
		t.Errorf("after the migration: Credentials read %d records, Unlock %d; want 2 each", creds, unlock)
	}
}
