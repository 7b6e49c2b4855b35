package main

import (
	"context"
	"crypto/sha256"
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

	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
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
