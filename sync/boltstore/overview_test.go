package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkOverview times the status page's read of a bbolt store of 500
// sedi with 5 desks each that pushed 40 issues each (100,000
// credentials), 20,000 changes waiting (every desk is yet to pull), and
// 1,000 credentials locked: the read goes by the desks, the days and the
// locks, never the credentials.
func BenchmarkOverview(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	ctx := context.Background()
	hash := storetest.Hash(b, "ACEFHJKMNPRTUVWX")
	const sedi, desks, perDesk = 500, 5, 40
	sede := func(i int) string { return fmt.Sprintf("S%03d", i%sedi) }
	cf := func(sd, d, k int) pinsede.CodiceFiscale { return storetest.CF((sd*desks+d)*perDesk + k) }
	push := func(sd int, evs []pinsede.Event) {
		if _, err := s.Apply(ctx, sede(sd), evs, storetest.T0); err != nil {
			b.Fatal(err)
		}
	}
	for sd := range sedi {
		for d := range desks {
			var evs []pinsede.Event
			for k := range perDesk {
				id := fmt.Sprintf("e%d-%d", d, k)
				evs = append(evs, storetest.AtDesk(storetest.Issued(sede(sd), cf(sd, d, k), id, sede(sd)+id, hash), fmt.Sprint(d)))
			}
			push(sd, evs)
		}
		// 40 PINs of the next sede's citizens issued here: 40 changes
		// wait for that sede.
		var evs []pinsede.Event
		for k := range perDesk {
			id := fmt.Sprintf("x%d", k)
			evs = append(evs, storetest.AtDesk(storetest.Issued(sede(sd), cf((sd+1)%sedi, 0, k), id, sede(sd)+id, hash), "0"))
		}
		push(sd, evs)
	}
	p := central.LockPolicy{After: 1, For: time.Hour, MaxTemporary: 5, ResetAfter: 24 * time.Hour}
	for i := range 1000 {
		if _, _, err := s.Attempt(ctx, cf(i%sedi, 1, i/sedi), central.SlotPIN, p, storetest.T0); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var o central.Overview
	for range b.N {
		if o, err = s.Overview(ctx, storetest.T0, 30); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if len(o.Desks) != sedi*desks || o.LockedTemporary != 1000 {
		b.Fatalf("overview: %d desks, %d locked", len(o.Desks), o.LockedTemporary)
	}
}

// Ensure that the overview counts the credentials locked up to
// MaxOverviewLocked, those whose lock ends last, and says there are more.
func TestOverviewLockBound(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.db.NoSync = true // 10,000 commits: the test's only
	s.SetLimits(storetest.Limits)
	ctx := context.Background()
	hash := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	const n, permanent = central.MaxOverviewLocked + 5, 5
	for first := 0; first < n; first += 500 {
		var evs []pinsede.Event
		for i := first; i < min(first+500, n); i++ {
			evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), hash))
		}
		if _, err := s.Apply(ctx, "ROMA01", evs, storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
	p := central.LockPolicy{After: 1, For: time.Hour, MaxTemporary: 5, ResetAfter: 24 * time.Hour}
	for i := range n {
		p.MaxTemporary = 5
		if i < permanent {
			p.MaxTemporary = 0 // the first lock is permanent
		}
		if _, _, err := s.Attempt(ctx, storetest.CF(i), central.SlotPIN, p, storetest.T0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	o, err := s.Overview(ctx, storetest.T0, 30)
	if err != nil {
		t.Fatal(err)
	}
	storetest.WantLockBound(t, o, permanent, fmt.Sprint("c", n-1))
}

// Ensure that a file written before the overview gets it at its next
// open, from the events it holds: the desks' last push, the PINs issued.
func TestOverviewFilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits)
	ctx := context.Background()
	ev := storetest.AtDesk(storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX")), "03")
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{ev}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	err = s.db.DB.Update(func(btx *bolt.Tx) error { // as a centrale of before the overview, which stamps no write
		for _, b := range [][]byte{bucketDesks, bucketIssued, bucketLockEnds, bucketLocked} {
			if err := btx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.Overview(ctx, storetest.T0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Desks) != 1 || o.Desks[0].Desk != "03" || !o.Desks[0].LastPush.Equal(storetest.T0) || o.Issued[0].Issued != 1 {
		t.Errorf("overview filled from the events: %+v", o)
	}
}
