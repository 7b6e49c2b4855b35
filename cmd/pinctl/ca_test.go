package main

import (
	"bytes"
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
	ca, err := pki.Load(dir)
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
