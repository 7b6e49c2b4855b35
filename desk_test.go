package pinsede_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

var cheap = pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// capture is a printer that keeps the PIN groups of the slips it prints, so
// that tests can check the PIN against its hash. A real printer cannot run in
// a unit test; ui/cups has its own tests.
type capture struct {
	slips []pinsede.Slip
	pins  []string
	err   error
}

func (c *capture) PrintSlip(_ context.Context, s pinsede.Slip) error {
	if c.err != nil {
		return c.err
	}
	a, b := s.PIN.Groups()
	c.pins = append(c.pins, a+b)
	s.PIN = nil
	c.slips = append(c.slips, s)
	return nil
}

type fixture struct {
	desk    *pinsede.Desk
	store   *local.Store
	printer *capture
	now     time.Time
	sup     *pinsede.Session
}

// newFixture gives a set-up sede with a supervisor logged in, on a real
// store in a temp dir, at a fixed time.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := newTestStoreDesk(t)
	if err := f.desk.Setup(
		pinsede.Sede{Code: "ROMA01", Name: "Roma Tuscolano", Address: "Via Tuscolana 1, Roma"},
		pinsede.NewOperator{ID: "sup", Name: "Anna Bianchi", Password: "password-lunga"},
	); err != nil {
		t.Fatal(err)
	}
	ackSetUp(t, f.desk, f.store)
	var err error
	if f.sup, err = f.desk.Login("sup", "password-lunga"); err != nil {
		t.Fatal(err)
	}
	return f
}

// addOperator adds the account n as the supervisor of f does, and makes
// its first login, as the new operator does, to change the temporary
// password the supervisor gave to n.Password: an account the operator
// logs in to or approves with in a test (AddOperator sets
// MustChangePassword).
func (f *fixture) addOperator(t *testing.T, n pinsede.NewOperator) {
	t.Helper()
	next := n.Password
	n.Password = "temporanea-" + n.ID
	if err := f.desk.AddOperator(f.sup, n); err != nil {
		t.Fatal(err)
	}
	s, err := f.desk.Login(n.ID, n.Password)
	if err != nil {
		t.Fatalf("first login of %s: %v", n.ID, err)
	}
	if err := f.desk.ChangePassword(s, n.Password, next); err != nil {
		t.Fatalf("first change of password of %s: %v", n.ID, err)
	}
}

// newTestStoreDesk gives a desk on an empty store in a temp dir, not set
// up, at a fixed time.
func newTestStoreDesk(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := local.Create(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, printer: &capture{}, now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.Local)}
	f.desk = pinsede.NewDesk(st, f.printer, testclock.Now)
	f.desk.Now = func() time.Time { return f.now }
	f.desk.PINParams, f.desk.PasswordParams = cheap, cheap
	return f
}

// ackSetUp acknowledges the set-up's two events in the outbox of d on st,
// as the central records would, so that a test sees only the events of
// the acts it makes.
func ackSetUp(t *testing.T, d *pinsede.Desk, st *local.Store) {
	t.Helper()
	items, err := st.OutboxAfter(0, 10, 1<<20)
	if err != nil || len(items) != 2 || items[0].Event.Kind != pinsede.EventSedeSetUp || items[1].Event.Kind != pinsede.EventOperatorAdded {
		t.Fatalf("outbox after the set-up: %+v, %v; want the sede and its first supervisor", items, err)
	}
	if err := d.Acknowledge([]uint64{items[0].Seq, items[1].Seq}, nil); err != nil {
		t.Fatal(err)
	}
}

func request() pinsede.Request {
	return pinsede.Request{
		Cognome: "Rossi", Nome: "Mario", Sesso: pinsede.SexMale,
		DataNascita:   pinsede.Date{Year: 1980, Month: time.January, Day: 1},
		LuogoNascita:  pinsede.Place{Name: "Roma", Province: "RM", Code: "H501"},
		CodiceFiscale: "RSSMRA80A01H501U",
		Residenza:     pinsede.Address{Street: "Calle Mayor 1", CAP: "28013", City: "Madrid", Country: "ES"},
		Recapiti:      pinsede.Contacts{Mobile: "+34 600 123 456", Email: "mario.rossi@example.es"},
	}
}

