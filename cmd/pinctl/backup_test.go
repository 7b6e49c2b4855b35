package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// Ensure that a supervisor backs up the store, checks the copy and
// restores it, and that pinctl says so when sportello holds the store.
func TestBackupCheckRestore(t *testing.T) {
	sb := setUp(t)
	out := filepath.Join(t.TempDir(), "copia.db")
	r := sb.must(t, "", "backup", "-out", out)
	if !strings.Contains(r.stdout, "copia dell'archivio scritta in "+out) || !strings.Contains(r.stdout, "conserva la chiave") {
		t.Errorf("backup says:\n%s", r.stdout)
	}
	if r := sb.run(t, "", "backup", "-out", out); r.code != exitFail || !strings.Contains(r.stderr, "esiste già") {
		t.Errorf("backup over a copy: exit %d\n%s", r.code, r.stderr)
	}
	// The store changes after the copy: an operator is added.
	sb.must(t, "altra-password-lunga\n", "operator", "add", "-id", "m.rossi", "-name", "Mario Rossi", "-role", "operatore", "-password-stdin")

	r = sb.must(t, "", "check", "-from", out)
	for _, want := range []string{"si apre con la chiave", "operatori: 1\n", "cittadini: 0\n", "credenziali: 0 attive, 0 revocate, 0 scadute\n",
		"eventi da inviare a centrale: ", "catena di audit integra: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := sb.run(t, "", "check", "-from", out+".no"); r.code != exitFail || !strings.Contains(r.stderr, "copia non trovata") {
		t.Errorf("check of no copy: exit %d\n%s", r.code, r.stderr)
	}

	// Sportello holds the store: no backup, no restore.
	s, err := local.Open(sb.store, sb.key)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"backup", "-out", out + ".2"}, {"restore", "-from", out}} {
		r := sb.run(t, "", args...)
		if r.code != exitFail || !strings.Contains(r.stderr, "l'archivio è in uso") {
			t.Errorf("%s while in use: exit %d\n%s", args[0], r.code, r.stderr)
		}
	}
	s.Close()

	r = sb.must(t, "", "restore", "-from", out)
	if !strings.Contains(r.stdout, "ripristinato dalla copia") || !strings.Contains(r.stdout, "conservato in "+sb.store+".pre-restore-") {
		t.Errorf("restore says:\n%s", r.stdout)
	}
	r = sb.must(t, "", "operator", "list")
	if strings.Contains(r.stdout, "m.rossi") {
		t.Errorf("the restored store has the operator added after the copy:\n%s", r.stdout)
	}
	sb.must(t, "", "audit", "verify")
	if fi, err := os.Stat(sb.store); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored store: %v, %v", fi, err)
	}
}

// blockingPrinter holds the slip until release, once it said it started
// (entered).
type blockingPrinter struct{ entered, release chan struct{} }

func (p blockingPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	close(p.entered)
	<-p.release
	return nil
}

// desk opens the sandbox's store as sportello does, with the printer p,
// and logs its supervisor in.
func (sb sandbox) desk(t *testing.T, p pinsede.SlipPrinter) (*local.Store, *pinsede.Desk, *pinsede.Session) {
	t.Helper()
	st, err := local.Open(sb.store, sb.key)
	if err != nil {
		t.Fatal(err)
	}
	d := pinsede.NewDesk(st, p, sb.now)
	d.PINParams, d.PasswordParams = passwordParams, passwordParams
	s, err := d.Login("a.verdi", "una-password-lunga")
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	return st, d, s
}

// mario returns an MV35 a PIN is issued to, and its verification, with
// a passport valid on the suite's day, whichever it is (PINSEDE_TEST_NOW).
func (sb sandbox) mario() (pinsede.Request, pinsede.Verification) {
	req := pinsede.Request{
		Cognome: "Rossi", Nome: "Mario", Sesso: pinsede.SexMale,
		DataNascita:   pinsede.Date{Year: 1980, Month: time.January, Day: 1},
		LuogoNascita:  pinsede.Place{Name: "Roma", Province: "RM", Code: "H501"},
		CodiceFiscale: "RSSMRA80A01H501U",
		Residenza:     pinsede.Address{Street: "Calle Mayor 1", CAP: "28013", City: "Madrid", Country: "ES"},
		Recapiti:      pinsede.Contacts{Mobile: "+34 600 123 456", Email: "mario.rossi@example.es"},
	}
	ver := pinsede.Verification{
		Document: pinsede.Document{
			Type: pinsede.DocPassaportoEstero, Number: "PAA123456", Authority: "Ministerio del Interior", Country: "ES",
			IssuedOn: pinsede.DateOf(sb.now().AddDate(-2, 0, 0)), ExpiresOn: pinsede.DateOf(sb.now().AddDate(8, 0, 0)),
		},
		Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
	}
	return req, ver
}

// Ensure that pinctl restore of a copy sportello made while a slip
// printed names the slip for the operator (its serial, its clerk): its
// PIN stays active, to be revoked only if the citizen has no envelope.
func TestRestoreCopyMadeMidPrint(t *testing.T) {
	sb := setUp(t)
	p := blockingPrinter{entered: make(chan struct{}), release: make(chan struct{})}
	st, d, s := sb.desk(t, p)
	req, ver := sb.mario()
	done := make(chan error, 1)
	go func() {
		_, err := d.Issue(context.Background(), s, req, ver)
		done <- err
	}()
	select {
	case <-p.entered:
	case err := <-done: // refused before its print: the test would wait for one
		t.Fatalf("the issue ended before printing: %v", err)
	}
	out := filepath.Join(t.TempDir(), "copia.db")
	if _, err := st.BackupFile(out); err != nil { // sportello's copy, mid-print
		t.Fatal(err)
	}
	close(p.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	r := sb.must(t, "", "restore", "-from", out)
	if !strings.Contains(r.stdout, "busta n. ROMA01-") || !strings.Contains(r.stdout, "operatore a.verdi") ||
		!strings.Contains(r.stdout, "era in stampa quando è stata fatta la copia") || !strings.Contains(r.stdout, "il PIN resta attivo") {
		t.Errorf("restore of a copy made mid-print says:\n%s", r.stdout)
	}
}
