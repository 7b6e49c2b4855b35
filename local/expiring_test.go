package local_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// expiringIDs returns the ids of the credentials expiring from from to to.
func expiringIDs(t *testing.T, s *local.Store, from, to pinsede.Date) []string {
	t.Helper()
	var ids []string
	view(t, s, func(tx pinsede.Tx) error {
		cs, err := tx.Expiring(from, to)
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		return err
	})
	return ids
}

// Ensure that Expiring finds the credentials by expiry day, both ends
// included, in expiry order, and follows a credential whose expiry changes.
func TestExpiring(t *testing.T) {
	s := newStore(t)
	day := func(d int) pinsede.Date { return pinsede.Date{Year: 2026, Month: time.September, Day: d} }
	update(t, s, func(tx pinsede.Tx) error {
		for i, id := range []string{"c5", "c1", "c10", "c30"} {
			// Issued in March, each expires in September on the day of its name.
			n := []int{5, 1, 10, 30}[i]
			c := credential(id, "RSSMRA80A01H501U", time.Date(2026, time.March, n, 12, 0, 0, 0, time.Local))
			if err := tx.PutCredential(c); err != nil {
				return err
			}
		}
		return nil
	})
	if got, want := expiringIDs(t, s, day(1), day(10)), []string{"c1", "c5", "c10"}; !slices.Equal(got, want) {
		t.Fatalf("1-10 September: %v, want %v", got, want)
	}
	if got := expiringIDs(t, s, day(11), day(29)); len(got) != 0 {
		t.Fatalf("11-29 September: %v", got)
	}
	// When a credential's expiry moves, the index follows it.
	update(t, s, func(tx pinsede.Tx) error {
		c, err := tx.Credential("c30")
		if err != nil {
			return err
		}
		c.ExpiresAt = time.Date(2026, time.September, 20, 12, 0, 0, 0, time.Local)
		return tx.PutCredential(c)
	})
	if got, want := expiringIDs(t, s, day(11), day(30)), []string{"c30"}; !slices.Equal(got, want) {
		t.Fatalf("after the change: %v, want %v", got, want)
	}
	if got := expiringIDs(t, s, day(21), day(30)); len(got) != 0 {
		t.Fatalf("old expiry still indexed: %v", got)
	}
}

// Ensure that opening a version 2 store indexes its credentials by expiry
// day and records version 3.
func TestOpenMigratesV2(t *testing.T) {
	store, key := created(t)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, time.March, 2, 12, 0, 0, 0, time.Local)
	update(t, s, func(tx pinsede.Tx) error { return tx.PutCredential(credential("old", "RSSMRA80A01H501U", issued)) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := local.MakeV2(store); err != nil {
		t.Fatal(err)
	}
	if s, err = local.Open(store, key); err != nil {
		t.Fatalf("open a v2 store: %v", err)
	}
	expiry := pinsede.DateOf(issued.AddDate(0, 6, 0))
	if got := expiringIDs(t, s, expiry, expiry); !slices.Equal(got, []string{"old"}) {
		t.Fatalf("after migration: %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := local.StoredSchema(store); err != nil || v != local.SchemaVersion {
		t.Fatalf("schema after migration %d, %v; want %d", v, err, local.SchemaVersion)
	}
}
