package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkStamp times what the stamp of each write (file.Update) adds
// to a commit, side by side in one run on one store: the smallest write
// there is, one 8-byte key, committed bare (bbolt's Update) and stamped
// (the store's), and a push of one issue event through Apply, the
// smallest write a desk makes, stamped as it is shipped. Each commit
// is synced to the disk, as in production.
func BenchmarkStamp(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	bucket := []byte("bench")
	put := func(n int) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			return bk.Put(binary.BigEndian.AppendUint64(nil, uint64(n)), []byte("v"))
		}
	}
	n := 0
	b.Run("commit=bare", func(b *testing.B) {
		for b.Loop() {
			n++
			if err := s.db.DB.Update(put(n)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("commit=stamped", func(b *testing.B) {
		for b.Loop() {
			n++
			if err := s.db.Update(put(n)); err != nil {
				b.Fatal(err)
			}
		}
	})
	hash := storetest.Hash(b, "ACEFHJKMNPRTUVWX")
	b.Run("push=1", func(b *testing.B) {
		for b.Loop() {
			n++
			ev := storetest.Issued("ROMA01", storetest.CF(n), fmt.Sprintf("e%d", n), fmt.Sprintf("c%d", n), hash)
			res, err := s.Apply(context.Background(), "ROMA01", []pinsede.Event{ev}, storetest.T0)
			if err != nil || res[0].Verdict != wire.Accepted {
				b.Fatalf("push %d: %+v, %v", n, res, err)
			}
		}
	})
}
