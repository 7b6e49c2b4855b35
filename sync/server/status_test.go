package server_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a desk's pulls are recorded for the status page when its
// cursor moves, and at most every PullRecordEvery while it stays put.
func TestPullRecorded(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var mu sync.Mutex
	now := storetest.T0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	env := testenv.NewAt(t, store, clock)
	cfg, _ := env.DeskTLS(t, "ROMA01", "02")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	pull := func(after uint64) {
		t.Helper()
		resp, err := c.Get(env.URL + "/v1/changes?after=" + strconv.FormatUint(after, 10))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("pull: %s", resp.Status)
		}
	}
	lastPull := func() (time.Time, uint64) {
		t.Helper()
		o, err := store.Overview(t.Context(), clock(), 1)
		if err != nil || len(o.Desks) != 1 || o.Desks[0].Desk != "02" {
			t.Fatalf("Overview = %+v, %v", o, err)
		}
		return o.Desks[0].LastPull, o.Desks[0].Cursor
	}
	t0 := storetest.T0
	pull(0)
	set(t0.Add(server.PullRecordEvery - time.Second))
	pull(0)
	if at, _ := lastPull(); !at.Equal(t0) {
		t.Errorf("a pull within a minute recorded: last pull %s, want %s", at, t0)
	}
	set(t0.Add(server.PullRecordEvery - time.Second/2))
	pull(1) // the cursor moved
	if at, cur := lastPull(); !at.Equal(clock()) || cur != 1 {
		t.Errorf("a pull that moved the cursor: last pull %s at %d, want %s at 1", at, cur, clock())
	}
	set(clock().Add(server.PullRecordEvery))
	pull(1)
	if at, _ := lastPull(); !at.Equal(clock()) {
		t.Errorf("a pull a minute later: last pull %s, want %s", at, clock())
	}
}

// Ensure that / leads to the status page, an HTML page with no script
// allowed; and that when the store does not answer the page still
// shows the certificates, and says so in Italian.
func TestStatusPageStoreDown(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, store)
	h := env.Server.ManageHandler(server.Manage{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/status" {
		t.Errorf("GET / = %d %q, want a redirect to /status", rec.Code, rec.Header().Get("Location"))
	}
	if _, err := store.Apply(t.Context(), "ROMA01", []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	code, body := scrape(t, h, "/status")
	if code != 200 || !strings.Contains(body, "<b>1</b> sedi") || !strings.Contains(body, "1 PIN dal") {
		t.Errorf("GET /status = %d:\n%s", code, body)
	}
	store.Close()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	body = rec.Body.String()
	if ct, csp := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Security-Policy"); ct != "text/html; charset=utf-8" || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Type %q, Content-Security-Policy %q", ct, csp)
	}
	if !strings.Contains(body, "Gli archivi non rispondono: bolt") || !strings.Contains(body, "Elenco di revoca (CRL)") || strings.Contains(body, "Sedi</h2>") {
		t.Errorf("with the store closed the page says:\n%s", body)
	}
}
