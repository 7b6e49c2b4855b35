package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that requests of long paths, which a kiosk's certificate may
// send as fast as it likes, write a bounded number of bytes to the log
// and to their answers: each line cuts the path and says its length,
// the lines of one certificate's refused requests come one an interval,
// the next telling how many were held back. The reviewer's probe wrote
// 16 KB of log a request, 18 MB a second.
func TestLongPathsLogBounded(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var now atomic.Pointer[time.Time]
	t0 := testclock.Now()
	now.Store(&t0)
	env := testenv.NewAt(t, s, func() time.Time { return *now.Load() })
	logw := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewTextHandler(logw, nil)))
	kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
	path := "/" + strings.Repeat("x%01", 3<<10) // 12 KiB sent, 6 KiB decoded, control characters in it
	get := func() []byte {
		t.Helper()
		resp, err := kiosk.Get(env.URL + path)
		if err != nil {
			t.Fatal("GET of a long path failed")
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		return b
	}
	const n = 200
	echoed := 0
	for range n {
		echoed = max(echoed, len(get()))
	}
	if echoed > 1024 {
		t.Errorf("a 404 of a %d-byte path answered %d bytes; want at most 1 KiB", len(path), echoed)
	}
	got := len(logw.String())
	t.Logf("%d requests of a %d-byte path: %d bytes of log", n, len(path), got)
	if got > 2048 {
		t.Errorf("%d requests of a %d-byte path wrote %d bytes of log; want at most 2 KiB", n, len(path), got)
	}
	later := t0.Add(time.Minute)
	now.Store(&later)
	get()
	log := logw.String()
	if got := len(log); got > 4096 {
		t.Errorf("%d requests of a %d-byte path, and one a minute later, wrote %d bytes of log; want at most 4 KiB", n+1, len(path), got)
	}
	if !strings.Contains(log, "held_back=199") || !strings.Contains(log, "(6145 bytes)") || strings.Contains(log, "\x01") {
		t.Errorf("the log says neither the lines held back nor the path's length, or has its control characters:\n%s", log)
	}
}

// Ensure that one kind of refusal's log lines never hide another's: the
// lines are rated by certificate and status, so that after a desk's 404s
// (the second held back) its push refused 409 for its clock, whose only
// line it is, is logged, with the request id the desk was answered (the
// reviewer's probe: a 404 logged first hid it, no line held its id).
func TestRefusalLineNotHidden(t *testing.T) {
	env := newEnv(t)
	logw := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewJSONHandler(logw, nil)))
	cfg, _ := env.DeskTLS(t, "ROMA01", "03")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	for range 2 {
		resp, err := c.Get(env.URL + "/v1/no-such")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/v1/events", bytes.NewReader(mustJSON(t, batch(t, "ROMA01", 3))))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", wire.ContentJSON)
	req.Header.Set(wire.DeskClockHeader, testclock.Now().Add(72*time.Hour).Format(time.RFC3339Nano))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get(server.RequestIDHeader)
	if resp.StatusCode != http.StatusConflict || id == "" {
		t.Fatalf("a push 72 h ahead: %d, request id %q; want 409 with one", resp.StatusCode, id)
	}
	lines := map[float64][]string{} // the request lines' ids by status
	for _, l := range strings.Split(strings.TrimSpace(logw.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if rec["msg"] == "request" {
			st, _ := rec["status"].(float64)
			rid, _ := rec["request_id"].(string)
			lines[st] = append(lines[st], rid)
		}
	}
	if got := lines[http.StatusNotFound]; len(got) != 1 {
		t.Errorf("2 404s in a row logged %d request lines, want 1 (the second held back):\n%s", len(got), logw.String())
	}
	if got := lines[http.StatusConflict]; len(got) != 1 || got[0] != id {
		t.Errorf("the 409 after the 404s logged request lines of ids %q, want one of %q:\n%s", got, id, logw.String())
	}
}
