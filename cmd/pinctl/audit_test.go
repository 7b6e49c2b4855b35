package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// centrale is a centrale on a bbolt store over mutual TLS, for audit
// verify: its store, URL and the files of a ROMA01 certificate.
type centrale struct {
	store             *boltstore.Store
	url               string
	ca, cert, certKey string
	// before, when set, runs before centrale answers each request, and
	// answers it itself when it returns true.
	before *atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

func startCentrale(t *testing.T, now func() time.Time) centrale {
	t.Helper()
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "test CA", time.Now(), nil) // certificates on the clock TLS checks
	if err != nil {
		t.Fatal(err)
	}
	srvCert, srvKey, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ServerTLS(ca.CertPEM(), srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(dir, "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := server.New(store, central.NewVerifier(store, 5, now), nil, nil, now).Handler()
	before := new(atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool])
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b := before.Load(); b != nil && (*b)(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	}))
	hs.TLS = cfg
	hs.StartTLS()
	t.Cleanup(hs.Close)
	c := centrale{store: store, before: before, url: hs.URL, ca: filepath.Join(dir, "ca.crt"), cert: filepath.Join(dir, "roma01.crt"), certKey: filepath.Join(dir, "roma01.key")}
	certPEM, keyPEM, err := ca.Issue(pki.RoleSede, "ROMA01", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range map[string][]byte{c.ca: ca.CertPEM(), c.cert: certPEM, c.certKey: keyPEM} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// flags are audit verify's flags to reach c.
func (c centrale) flags() []string {
	return []string{"-centrale", c.url, "-cert", c.cert, "-certkey", c.certKey, "-ca", c.ca}
}

// head returns the audit head of the sandbox's store.
func (sb sandbox) head(t *testing.T) wire.AuditHead {
	t.Helper()
	s, err := local.Open(sb.store, sb.key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Ensure that audit verify -centrale reads every head centrale keeps,
// page after page: the desk's chain's head comes after a page of another
// desk's heads (its chain of all zeros first), and is confirmed.
func TestAuditVerifyCentralePages(t *testing.T) {
	sb := setUp(t)
	c := startCentrale(t, sb.now)
	ctx := context.Background()
	other := make([]byte, sha256.Size)
	for seq := range uint64(central.MaxAuditHeads) {
		h := wire.AuditHead{Chain: other, Seq: seq + 2, Hash: storetest.Head("O", "", 0, seq+2).Hash, Desk: "09"}
		if err := c.store.PutAuditHead(ctx, "ROMA01", h, sb.now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.store.PutAuditHead(ctx, "ROMA01", sb.head(t), sb.now()); err != nil {
		t.Fatal(err)
	}
	r := sb.must(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	if want := fmt.Sprintf("centrale: 1 punti della catena confermati (fino alla voce 2), %d di altre catene della sede\n", central.MaxAuditHeads); !strings.HasSuffix(r.stdout, want) {
		t.Errorf("audit verify says:\n%swant it to end with %q", r.stdout, want)
	}
}

// Ensure that audit verify -centrale confirms the heads centrale kept
// that the chain holds, and reports those it does not hold (exit 1) with
// the command that resets the chain at centrale, for the desk centrale
// keeps it for: without -desk the reset moved the chain of a desk PC's
// certificate to the sede's and left its fork open.
func TestAuditVerifyCentrale(t *testing.T) {
	sb := setUp(t)
	c := startCentrale(t, sb.now)
	ctx := context.Background()
	first := sb.head(t)
	first.Desk = "03" // pushed with a certificate of desk PC 03
	if err := c.store.PutAuditHead(ctx, "ROMA01", first, sb.now()); err != nil {
		t.Fatal(err)
	}
	r := sb.must(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	if want := "centrale: 1 punti della catena confermati (fino alla voce 2), 0 di altre catene della sede\n"; !strings.HasSuffix(r.stdout, want) {
		t.Errorf("audit verify says:\n%swant it to end with %q", r.stdout, want)
	}

	// Centrale kept heads past what the chain holds: the entry after the
	// first head with another hash, and one past the end.
	sb.must(t, "altra-password-lunga\n", "operator", "add", "-id", "m.rossi", "-name", "Mario Rossi", "-role", "operatore", "-password-stdin")
	now := sb.head(t)
	for _, h := range []wire.AuditHead{
		{Chain: first.Chain, Seq: now.Seq, Hash: first.Hash, Desk: "03"},
		{Chain: first.Chain, Seq: now.Seq + 5, Hash: now.Hash, Desk: "03"},
	} {
		if err := c.store.PutAuditHead(ctx, "ROMA01", h, sb.now()); err != nil {
			t.Fatal(err)
		}
	}
	r = sb.run(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	if r.code != exitFail {
		t.Errorf("exit %d, want %d", r.code, exitFail)
	}
	for _, want := range []string{"diversa da quella che centrale conserva", "oltre la fine della catena"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "centrale audit reset -sede ROMA01 -desk 03 -chain ") || !strings.Contains(r.stderr, " -to 2 ") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	r = sb.run(t, "", "audit", "verify", "-centrale", c.url)
	if r.code != exitUsage || !strings.Contains(r.stderr, "con -centrale servono -cert, -certkey e -ca") {
		t.Errorf("-centrale alone: exit %d\n%s", r.code, r.stderr)
	}
}

// Ensure that audit verify -centrale holds at most a page of the heads
// centrale keeps, however many: the heap live when centrale is asked for
// each page (after a collection, in this process, which runs both) does
// not grow with the pages read before it. Gathering them all grew it by
// a page's heads at each page.
func TestAuditVerifyCentraleMemory(t *testing.T) {
	const pages = 5
	sb := setUp(t)
	c := startCentrale(t, sb.now)
	ctx := context.Background()
	other := make([]byte, sha256.Size)
	for seq := range uint64((pages - 1) * central.MaxAuditHeads) {
		h := wire.AuditHead{Chain: other, Seq: seq + 2, Hash: storetest.Head("O", "", 0, seq+2).Hash, Desk: "09"}
		if err := c.store.PutAuditHead(ctx, "ROMA01", h, sb.now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.store.PutAuditHead(ctx, "ROMA01", sb.head(t), sb.now()); err != nil {
		t.Fatal(err)
	}
	var live []uint64 // the heap live at each request of a page
	measure := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v1/audit/heads" {
			var ms runtime.MemStats
			// Twice: what sync.Pool keeps survives one collection, in
			// its victim cache, and would count here.
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&ms)
			live = append(live, ms.HeapAlloc)
		}
		return false
	}
	c.before.Store(&measure)
	r := sb.must(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	if want := fmt.Sprintf("centrale: 1 punti della catena confermati (fino alla voce 2), %d di altre catene della sede\n", (pages-1)*central.MaxAuditHeads); !strings.HasSuffix(r.stdout, want) {
		t.Errorf("audit verify says:\n%swant it to end with %q", r.stdout, want)
	}
	if len(live) != pages {
		t.Fatalf("%d pages asked, want %d", len(live), pages)
	}
	// The hashes alone of a page of heads, decoded: less than what a page
	// held takes.
	const page = central.MaxAuditHeads * 2 * sha256.Size
	grown := int64(live[pages-1]) - int64(live[1])
	t.Logf("heap live at each page's request: %v bytes; grown %d from page 2 to page %d (a page's hashes: %d)", live, grown, pages, page)
	if grown > page {
		t.Errorf("the heap grew by %d bytes from page 2 to page %d, more than a page's hashes (%d): the pages read are held", grown, pages, page)
	}
}

// sync does what the desk's sync does of the sandbox's audit chain, with
// the certificate of desk "": its push carries the chain's head, then it
// sends the entries centrale has not got (client.SendAudit, over c's
// mutual TLS).
func (c centrale) sync(t *testing.T, sb sandbox) error {
	t.Helper()
	var pems [3][]byte
	for i, p := range []string{c.ca, c.cert, c.certKey} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		pems[i] = b
	}
	cfg, err := pki.ClientTLS(pems[0], pems[1], pems[2])
	if err != nil {
		t.Fatal(err)
	}
	s, err := local.Open(sb.store, sb.key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	h, err := s.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	pushed := c.store.PutAuditHead(context.Background(), "ROMA01", h, sb.now())
	cl := client.New(client.Config{URL: c.url, HTTP: hc, Sede: "ROMA01", Local: s, Desk: pinsede.NewDesk(s, nil, sb.now), Now: sb.now})
	_, sent := cl.SendAudit(context.Background())
	return errors.Join(pushed, sent)
}

// resetTo is the -to of the centrale audit reset that audit verify
// printed, and whether it printed one.
func resetTo(stderr string) (uint64, bool) {
	_, after, ok := strings.Cut(stderr, "centrale audit reset ")
	if !ok {
		return 0, false
	}
	_, after, ok = strings.Cut(after, " -to ")
	var to uint64
	if _, err := fmt.Sscan(after, &to); !ok || err != nil {
		return 0, false
	}
	return to, true
}

// Ensure that the reset audit verify -centrale prints for a desk restored
// from a copy older than its last sync, which then wrote on and synced
// again (centrale keeping the new chain's head, past those it had, and
// refusing its entries), lets the desk's next sync through: it accepts
// the chain from the last entry the copy and centrale share. It printed
// the highest head the chain holds, the new chain's, past the fork:
// centrale answered the reset, and refused the next sync again ("entry 4
// does not follow entry 3").
func TestAuditVerifyResetAfterRestore(t *testing.T) {
	sb := setUp(t)
	c := startCentrale(t, sb.now)
	ctx := context.Background()
	if err := c.sync(t, sb); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	sb.must(t, "", "backup", "-out", copyPath)
	shared := sb.head(t).Seq
	sb.must(t, "altra-password-lunga\n", "operator", "add", "-id", "m.rossi", "-name", "Mario Rossi", "-role", "operatore", "-password-stdin")
	if err := c.sync(t, sb); err != nil {
		t.Fatal(err)
	}
	past := sb.head(t).Seq
	sb.must(t, "", "restore", "-from", copyPath)
	for _, id := range []string{"l.bianchi", "g.neri", "p.gialli"} {
		sb.must(t, "terza-password-lunga\n", "operator", "add", "-id", id, "-name", "Luca Bianchi", "-role", "operatore", "-password-stdin")
	}
	if h := sb.head(t); h.Seq <= past {
		t.Fatalf("the restored chain ends at %d, not past %d, where centrale's ends", h.Seq, past)
	}
	if err := c.sync(t, sb); err == nil {
		t.Fatal("centrale takes the restored desk's sync")
	}

	r := sb.run(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	to, ok := resetTo(r.stderr)
	if r.code != exitFail || !ok {
		t.Fatalf("audit verify: exit %d, no reset printed\n%s%s", r.code, r.stdout, r.stderr)
	}
	if to > shared {
		t.Errorf("the reset printed accepts the chain from entry %d; the copy and centrale share entries up to %d only", to, shared)
	}
	chain := sb.head(t).Chain
	if _, err := c.store.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: chain, To: to, By: "centrale:rossi", Reason: "ripristino", At: sb.now()}); err != nil {
		t.Fatal(err)
	}
	if err := c.sync(t, sb); err != nil {
		t.Errorf("the desk's sync after the reset -to %d: %v", to, err)
	}
	if forks, err := c.store.AuditForks(ctx); err != nil || len(forks) != 0 {
		t.Errorf("open forks after the reset and the sync: %v, %v", forks, err)
	}
	sb.must(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
}

// Ensure that audit verify -centrale on a desk set up again (a new chain,
// none of whose heads centrale keeps) tells centrale refuses the chain,
// with the reset -to 0 that admits it (exit 1), when centrale keeps
// another chain of the certificate's desk; and only that the desk has not
// synced yet (exit 0) when the other chains are of other desks, which
// centrale admits on the first push. It exited 0 with the first's
// warning for both.
func TestAuditVerifyNewChainOfDesk(t *testing.T) {
	sb := setUp(t)
	c := startCentrale(t, sb.now)
	ctx := context.Background()
	other := storetest.Head("O", "", 0, 3)
	other.Desk = "09"
	if err := c.store.PutAuditHead(ctx, "ROMA01", other, sb.now()); err != nil {
		t.Fatal(err)
	}
	r := sb.must(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	if _, ok := resetTo(r.stderr); ok || !strings.Contains(r.stdout, "non ha ancora sincronizzato") {
		t.Errorf("a chain of another desk only:\n%s%s", r.stdout, r.stderr)
	}

	// The certificate's desk ("", a sede's of before desk ids) had a chain.
	old := storetest.Head("P", "", 0, 5)
	if err := c.store.PutAuditHead(ctx, "ROMA01", old, sb.now()); err != nil {
		t.Fatal(err)
	}
	r = sb.run(t, "", append([]string{"audit", "verify"}, c.flags()...)...)
	to, ok := resetTo(r.stderr)
	if r.code != exitFail || !ok || to != 0 || strings.Contains(r.stderr, "-desk") {
		t.Fatalf("a new chain of the desk: exit %d, want %d with a reset -to 0 without -desk\n%s%s", r.code, exitFail, r.stdout, r.stderr)
	}
	head := sb.head(t)
	if err := c.store.PutAuditHead(ctx, "ROMA01", head, sb.now()); !errors.Is(err, central.ErrAuditFork) {
		t.Fatalf("centrale takes the desk's new chain: %v", err)
	}
	if _, err := c.store.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: head.Chain, To: to, By: "centrale:rossi", Reason: "reinstallato", At: sb.now()}); err != nil {
		t.Fatal(err)
	}
	if err := c.sync(t, sb); err != nil {
		t.Errorf("the desk's sync after the reset -to 0: %v", err)
	}
}
