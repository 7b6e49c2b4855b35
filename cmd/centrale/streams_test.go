package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that an HTTP/2 connection to the API carries at most
// server.StreamsPerConn requests at once: centrale says so in its
// SETTINGS, and resets the stream past them, rather than holding a
// handler for each of Go's default 250 streams. A client that never sends
// its bodies then holds, within -conn-per-source, no more requests than
// StreamsPerConn times its connections (with 250, 20 connections held
// 5,000 requests).
func TestHTTP2StreamsPerConnection(t *testing.T) {
	l, cfg := h2Centrale(t, "-manage", "")
	conn, err := tls.Dial("tcp", l.api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A failsafe for a centrale that stops answering: the test waits on
	// frames, and fails, rather than hangs, if none comes.
	conn.SetDeadline(time.Now().Add(time.Minute))
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	advertised := uint32(0)
	for advertised == 0 {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading centrale's SETTINGS: %v", err)
		}
		if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
			v, ok := s.Value(http2.SettingMaxConcurrentStreams)
			if !ok {
				t.Fatal("centrale's SETTINGS give no SETTINGS_MAX_CONCURRENT_STREAMS")
			}
			advertised = v
			if err := fr.WriteSettingsAck(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if advertised != server.StreamsPerConn {
		t.Fatalf("centrale allows %d streams per connection, want %d", advertised, server.StreamsPerConn)
	}

	// Streams whose body never comes: the first StreamsPerConn each hold
	// a handler, the next is reset.
	hb := headerBlock("POST", "/v1/pin/verify", "content-type", "application/json", "content-length", "100")
	last := uint32(2*server.StreamsPerConn + 1)
	for id := uint32(1); id <= last; id += 2 {
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb, EndHeaders: true}); err != nil {
			t.Fatalf("stream %d: %v", id, err)
		}
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("stream %d, past the %d allowed, not reset: %v", last, server.StreamsPerConn, err)
		}
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			if r.StreamID != last {
				t.Fatalf("stream %d reset (%v), within the %d allowed", r.StreamID, r.ErrCode, server.StreamsPerConn)
			}
			return
		}
	}
}

// h2Centrale starts centrale on a bbolt store with the flags args
// besides, until the test ends, and returns its addresses and the TLS
// configuration of a portal's HTTP/2 client.
func h2Centrale(t *testing.T, args ...string) (listening, *tls.Config) {
	t.Helper()
	dir, ca := serverPKI(t) // observe_test.go
	c, err := parse(append([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-admin", "", "-bolt", filepath.Join(dir, "c.db")}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, _, stop := start(t, c) // observe_test.go
	t.Cleanup(func() { stop() })
	certPEM, keyPEM, err := ca.Issue(pki.RolePortal, "PORTALE", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ClientTLS(ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg.NextProtos = []string{"h2"}
	return l, cfg
}

// headerBlock returns the HPACK block of a request of method for path to
// 127.0.0.1, with the header fields named and valued in pairs.
func headerBlock(method, path string, fields ...string) []byte {
	var b bytes.Buffer
	enc := hpack.NewEncoder(&b)
	fields = append([]string{":method", method, ":scheme", "https", ":authority", "127.0.0.1", ":path", path}, fields...)
	for i := 0; i+1 < len(fields); i += 2 {
		enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	return b.Bytes()
}
