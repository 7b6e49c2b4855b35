package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that pinctl ca server, the real binary, renews centrale's
// certificate with the names and addresses of the one in the folder when
// -host is not given, and says so; and that with no certificate to renew
// it asks for -host. Before, it fell back to localhost,127.0.0.1 and
// silently rewrote a pair made for centrale.example,10.0.0.5: every desk
// that reaches centrale by name was cut off once centrale read it.
func TestCAServerKeepsHosts(t *testing.T) {
	bin := buildPinctl(t)
	dir := filepath.Join(t.TempDir(), "ca")
	pinctl := func(args ...string) (string, error) {
		t.Helper()
		var out bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	hostsOf := func() ([]string, string) {
		t.Helper()
		c := readCert(t, filepath.Join(dir, "server.crt"))
		return pki.ServerHosts(c), pki.Serial(c)
	}
	if out, err := pinctl("ca", "init", "-dir", dir); err != nil {
		t.Fatalf("ca init: %v\n%s", err, out)
	}
	out, err := pinctl("ca", "server", "-dir", dir)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage || !strings.Contains(out, "manca -host") {
		t.Errorf("ca server without -host nor a certificate to renew: %v\n%s, want a usage error asking for -host", err, out)
	}
	if out, err := pinctl("ca", "server", "-dir", dir, "-host", "centrale.example,10.0.0.5"); err != nil {
		t.Fatalf("ca server -host: %v\n%s", err, out)
	}
	want, first := hostsOf()
	if !slices.Equal(want, []string{"centrale.example", "10.0.0.5"}) {
		t.Fatalf("server certificate for %v", want)
	}
	out, err = pinctl("ca", "server", "-dir", dir)
	if err != nil {
		t.Fatalf("ca server without -host, renewing: %v\n%s", err, out)
	}
	got, renewed := hostsOf()
	if !slices.Equal(got, want) || renewed == first {
		t.Errorf("renewed without -host: serial %s for %v, want a new certificate for %v", renewed, got, want)
	}
	if !strings.Contains(out, "centrale.example,10.0.0.5") || !strings.Contains(out, "senza -host: gli stessi nomi") {
		t.Errorf("ca server without -host says:\n%s\nwant the names kept, and that they were", out)
	}
}
