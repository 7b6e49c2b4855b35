package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// lockedBuffer is a log's buffer, safe for the server's goroutines;
// each line the Listener logs of a handshake refused for a revoked
// certificate is also sent on refused, when not nil.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	refused chan string
}

// Write appends p.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refused != nil && bytes.Contains(p, []byte(`msg="client certificate refused" listener=api`)) {
		b.refused <- string(p)
	}
	return b.b.Write(p)
}

// String returns what was written.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Ensure that a desk certificate revoked by a new revocation list while
// its client holds a keep-alive connection is answered 403
// certificate-revoked at that connection's next request, which centrale
// then closes; that the client's next handshake, a resumption of its
// TLS session (crypto/tls skips the certificate's checks then, not
// VerifyConnection's), is refused, counted as
// "revoked" and logged with the certificate's serial and the source;
// that the older list put back does not let it in again; and that
// another desk of the sede goes on meanwhile. Over HTTP/1.1 and HTTP/2.
func TestRevokedWhileConnected(t *testing.T) {
	for _, proto := range []string{"http/1.1", "h2"} {
		t.Run(proto, func(t *testing.T) {
			env := newEnv(t)
			logs := lockedBuffer{refused: make(chan string, 8)}
			log := slog.New(slog.NewTextHandler(&logs, nil))
			env.Server.Log = slog.New(server.WithRequestID(log.Handler()))
			cfg := env.HTTP.TLS.Clone()
			cfg.NextProtos = []string{"h2", "http/1.1"}
			cfg.VerifyConnection = env.Server.VerifyConnection
			// The clock of the Listener's log: a certificate's refusals
			// are logged at most once every 10 seconds of it.
			var elapsed atomic.Int64
			clock := func() time.Time { return testclock.Now().Add(time.Duration(elapsed.Load())) }
			l, manage := listen(t, server.ListenerConfig{Name: "api", Limits: server.ConnLimits{Max: 10, Handshake: time.Minute}, TLS: cfg, Log: log, Now: clock})
			hs := &http.Server{Handler: env.Server.Handler(), ErrorLog: server.ErrorLog(slog.New(slog.DiscardHandler))}
			go hs.Serve(l)
			defer hs.Close()
			url := "https://" + l.Addr().String() + "/v1/changes?after=0"

			// client returns a desk's client over proto, and its count of
			// connections dialed.
			client := func(desk string) (*http.Client, *atomic.Int64, string) {
				tc, serial := env.DeskTLS(t, "ROMA01", desk)
				tc.NextProtos = []string{proto}
				tc.ClientSessionCache = tls.NewLRUClientSessionCache(8) // resumes its TLS sessions
				dialed := new(atomic.Int64)
				d := &net.Dialer{}
				tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: proto == "h2",
					DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
						dialed.Add(1)
						return d.DialContext(ctx, network, addr)
					}}
				t.Cleanup(tr.CloseIdleConnections)
				return &http.Client{Transport: tr}, dialed, serial
			}
			get := func(hc *http.Client) (*http.Response, error) {
				resp, err := hc.Get(url)
				if err == nil {
					var b bytes.Buffer
					b.ReadFrom(resp.Body)
					resp.Body.Close()
				}
				return resp, err
			}
			stolen, stolenDials, serial := client("03")
			other, _, _ := client("04")
			for i := range 2 {
				if resp, err := get(stolen); err != nil || resp.StatusCode != http.StatusOK || resp.Proto != map[string]string{"h2": "HTTP/2.0", "http/1.1": "HTTP/1.1"}[proto] {
					t.Fatalf("pull %d before the revocation: %v, %v", i, resp, err)
				}
			}
			if n := stolenDials.Load(); n != 1 {
				t.Fatalf("%d connections dialed for two pulls, want 1 kept alive", n)
			}
			// A second connection resumes the first's TLS session: the
			// handshakes refused below are resumptions.
			stolen.CloseIdleConnections()
			if resp, err := get(stolen); err != nil || resp.StatusCode != http.StatusOK || !resp.TLS.DidResume || stolenDials.Load() != 2 {
				t.Fatalf("pull on a second connection: %v, %v; want its TLS session resumed", resp, err)
			}

			// A new list revokes desk 03; the one before it is kept to be
			// put back.
			crlPath := filepath.Join(env.CADir, pki.CRLFile)
			older, err := os.ReadFile(crlPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.CA.Revoke(serial, "PC rubato", time.Now()); err != nil {
				t.Fatal(err)
			}

			// The open connection: 403, and closed after it.
			resp, err := stolen.Get(url)
			if err != nil {
				t.Fatalf("pull on the open connection after the revocation: %v; want 403", err)
			}
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body.String(), "certificate-revoked") || stolenDials.Load() != 2 {
				t.Fatalf("pull on the open connection: %d %s after %d dials; want 403 certificate-revoked on the second connection", resp.StatusCode, body.String(), stolenDials.Load())
			}
			if proto == "http/1.1" && !resp.Close {
				t.Errorf("the 403 left the connection open: %v", resp.Header)
			}

			// The next handshakes: refused, the older list put back or
			// not, each logged (10 seconds apart: TestLogRate tells
			// what comes closer).
			for i, putBack := range []bool{false, true} {
				elapsed.Add(int64(10 * time.Second))
				if putBack {
					if err := os.WriteFile(crlPath+".old", older, 0o644); err != nil {
						t.Fatal(err)
					}
					if err := os.Rename(crlPath+".old", crlPath); err != nil {
						t.Fatal(err)
					}
				}
				_, err := get(stolen)
				// HTTP/2's client may tell the alert only as a
				// connection "could not be established": the
				// Listener's line says why.
				var oe *net.OpError
				if err == nil || proto == "http/1.1" && (!errors.As(err, &oe) || oe.Op != "remote error" || !strings.Contains(err.Error(), "bad certificate")) {
					t.Fatalf("pull %d with the revoked certificate: %v; want the handshake refused", i, err)
				}
				select {
				case line := <-logs.refused:
					if !strings.Contains(line, serial) || !strings.Contains(line, " refused=1 ") {
						t.Errorf("the refusal's line does not name the certificate %s and its one refusal: %s", serial, line)
					}
				case <-time.After(time.Minute): // a safety net for a hang, not a window
					t.Fatalf("no handshake refused as revoked in a minute after pull %d:\n%s", i, logs.String())
				}
				if n := stolenDials.Load(); n != int64(3+i) {
					t.Fatalf("%d connections dialed, want %d: a new handshake each", n, 3+i)
				}
			}
			if resp, err := get(other); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("desk 04's pull: %v, %v", resp, err)
			}

			m := series(t, scrapeBody(t, manage))
			if got := m[`pinsede_tls_handshake_errors_total{reason="revoked"}`]; got != 2 {
				t.Errorf("%v handshakes counted revoked, want 2: %v", got, m)
			}
			for _, want := range []string{
				`msg="client certificate refused" cert="serial ` + serial + ` (sede ROMA01 desk 03)"`,
				`msg="client certificate refused" listener=api refused=1 source=127.0.0.1:`,
				`client certificate serial ` + serial + ` (sede ROMA01 desk 03): certificate revoked`,
			} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log lacks %q:\n%s", want, logs.String())
				}
			}
		})
	}
}
