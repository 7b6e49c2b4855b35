package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that centrale starts from a pinctl CA folder on a bbolt store,
// answers /v1/health over TLS to a client with a certificate only, and
// stops when told.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	ca, err := pki.Init(dir, "test CA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "server.crt"), certPEM, 0o644)
	os.WriteFile(filepath.Join(dir, "server.key"), keyPEM, 0o600)
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- serve(ctx, c, slog.New(slog.NewTextHandler(&logs, nil)), ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	// Health needs a certificate of the CA, of any role: the handshake
	// refuses a client without one.
	noCert, err := pki.ClientTLS(ca.CertPEM(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: noCert}}).Get("https://" + addr + "/v1/health"); err == nil {
		resp.Body.Close()
		t.Errorf("health without a certificate: %s, want the handshake refused", resp.Status)
	}
	monPEM, monKey, err := ca.Issue(pki.RolePortal, "MONITOR", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ClientTLS(ca.CertPEM(), monPEM, monKey)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	resp, err := hc.Get("https://" + addr + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"bolt"`) || !strings.Contains(string(b), `"crl":"ok"`) {
		t.Errorf("health: %s %s", resp.Status, b)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// Ensure that bad flags are refused with a message.
func TestParseErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(bad, []byte(`{"version": 0, "rules": []}`), 0o644)
	for _, args := range [][]string{{}, {"-pki", "x", "-lock-after", "0"}, {"-pki", "x", "extra"}, {"-pki", "x", "-policy", bad}, {"-pki", "x", "-policy", bad + ".none"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
}

// Ensure that -policy loads the policy file served to the sedi, and that
// without it the built-in policy is.
func TestParsePolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(path, []byte(`{"version": 3, "rules": [{"eligible": "all"}]}`), 0o644)
	c, err := parse([]string{"-pki", "x", "-policy", path}, io.Discard)
	if err != nil || c.policy.Version != 3 {
		t.Errorf("parse with -policy: version %d, %v; want 3", c.policy.Version, err)
	}
	if c, err := parse([]string{"-pki", "x"}, io.Discard); err != nil || c.policy.Version != pinsede.DefaultPolicy.Version {
		t.Errorf("parse without -policy: %+v, %v; want the default", c.policy, err)
	}
}
