package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
