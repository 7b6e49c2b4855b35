package main

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that the ca commands make a CA, a sede's and the server's
// certificates, and revoke by file.
func TestCACommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	steps := []struct {
		run  func(*env, []string) error
		args []string
	}{
		{cmdCAInit, []string{"-dir", dir}},
		{cmdCAIssue, []string{"-dir", dir, "-role", "sede", "-code", "roma01", "-out", filepath.Join(dir, "roma01")}},
		{cmdCAIssue, []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-desk", "03", "-out", filepath.Join(dir, "roma01-03")}},
		{cmdCAServer, []string{"-dir", dir, "-host", "127.0.0.1"}},
		{cmdCARevoke, []string{"-dir", dir, "-cert", filepath.Join(dir, "roma01-03.crt"), "-reason", "PC rubato"}},
		{cmdCACRL, []string{"-dir", dir}},
	}
	for _, s := range steps {
		if err := s.run(e, s.args); err != nil {
			t.Fatalf("%v: %v\n%s", s.args, err, out.String())
		}
	}
	if !strings.Contains(out.String(), "ROMA01") || !strings.Contains(out.String(), "sportello 03") || !strings.Contains(out.String(), "(sede ROMA01 sportello 03) revocato") {
		t.Errorf("output:\n%s", out.String())
	}
	ca, err := pki.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if revs, _ := ca.Revocations(); len(revs) != 1 || revs[0].Reason != "PC rubato" {
		t.Errorf("revocations = %+v", revs)
	}
	if !strings.Contains(out.String(), "firmato di nuovo") {
		t.Errorf("ca crl output:\n%s", out.String())
	}
	if err := cmdCAIssue(e, []string{"-dir", dir, "-role", "chiosco", "-code", "ROMA01", "-desk", "03", "-out", filepath.Join(dir, "k")}); err == nil {
		t.Error("a kiosk's certificate with -desk accepted")
	}
	if err := cmdCARevoke(e, []string{"-dir", dir}); err == nil {
		t.Error("revoke without -serial or -cert accepted")
	}
}

