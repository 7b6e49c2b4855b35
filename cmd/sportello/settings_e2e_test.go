package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/deskconn"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that a desk set up by the settings screen's saving (a bundle of
// pinctl ca issue -bundle, saved by deskconn into the user's config
// folder and sportello.toml) is, started as the installed launcher
// starts it (no flags at all, HOME and the XDG folders in a temporary
// folder), a connected desk: the real sportello binary pulls from a real
// centrale with the bundle's certificate, desk 03 of ROMA01.
func TestInstalledDeskConnects(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the installed desk's connection")
	if testing.Short() {
		t.Skip("builds sportello and runs it under Xvfb; skipped with -short")
	}
	// The real clock, as TestXInputSibling: the sportello binary reads
	// it, and TLS checks certificates against it, so certificates issued
	// on PINSEDE_TEST_NOW's day would not be valid yet (or no longer).
	now := time.Now
	dir := t.TempDir()
	// served receives once centrale has answered a request: the test
	// looks for the desk's pull then, not on a clock.
	served := make(chan struct{}, 1)
	ca, store, srv := e2eCentrale(t, dir, now, func(api http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			api.ServeHTTP(w, r)
			select {
			case served <- struct{}{}:
			default: // a look is due already
			}
		})
	})

	// The supervisor's bundle, saved as the settings screen saves it.
	certPEM, keyPEM, err := ca.IssueDesk("ROMA01", "03", now())
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "roma01-03.pem")
	if err := pki.WriteBundle(bundle, ca.CertPEM(), certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	files := &deskconn.Files{File: filepath.Join(home, ".config", "pinsede", "sportello.toml"), Now: now}
	conn := pinsede.Connection{CentraleURL: srv.URL, BundlePath: bundle}
	if err := files.Try(t.Context(), conn); err != nil {
		t.Fatalf("try of a centrale that answers: %v", err)
	}
	if err := files.Save(conn); err != nil {
		t.Fatal(err)
	}

	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	cmd := exec.Command(bin) // no flags, as the launcher
	cmd.Dir = home
	cmd.Env = append(xtest.Environ("DISPLAY", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"),
		"DISPLAY="+display, "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("sportello output:\n%s", out.String())
		}
	})

	// Then centrale records a pull of ROMA01's desk 03. The desk pulls
	// at start; the test looks after each request centrale answered, and
	// go test's -timeout is the net.
	for {
		ov, err := store.Overview(t.Context(), now(), 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ov.Desks {
			if d.Sede == "ROMA01" && d.Desk == "03" && !d.LastPull.IsZero() {
				t.Logf("centrale: ROMA01 desk 03 pulled at %s", d.LastPull.Format(time.RFC3339))
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("sportello exited before a pull of ROMA01 desk 03 at centrale (desks %+v): %v", ov.Desks, err)
		case <-served:
		}
	}
}

// e2eCentrale starts centrale on now, its test CA in dir/ca and its store
// in dir: the real API on a real store, over mutual TLS on loopback, in
// front of which wrap, when not nil, puts its handler. It stops when the
// test ends.
func e2eCentrale(t *testing.T, dir string, now func() time.Time, wrap func(http.Handler) http.Handler) (*pki.CA, *boltstore.Store, *httptest.Server) {
	t.Helper()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "pinsede CA", now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	srvCert, srvKey, err := ca.IssueServer([]string{"127.0.0.1"}, now())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(ca.CertPEM(), srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := pki.ParseCert(ca.CertPEM())
	crl, err := pki.NewCRL(filepath.Join(dir, "ca", pki.CRLFile), caCert, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(dir, "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	api := server.New(store, central.NewVerifier(store, 3, now), crl, nil, now).Handler()
	if wrap != nil {
		api = wrap(api)
	}
	srv := httptest.NewUnstartedServer(api)
	srv.TLS = tlsCfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return ca, store, srv
}
