package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that every answer to a desk names the store's epoch; that a
// push naming another (a desk that synced before the store was put back
// from a copy) is refused whole, 409 store-restored, nothing stored, and
// logged once for the desk, however many of its requests name it, and
// listed on the status page (loaded in headless Chromium); and that a
// push naming the store's epoch, or none (a desk of before epochs), is
// taken. The page's screenshot is kept in $PINSEDE_STATUS_OUT when set
// (centrale-status-restored.png).
func TestStoreEpochChecked(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := testenv.New(t, store)
	logw := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewTextHandler(logw, nil)))
	epoch, err := store.Epoch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := env.DeskTLS(t, "ROMA01", "03")
	desk := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	send := func(method, path, named string, i int) (int, string, string) {
		t.Helper()
		var body []byte
		if method == http.MethodPost {
			body, _ = json.Marshal(wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{},
				Events: []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(i), "e"+storetest.CF(i).String(), "c"+storetest.CF(i).String(), h)}})
		}
		req, err := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", wire.ContentJSON)
		if named != "" {
			req.Header.Set(wire.EpochHeader, named)
		}
		resp, err := desk.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p wire.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p.Type, resp.Header.Get(wire.EpochHeader)
	}
	before := wire.Epoch{ID: strings.Repeat("ab", 16), From: 7}.String()
	if status, typ, named := send(http.MethodPost, "/v1/events", before, 0); status != http.StatusConflict || typ != wire.ProblemStoreRestored || named != epoch.String() {
		t.Errorf("push naming another epoch: %d %s, answer's epoch %q; want 409 %s, %q", status, typ, named, wire.ProblemStoreRestored, epoch)
	}
	if status, _, _ := send(http.MethodGet, "/v1/changes?after=0", before, 0); status != http.StatusOK {
		t.Errorf("pull naming another epoch: %d, want 200 (the desk finds the epoch in the answer)", status)
	}
	if n, err := store.Events(t.Context()); err != nil || n != 0 {
		t.Errorf("events stored after the push refused: %d (%v)", n, err)
	}
	for i, named := range []string{epoch.String(), ""} {
		if status, _, got := send(http.MethodPost, "/v1/events", named, i+1); status != http.StatusOK || got != epoch.String() {
			t.Errorf("push naming epoch %q: %d, answer's epoch %q; want 200, %q", named, status, got, epoch)
		}
	}
	if n := strings.Count(logw.String(), "desk out of step with the store put back from a copy"); n != 1 {
		t.Errorf("lines about the desk out of step: %d, want 1:\n%s", n, logw)
	}
	bin := chromium(t)
	manage := httptest.NewServer(env.Server.ManageHandler(server.Manage{}))
	t.Cleanup(manage.Close)
	text := stripTags(headless(t, bin, manage.URL+"/status", "--dump-dom", "--accept-lang=it-IT,it"))
	if want := "Sportelli che hanno trovato l'archivio ripristinato da copia Sede Sportello Trovato ROMA01 03"; !strings.Contains(text, want) {
		t.Errorf("the status page does not say %q:\n%s", want, text)
	}
	if out := os.Getenv("PINSEDE_STATUS_OUT"); out != "" {
		headless(t, bin, manage.URL+"/status", "--screenshot="+filepath.Join(out, "centrale-status-restored.png"), "--window-size=1150,1100", "--accept-lang=it-IT,it")
	}
}
