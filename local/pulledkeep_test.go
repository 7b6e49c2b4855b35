package local_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// superseded returns n changes from seq from on, each superseding a
// credential the desk does not hold, as centrale sends them to a desk
// whose sede's PINs other sedi replace.
func superseded(from uint64, n int) []pinsede.Change {
	out := make([]pinsede.Change, n)
	for i := range out {
		out[i] = pinsede.Change{Seq: from + uint64(i), Kind: pinsede.ChangeSuperseded, Time: t0, Sede: "ROMA01",
			CredentialID: fmt.Sprintf("%032x", from+uint64(i)), CodiceFiscale: "RSSMRA80A01H501U", BySede: "MILA01"}
	}
	return out
}

// pullPages applies n changes in pages of 50 to a new store in dir, as the
// sync client does, and returns the store's path.
func pullPages(t *testing.T, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "sportello.db")
	s, err := local.Create(path, filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx pinsede.Tx) error { return tx.SetSede(testSede) })
	d := deskOn(s)
	for from := 1; from <= n; from += 50 {
		page := superseded(uint64(from), min(50, n-from+1))
		if _, err := d.ApplyPulled(page[len(page)-1].Seq, page, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Ensure that the changes a desk pulls are applied, not kept: its sync
// bucket is the same size after 200 changes and after 800 (it grew by 329
// bytes a change, about 400 a day from each other desk of the sede, for
// good, and nothing read them).
func TestPulledChangesNotKept(t *testing.T) {
	_, small, _ := inUse(t, pullPages(t, t.TempDir(), 200))
	_, large, keys := inUse(t, pullPages(t, t.TempDir(), 800))
	t.Logf("sync bucket: %d bytes after 200 changes, %d after 800 (%d keys)", small["sync"], large["sync"], keys["sync"])
	if per := float64(large["sync"]-small["sync"]) / 600; per > 1 {
		t.Errorf("the sync bucket grows by %.0f bytes a change pulled (%d keys after 800): want nothing", per, keys["sync"])
	}
}

// Ensure that a change pulled again, at or below the cursor, is applied
// never again: a page replayed whole (the link cut after the commit, before
// the answer was seen), a page that overlaps the last one, and a change
// twice in one page bring back no ticket called since and revoke nothing
// twice; the cursor never goes back.
func TestPulledPageReplayed(t *testing.T) {
	s := newStore(t)
	update(t, s, func(tx pinsede.Tx) error { return tx.SetSede(testSede) })
	d := deskOn(s)
	now := time.Date(2026, 3, 10, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	tk := kioskTicket("ACDEFG34", now.Add(-time.Hour))
	pageA := []pinsede.Change{{Seq: 1, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &tk}}
	pageB := []pinsede.Change{{Seq: 2, Kind: pinsede.ChangeTicketCalled, Sede: "ROMA01", Ticket: &pinsede.Ticket{Code: tk.Code}}}
	for _, p := range [][]pinsede.Change{pageA, pageB} {
		if _, err := d.ApplyPulled(p[len(p)-1].Seq, p, now); err != nil {
			t.Fatal(err)
		}
	}
	entries := func() int {
		n := 0
		if err := s.AuditEntries(0, func(pinsede.AuditEntry) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	audited := entries()
	for _, replay := range [][]pinsede.Change{pageA, append(pageA, pageB...)} {
		if _, err := d.ApplyPulled(replay[len(replay)-1].Seq, replay, now); err != nil {
			t.Fatal(err)
		}
		if got, err := d.Tickets(now); err != nil || len(got) != 0 {
			t.Errorf("after a page replayed, tickets waiting %+v, %v: want none (called since)", got, err)
		}
	}
	if cur, _ := s.SyncCursor(); cur != 2 {
		t.Errorf("cursor %d after pages replayed, want 2", cur)
	}
	// A revocation by centrale of a credential held, twice in its page,
	// then the page again: one revocation, one audit entry.
	c := pinsede.Credential{ID: "c1", Sede: "ROMA01", CodiceFiscale: "RSSMRA80A01H501U", Type: pinsede.Dispositivo,
		State: pinsede.StateAttivo, IssuedAt: now.Add(-time.Hour), ExpiresAt: now.AddDate(0, 6, 0)}
	update(t, s, func(tx pinsede.Tx) error { return tx.PutCredential(c) })
	rev := pinsede.Change{Seq: 3, Kind: pinsede.ChangeRevoked, Time: now, Sede: "ROMA01", CredentialID: "c1", CodiceFiscale: c.CodiceFiscale, Reason: "test"}
	var revoked int
	for _, page := range [][]pinsede.Change{{rev, rev}, {rev}} {
		out, err := d.ApplyPulled(3, page, now)
		if err != nil {
			t.Fatal(err)
		}
		revoked += len(out)
	}
	if revoked != 1 || entries() != audited+1 {
		t.Errorf("revoked %d times, %d audit entries more: want once, one", revoked, entries()-audited)
	}
	// A cursor lower than the one kept does not take the desk back.
	if _, err := d.ApplyPulled(1, nil, now); err != nil {
		t.Fatal(err)
	}
	if cur, _ := s.SyncCursor(); cur != 3 {
		t.Errorf("cursor %d after a lower one, want 3", cur)
	}
}

// Ensure that a store of schema 8, which kept every change pulled, drops
// them when it opens, and keeps the cursor, the tickets waiting and the
// events not accepted of the same bucket.
func TestOpenMigratesV8(t *testing.T) {
	store, key := created(t)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx pinsede.Tx) error { return tx.SetSede(testSede) })
	now := time.Date(2026, 3, 10, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	tk := kioskTicket("ACDEFG34", now.Add(-time.Hour))
	if _, err := deskOn(s).ApplyPulled(900, []pinsede.Change{{Seq: 900, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &tk}}, now); err != nil {
		t.Fatal(err)
	}
	na := pinsede.NotAccepted{Seq: 4, Event: pinsede.Event{ID: "e4", Kind: pinsede.EventIssued, Sede: "ROMA01"}, Verdict: pinsede.VerdictRejected, Reason: "test", At: now}
	if err := deskOn(s).Acknowledge(nil, []pinsede.NotAccepted{na}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := local.KeepChangesV8(store, key, superseded(1, 900)); err != nil {
		t.Fatal(err)
	}
	_, _, before := inUse(t, store)
	s, err = local.Open(store, key)
	if err != nil {
		t.Fatalf("open a v8 store: %v", err)
	}
	if cur, err := s.SyncCursor(); err != nil || cur != 900 {
		t.Errorf("cursor after migration %d, %v; want 900", cur, err)
	}
	if got, err := deskOn(s).Tickets(now); err != nil || len(got) != 1 || got[0].Request != tk.Request {
		t.Errorf("tickets after migration %+v, %v", got, err)
	}
	if got, err := deskOn(s).NotAcceptedEvents(); err != nil || len(got) != 1 || got[0].Event.ID != "e4" {
		t.Errorf("events not accepted after migration %+v, %v", got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := local.StoredSchema(store); err != nil || v != local.SchemaVersion {
		t.Fatalf("schema after migration %d, %v; want %d", v, err, local.SchemaVersion)
	}
	_, _, after := inUse(t, store)
	t.Logf("sync bucket keys: %d before the migration, %d after", before["sync"], after["sync"])
	if after["sync"] != before["sync"]-900 {
		t.Errorf("sync bucket keys: %d before the migration, %d after; want the 900 changes gone", before["sync"], after["sync"])
	}
}
