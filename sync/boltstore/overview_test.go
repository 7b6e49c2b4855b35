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