// Ensure that ca renew issues a new certificate to the same holder (role,
// code, desk), keeps the old one valid unless told, revokes it with
// -revoke, and refuses the server's certificate with the way to renew it.
func TestCARenew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	old := filepath.Join(dir, "roma01-03")
	for _, args := range [][]string{
		{"-dir", dir},
		{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-desk", "03", "-out", old},
	} {
		run := cmdCAIssue
		if len(args) == 2 {
			run = cmdCAInit
		}
		if err := run(e, args); err != nil {
			t.Fatal(err)
		}
	}
	holder := func(path string) (pki.Role, string, string, string) {
		t.Helper()
		c := readCert(t, path)
		role, code, err := pki.Identity(c)
		if err != nil {
			t.Fatal(err)
		}
		desk, err := pki.DeskOf(c)
		if err != nil {
			t.Fatal(err)
		}
		return role, code, desk, pki.Serial(c)
	}
	_, _, _, oldSerial := holder(old + ".crt")

	renewed := filepath.Join(dir, "roma01-03-2027")
	if err := cmdCARenew(e, []string{"-dir", dir, "-cert", old + ".crt", "-out", renewed}); err != nil {
		t.Fatalf("renew: %v\n%s", err, out.String())
	}
	role, code, desk, serial := holder(renewed + ".crt")
	if role != pki.RoleSede || code != "ROMA01" || desk != "03" || serial == oldSerial {
		t.Errorf("renewed: %s %s desk %s serial %s (old %s)", role, code, desk, serial, oldSerial)
	}
	ca, err := pki.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if revs, _ := ca.Revocations(); len(revs) != 0 || !strings.Contains(out.String(), "resta valido") {
		t.Errorf("without -revoke: revocations %+v, output:\n%s", revs, out.String())
	}

	if err := cmdCARenew(e, []string{"-dir", dir, "-cert", renewed + ".crt", "-out", filepath.Join(dir, "again"), "-revoke"}); err != nil {
		t.Fatal(err)
	}
	if revs, _ := ca.Revocations(); len(revs) != 1 || revs[0].Serial != serial || revs[0].Reason != "rinnovato" {
		t.Errorf("with -revoke: revocations %+v, want the renewed certificate %s", revs, serial)
	}

	if err := cmdCAServer(e, []string{"-dir", dir, "-host", "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	err = cmdCARenew(e, []string{"-dir", dir, "-cert", filepath.Join(dir, "server.crt"), "-out", filepath.Join(dir, "x")})
	if err == nil || !strings.Contains(err.Error(), "pinctl ca server") {
		t.Errorf("renew of the server's certificate: %v, want a pointer to pinctl ca server", err)
	}
}

// readCert reads and parses a certificate file.
func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.ParseCert(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that ca init with a passphrase (a file, or the environment; never
// the command line) encrypts the CA key, and that the other ca commands
// then need it and say where to give it.
func TestCAPassphrase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	passFile := filepath.Join(t.TempDir(), "passphrase")
	if err := os.WriteFile(passFile, []byte("una frase lunga e segreta\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	if err := cmdCAInit(e, []string{"-dir", dir, "-passphrase-file", passFile}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "non è cifrata") {
		t.Errorf("init with a passphrase says the key is not encrypted:\n%s", out.String())
	}
	issue := []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-out", filepath.Join(dir, "roma01")}
	t.Setenv(PassphraseEnv, "")
	err := cmdCAIssue(e, issue)
	if !errors.Is(err, pki.ErrPassphrase) || !strings.Contains(err.Error(), "-passphrase-file") || !strings.Contains(err.Error(), PassphraseEnv) {
		t.Errorf("issue without the passphrase: %v, want ErrPassphrase saying where to give it", err)
	}
	if err := cmdCAIssue(e, append(issue, "-passphrase-file", passFile)); err != nil {
		t.Errorf("issue with -passphrase-file: %v", err)
	}
	t.Setenv(PassphraseEnv, "una frase sbagliata")
	if err := cmdCACRL(e, []string{"-dir", dir}); !errors.Is(err, pki.ErrPassphrase) || !strings.Contains(err.Error(), "la passphrase data non apre") {
		t.Errorf("crl with a wrong passphrase: %v, want it said in Italian", err)
	}
	t.Setenv(PassphraseEnv, "una frase lunga e segreta")
	if err := cmdCACRL(e, []string{"-dir", dir}); err != nil {
		t.Errorf("crl with $%s: %v", PassphraseEnv, err)
	}
	if err := cmdCACRL(e, []string{"-dir", filepath.Join(dir, "none")}); !errors.Is(err, pki.ErrNoCA) || !strings.Contains(err.Error(), "pinctl ca init") {
		t.Errorf("crl in a folder with no CA: %v, want the way to make one", err)
	}
}

// Ensure that ca issue -bundle writes one file, readable by its owner
// only, that parses as the CA's certificate, the desk's certificate and
// its key; and that it needs -out or -bundle.
func TestCAIssueBundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	if err := cmdCAInit(e, []string{"-dir", dir}); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "roma01-03.pem")
	if err := cmdCAIssue(e, []string{"-dir", dir, "-code", "ROMA01", "-desk", "03", "-bundle", bundle}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	fi, err := os.Stat(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("bundle mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(bundle)
	b, err := pki.ParseBundle(data, testclock.Now())
	if err != nil {
		t.Fatal(err)
	}
	role, code, _ := pki.Identity(b.Cert)
	desk, _ := pki.DeskOf(b.Cert)
	if role != pki.RoleSede || code != "ROMA01" || desk != "03" || b.CA.Subject.CommonName != "pinsede CA" {
		t.Errorf("bundle of %s %s desk %s, CA %q", role, code, desk, b.CA.Subject.CommonName)
	}
	if !strings.Contains(out.String(), bundle) || strings.Contains(out.String(), "PRIVATE KEY") {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := os.Stat(strings.TrimSuffix(bundle, ".pem") + ".key"); err == nil {
		t.Error("a .key written without -out")
	}
	if err := cmdCAIssue(e, []string{"-dir", dir, "-code", "ROMA01"}); err == nil {
		t.Error("issue with neither -out nor -bundle accepted")
	}
}

// Ensure that centrale's certificate issued again over the files of the
// earlier one (ca server, to renew it) leaves its key readable by its
// owner only, whatever the mode of the key file it replaces: os.WriteFile
// kept the old file's mode, and a new private key went into a file
// others could read. (A client's pair is never written over:
// TestCAIssueKeepsExisting.)
func TestCAIssueKeyOverReadableFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	if err := cmdCAInit(e, []string{"-dir", dir}); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "server.key")
	if err := os.WriteFile(key, []byte("an earlier key"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := cmdCAServer(e, []string{"-dir", dir, "-host", "127.0.0.1"}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	fi, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("server.key: mode %v, want 0600", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(key); !bytes.Contains(b, []byte("PRIVATE KEY")) {
		t.Error("server.key does not hold the new key")
	}
}

// Ensure that ca revoke and ca renew refuse a certificate another CA
// signed, naming both, and change nothing: revoking it in the wrong CA
// folder (a test CA's, another centrale's) said "revocato" while the
// stolen PC's certificate stayed valid at the real centrale, and renewing
// it gave a foreign holder a valid pair of this CA.
func TestCAForeignCertificate(t *testing.T) {
	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ca"), filepath.Join(root, "ca-prova")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	foreign := filepath.Join(theirs, "milano01")
	for _, s := range []struct {
		run  func(*env, []string) error
		args []string
	}{
		{cmdCAInit, []string{"-dir", ours}},
		{cmdCAInit, []string{"-dir", theirs}},
		{cmdCAIssue, []string{"-dir", theirs, "-role", "sede", "-code", "MILANO01", "-out", foreign}},
	} {
		if err := s.run(e, s.args); err != nil {
			t.Fatalf("%v: %v\n%s", s.args, err, out.String())
		}
	}
	for _, c := range []struct {
		name string
		run  func(*env, []string) error
		args []string
	}{
		{"revoke", cmdCARevoke, []string{"-dir", ours, "-cert", foreign + ".crt"}},
		{"renew", cmdCARenew, []string{"-dir", ours, "-cert", foreign + ".crt", "-out", filepath.Join(root, "renewed")}},
		{"renew -revoke", cmdCARenew, []string{"-dir", ours, "-cert", foreign + ".crt", "-out", filepath.Join(root, "renewed"), "-revoke"}},
	} {
		out.Reset()
		err := c.run(e, c.args)
		if err == nil || !strings.Contains(err.Error(), foreign+".crt") || !strings.Contains(err.Error(), ours) {
			t.Errorf("%s of another CA's certificate: %v (output %q), want a refusal naming the certificate and the CA folder", c.name, err, out.String())
		}
		if strings.Contains(out.String(), "revocato") || strings.Contains(out.String(), "rinnovato") {
			t.Errorf("%s of another CA's certificate told %q", c.name, out.String())
		}
	}
	ca, err := pki.Load(ours, nil)
	if err != nil {
		t.Fatal(err)
	}
	if revs, _ := ca.Revocations(); len(revs) != 0 {
		t.Errorf("revocations after the refusals: %+v, want none", revs)
	}
	if _, err := os.Stat(filepath.Join(root, "renewed.crt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("renewed.crt written for another CA's certificate (%v)", err)
	}
}

// Ensure that ca issue and ca renew write no certificate or key over one
// that exists (they overwrote a pair in use, the key first, so that the PC
// using it lost it), and that an unknown role is named with the roles
// there are (it said "issue certificate: unknown role").
func TestCAIssueKeepsExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	pair := filepath.Join(dir, "roma01")
	bundle := filepath.Join(dir, "roma01.bundle")
	for _, s := range []struct {
		run  func(*env, []string) error
		args []string
	}{
		{cmdCAInit, []string{"-dir", dir}},
		{cmdCAIssue, []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-out", pair, "-bundle", bundle}},
	} {
		if err := s.run(e, s.args); err != nil {
			t.Fatalf("%v: %v\n%s", s.args, err, out.String())
		}
	}
	read := func() string {
		t.Helper()
		var all []byte
		for _, p := range []string{pair + ".crt", pair + ".key", bundle} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return string(all)
	}
	before := read()
	for _, c := range []struct {
		name string
		run  func(*env, []string) error
		args []string
	}{
		{"issue -out", cmdCAIssue, []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-out", pair}},
		{"issue -bundle", cmdCAIssue, []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-bundle", bundle}},
		{"renew", cmdCARenew, []string{"-dir", dir, "-cert", pair + ".crt", "-out", pair}},
	} {
		err := c.run(e, c.args)
		if err == nil || !strings.Contains(err.Error(), "esiste già") {
			t.Errorf("%s over an existing file: %v, want a refusal", c.name, err)
		}
	}
	if read() != before {
		t.Error("the existing certificate, key or bundle changed")
	}
	err := cmdCAIssue(e, []string{"-dir", dir, "-role", "kiosk", "-code", "ROMA01", "-out", filepath.Join(dir, "k")})
	if err == nil || !strings.Contains(err.Error(), "sede, chiosco o portale") {
		t.Errorf("-role kiosk: %v, want the roles named", err)
	}
}

// Ensure that ca revoke -serial revokes only a serial the CA's register
// holds: a mistyped serial is refused with what to check, and neither
// revoked.json nor crl.pem changes (before, pinctl said "revocato" and
// signed a list naming the typo, while the stolen PC's certificate stayed
// valid); the serial as openssl prints it (upper case, colons) is the
// certificate's, whose holder the output names; -issued-elsewhere
// revokes a serial outside the register, saying so; a serial that is not
// hexadecimal is a usage error.
func TestCARevokeSerial(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: testclock.Now}
	if err := cmdCAInit(e, []string{"-dir", dir}); err != nil {
		t.Fatal(err)
	}
	if err := cmdCAIssue(e, []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-desk", "03", "-out", filepath.Join(dir, "roma01-03")}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "roma01-03.crt"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCert(b)
	if err != nil {
		t.Fatal(err)
	}
	serial := pki.Serial(cert)
	// One digit changed: what a supervisor copying 32 digits may type.
	typo := serial[:len(serial)-1] + map[bool]string{true: "1", false: "0"}[serial[len(serial)-1] == '0']
	crlBefore, err := os.ReadFile(filepath.Join(dir, pki.CRLFile))
	if err != nil {
		t.Fatal(err)
	}
	revocations := func() []pki.Revocation {
		t.Helper()
		ca, err := pki.Load(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		revs, err := ca.Revocations()
		if err != nil {
			t.Fatal(err)
		}
		return revs
	}

	out.Reset()
	err = cmdCARevoke(e, []string{"-dir", dir, "-serial", typo, "-reason", "PC rubato"})
	var f *failure
	if !errors.As(err, &f) || !strings.Contains(err.Error(), typo) || !strings.Contains(err.Error(), "non è stato revocato nulla") ||
		!strings.Contains(err.Error(), "-cert") || !strings.Contains(err.Error(), "-issued-elsewhere") {
		t.Errorf("revoke of a serial this CA never issued: %v, want a refusal naming the serial, what to check and the override", err)
	}
	if strings.Contains(out.String(), "revocato") {
		t.Errorf("revoke of a serial this CA never issued told %q", out.String())
	}
	if revs := revocations(); len(revs) != 0 {
		t.Errorf("revocations after a refused serial: %+v, want none", revs)
	}
	if crl, _ := os.ReadFile(filepath.Join(dir, pki.CRLFile)); !bytes.Equal(crl, crlBefore) {
		t.Error("crl.pem signed again for a refused serial")
	}

	if err := cmdCARevoke(e, []string{"-dir", dir, "-serial", "zz12"}); !errors.As(err, new(*usageError)) {
		t.Errorf("revoke -serial zz12: %v, want a usage error", err)
	}

	// As openssl x509 -text prints it: upper case, bytes between colons.
	var spelled []string
	for i := len(serial) % 2; i <= len(serial); i += 2 {
		spelled = append(spelled, strings.ToUpper(serial[max(i-2, 0):i]))
	}
	out.Reset()
	if err := cmdCARevoke(e, []string{"-dir", dir, "-serial", strings.Trim(strings.Join(spelled, ":"), ":"), "-reason", "PC rubato"}); err != nil {
		t.Fatalf("revoke of the certificate's serial as openssl prints it: %v", err)
	}
	if !strings.Contains(out.String(), serial+" (sede ROMA01 sportello 03) revocato") {
		t.Errorf("output %q, want the serial and its holder", out.String())
	}
	if revs := revocations(); len(revs) != 1 || revs[0].Serial != serial {
		t.Errorf("revocations %+v, want %s", revs, serial)
	}

	out.Reset()
	if err := cmdCARevoke(e, []string{"-dir", dir, "-serial", typo, "-issued-elsewhere"}); err != nil {
		t.Fatalf("revoke -issued-elsewhere: %v", err)
	}
	if !strings.Contains(out.String(), "fuori dal registro") {
		t.Errorf("output %q, want it to say the serial was outside the register", out.String())
	}
	if revs := revocations(); len(revs) != 2 || revs[1].Serial != typo {
		t.Errorf("revocations %+v, want %s added", revs, typo)
	}
}

// Ensure that ca revoke and ca renew -revoke say that the revocation takes
// effect at centrale once the folder's crl.pem is copied there, and that
// centrale accepts the certificate until then: README keeps the CA's
// folder off centrale, and ca revoke said centrale read the folder's
// crl.pem at the next request, while a stolen PC's certificate went on
// working.
func TestCARevokeSaysCopyCRL(t *testing.T) {
	sb := newSandbox(t)
	dir := filepath.Join(t.TempDir(), "ca")
	sb.must(t, "", "ca", "init", "-dir", dir)
	for _, desk := range []string{"03", "04"} {
		sb.must(t, "", "ca", "issue", "-dir", dir, "-role", "sede", "-code", "ROMA01", "-desk", desk, "-out", filepath.Join(dir, desk))
	}
	crl := filepath.Join(dir, "crl.pem")
	for _, args := range [][]string{
		{"ca", "revoke", "-dir", dir, "-cert", filepath.Join(dir, "03.crt"), "-reason", "PC rubato"},
		{"ca", "renew", "-dir", dir, "-cert", filepath.Join(dir, "04.crt"), "-out", filepath.Join(dir, "04-new"), "-revoke"},
	} {
		r := sb.must(t, "", args...)
		for _, want := range []string{"revocato", "copia " + crl + " su centrale", "fino ad allora centrale accetta ancora il certificato"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s does not say %q:\n%s", strings.Join(args[:2], " "), want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "alla prossima richiesta") {
			t.Errorf("%s says the revocation is in force:\n%s", strings.Join(args[:2], " "), r.stdout)
		}
	}
}
