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
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
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
		return sendNaming(t, desk, method, env.URL+path, named, body)
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

// Ensure that replicas on one PostgreSQL agree on the store's epoch
// once it is put back from a copy while they run (`centrale restore
// -postgres -force`), with no restart: a replica reads it again for a
// request naming another epoch, and every epochRefresh in any case. On
// main each kept the epoch it read first: a desk whose requests
// alternate replicas had its pushes refused, 409 naming the old epoch,
// by the replica that had not read the new one.
func TestStoreEpochReplicas(t *testing.T) {
	s0, dsn := pgStore(t)
	s1, s2 := pgOpen(t, dsn), pgOpen(t, dsn)
	var ahead atomic.Int64
	clock := func() time.Time { return testclock.Now().Add(time.Duration(ahead.Load())) }
	replicas := []*testenv.Env{testenv.NewAt(t, s0, clock), testenv.NewAt(t, s1, clock)}
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	push := func(r int, named string, i int) (int, string) {
		t.Helper()
		cfg, _ := replicas[r].DeskTLS(t, "ROMA01", "03")
		ev := storetest.Issued("ROMA01", storetest.CF(i), "e"+storetest.CF(i).String(), "c"+storetest.CF(i).String(), h)
		return pushNaming(t, &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}, replicas[r].URL, named, ev)
	}
	status, e0 := push(0, "", 0)
	if status != http.StatusOK {
		t.Fatalf("first push: %d", status)
	}
	if status, named := push(1, e0, 1); status != http.StatusOK || named != e0 {
		t.Fatalf("push through the other replica: %d naming %q, want 200 naming %q", status, named, e0)
	}
	restore := func(id string) string {
		t.Helper()
		e, err := s2.NewEpoch(t.Context(), strings.Repeat(id, 16))
		if err != nil {
			t.Fatal(err)
		}
		return e.String()
	}
	e1 := restore("cd")
	if status, named := push(1, e1, 2); status != http.StatusOK || named != e1 {
		t.Errorf("push naming the store's epoch %s through a replica that read %s before: %d naming %q, want 200 naming the store's", e1, e0, status, named)
	}
	if status, named := push(0, e0, 3); status != http.StatusOK || named != e0 {
		t.Errorf("push naming %s within %v of the replica's read: %d naming %q, want 200 (not read again yet)", e0, 30*time.Second, status, named)
	}
	ahead.Store(int64(33 * time.Second))
	if status, named := push(0, e0, 4); status != http.StatusConflict || named != e1 {
		t.Errorf("push naming the old epoch past the replica's refresh: %d naming %q, want 409 naming %q", status, named, e1)
	}
	if status, named := push(0, e1, 5); status != http.StatusOK || named != e1 {
		t.Errorf("push naming the store's epoch: %d naming %q, want 200", status, named)
	}
	// A desk naming epochs the replica does not hold makes it read the
	// store at most once a second.
	e2, e3 := restore("e1"), restore("f2")
	if status, named := push(1, e2, 6); status != http.StatusConflict || named != e3 {
		t.Errorf("push naming a past epoch: %d naming %q, want 409 naming the store's %q", status, named, e3)
	}
	e4 := restore("a3")
	if status, named := push(1, e4, 7); status != http.StatusConflict || named != e3 {
		t.Errorf("push naming another epoch within a second of a read for one: %d naming %q, want 409 naming %q (not read)", status, named, e3)
	}
	ahead.Store(int64(34 * time.Second))
	if status, named := push(1, e4, 8); status != http.StatusOK || named != e4 {
		t.Errorf("push naming the store's epoch a second later: %d naming %q, want 200 naming it", status, named)
	}
}

// pgOpen opens another store on the database at dsn (another replica's,
// or `centrale restore`'s), closed when tb ends.
func pgOpen(tb testing.TB, dsn string) *pgstore.Store {
	tb.Helper()
	s, err := pgstore.Open(tb.Context(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// pushNaming pushes ev to the API at url through desk, naming the epoch
// named ("" none), and returns the answer's status and the epoch it
// names.
func pushNaming(t *testing.T, desk *http.Client, url, named string, ev pinsede.Event) (int, string) {
	t.Helper()
	body, _ := json.Marshal(wire.PushRequest{Sede: ev.Sede, AuditHead: &wire.AuditHead{}, Events: []pinsede.Event{ev}})
	status, _, epoch := sendNaming(t, desk, http.MethodPost, url+"/v1/events", named, body)
	return status, epoch
}

// sendNaming sends a request of method with body to u through desk,
// naming the epoch named ("" none), and returns the answer's status,
// its problem's type and the epoch it names.
func sendNaming(t *testing.T, desk *http.Client, method, u, named string, body []byte) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
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