func verification() pinsede.Verification {
	return pinsede.Verification{
		Document: pinsede.Document{
			Type: pinsede.DocPassaportoEstero, Number: "PAA123456", Authority: "Ministerio del Interior", Country: "ES",
			IssuedOn: pinsede.Date{Year: 2020, Month: 5, Day: 4}, ExpiresOn: pinsede.Date{Year: 2030, Month: 5, Day: 3},
		},
		Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
	}
}

// Ensure that an issue makes an active PIN dispositivo for six months, prints
// it, and records the audit entry and the outbox event.
func TestIssue(t *testing.T) {
	f := newFixture(t)
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credential
	if c.Type != pinsede.Dispositivo || c.State != pinsede.StateAttivo || !c.Active(f.now) {
		t.Fatalf("credential %+v", c)
	}
	if want := f.now.AddDate(0, 6, 0); !c.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want %v", c.ExpiresAt, want)
	}
	if len(f.printer.pins) != 1 || c.PrintedAt.IsZero() {
		t.Fatalf("slip not printed: %d slips", len(f.printer.pins))
	}
	if ok, err := pinsede.VerifySecret(c.PINHash, []byte(f.printer.pins[0])); !ok || err != nil {
		t.Fatalf("printed PIN does not match the stored hash: %v", err)
	}
	if s := f.printer.slips[0]; s.Serial != c.SlipSerial || s.Citizen.Cognome != "Rossi" || s.Pending {
		t.Fatalf("slip %+v", s)
	}
	sum, err := f.desk.Summary()
	if err != nil || sum.IssuedToday != 1 || sum.PendingSync != 1 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	page, err := f.desk.Citizen(f.sup, "RSSMRA80A01H501U")
	if err != nil {
		t.Fatal(err)
	}
	actions := map[pinsede.AuditAction]bool{}
	for _, e := range page.History {
		actions[e.Action] = true
	}
	if !actions[pinsede.ActionIssued] || !actions[pinsede.ActionPrinted] {
		t.Fatalf("history %v", actions)
	}
}

// Ensure that a second issue for the same person revokes the first PIN, and
// that an omocode, which the Agenzia delle Entrate gives to a different
// person, does not.
func TestIssueReplacesActivePIN(t *testing.T) {
	f := newFixture(t)
	first, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Replaced) != 1 || second.Replaced[0].ID != first.Credential.ID {
		t.Fatalf("replaced %+v", second.Replaced)
	}
	namesake := request()
	namesake.CodiceFiscale = "RSSMRA80A01H50MM"
	third, err := f.desk.Issue(context.Background(), f.sup, namesake, verification())
	if err != nil {
		t.Fatal(err)
	}
	if len(third.Replaced) != 0 {
		t.Fatalf("an omocode revoked another person's PIN: %+v", third.Replaced)
	}
	for cf, wantActive := range map[pinsede.CodiceFiscale]int{"RSSMRA80A01H501U": 1, "RSSMRA80A01H50MM": 1} {
		page, err := f.desk.Citizen(f.sup, cf)
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, c := range page.Credentials {
			if c.Active(f.now) {
				active++
			}
			if c.ID == first.Credential.ID && (c.State != pinsede.StateRevocato || c.RevokeReason != pinsede.ReasonReplaced) {
				t.Fatalf("first credential %+v", c)
			}
		}
		if active != wantActive {
			t.Fatalf("%s: %d active PINs, want %d", cf, active, wantActive)
		}
	}
}

