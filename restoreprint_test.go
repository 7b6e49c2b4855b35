package pinsede_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// restoredMidPrint issues a PIN on f's real bbolt store with a printer
// that holds the slip, copies the store with BackupFile while it prints
// (as pinctl backup or the desk's -backup-dir would), lets the print end
// (recorded), closes the store and restores the copy with local.Restore
// an hour later: the store's path, and the credential, printed after the
// copy.
func restoredMidPrint(t *testing.T) (f *fixture, path string, cred pinsede.Credential) {
	t.Helper()
	f = newFixture(t)
	p, done := issuePrinting(f)
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	if _, err := f.store.BackupFile(copyPath); err != nil { // mid-print
		t.Fatal(err)
	}
	close(p.release)
	r := <-done
	if r.err != nil || r.out.Credential.PrintedAt.IsZero() {
		t.Fatalf("the issue: %+v, %v; want it printed", r.out.Credential, r.err)
	}
	cred = r.out.Credential
	path = f.store.Path()
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	res, err := local.Restore(copyPath, path, filepath.Join(filepath.Dir(path), "store.key"), f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Printing) != 1 || res.Printing[0].SlipSerial != cred.SlipSerial || res.Printing[0].Operator != "sup" || !res.Printing[0].Restored.Equal(f.now) {
		t.Errorf("slips printing in the copy, as the restore tells them: %+v; want %s", res.Printing, cred.SlipSerial)
	}
	return f, path, cred
}

// startRestored opens the store at path as the desk's next start does,
// and recovers the prints: none revoked, and the credential cred of the
// slip restored as printing in the state want.
func startRestored(t *testing.T, f *fixture, path string, cred pinsede.Credential, want pinsede.CredentialState) (*local.Store, *pinsede.Desk) {
	t.Helper()
	st, d := openAgain(t, path, f.desk.Now)
	if n, err := d.RecoverPrints(); n != 0 || err != nil {
		t.Fatalf("RecoverPrints after the restore: %d, %v; want none revoked", n, err)
	}
	if c := credentials(t, st); len(c) != 1 || c[0].ID != cred.ID || c[0].State != want {
		t.Fatalf("after the start the credentials are %+v; want %s %s", c, cred.ID, want)
	}
	return st, d
}

// printingKept returns the slips st keeps as printing.
func printingKept(t *testing.T, st *local.Store) []pinsede.Printing {
	t.Helper()
	var ps []pinsede.Printing
	if err := st.View(func(tx pinsede.Tx) error {
		var err error
		ps, err = tx.Printing()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ps
}

// Ensure that a store restored from a copy made while a slip printed
// (the copy holds the slip as printing, its credential with no print)
// keeps the PIN active at the next start: the print ended after the copy
// and its envelope may be with the citizen, which the copy cannot know.
// No revocation, no event for centrale; the clerk is told at the login
// that the slip was printing when the copy was made, the next starts
// leave it active too (no orphan), and its handover is taken (the clerk
// holding the envelope shows it printed). Before, the start revoked the
// PIN as a print cut short and pushed the revocation to centrale.
func TestRestoreOfCopyMadeMidPrint(t *testing.T) {
	f, path, cred := restoredMidPrint(t)
	st, d := startRestored(t, f, path, cred, pinsede.StateAttivo)
	if got := outboxKinds(t, st); !slices.Equal(got, []pinsede.EventKind{pinsede.EventIssued}) {
		t.Errorf("outbox %v; want the issue only, no revocation", got)
	}
	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	un, err := d.UnprintedSlips(s)
	if err != nil || len(un) != 1 || un[0].SlipSerial != cred.SlipSerial || !un[0].Restored || un[0].Citizen != "Rossi Mario" {
		t.Fatalf("slips told at the login: %+v, %v; want %s, restored from a copy", un, err, cred.SlipSerial)
	}
	if err := d.ForgetUnprinted(s, un); err != nil {
		t.Fatal(err)
	}
	if un, err := d.UnprintedSlips(s); err != nil || len(un) != 0 {
		t.Errorf("told after the notice was closed: %+v, %v", un, err)
	}

	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, d = startRestored(t, f, path, cred, pinsede.StateAttivo)
	if s, err = d.Login("sup", "password-lunga"); err != nil {
		t.Fatal(err)
	}
	if un, err := d.UnprintedSlips(s); err != nil || len(un) != 0 {
		t.Errorf("told again at the next start: %+v, %v", un, err)
	}
	if _, err := d.RecordHandover(s, cred.ID); err != nil {
		t.Errorf("handover of the slip restored as printing: %v", err)
	}
	if got := outboxKinds(t, st); !slices.Equal(got, []pinsede.EventKind{pinsede.EventIssued, pinsede.EventHandedOver}) {
		t.Errorf("outbox %v; want the issue and the handover", got)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ = startRestored(t, f, path, cred, pinsede.StateAttivo)
	if ps := printingKept(t, st); len(ps) != 0 {
		t.Errorf("slips kept as printing once handed over: %+v; want none", ps)
	}
}

// Ensure that the clerk told of a slip restored as printing whose
// citizen has no envelope revokes its PIN from the citizen's page, as
// any PIN: then they are not told of it again, and the next start
// forgets the slip.
func TestRestoreOfCopyMadeMidPrintRevoked(t *testing.T) {
	f, path, cred := restoredMidPrint(t)
	st, d := startRestored(t, f, path, cred, pinsede.StateAttivo)
	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Revoke(s, cred.ID, "busta non stampata, copia ripristinata"); err != nil {
		t.Fatal(err)
	}
	if un, err := d.UnprintedSlips(s); err != nil || len(un) != 0 {
		t.Errorf("told once its PIN is revoked: %+v, %v", un, err)
	}
	if got := outboxKinds(t, st); !slices.Equal(got, []pinsede.EventKind{pinsede.EventIssued, pinsede.EventRevoked}) {
		t.Errorf("outbox %v; want the issue and the clerk's revocation", got)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ = startRestored(t, f, path, cred, pinsede.StateRevocato)
	if ps := printingKept(t, st); len(ps) != 0 {
		t.Errorf("slips kept as printing once revoked: %+v; want none", ps)
	}
}

// Ensure that a copy of a store no desk had open (pinctl backup after a
// crash mid-print), restored, still has its slip revoked as a print cut
// short at the next start: no desk ran to finish that print. It was
// taken as printing when the copy was made, its PIN left active and the
// clerk told that it may be valid.
func TestRestoreOfClosedStoreCopy(t *testing.T) {
	f := newFixture(t)
	p, done := issuePrinting(f)
	path, key := f.store.Path(), filepath.Join(filepath.Dir(f.store.Path()), "store.key")
	if err := f.store.Close(); err != nil { // the desk stops mid-print
		t.Fatal(err)
	}
	close(p.release)
	if r := <-done; r.err == nil {
		t.Fatal("the issue recorded its print in a closed store")
	}
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	if _, err := local.BackupStore(path, key, copyPath, f.now); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	res, err := local.Restore(copyPath, path, key, f.now)
	if err != nil || len(res.Printing) != 0 {
		t.Fatalf("restore: %+v, %v; want no slip taken as printing at the copy", res.Printing, err)
	}
	st, d := openAgain(t, path, f.desk.Now)
	if n, err := d.RecoverPrints(); n != 1 || err != nil {
		t.Fatalf("RecoverPrints after the restore: %d, %v; want the slip cut short revoked", n, err)
	}
	if c := credentials(t, st); len(c) != 1 || c[0].State != pinsede.StateRevocato {
		t.Errorf("after the start: %+v; want revoked", c)
	}
}
