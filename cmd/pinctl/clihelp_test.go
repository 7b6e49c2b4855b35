package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that what README and pinctl's own help tell a supervisor to type
// works, or says what to type instead: -key after the command is named
// as a flag that goes before it (README said check -from FILE "with -key"
// and pinctl answered only "opzione sconosciuta: -key"); ca -help lists
// the ca commands (it said "comando sconosciuto: ca -help"), ca alone
// too, exit 2; pinctl -help names ca issue -bundle and -passphrase-file,
// which it left out.
func TestHelpAsWritten(t *testing.T) {
	sb := setUp(t)
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	sb.must(t, "", "backup", "-out", copyPath)
	r := sb.run(t, "", "check", "-from", copyPath, "-key", sb.key)
	if r.code != exitUsage || !strings.Contains(r.stderr, "-key va prima del comando") {
		t.Errorf("check -from FILE -key FILE: exit %d\n%s", r.code, r.stderr)
	}
	sb.must(t, "", "check", "-from", copyPath) // as README says it now: -key before check, here sb's

	for _, h := range []string{"-help", "-h", "--help"} {
		r = sb.run(t, "", "ca", h)
		if r.code != exitOK || !strings.Contains(r.stdout, "ca issue -dir") || !strings.Contains(r.stdout, "-passphrase-file") || strings.Contains(r.stdout, "operator add") {
			t.Errorf("ca %s: exit %d\n%s%s", h, r.code, r.stdout, r.stderr)
		}
	}
	r = sb.run(t, "", "operator")
	if r.code != exitUsage || !strings.Contains(r.stderr, "manca il comando di operator") || !strings.Contains(r.stderr, "operator reset-password") {
		t.Errorf("operator alone: exit %d\n%s", r.code, r.stderr)
	}
	r = sb.run(t, "", "-help")
	if r.code != exitOK || !strings.Contains(r.stdout, "-passphrase-file FILE") {
		t.Errorf("pinctl -help does not name -passphrase-file:\n%s", r.stdout)
	}
	_, issue, _ := strings.Cut(r.stdout, "ca issue ")
	if issue, _, _ = strings.Cut(issue, "\n"); !strings.Contains(issue, "-bundle FILE") {
		t.Errorf("pinctl -help's ca issue does not name -bundle: %q", issue)
	}
}

// Ensure that ca renew of a certificate revoked already says so, and not
// that it stays valid until its end and is to be revoked.
func TestCARenewRevoked(t *testing.T) {
	sb := newSandbox(t)
	dir := filepath.Join(t.TempDir(), "ca")
	old := filepath.Join(t.TempDir(), "d03")
	sb.must(t, "", "ca", "init", "-dir", dir)
	sb.must(t, "", "ca", "issue", "-dir", dir, "-role", "sede", "-code", "ROMA01", "-desk", "03", "-out", old)
	sb.must(t, "", "ca", "revoke", "-dir", dir, "-cert", old+".crt", "-reason", "PC rubato")
	r := sb.must(t, "", "ca", "renew", "-dir", dir, "-cert", old+".crt", "-out", old+"-new")
	if !strings.Contains(r.stdout, "è già revocato") || !strings.Contains(r.stdout, "PC rubato") || strings.Contains(r.stdout, "resta valido") {
		t.Errorf("renewing a revoked certificate says:\n%s", r.stdout)
	}
}
