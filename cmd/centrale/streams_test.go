package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"path/filepath"
	"strings"
	"syscall"
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

// Ensure that an HTTP/2 connection of the API that takes none of
// centrale's bytes for -conn-write-stall is closed, with the requests it
// carries. A client that opens its flow-control windows wide, asks
// server.StreamsPerConn answers and never reads fills the kernel's
// buffers, and centrale's write to the socket blocks: net/http writes an
// HTTP/2 connection without a deadline (a request's WriteTimeout only
// queues the reset of its stream, which the blocked write holds back),
// so the connection, its handlers and their slots were held for good,
// past every request's 30 s and the 2 idle minutes, until a restart.
func TestHTTP2WriteStall(t *testing.T) {
	l, cfg := h2Centrale(t, "-manage", "127.0.0.1:0", "-conn-write-stall", "1s")
	// A socket that takes little: a small receive buffer, and small
	// segments, with which the kernel keeps centrale's send buffer small
	// too (it grows it with the segments in flight). The answers asked,
	// 8 of the 53 KB of /v1/openapi.json, are far more than both hold.
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			if err == nil {
				err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 1024)
			}
		})
		return err
	}}
	conn, err := (&tls.Dialer{NetDialer: d, Config: cfg}).Dial("tcp", l.api)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	const wide = 1<<31 - 1
	if err := fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: wide}); err != nil {
		t.Fatal(err)
	}
	if err := fr.WriteWindowUpdate(0, wide-65535); err != nil {
		t.Fatal(err)
	}
	hb := headerBlock("GET", "/v1/openapi.json")
	for id := uint32(1); id < 2*server.StreamsPerConn; id += 2 {
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb, EndHeaders: true, EndStream: true}); err != nil {
			t.Fatalf("stream %d: %v", id, err)
		}
	}

	// Nothing read from here on: wait until centrale closes the
	// connection, which gives back its place.
	open := "\npinsede_connections_open{listener=\"api\"} 0\n"
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) { // get fails the test if centrale stopped
		_, text := get(t, "http://"+l.manage+"/metrics")
		if strings.Contains(text, open) {
			break
		}
		if time.Now().After(deadline) {
			_, rest, _ := strings.Cut(text, "\npinsede_connections_open{listener=\"api\"}")
			n, _, _ := strings.Cut(rest, "\n")
			t.Fatalf("a connection that reads nothing is still open a minute after centrale's writes to it stalled (%s open)", strings.TrimSpace(n))
		}
	}
}
