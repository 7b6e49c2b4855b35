package local_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// newStore creates a store in a fresh temporary folder and closes it when
// the test ends.
func newStore(t testing.TB) *local.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := local.Create(filepath.Join(dir, "data", "sportello.db"), filepath.Join(dir, "config", "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// update runs fn in an Update and fails the test on error.
func update(t testing.TB, s *local.Store, fn func(pinsede.Tx) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// view runs fn in a View and fails the test on error.
func view(t testing.TB, s *local.Store, fn func(pinsede.Tx) error) {
	t.Helper()
	if err := s.View(fn); err != nil {
		t.Fatal(err)
	}
}

// capturePrinter is a SlipPrinter that keeps the PIN groups of the slips it
// "prints", so a test can look for them. The real printers cannot run in
// this package.
type capturePrinter struct {
	mu     sync.Mutex
	groups []string
	slips  int
}

func (p *capturePrinter) PrintSlip(_ context.Context, s pinsede.Slip) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, b := s.PIN.Groups()
	p.groups = append(p.groups, a, b)
	p.slips++
	return nil
}

func (p *capturePrinter) printed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slips
}

// nopPrinter prints nothing, at no cost.
type nopPrinter struct{}

func (nopPrinter) PrintSlip(context.Context, pinsede.Slip) error { return nil }

// cheapArgon2 makes hashes fast, for tests that are not about hashing.
var cheapArgon2 = pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// newDesk returns a desk on s with cheap hashes.
func newDesk(s pinsede.Store, p pinsede.SlipPrinter) *pinsede.Desk {
	d := pinsede.NewDesk(s, p, testclock.Stepping(time.Microsecond)) // two issues are ordered
	d.PINParams, d.PasswordParams = cheapArgon2, cheapArgon2
	return d
}

var testSede = pinsede.Sede{Code: "ROMA01", Name: "Roma Centro", Address: "Via Ciro il Grande 21, Roma"}

// session is an operator's session at testSede, the operator's account
// stored in s first, as a login finds it: the desk refuses the acts of a
// session without one (pinsede.ErrSessionEnded). It panics if the store
// fails: the crash test's child has no testing.T.
func session(s pinsede.Store) *pinsede.Session {
	op := pinsede.Operator{ID: "mbianchi", Name: "Maria Bianchi", Role: pinsede.RoleOperatore}
	if err := s.Update(func(tx pinsede.Tx) error { return tx.PutOperator(op) }); err != nil {
		panic(fmt.Sprintf("store the operator of the session: %v", err))
	}
	return &pinsede.Session{Operator: op, Sede: testSede, Started: testclock.Now()}
}

// makeCF builds a valid codice fiscale from six letters, a birth date, a sex
// and a codice catastale.
func makeCF(letters string, d pinsede.Date, sex pinsede.Sex, place string) pinsede.CodiceFiscale {
	day := d.Day
	if sex == pinsede.SexFemale {
		day += 40
	}
	s := fmt.Sprintf("%s%02d%c%02d%sX", letters, d.Year%100, "ABCDEHLMPRST"[d.Month-1], day, place)
	return pinsede.CodiceFiscale(s).Canonical() // Canonical computes the check character
}

// omocode returns cf with the digit at position 14 replaced by its omocode
// letter, and the check character to match.
func omocode(cf pinsede.CodiceFiscale) pinsede.CodiceFiscale {
	b := []byte(cf)
	b[14] = "LMNPQRSTUV"[b[14]-'0']
	for c := byte('A'); c <= 'Z'; c++ {
		b[15] = c
		if got, err := pinsede.ParseCodiceFiscale(string(b)); err == nil {
			return got
		}
	}
	panic("no check character for " + string(b))
}

// letters6 spells i in six letters: a unique code per person.
func letters6(i int) string {
	var b [6]byte
	for j := 5; j >= 0; j-- {
		b[j] = byte('A' + i%26)
		i /= 26
	}
	return string(b[:])
}

// person returns a valid MV35 request for the i-th test person.
func person(i int, cognome, nome string) pinsede.Request {
	birth := pinsede.DateOf(time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%18000))
	sex := pinsede.SexMale
	if i%2 == 1 {
		sex = pinsede.SexFemale
	}
	const place = "H501" // Roma; the six letters make the code unique
	return pinsede.Request{
		Cognome:       cognome,
		Nome:          nome,
		Sesso:         sex,
		DataNascita:   birth,
		LuogoNascita:  pinsede.Place{Name: "Roma", Province: "RM", Code: place},
		CodiceFiscale: makeCF(letters6(i), birth, sex, place),
		Residenza:     pinsede.Address{Street: "Rue de Rivoli 10", CAP: "75001", City: "Paris", Country: "FR"},
		Recapiti: pinsede.Contacts{
			Mobile: "+33 6 12 34 56 78",
			Email:  strings.ToLower(fmt.Sprintf("%s.%s.%d@esempio.it", normASCII(nome), normASCII(cognome), i)),
		},
	}
}

// normASCII keeps the ASCII letters of s, for e-mail addresses.
func normASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}

