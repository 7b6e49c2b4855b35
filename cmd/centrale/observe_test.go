package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/pki"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
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

// Ensure that centrale serves /healthz, /readyz and /metrics on the
// management listener, plain HTTP, while the API port still requires a
// client certificate; and that a flood of connections that never finish
// their handshake (opened and closed, or without a certificate) is
// counted, not logged line by line.
func TestManageAndIdleFlood(t *testing.T) {
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
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan listening, 1)
	done := make(chan error, 1)
	var logs syncBuffer
	go func() { done <- serve(ctx, c, slog.New(slog.NewTextHandler(&logs, nil)), ready) }()
	var l listening
	select {
	case l = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	if st, body := get(t, "http://"+l.manage+"/healthz"); st != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", st, body)
	}
	if st, body := get(t, "http://"+l.manage+"/readyz"); st != 200 || !strings.HasPrefix(body, "ready\n") {
		t.Errorf("/readyz: %d %q", st, body)
	}

	const closed, noCert = 300, 20
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
	// Wait until centrale has counted every failed handshake.
	for {
		_, text := get(t, "http://"+l.manage+"/metrics")
		if strings.Contains(text, `pinsede_tls_handshake_errors_total{reason="no_certificate"} 20`) &&
			strings.Contains(text, `pinsede_tls_handshake_errors_total{reason="eof"} 300`) {
			break
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		}
	}
	if n := strings.Count(logs.String(), "\n"); n > 5 || strings.Contains(logs.String(), "handshake") {
		t.Errorf("%d log lines after %d failed handshakes:\n%s", n, closed+noCert, logs.String())
	}
}
