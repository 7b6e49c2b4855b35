package client_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/deskconn"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that the renewal the desk names from 30 days before its
// certificate ends works end to end: pinctl (the real binary) renews the
// desk's bundle (ca renew -cert BUNDLE -bundle NEW), the desk's settings
// (deskconn, as the screen calls it) read it as the same sede and desk,
// try centrale with it and save it, and the desk's events waiting in its
// outbox since before go to centrale with the new certificate. Before,
// ca renew refused -bundle and called the bundle "not a sede's"
// certificate; its .crt and .key were no bundle the settings took.
//
// The certificates are on the real clock, the one pinctl signs with and
// crypto/tls checks against (the settings read them on it too); the
// records on the suite's (testclock), the desk's and centrale's alike.
func TestRenewedBundleSyncs(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "pinctl")
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-o", bin, "github.com/pinsede/pinsede/cmd/pinctl").CombinedOutput(); err != nil {
		t.Fatalf("go build pinctl: %v\n%s", err, out)
	}
	caDir, oldBundle, newBundle := filepath.Join(dir, "ca"), filepath.Join(dir, "roma01-03.pem"), filepath.Join(dir, "roma01-03-2027.pem")
	pinctl := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("pinctl %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	pinctl("ca", "init", "-dir", caDir)
	pinctl("ca", "server", "-dir", caDir, "-host", "127.0.0.1")
	pinctl("ca", "issue", "-dir", caDir, "-role", "sede", "-code", "ROMA01", "-desk", "03", "-bundle", oldBundle)

	// centrale, on the CA folder's files.
	caPEM, err := os.ReadFile(filepath.Join(caDir, pki.CertFile))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := pki.NewServerCert(filepath.Join(caDir, "server.crt"), filepath.Join(caDir, "server.key"), caPEM, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLSFile(caPEM, sc)
	if err != nil {
		t.Fatal(err)
	}
	store := stores[0].open(t)
	srv := server.New(store, central.NewVerifier(store, 3, testclock.Now), nil, nil, testclock.Now)
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := server.NewListener(tcp, server.ListenerConfig{Name: "api", Limits: server.DefaultConnLimits(server.DescriptorLimit()), TLS: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	// The listener makes the handshakes, with centrale's pair (httptest's
	// StartTLS would serve one of its own).
	hs := &httptest.Server{Listener: ln, TLS: tlsCfg, Config: &http.Server{Handler: srv.Handler()}}
	hs.Start()
	defer hs.Close()
	hs.URL = "https://" + ln.Addr().String()

	// The desk: sede ROMA01, desk 03 from its first bundle, two events in
	// its outbox.
	ls, _, _ := newLocal(t)
	defer ls.Close()
	if err := ls.Update(func(tx pinsede.Tx) error { return tx.SetSede(pinsede.Sede{Code: "ROMA01", Name: "Roma"}) }); err != nil {
		t.Fatal(err)
	}
	settings := &deskconn.Files{File: filepath.Join(dir, "desk", "sportello.toml"), Now: time.Now}
	conn := pinsede.Connection{CentraleURL: hs.URL}
	importBundle := func(path string) pinsede.DeskCert {
		t.Helper()
		cert, err := settings.ReadBundle(path)
		if err != nil {
			t.Fatalf("the settings read %s: %v", path, err)
		}
		if es := pinsede.NewDesk(ls, nil, time.Now).CheckConnection(conn, cert); len(es) > 0 {
			t.Fatalf("the settings refuse %s: %v", path, es)
		}
		conn.BundlePath = path
		if err := settings.Try(context.Background(), conn); err != nil {
			t.Fatalf("the settings try centrale with %s: %v", path, err)
		}
		if err := settings.Save(conn); err != nil {
			t.Fatalf("the settings save %s: %v", path, err)
		}
		return cert
	}
	old := importBundle(oldBundle)
	enqueue(t, ls, "ROMA01", 0, 2)

	out := pinctl("ca", "renew", "-dir", caDir, "-cert", oldBundle, "-bundle", newBundle)
	if !strings.Contains(out, "rinnovato nel pacchetto "+newBundle) {
		t.Errorf("ca renew says:\n%s", out)
	}
	renewed := importBundle(newBundle)
	if renewed.Sede != old.Sede || renewed.DeskID != old.DeskID || renewed.Serial == old.Serial || !renewed.NotAfter.After(old.NotAfter.Add(-time.Minute)) {
		t.Errorf("renewed bundle: %+v, want a new certificate of %s desk %s", renewed, old.Sede, old.DeskID)
	}

	// The desk's next start: the saved files, its outbox sent.
	saved := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "desk", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	deskTLS, err := pki.ClientTLS(saved(deskconn.CAFile), saved(deskconn.CertFile), saved(deskconn.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := pki.ParseCert(saved(deskconn.CertFile)); got == nil || pki.Serial(got) != renewed.Serial {
		t.Fatalf("the settings saved another certificate than the renewed one")
	}
	c := client.New(client.Config{URL: hs.URL, HTTP: &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: deskTLS}},
		Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	c.Sync(context.Background())
	if s := c.State(); s.Fault != client.FaultNone || s.Pending != 0 {
		t.Errorf("sync with the renewed bundle: fault %q (%s), %d events still waiting; want none", s.Fault, s.LastError, s.Pending)
	}
}