// verification returns a valid identity check, with scan when not nil: a
// French identity card, which the default eligibility policy accepts from a
// resident abroad.
func verification(scan *pinsede.Scan) pinsede.Verification {
	today := pinsede.DateOf(testclock.Now())
	return pinsede.Verification{
		Document: pinsede.Document{
			Type: pinsede.DocIdentitaEstera, Number: "CA12345AB", Authority: "Préfecture de Police", Country: "FR",
			IssuedOn:  pinsede.DateOf(testclock.Now().AddDate(-2, 0, 0)),
			ExpiresOn: pinsede.Date{Year: today.Year + 5, Month: today.Month, Day: 1},
		},
		Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
		Scan:      scan,
	}
}

// pngScan returns a scan of n bytes that looks like a PNG.
func pngScan(n int) *pinsede.Scan {
	data := make([]byte, n)
	copy(data, "\x89PNG\r\n\x1a\n")
	for i := 8; i < n; i++ {
		data[i] = byte(i * 7)
	}
	return &pinsede.Scan{Name: "documento.png", Data: data}
}

// tally is what a store holds about issued credentials, counted three ways
// that must agree.
type tally struct {
	credentials map[string]pinsede.Credential // by id, from the citizens' records
	audited     map[string]bool               // credential ids of credential.issued entries
	queued      map[string]bool               // credential ids of credential.issued events
	formed      map[string]bool               // credential ids of form.archived events whose bytes match
	revokedA    int                           // credential.revoked audit entries
	revokedQ    int                           // credential.revoked events
	pending     int
	issuedOn    int // IssuedOn summed over the days of the credentials
}

// count tallies the store s, whose citizens are among cfs.
func count(t testing.TB, s *local.Store, cfs []pinsede.CodiceFiscale) tally {
	t.Helper()
	n := tally{credentials: map[string]pinsede.Credential{}, audited: map[string]bool{}, queued: map[string]bool{}, formed: map[string]bool{}}
	days := map[pinsede.Date]bool{}
	view(t, s, func(tx pinsede.Tx) error {
		for _, cf := range cfs {
			cs, err := tx.Credentials(cf)
			if err != nil {
				return err
			}
			for _, c := range cs {
				n.credentials[c.ID] = c
				days[pinsede.DateOf(c.IssuedAt.Local())] = true
			}
		}
		for d := range days {
			cs, err := tx.IssuedOn(d)
			if err != nil {
				return err
			}
			n.issuedOn += len(cs)
		}
		var err error
		n.pending, err = tx.Pending()
		return err
	})
	err := s.AuditEntries(0, func(e pinsede.AuditEntry) error {
		switch e.Action {
		case pinsede.ActionIssued:
			n.audited[e.Credential] = true
		case pinsede.ActionRevoked:
			n.revokedA++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != n.pending {
		t.Errorf("Outbox returned %d events, Pending says %d", len(items), n.pending)
	}
	for _, it := range items {
		switch it.Event.Kind {
		case pinsede.EventIssued:
			n.queued[it.Event.Credential.ID] = true
		case pinsede.EventRevoked:
			n.revokedQ++
		case pinsede.EventFormArchived:
			f := *it.Event.Form
			f.PDF = it.Form
			if !f.Matches() {
				t.Errorf("form event %s: %d bytes beside it do not match %+v", it.Event.ID, len(it.Form), it.Event.Form)
			}
			n.formed[it.Event.Credential.ID] = true
		}
	}
	return n
}

// checkForms reports where the forms do not agree with the credentials:
// every credential has its form.archived event, and every such event a
// credential (for a desk with Forms).
func (n tally) checkForms(t testing.TB) {
	t.Helper()
	for id := range n.credentials {
		if !n.formed[id] {
			t.Errorf("credential %s has no form.archived event", id)
		}
	}
	for id := range n.formed {
		if _, ok := n.credentials[id]; !ok {
			t.Errorf("form event for credential %s, which does not exist", id)
		}
	}
}

// check reports where the tally does not agree with itself: every
// credential has its audit entry and its event, or none of them exists.
func (n tally) check(t testing.TB) {
	t.Helper()
	for id := range n.credentials {
		if !n.audited[id] {
			t.Errorf("credential %s has no credential.issued audit entry", id)
		}
		if !n.queued[id] {
			t.Errorf("credential %s has no credential.issued event", id)
		}
	}
	for id := range n.audited {
		if _, ok := n.credentials[id]; !ok {
			t.Errorf("audit entry for credential %s, which does not exist", id)
		}
	}
	for id := range n.queued {
		if _, ok := n.credentials[id]; !ok {
			t.Errorf("event for credential %s, which does not exist", id)
		}
	}
	if n.revokedA != n.revokedQ {
		t.Errorf("%d credential.revoked audit entries, %d events", n.revokedA, n.revokedQ)
	}
	if n.issuedOn != len(n.credentials) {
		t.Errorf("IssuedOn counts %d credentials, the citizens have %d", n.issuedOn, len(n.credentials))
	}
}

// verifyChain fails the test unless the audit chain of s is whole.
func verifyChain(t testing.TB, s *local.Store) local.AuditReport {
	t.Helper()
	r, err := s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		t.Errorf("audit chain: entry %d %s: %s", p.Seq, p.Kind, p.Detail)
	}
	return r
}

// deskOn returns a desk on s with the suite's clock, for the use cases
// that keep what the sync brings.
func deskOn(s *local.Store) *pinsede.Desk { return pinsede.NewDesk(s, nil, testclock.Now) }
