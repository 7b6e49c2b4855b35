package server_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a desk's pulls are recorded for the status page when its
// cursor moves, and at most every PullRecordEvery while it stays put; a
// cursor that moves within PullRecordMin of the last record waits (a
// desk alternating after=0 and after=1 wrote the store at each pull).
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
	pull(1) // the same instant: not recorded
	if at, cur := lastPull(); !at.Equal(t0) || cur != 0 {
		t.Errorf("a pull within %s of the last record: last pull %s at %d, want %s at 0", server.PullRecordMin, at, cur, t0)
	}
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

// manageOnePIN returns the management handler of a centrale whose bbolt
// store holds one PIN issued, and the store.
func manageOnePIN(t *testing.T) (http.Handler, *boltstore.Store) {
	t.Helper()
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // closing twice is harmless
	env := testenv.New(t, store)
	if _, err := store.Apply(t.Context(), "ROMA01", []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	return env.Server.ManageHandler(server.Manage{}), store
}

// Ensure that / leads to the status page, an HTML page with no script
// allowed; and that when the store does not answer the page still
// shows the certificates, and says so in Italian.
func TestStatusPageStoreDown(t *testing.T) {
	h, store := manageOnePIN(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/status" {
		t.Errorf("GET / = %d %q, want a redirect to /status", rec.Code, rec.Header().Get("Location"))
	}
	code, body := scrape(t, h, "/status")
	if code != 200 || !strings.Contains(body, "<b>1</b> sede<") || !strings.Contains(body, "1 PIN dal") {
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

// Ensure that the status page is in Italian unless the browser's
// Accept-Language prefers English, says its language (lang, the
// Content-Language header) and that it depends on Accept-Language; and
// that the store's error is told in the same language.
func TestStatusPageLanguage(t *testing.T) {
	h, store := manageOnePIN(t)
	italian := []string{`<html lang="it">`, "<title>Stato di centrale</title>", "<b>1</b> sede<", "<b>1</b> sportello<", "1 PIN dal", "Nessuna credenziale è bloccata."}
	english := []string{`<html lang="en">`, "<title>centrale&#39;s status</title>", "<b>1</b> sede<", "<b>1</b> desk<", "1 PIN from", "No credential is locked."}
	for _, tc := range []struct {
		accept string
		lang   string
		want   []string
	}{
		{"", "it", italian},
		{"it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7", "it", italian},
		{"fr-FR,fr;q=0.9", "it", italian}, // neither: the default
		{"not a language;q=x", "it", italian},
		{"en", "en", english},
		{"en-US,en;q=0.9,it;q=0.8", "en", english},
		{"de-DE,de;q=0.9,en;q=0.5", "en", english},        // German first, English before Italian
		{"it;q=0.4,en;q=0.6", "en", english},              // by weight, not by order
		{"en-GB,en;q=0.9,it;q=0.5;q=0.8", "en", english},  // Chromium's --accept-lang=en-GB,en,it;q=0.5
		{"it;q=x,en", "en", english},                      // one unreadable entry does not spoil the others
		{strings.Repeat("fr,", 16) + "en", "it", italian}, // past the first 16 entries, none is read
	} {
		t.Run(tc.accept, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/status", nil)
			req.Header.Set("Accept-Language", tc.accept)
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != 200 || rec.Header().Get("Content-Language") != tc.lang || rec.Header().Get("Vary") != "Accept-Language" {
				t.Errorf("GET /status: %d, Content-Language %q, Vary %q; want 200, %q, Accept-Language",
					rec.Code, rec.Header().Get("Content-Language"), rec.Header().Get("Vary"), tc.lang)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page does not say %q:\n%s", w, body)
				}
			}
			if strings.Contains(body, "status.") {
				t.Errorf("a message key left untranslated:\n%s", body)
			}
		})
	}
	store.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/status", nil)
	req.Header.Set("Accept-Language", "en")
	h.ServeHTTP(rec, req)
	if body := rec.Body.String(); !strings.Contains(body, "The records do not answer: bolt.") || !strings.Contains(body, "Revocation list (CRL)") {
		t.Errorf("with the store closed the English page says:\n%s", body)
	}
}

// Ensure that the status page's translations have the same messages in
// every language, each with the same forms, that every message the page
// asks for (status.html, status.go, statustext.go, backups.go) is there, and that
// none is there that it does not ask for.
func TestStatusTranslations(t *testing.T) {
	used := map[string]bool{}
	for _, f := range []string{"status.html", "status.go", "statustext.go", "backups.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(status\.[a-z.]+)"`).FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
	}
	forms := func(lang string) map[string]string {
		data, err := fs.ReadFile(assets.CentraleTranslations, "centrale/translations/"+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]any
		if err := json.Unmarshal(data, &msgs); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		out := map[string]string{}
		for k, v := range msgs {
			out[k] = "text"
			if m, ok := v.(map[string]any); ok {
				out[k] = strings.Join(slices.Sorted(maps.Keys(m)), " ")
			}
		}
		return out
	}
	it := forms("it")
	for _, tag := range server.StatusLanguages {
		msgs := forms(tag.String())
		for k := range used {
			if _, ok := msgs[k]; !ok {
				t.Errorf("%s.json has no %s", tag, k)
			}
		}
		for k, f := range msgs {
			if !used[k] {
				t.Errorf("%s.json: %s is not used", tag, k)
			}
			if f != it[k] {
				t.Errorf("%s.json: %s has the forms %q, it.json %q", tag, k, f, it[k])
			}
		}
	}
}