// Ensure that bad input writes nothing and prints nothing.
func TestIssueInvalidWritesNothing(t *testing.T) {
	f := newFixture(t)
	r := request()
	r.CodiceFiscale = "RSSMRA80A01H501X"
	v := verification()
	v.Document.ExpiresOn = pinsede.Date{Year: 2026, Month: 11, Day: 22}
	_, err := f.desk.Issue(context.Background(), f.sup, r, v)
	var es pinsede.FieldErrors
	if !errors.As(err, &es) {
		t.Fatalf("want FieldErrors, got %v", err)
	}
	if _, ok := es.For(pinsede.FieldCodiceFiscale); !ok {
		t.Fatalf("no codice fiscale error in %v", es)
	}
	if fe, ok := es.For(pinsede.FieldDocExpires); !ok || fe.Key != pinsede.KeyDocExpired {
		t.Fatalf("expired document not blocked: %v", es)
	}
	sum, _ := f.desk.Summary()
	if sum.IssuedToday != 0 || sum.PendingSync != 0 || len(f.printer.pins) != 0 {
		t.Fatalf("something was written: %+v, %d slips", sum, len(f.printer.pins))
	}
}

// Ensure that a slip that fails to print leaves its PIN revoked, and that no
// printer means no issue at all.
func TestIssuePrintFails(t *testing.T) {
	f := newFixture(t)
	f.printer.err = errors.New("printer offline")
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if !errors.Is(err, pinsede.ErrPrint) {
		t.Fatalf("want ErrPrint, got %v", err)
	}
	if c := out.Credential; c.State != pinsede.StateRevocato || c.RevokeReason != pinsede.ReasonPrintFailed {
		t.Fatalf("credential %+v", c)
	}
	if sum, err := f.desk.Summary(); err != nil || sum.IssuedToday != 0 {
		t.Fatalf("a PIN whose slip never printed counts as issued today: %+v, %v", sum, err)
	}
	f.desk.Printer = nil
	if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); !errors.Is(err, pinsede.ErrNoPrinter) {
		t.Fatalf("want ErrNoPrinter, got %v", err)
	}
}

// Ensure that a handover is recorded once.
func TestRecordHandover(t *testing.T) {
	f := newFixture(t)
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.desk.RecordHandover(f.sup, out.Credential.ID)
	if err != nil || c.HandedOverAt.IsZero() || c.HandedOverBy != "sup" {
		t.Fatalf("handover %+v, %v", c, err)
	}
	if _, err := f.desk.RecordHandover(f.sup, out.Credential.ID); !errors.Is(err, pinsede.ErrAlreadyHandedOver) {
		t.Fatalf("second handover: %v", err)
	}
	if _, err := f.desk.RecordHandover(f.sup, "nope"); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("unknown credential: %v", err)
	}
}

