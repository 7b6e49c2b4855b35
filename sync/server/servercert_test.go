package server_test

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a server certificate not yet valid when centrale starts
// (issued on a PC whose clock runs 2 h ahead) is reported by /v1/health
// ("unusable"), /readyz (a warning) and the status page only until
// centrale's clock reaches its start: then all three clear by
// themselves, the files unchanged. Before, the verdict at start was kept
// while the files did not change, and the three said it for ever.
func TestServerCertNotYetValidClears(t *testing.T) {
	issued := testclock.Now() // the issuing PC's clock
	var mu sync.Mutex
	now := issued.Add(-2 * time.Hour) // centrale's
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := testenv.NewAt(t, store, clock)
	dir := t.TempDir()
	certPEM, keyPEM, err := env.CA.IssueServer([]string{"centrale.example"}, issued)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	for p, b := range map[string][]byte{certPath: certPEM, keyPath: keyPEM} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := pki.NewServerCert(certPath, keyPath, env.CA.CertPEM(), clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.Server.Cert = sc // before any request
	caCert, err := pki.ParseCert(env.CA.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	manage := env.Server.ManageHandler(server.Manage{Cert: sc.Leaf, CA: func() *x509.Certificate { return caCert }})
	monitor := env.Client(t, pki.RolePortal, "MONITOR")
	check := func(when, health string, reported bool) {
		t.Helper()
		st, b := do(t, monitor, "GET", env.URL+"/v1/health", "", nil)
		var h wire.Health
		if err := json.Unmarshal(b, &h); st != 200 || err != nil || h.ServerCert != health {
			t.Errorf("%s: health %d %s, want server_cert %q", when, st, b, health)
		}
		st, body := scrape(t, manage, "/readyz")
		if st != 200 || strings.Contains(body, "certificate files: warning") != reported {
			t.Errorf("%s: /readyz %d %q, want the pair reported: %v", when, st, body, reported)
		}
		st, body = scrape(t, manage, "/status")
		if st != 200 || strings.Contains(body, "valid only from") != reported {
			t.Errorf("%s: status page %d, want the pair reported: %v:\n%s", when, st, reported, body)
		}
	}
	check("at start", "unusable", true)
	mu.Lock()
	now = issued.Add(-90 * time.Minute) // IssueServer backdates 1 h
	mu.Unlock()
	check("still before its start", "unusable", true)
	mu.Lock()
	now = issued.Add(24 * time.Hour)
	mu.Unlock()
	check("a day later", "ok", false)
}
