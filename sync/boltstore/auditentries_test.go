package boltstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// rareChain is a chain of n entries of desk 01 of ROMA01, all its own
// acts (storetest.Chain's, 20 minutes apart): of each 2000, one by the
// operator m.verdi, one a password change and one about citizen CF(1).
func rareChain(n int) []pinsede.AuditEntry {
	return storetest.Chain("ROMA01", "01", n, storetest.T0, func(e *pinsede.AuditEntry) {
		e.Desk, e.At, e.Actor = "01", time.Time{}, "op01"
		switch e.Seq % 2000 {
		case 0:
			e.Actor = "m.verdi"
		case 500:
			e.Action, e.Subject, e.Credential = pinsede.ActionPasswordChanged, "", ""
		case 1000:
			e.Subject = storetest.CF(1)
		}
	})
}

// putChain sends es to s in batches of wire.MaxAuditEntries.
func putChain(t *testing.T, s *boltstore.Store, es []pinsede.AuditEntry) {
	t.Helper()
	for i := 0; i < len(es); i += wire.MaxAuditEntries {
		if _, err := s.PutAuditEntries(context.Background(), "ROMA01", "01", es[0].Hash, es[i:min(i+wire.MaxAuditEntries, len(es))], storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
}

// rareSearch is a search of rareChain's period and how many entries it
// finds.
type rareSearch struct {
	name string
	f    pinsede.AuditFilter
	want int
}

// rareSearches are searches of rareChain's period by each filter.
func rareSearches(es []pinsede.AuditEntry) []rareSearch {
	days := pinsede.AuditFilter{From: pinsede.DateOf(es[0].Time), To: pinsede.DateOf(es[len(es)-1].Time)}
	with := func(edit func(*pinsede.AuditFilter)) pinsede.AuditFilter { f := days; edit(&f); return f }
	n := len(es) / 2000
	return []rareSearch{
		{"operator", with(func(f *pinsede.AuditFilter) { f.Actor = "m.verdi" }), n},
		{"action", with(func(f *pinsede.AuditFilter) { f.Action = pinsede.ActionPasswordChanged }), n},
		{"citizen", with(func(f *pinsede.AuditFilter) { f.Subject = storetest.CF(1) }), n},
		{"operator and action", with(func(f *pinsede.AuditFilter) { f.Actor, f.Action = "m.verdi", pinsede.ActionIssued }), n},
		{"common operator, rare action", with(func(f *pinsede.AuditFilter) { f.Actor, f.Action = "op01", pinsede.ActionPasswordChanged }), n},
		{"rare citizen, common action", with(func(f *pinsede.AuditFilter) { f.Subject, f.Action = storetest.CF(1), pinsede.ActionIssued }), n},
		{"three, none", with(func(f *pinsede.AuditFilter) {
			f.Subject, f.Actor, f.Action = storetest.CF(1), "m.verdi", pinsede.ActionIssued
		}), 0},
		{"days", days, pinsede.MaxAuditSearchResults + 1},
	}
}

// Ensure that a search by operator, action or citizen reads the entries
// it returns and no others, however many the period holds: 20,000
// entries, 10 of each searched.
func TestAuditSearchReadsWhatItReturns(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es := rareChain(20_000)
	putChain(t, s, es)
	for _, tc := range rareSearches(es) {
		before := s.AuditEntriesRead()
		got, err := s.SearchAudit(context.Background(), "ROMA01", tc.f, wire.AuditCursor{}, pinsede.MaxAuditSearchResults+1, wire.MaxAuditSearchBytes)
		read := s.AuditEntriesRead() - before
		if err != nil || len(got) != tc.want {
			t.Errorf("by %s: %d entries, %v; want %d", tc.name, len(got), err, tc.want)
		}
		if read != int64(tc.want) {
			t.Errorf("by %s: read %d entries for the %d it found", tc.name, read, len(got))
		}
	}
}

// Ensure that the audit entries of a file written before the indexes by
// time and by filter are indexed when it opens: the searches and their
// pages find them as before, and the indexes they replace are gone.
func TestAuditIndexesMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	ctx := context.Background()
	es := rareChain(6000)
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	putChain(t, s, es)
	searches := rareSearches(es)
	want := map[string][]pinsede.AuditEntry{}
	for _, tc := range searches {
		got, err := s.SearchAudit(ctx, "ROMA01", tc.f, wire.AuditCursor{}, len(es), wire.MaxAuditSearchBytes)
		if err != nil || tc.f.Actor+string(tc.f.Action)+string(tc.f.Subject) != "" && len(got) != tc.want {
			t.Fatalf("by %s: %d entries, %v; want %d", tc.name, len(got), err, tc.want)
		}
		want[tc.name] = got
	}
	s.Close()
	// The file as an older centrale left it: indexes by day and by
	// citizen, none by time or filter.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"audit_entries_by_time", "audit_entries_by_filter"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		for _, b := range []string{"audit_entries_by_day", "audit_entries_by_subject"} {
			if _, err := tx.CreateBucket([]byte(b)); err != nil {
				return err
			}
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
	for _, tc := range searches {
		var got []pinsede.AuditEntry
		var after wire.AuditCursor
		for range len(es) { // pages of 4
			page, err := s.SearchAudit(ctx, "ROMA01", tc.f, after, 4, wire.MaxAuditSearchBytes)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 4 {
				break
			}
			after = wire.CursorOf(page[len(page)-1])
		}
		if len(got) != len(want[tc.name]) {
			t.Errorf("by %s after the migration: %d entries, want %d", tc.name, len(got), len(want[tc.name]))
			continue
		}
		for i := range got {
			if got[i].Seq != want[tc.name][i].Seq || got[i].Desk != "01" {
				t.Errorf("by %s, entry %d after the migration: %d of %q, want %d", tc.name, i, got[i].Seq, got[i].Desk, want[tc.name][i].Seq)
			}
		}
	}
	s.Close()
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		for _, b := range []string{"audit_entries_by_day", "audit_entries_by_subject"} {
			if tx.Bucket([]byte(b)) != nil {
				t.Errorf("the index %s is still there", b)
			}
		}
		return nil
	})
}