// Ensure that five wrong passwords lock the account with the same answer as
// a wrong password, and that the lock ends.
func TestLoginLockout(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		if _, err := f.desk.Login("sup", "sbagliata-sbagliata"); !errors.Is(err, pinsede.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if _, err := f.desk.Login("sup", "password-lunga"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("locked account let in: %v", err)
	}
	if _, err := f.desk.Login("nessuno", "password-lunga"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("unknown operator: %v", err)
	}
	f.now = f.now.Add(pinsede.LockoutBase + time.Second)
	if _, err := f.desk.Login("sup", "password-lunga"); err != nil {
		t.Fatalf("lock did not end: %v", err)
	}
}

// Ensure that only supervisors manage operators, that a disabled operator
// cannot log in, and that the last supervisor stays.
func TestOperators(t *testing.T) {
	f := newFixture(t)
	op := pinsede.NewOperator{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "un'altra-password"}
	if err := f.desk.AddOperator(f.sup, op); err != nil {
		t.Fatal(err)
	}
	var es pinsede.FieldErrors
	if err := f.desk.AddOperator(f.sup, op); !errors.As(err, &es) {
		t.Fatalf("duplicate id: %v", err)
	}
	s, err := f.desk.Login("op1", "un'altra-password")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.desk.AddOperator(s, pinsede.NewOperator{ID: "op2", Name: "X", Role: pinsede.RoleOperatore, Password: "0123456789"}); !errors.Is(err, pinsede.ErrForbidden) {
		t.Fatalf("operatore added an operator: %v", err)
	}
	if err := f.desk.DisableOperator(f.sup, "sup"); !errors.Is(err, pinsede.ErrLastSupervisor) {
		t.Fatalf("last supervisor disabled: %v", err)
	}
	if err := f.desk.DisableOperator(f.sup, "op1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Login("op1", "un'altra-password"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("disabled operator let in: %v", err)
	}
	ops, err := f.desk.Operators(f.sup)
	if err != nil || len(ops) != 2 {
		t.Fatalf("operators %v, %v", ops, err)
	}
}

// Ensure that search finds a person by code (in any case) and by name, and
// that an omocode, another person's code, does not find them.
func TestSearch(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []pinsede.SearchQuery{
		{CodiceFiscale: "rssmra80a01h501u"},
		{Cognome: "ROSSI", Nome: "mario"},
		{Cognome: "Rossi", Nome: "Mario", DataNascita: pinsede.Date{Year: 1980, Month: 1, Day: 1}},
	} {
		got, err := f.desk.Search(f.sup, q)
		if err != nil || len(got) != 1 || got[0].Request.Cognome != "Rossi" {
			t.Errorf("Search(%+v) = %v, %v", q, got, err)
		}
	}
	if got, err := f.desk.Search(f.sup, pinsede.SearchQuery{CodiceFiscale: "RSSMRA80A01H50MM"}); err != nil || len(got) != 0 {
		t.Errorf("an omocode found %v, %v", got, err)
	}
	got, err := f.desk.Search(f.sup, pinsede.SearchQuery{Cognome: "Rossi", Nome: "Mario", DataNascita: pinsede.Date{Year: 1981, Month: 1, Day: 1}})
	if err != nil || len(got) != 0 {
		t.Errorf("wrong birth date found %v, %v", got, err)
	}
	var es pinsede.FieldErrors
	if _, err := f.desk.Search(f.sup, pinsede.SearchQuery{Cognome: "Rossi"}); !errors.As(err, &es) {
		t.Errorf("surname alone: %v", err)
	}
}

// Ensure that a lost slip is replaced only with another supervisor's
// approval, and that the replacement revokes the old PIN, prints a new one
// and records it.
func TestReplaceSlip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := clerkAndApprover(t, f)
	first, err := f.desk.Issue(ctx, op, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	id := first.Credential.ID

	refused := []struct {
		name string
		s    *pinsede.Session
		a    pinsede.Approval
		want error
	}{
		{"self", f.sup, pinsede.Approval{SupervisorID: "sup", Password: "password-lunga"}, pinsede.ErrSameApprover},
		{"self, operatore", op, pinsede.Approval{SupervisorID: "op1", Password: "password-op1"}, pinsede.ErrSameApprover},
		{"not a supervisor", f.sup, pinsede.Approval{SupervisorID: "op1", Password: "password-op1"}, pinsede.ErrForbidden},
		{"wrong password", op, pinsede.Approval{SupervisorID: "sup2", Password: "sbagliata-sbagliata"}, pinsede.ErrBadCredentials},
		{"unknown approver", op, pinsede.Approval{SupervisorID: "nessuno", Password: "password-sup2"}, pinsede.ErrBadCredentials},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			if _, err := f.desk.ReplaceSlip(ctx, c.s, id, pinsede.ReasonSlipLost, verification(), c.a); !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
		})
	}
	if len(f.printer.pins) != 1 {
		t.Fatalf("a refused replacement printed: %d slips", len(f.printer.pins))
	}
	var es pinsede.FieldErrors
	if _, err := f.desk.ReplaceSlip(ctx, op, id, "per capriccio", verification(), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"}); !errors.As(err, &es) {
		t.Fatalf("unknown reason: %v", err)
	}
	// The wrong password counted towards the approver's lock-out.
	ops, err := f.desk.Operators(f.sup)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		if o.ID == "sup2" && o.FailedLogins != 1 {
			t.Fatalf("sup2 failed logins %d, want 1", o.FailedLogins)
		}
	}

	forms := &fakeForms{}
	f.desk.Forms = forms
	out, err := f.desk.ReplaceSlip(ctx, op, id, pinsede.ReasonSlipSpoiled, verification(), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credential
	if len(forms.rendered) != 1 || !forms.rendered[0].Replaces || forms.rendered[0].Document.Number != verification().Document.Number {
		t.Fatalf("MV35 of the replacement %+v", forms.rendered)
	}
	err = f.store.View(func(tx pinsede.Tx) error {
		_, err := tx.Document(c.ID, pinsede.DocumentMV35)
		return err
	})
	if err != nil {
		t.Fatalf("MV35 of the replacement not archived: %v", err)
	}
	if c.ID == id || c.SlipSerial == first.Credential.SlipSerial || !c.Active(f.now) || c.PrintedAt.IsZero() {
		t.Fatalf("new credential %+v", c)
	}
	if len(out.Replaced) != 1 || out.Replaced[0].State != pinsede.StateRevocato || out.Replaced[0].RevokeReason != pinsede.ReasonSlipSpoiled {
		t.Fatalf("replaced %+v", out.Replaced)
	}
	if len(f.printer.pins) != 2 || f.printer.pins[0] == f.printer.pins[1] {
		t.Fatalf("want a second slip with another PIN, got %d slips", len(f.printer.pins))
	}
	if ok, err := pinsede.VerifySecret(c.PINHash, []byte(f.printer.pins[1])); !ok || err != nil {
		t.Fatalf("printed PIN does not match the new hash: %v", err)
	}
	if s := f.printer.slips[1]; s.Serial != c.SlipSerial || s.Citizen.Cognome != "Rossi" {
		t.Fatalf("slip %+v", s)
	}
	if _, err := f.desk.ReplaceSlip(ctx, op, id, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"}); !errors.Is(err, pinsede.ErrNotActive) {
		t.Fatalf("replacing a revoked slip: %v", err)
	}

	cp, err := f.desk.Citizen(f.sup, "RSSMRA80A01H501U")
	if err != nil {
		t.Fatal(err)
	}
	var replaced *pinsede.AuditEntry
	for i, e := range cp.History {
		if e.Action == pinsede.ActionSlipReplaced {
			replaced = &cp.History[i]
		}
	}
	want := "busta " + first.Credential.SlipSerial + " → " + c.SlipSerial + ", approvato da sup2; documento passaporto_estero n. PAA123456 (ES), scade il 03/05/2030"
	if replaced == nil || replaced.Detail != want || replaced.Actor != "op1" || replaced.Credential != c.ID {
		t.Fatalf("audit entry %+v, want detail %q", replaced, want)
	}
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	var revoked, issued bool
	for _, it := range items {
		revoked = revoked || (it.Event.Kind == pinsede.EventRevoked && it.Event.Credential.ID == id)
		issued = issued || (it.Event.Kind == pinsede.EventIssued && it.Event.Credential.ID == c.ID)
	}
	if !revoked || !issued {
		t.Fatalf("outbox: revoked %v, issued %v", revoked, issued)
	}
}

