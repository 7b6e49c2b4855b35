package client_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// stores are the central stores the end-to-end tests run on.
var stores = []struct {
	name string
	open func(t testing.TB) central.Store
}{
	{"bolt", func(t testing.TB) central.Store { return openBolt(t, filepath.Join(t.TempDir(), "centrale.db")) }},
	{"postgres", func(t testing.TB) central.Store { return openPG(t, pgtest.DSN(t)) }},
}

// openBolt opens the bbolt store at path, closed when the test ends.
func openBolt(t testing.TB, path string) central.Store {
	t.Helper()
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPG opens the PostgreSQL store of dsn, closed when the test ends.
func openPG(t testing.TB, dsn string) central.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newLocal creates a sede's store in a temporary folder.
func newLocal(t testing.TB) (s *local.Store, path, keyPath string) {
	t.Helper()
	dir := t.TempDir()
	path, keyPath = filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key")
	s, err := local.Create(path, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	return s, path, keyPath
}

// sessionOn returns a session of op at sede, op's account stored in s
// first, as a login would find it: the desk refuses the acts of a
// session without one (pinsede.ErrSessionEnded).
func sessionOn(t testing.TB, s *local.Store, op pinsede.Operator, sede pinsede.Sede) *pinsede.Session {
	t.Helper()
	if err := s.Update(func(tx pinsede.Tx) error { return tx.PutOperator(op) }); err != nil {
		t.Fatal(err)
	}
	return &pinsede.Session{Operator: op, Sede: sede, Started: testclock.Now()}
}

// enqueue puts n issue events of sede in the outbox, for codici fiscali
// from first on, and returns their ids.
func enqueue(t testing.TB, s *local.Store, sede string, first, n int) []string {
	t.Helper()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	var ids []string
	err := s.Update(func(tx pinsede.Tx) error {
		for i := first; i < first+n; i++ {
			ev := storetest.Issued(sede, storetest.CF(i), fmt.Sprintf("%s-e%d", sede, i), fmt.Sprintf("%s-c%d", sede, i), h)
			ids = append(ids, ev.ID)
			if err := tx.Enqueue(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// enqueueWithForms puts n issue events of sede in the outbox, for codici
// fiscali from first on, each followed by the EventFormArchived of its
// MV35, one of pdfs in turn, as the desk makes them (pinsede.Desk.Issue
// with Forms).
func enqueueWithForms(t testing.TB, s *local.Store, sede string, first, n int, pdfs ...[]byte) {
	t.Helper()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	err := s.Update(func(tx pinsede.Tx) error {
		for i := first; i < first+n; i++ {
			iss := storetest.Issued(sede, storetest.CF(i), fmt.Sprintf("%s-e%d", sede, i), fmt.Sprintf("%s-c%d", sede, i), h)
			if err := tx.Enqueue(iss); err != nil {
				return err
			}
			if err := tx.Enqueue(storetest.FormArchived(iss, fmt.Sprintf("%s-f%d", sede, i), pdfs[i%len(pdfs)])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// capture is a printer that keeps the PINs it prints, and the expiry
// each slip prints. A real printer cannot run here; ui/cups has its own
// tests.
type capture struct {
	mu      sync.Mutex
	pins    []string
	expires []time.Time
}

func (c *capture) PrintSlip(_ context.Context, s pinsede.Slip) error {
	a, b := s.PIN.Groups()
	c.mu.Lock()
	c.pins, c.expires = append(c.pins, a+b), append(c.expires, s.ExpiresAt)
	c.mu.Unlock()
	return nil
}

// lastExpiry returns the expiry the last slip printed.
func (c *capture) lastExpiry() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.expires[len(c.expires)-1]
}

// count returns how many slips were printed.
func (c *capture) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pins)
}

func (c *capture) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pins[len(c.pins)-1]
}

// recorder is a transport that keeps every request body it sends, and
// the method and path of every request.
type recorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	sent  [][]byte
	types []string // the Content-Type of each body sent
	paths []string // "GET /v1/changes"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.paths = append(r.paths, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		r.mu.Lock()
		r.sent, r.types = append(r.sent, b), append(r.types, req.Header.Get("Content-Type"))
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

// contains reports whether any request sent held s.
func (r *recorder) contains(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.sent {
		if bytes.Contains(b, []byte(s)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s))) {
			return true
		}
	}
	return false
}

// person returns a valid MV35 request for the i-th test citizen: Maria
// Rossi, born in Rome on a day that makes her codice fiscale unique.
func person(i int) pinsede.Request {
	birth := pinsede.Date{Year: 1950 + i/(12*28), Month: time.Month(1 + (i/28)%12), Day: 1 + i%28}
	cf := pinsede.CodiceFiscale(fmt.Sprintf("RSSMRA%02d%c%02dH501X", birth.Year%100, "ABCDEHLMPRST"[birth.Month-1], birth.Day+40)).Canonical()
	return pinsede.Request{
		Cognome: "Rossi", Nome: "Maria", Sesso: pinsede.SexFemale,
		DataNascita:   birth,
		LuogoNascita:  pinsede.Place{Name: "Roma", Province: "RM", Code: "H501"},
		CodiceFiscale: cf,
		Residenza:     pinsede.Address{Street: "Calle Florida 100", City: "Buenos Aires", Country: "AR"},
		Recapiti:      pinsede.Contacts{Mobile: "+54 11 5555 1234", Email: "maria.rossi@example.com"},
	}
}

// verification returns a valid identity check: an Argentine passport,
// which the default eligibility policy accepts from a resident abroad.
func verification() pinsede.Verification { return verificationOn(testclock.Now()) }

// verificationOn returns verification's identity check as of now: the
// passport issued two years before, valid five more.
func verificationOn(now time.Time) pinsede.Verification {
	today := pinsede.DateOf(now)
	return pinsede.Verification{
		Document: pinsede.Document{
			Type: pinsede.DocPassaportoEstero, Number: "AAA123456", Authority: "RENAPER", Country: "AR",
			IssuedOn:  pinsede.DateOf(now.AddDate(-2, 0, 0)),
			ExpiresOn: pinsede.Date{Year: today.Year + 5, Month: today.Month, Day: 1},
		},
		Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
	}
}

// pemCert encodes a DER certificate as PEM.
func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// The sede's store is what the client reads.
var _ client.Local = (*local.Store)(nil)

// deskOn returns the desk of a sede's store, on the suite's clock, for
// the client's Config.Desk.
func deskOn(s *local.Store) *pinsede.Desk { return pinsede.NewDesk(s, nil, testclock.Now) }
