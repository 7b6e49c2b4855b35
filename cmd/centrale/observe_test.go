package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/pki"
)

// serverPKI returns a CA folder with centrale's certificate for
// 127.0.0.1, as pinctl ca init and ca server make it, and its CA.
func serverPKI(t *testing.T) (string, *pki.CA) {
	t.Helper()
	dir := t.TempDir()
	ca, err := pki.Init(dir, "test CA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "server.crt"), certPEM, 0o644)
	os.WriteFile(filepath.Join(dir, "server.key"), keyPEM, 0o600)
	return dir, ca
}

// start runs serve with c, logging text, until stop, which returns
// serve's error; it returns once centrale listens.
func start(t *testing.T, c config) (l listening, logs *testlog.Buffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan listening, 1)
	done := make(chan error, 1)
	logs = &testlog.Buffer{}
	go func() { done <- serve(ctx, c, slog.New(slog.NewTextHandler(logs, nil)), ready) }()
	select {
	case l = <-ready:
	case err := <-done:
		cancel()
		t.Fatal(err)
	}
	return l, logs, func() error { cancel(); return <-done }
}

// get GETs url over plain HTTP and returns the status and the body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Ensure that centrale serves /healthz, /readyz, /metrics and the status
// page on the management listener, plain HTTP, while the API port still requires a
// client certificate; and that a flood of connections that never finish
// their handshake (opened and closed, or without a certificate) is
// counted, not logged line by line.
func TestManageAndIdleFlood(t *testing.T) {
	dir, ca := serverPKI(t)
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, logs, stop := start(t, c)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	if st, body := get(t, "http://"+l.manage+"/healthz"); st != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", st, body)
	}
	if st, body := get(t, "http://"+l.manage+"/readyz"); st != 200 || !strings.HasPrefix(body, "ready\n") {
		t.Errorf("/readyz: %d %q", st, body)
	}
	// The status page, by way of /: the server certificate and the CA's.
	if st, body := get(t, "http://"+l.manage+"/"); st != 200 || !strings.Contains(body, "Stato di centrale") ||
		!strings.Contains(body, "Certificato del server") || !strings.Contains(body, "Autorità di certificazione (CA)") {
		t.Errorf("/ (the status page): %d\n%s", st, body)
	}

	const closed, noCert = 2000, 20
	for range closed {
		conn, err := net.Dial("tcp", l.api)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	noCertTLS, err := pki.ClientTLS(ca.CertPEM(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range noCert {
		conn, err := tls.Dial("tcp", l.api, noCertTLS)
		if err == nil {
			// TLS 1.3: the server's refusal comes at the first read.
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err = conn.Read(make([]byte, 1))
			conn.Close()
		}
		if err == nil {
			t.Fatal("a client without a certificate was served")
		}
	}
	// Wait until centrale has counted every failed handshake, whatever
	// its reason.
	var text string
	for {
		_, text = get(t, "http://"+l.manage+"/metrics")
		total := 0
		for _, line := range strings.Split(text, "\n") {
			if v, ok := strings.CutPrefix(line, "pinsede_tls_handshake_errors_total{"); ok {
				n, _ := strconv.Atoi(v[strings.LastIndexByte(v, ' ')+1:])
				total += n
			}
		}
		if total >= closed+noCert {
			break
		}
		time.Sleep(10 * time.Millisecond) // get fails the test if centrale stopped
	}
	if !strings.Contains(text, fmt.Sprintf(`pinsede_tls_handshake_errors_total{reason="no_certificate"} %d`, noCert)) {
		t.Errorf("the handshakes without a certificate are not counted as such:\n%s", text)
	}
	if n := strings.Count(logs.String(), "\n"); n > 5 || strings.Contains(logs.String(), "TLS handshake") {
		t.Errorf("%d log lines after %d failed handshakes:\n%s", n, closed+noCert, logs.String())
	}
}