// Ensure that only a supervisor saves the settings, that a bad queue name
// is refused, and that a change is stored and audited once.
func TestSettings(t *testing.T) {
	f := newFixture(t)
	if st, err := f.desk.Settings(); err != nil || st.PrinterQueue != "" {
		t.Fatalf("settings before any save: %+v, %v", st, err)
	}
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		s     *pinsede.Session
		queue string
		want  error // nil: a field problem
	}{
		{"operatore", op, "sportello1", pinsede.ErrForbidden},
		{"space in the name", f.sup, "sportello 1", nil},
		{"too long", f.sup, strings.Repeat("a", 128), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := f.desk.SaveSettings(c.s, pinsede.Settings{PrinterQueue: c.queue})
			var es pinsede.FieldErrors
			if c.want == nil && !errors.As(err, &es) || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("want %v (nil: field problem), got %v", c.want, err)
			}
		})
	}
	for range 2 { // the second save changes nothing and audits nothing
		if err := f.desk.SaveSettings(f.sup, pinsede.Settings{PrinterQueue: " sportello1 "}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := f.desk.Settings()
	if err != nil || st.PrinterQueue != "sportello1" || st.UpdatedBy != "sup" {
		t.Fatalf("settings %+v, %v", st, err)
	}
	var changes []pinsede.AuditEntry
	err = f.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == pinsede.ActionSettingsChanged {
			changes = append(changes, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Detail != "stampante: nessuna → sportello1" || changes[0].Actor != "sup" {
		t.Fatalf("audit of the change %+v", changes)
	}
}

// fakeForms renders a stand-in PDF and keeps the forms it was given; the
// real renderer is ui/slip's, tested there and in local.
type fakeForms struct{ rendered []pinsede.MV35Data }

func (*fakeForms) RenderInfoSheet() ([]byte, error) { return []byte("%PDF-1.7 fake"), nil }

func (*fakeForms) RenderReconciliation(pinsede.Reconciliation) ([]byte, error) {
	return []byte("%PDF-1.7 fake"), nil
}

func (f *fakeForms) RenderMV35(d pinsede.MV35Data) ([]byte, error) {
	f.rendered = append(f.rendered, d)
	return []byte("%PDF-1.7 " + d.Request.Cognome), nil
}

// documents is a DocumentPrinter that keeps the titles it printed.
type documents struct{ titles []string }

func (p *documents) PrintDocument(_ context.Context, title string, _ []byte) error {
	p.titles = append(p.titles, title)
	return nil
}

// Ensure that the MV35 is printed for signature only with a renderer and a
// printer, only for a valid request, and that the print is audited.
func TestPrintMV35(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.desk.PrintMV35(ctx, f.sup, request(), verification().Document); !errors.Is(err, pinsede.ErrNoPrinter) {
		t.Fatalf("without a printer: %v", err)
	}
	forms, docs := &fakeForms{}, &documents{}
	f.desk.Forms, f.desk.Documents = forms, docs
	bad := request()
	bad.Cognome = ""
	var es pinsede.FieldErrors
	if err := f.desk.PrintMV35(ctx, f.sup, bad, verification().Document); !errors.As(err, &es) {
		t.Fatalf("invalid request: %v", err)
	}
	if err := f.desk.PrintMV35(ctx, f.sup, request(), verification().Document); err != nil {
		t.Fatal(err)
	}
	if len(docs.titles) != 1 || docs.titles[0] != "mv35-ROMA01" || forms.rendered[0].Operator != "Anna Bianchi" || forms.rendered[0].Replaces {
		t.Fatalf("printed %v from %+v", docs.titles, forms.rendered)
	}
	printed := false
	err := f.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		printed = printed || (e.Action == pinsede.ActionMV35Printed && e.Subject == "RSSMRA80A01H501U")
		return nil
	})
	if err != nil || !printed {
		t.Fatalf("MV35 print not audited: %v", err)
	}
}

// Ensure that an empty password, an Enter pressed on an empty field, is
// not a failed attempt: Login (whoever the id names), Unlock,
// ChangePassword and a supervisor's approval answer ErrNoPassword and count
// nothing, so that MaxFailedLogins of them do not lock the account out.
// (ChangePassword counted each.)
func TestEmptyPasswordNotCounted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	for range pinsede.MaxFailedLogins + 1 {
		if err := f.desk.Unlock(f.sup, ""); !errors.Is(err, pinsede.ErrNoPassword) {
			t.Fatalf("Unlock with no password: %v, want ErrNoPassword", err)
		}
		for _, id := range []string{"sup", "nessuno"} {
			if _, err := f.desk.Login(id, ""); !errors.Is(err, pinsede.ErrNoPassword) {
				t.Fatalf("Login of %q with no password: %v, want ErrNoPassword", id, err)
			}
		}
		if _, err := f.desk.ReplaceSlip(ctx, op, "nessuna", pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup"}); !errors.Is(err, pinsede.ErrNoPassword) {
			t.Fatalf("approval with no password: %v, want ErrNoPassword", err)
		}
		if err := f.desk.ChangePassword(f.sup, "", "una-nuova-password"); !errors.Is(err, pinsede.ErrNoPassword) {
			t.Fatalf("ChangePassword with no current password: %v, want ErrNoPassword", err)
		}
	}
	if n := failedLogins(t, f, "sup"); n != 0 {
		t.Errorf("empty passwords counted %d failed logins, want 0", n)
	}
	if err := f.desk.Unlock(f.sup, "password-lunga"); err != nil {
		t.Errorf("after the empty passwords, the right one: %v", err)
	}
}
