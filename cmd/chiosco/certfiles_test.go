package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that chiosco says what is wrong with the files of its
// certificate for centrale (-cert, -certkey, -ca) in the staff's
// language, Italian unless the locale says English, naming the file,
// where it was named and what to fix, before it opens a window: a file
// missing, a folder, a file too large, a certificate that is a sede's,
// one that is no certificate, one of another CA than -ca's, a key of
// another certificate. Before, each was English ("kiosk certificate:
// PEM file … does not exist: check the path", "tls: private key does
// not match public key"), and a certificate of another CA was taken,
// for centrale to refuse every request.
func TestCertificateFilesTold(t *testing.T) {
	if os.Getenv(testclock.Env) != "" {
		t.Skip("chiosco's flags: checked once, on the suite's own day; the clock moves none of it")
	}
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "pinsede test CA", testclock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.Init(filepath.Join(dir, "other"), "another CA", testclock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	issue := func(ca *pki.CA, role pki.Role, name string) (cert, key string) {
		t.Helper()
		c, k, err := ca.Issue(role, "ROMA01", testclock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".crt", c), write(name+".key", k)
	}
	caFile := write("ca.crt", ca.CertPEM())
	kioskCert, kioskKey := issue(ca, pki.RoleKiosk, "chiosco")
	_, otherKey := issue(ca, pki.RoleKiosk, "altro")
	sedeCert, sedeKey := issue(ca, pki.RoleSede, "sede")
	foreignCert, foreignKey := issue(other, pki.RoleKiosk, "estraneo")
	notCert := write("note.crt", []byte("not a certificate\n"))
	large := write("large.crt", make([]byte, pki.MaxPEMBytes+1))
	missing := filepath.Join(dir, "none.key")
	run := func(cert, key, ca string) []string {
		return []string{"-centrale", "https://127.0.0.1:1", "-cert", cert, "-certkey", key, "-ca", ca}
	}
	for _, c := range []struct {
		name   string
		args   []string
		it, en string
	}{
		{"key missing", run(kioskCert, missing, caFile),
			"Il file " + missing + " (opzione -certkey della riga di comando) non esiste: controlla il percorso.",
			"The file " + missing + " (option -certkey of the command line) does not exist: check the path."},
		{"a folder for the CA", run(kioskCert, kioskKey, dir),
			dir + " (opzione -ca della riga di comando) non è un file ma una cartella, una pipe o un dispositivo: indica il file del certificato o della chiave.",
			dir + " (option -ca of the command line) is not a file but a folder, a pipe or a device: name the certificate's or the key's file."},
		{"too large", run(large, kioskKey, caFile),
			"Il file " + large + " (opzione -cert della riga di comando) è troppo grande per un certificato o una chiave: controlla che sia il file giusto.",
			"The file " + large + " (option -cert of the command line) is too large for a certificate or a key: check that it is the right file."},
		{"a sede's certificate", run(sedeCert, sedeKey, caFile),
			"Il certificato " + sedeCert + " (opzione -cert della riga di comando) non è di un chiosco: fanne rilasciare uno (pinctl ca issue -role chiosco -code SEDE) e indicalo.",
			"The certificate " + sedeCert + " (option -cert of the command line) is not a kiosk's: have one issued (pinctl ca issue -role chiosco -code SEDE) and name it."},
		{"no certificate", run(notCert, kioskKey, caFile),
			"Il file " + notCert + " (opzione -cert della riga di comando) non contiene un certificato PEM: indica il file giusto (il .crt).",
			"The file " + notCert + " (option -cert of the command line) holds no PEM certificate: name the right file (the .crt)."},
		{"another CA's", run(foreignCert, foreignKey, caFile),
			"Il certificato " + foreignCert + " (opzione -cert della riga di comando) non è firmato dalla CA del file indicato con ca, e l'archivio centrale lo rifiuterebbe: indica il ca.crt della CA che lo ha rilasciato, o fanne rilasciare uno dalla CA dell'archivio centrale (pinctl ca issue -role chiosco).",
			"The certificate " + foreignCert + " (option -cert of the command line) is not signed by the CA of the file named by ca, and the central records would refuse it: name the ca.crt of the CA that issued it, or have one issued by the central records' CA (pinctl ca issue -role chiosco)."},
		{"another certificate's key", run(kioskCert, otherKey, caFile),
			"Il file " + otherKey + " (opzione -certkey della riga di comando) non contiene la chiave privata del certificato indicato con cert: indica la chiave rilasciata con quel certificato (il .key).",
			"The file " + otherKey + " (option -certkey of the command line) does not hold the private key of the certificate named by cert: name the key issued with that certificate (the .key)."},
	} {
		refused(t, dir, []flagCase{
			{c.name, c.args, "", "chiosco: " + c.it},
			{c.name + ", in English", c.args, "LANG=en_US.UTF-8", "chiosco: " + c.en},
		})
	}
}
