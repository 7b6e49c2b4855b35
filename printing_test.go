package pinsede_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// panicPrinter is a printer whose PrintSlip panics, as a bug in the
// slip's rendering or in the decoding of the printer's answer would.
type panicPrinter struct{}

func (panicPrinter) PrintSlip(context.Context, pinsede.Slip) error { panic("ipp: short attribute") }

// blockingPrinter is a printer whose PrintSlip says it started (entered)
// and then waits for release, as a print waiting on a slow queue does.
type blockingPrinter struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlockingPrinter() *blockingPrinter {
	return &blockingPrinter{entered: make(chan struct{}), release: make(chan struct{})}
}

func (p *blockingPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	p.once.Do(func() { close(p.entered) })
	<-p.release
	return nil
}

// Ensure that a printer that panics after the issue's commit ends as a
// print that failed: ErrPrint, the new PIN revoked for ReasonPrintFailed,
// and an outbox that says so. (The panic went up to the desk's window,
// which told the clerk to retry; the PIN stayed active with no slip.)
func TestIssuePrinterPanics(t *testing.T) {
	f := newFixture(t)
	f.desk.Printer = panicPrinter{}
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if !errors.Is(err, pinsede.ErrPrint) {
		t.Fatalf("issue with a printer that panics: %v, want ErrPrint", err)
	}
	creds := credentials(t, f.store)
	if len(creds) != 1 || creds[0].State != pinsede.StateRevocato || creds[0].RevokeReason != pinsede.ReasonPrintFailed || creds[0].ID != out.Credential.ID {
		t.Fatalf("after the panic the credentials are %+v, want the new one revoked as not printed", creds)
	}
	if got := outboxKinds(t, f.store); !slices.Equal(got, []pinsede.EventKind{pinsede.EventIssued, pinsede.EventRevoked}) {
		t.Errorf("outbox %v", got)
	}
	if n, err := f.desk.RecoverPrints(); n != 0 || err != nil {
		t.Errorf("RecoverPrints after a panic already dealt with: %d, %v", n, err)
	}
}

// Ensure that an issue whose print is cut short (the desk's program ends
// mid-print, its store left as the crash left it) is treated, at the
// desk's next start, as a print that failed: the new PIN revoked for
// ReasonPrintFailed with its audit entry and outbox event, the request
// kept again as the draft, the slip told once to its operator, no
// handover of it, and a reconciliation that counts it voided. Before,
// the PIN stayed active with no slip, listed as an envelope to hand over,
// and its handover was recorded.
func TestPrintCutShortRecoveredAtStart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.desk.Issue(ctx, f.sup, request(), verification()) // printed
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{pinsede.FieldCognome: "Rossi", pinsede.FieldNome: "Mario"}
	if err := f.desk.SaveDraft(f.sup, pinsede.DraftVerify, fields); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	p, done := issuePrinting(f)
	creds := credentials(t, f.store)
	second := creds[0]
	if second.ID == first.Credential.ID || second.State != pinsede.StateAttivo {
		t.Fatalf("printing: credentials %+v", creds)
	}
	if _, err := f.desk.RecordHandover(f.sup, second.ID); !errors.Is(err, pinsede.ErrNotPrinted) {
		t.Errorf("handover of a slip printing: %v, want ErrNotPrinted", err)
	}
	if u, err := f.desk.PendingHandovers(f.sup); err != nil || len(u) != 0 {
		t.Errorf("slips to hand over while printing: %+v, %v", u, err)
	}

	// The program ends mid-print: its store closes, and opens again.
	path := f.store.Path()
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	st, d := openAgain(t, path, f.desk.Now)
	if n, err := d.RecoverPrints(); n != 1 || err != nil {
		t.Fatalf("RecoverPrints: %d, %v; want the one cut short", n, err)
	}
	close(p.release) // the old program's print ends on a closed store
	if r := <-done; r.err == nil {
		t.Error("the issue cut short returned no error")
	}

	creds = credentials(t, st)
	if len(creds) != 2 || creds[0].ID != second.ID || creds[0].State != pinsede.StateRevocato || creds[0].RevokeReason != pinsede.ReasonPrintFailed || !creds[0].PrintedAt.IsZero() {
		t.Fatalf("after the recovery the new credential is %+v, want it revoked as not printed", creds[0])
	}
	if creds[1].RevokeReason != pinsede.ReasonReplaced {
		t.Errorf("the first PIN is %+v, want it replaced", creds[1])
	}
	if got := outboxKinds(t, st); !slices.Equal(got, []pinsede.EventKind{
		pinsede.EventIssued, pinsede.EventRevoked, pinsede.EventIssued, pinsede.EventRevoked, // the first replaced, the second not printed
	}) {
		t.Errorf("outbox %v", got)
	}
	if n, err := d.RecoverPrints(); n != 0 || err != nil {
		t.Errorf("RecoverPrints again: %d, %v; want none", n, err)
	}

	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	dr, ok, err := d.Draft(s)
	if err != nil || !ok || dr.Step != pinsede.DraftVerify || dr.Fields[pinsede.FieldCognome] != "Rossi" {
		t.Errorf("draft after the recovery: %+v, %v, %v; want the request kept again", dr, ok, err)
	}
	un, err := d.UnprintedSlips(s)
	if err != nil || len(un) != 1 || un[0].SlipSerial != second.SlipSerial || un[0].Citizen != "Rossi Mario" ||
		un[0].CodiceFiscale != second.CodiceFiscale || un[0].Credential != second.ID {
		t.Fatalf("slips not printed told at the login: %+v, %v", un, err)
	}
	if again, err := d.UnprintedSlips(s); err != nil || len(again) != 1 {
		t.Errorf("told again before the notice was closed: %+v, %v; want the slip", again, err)
	}
	if err := d.ForgetUnprinted(s, un); err != nil {
		t.Fatal(err)
	}
	if un, err := d.UnprintedSlips(s); err != nil || len(un) != 0 {
		t.Errorf("told after the notice was closed: %+v, %v", un, err)
	}
	if u, err := d.PendingHandovers(s); err != nil || len(u) != 0 {
		t.Errorf("slips to hand over after the recovery: %+v, %v", u, err)
	}
	if _, err := d.RecordHandover(s, second.ID); !errors.Is(err, pinsede.ErrNotActive) {
		t.Errorf("handover of the slip never printed: %v, want ErrNotActive", err)
	}
	r, err := d.Reconciliation(s, pinsede.DateOf(f.now), pinsede.ScopeDesk)
	if err != nil {
		t.Fatal(err)
	}
	want := pinsede.ReconciliationRow{Printed: 1, Issued: 2, Voided: 1, Revoked: 1}
	if got := r.Total; got != want {
		t.Errorf("reconciliation %+v, want %+v", got, want)
	}
	if len(r.Mismatches) != 1 || r.Mismatches[0].Credential != first.Credential.ID {
		t.Errorf("mismatches %+v; want the first slip only, printed and never handed over", r.Mismatches)
	}

	// A sibling desk that pulled these events counts the same.
	b := newFixture(t)
	b.desk.DeskID = "02"
	if _, err := b.desk.ApplyPulled(20, sedeChanges(t, &fixture{store: st}, "01", 1), b.now); err != nil {
		t.Fatal(err)
	}
	r, err = b.desk.Reconciliation(b.sup, pinsede.DateOf(f.now), pinsede.ScopeSede)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Total; got != want {
		t.Errorf("the sibling desk's reconciliation of the sede %+v, want %+v", got, want)
	}
	if len(r.Mismatches) != 1 || r.Mismatches[0].Credential != first.Credential.ID {
		t.Errorf("the sibling desk's mismatches %+v; want the first slip only", r.Mismatches)
	}
}

// issueResult is the outcome of an issue run in its own goroutine.
type issueResult struct {
	out pinsede.Issued
	err error
}

// issuePrinting starts f's issue of request() with a printer that holds
// the slip, and returns once the issue is committed and its slip
// printing: the printer, to release, and the issue's outcome to come.
func issuePrinting(f *fixture) (*blockingPrinter, <-chan issueResult) {
	p := newBlockingPrinter()
	f.desk.Printer = p
	done := make(chan issueResult, 1)
	go func() {
		out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
		done <- issueResult{out, err}
	}()
	<-p.entered
	return p, done
}

// openAgain opens the closed store at path, as the desk's next start
// does, and returns it with a desk on it on the clock now.
func openAgain(t *testing.T, path string, now func() time.Time) (*local.Store, *pinsede.Desk) {
	t.Helper()
	st, err := local.Open(path, filepath.Join(filepath.Dir(path), "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := pinsede.NewDesk(st, &capture{}, now)
	d.PINParams, d.PasswordParams = cheap, cheap
	return st, d
}

// credentials returns the credentials of request()'s citizen on st,
// newest first.
func credentials(t *testing.T, st *local.Store) []pinsede.Credential {
	t.Helper()
	var out []pinsede.Credential
	if err := st.View(func(tx pinsede.Tx) error {
		var err error
		out, err = tx.Credentials(request().CodiceFiscale)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// outboxKinds returns the kinds of the events in the outbox of st.
func outboxKinds(t *testing.T, st *local.Store) []pinsede.EventKind {
	t.Helper()
	items, err := st.OutboxAfter(0, 100, 1<<24)
	if err != nil {
		t.Fatal(err)
	}
	var out []pinsede.EventKind
	for _, it := range items {
		out = append(out, it.Event.Kind)
	}
	return out
}

// printKillEnv tells the test binary, run again by TestPrintKilled, to be
// the child that issues a PIN and is killed mid-print, or once printed:
// its value is the store's folder. printKillNowEnv is the desk's clock,
// the parent's; printKillPrintedEnv, when set, has the print end and the
// child held as it starts to record it.
const (
	printKillEnv        = "PINSEDE_PRINTKILL_STORE"
	printKillNowEnv     = "PINSEDE_PRINTKILL_NOW"
	printKillPrintedEnv = "PINSEDE_PRINTKILL_PRINTED"
)

// hold says what on stdout and holds as long as the child's stdin, which
// the parent never writes to, stays open: until the process is killed.
func hold(what string) error {
	os.Stdout.WriteString(what + "\n")
	io.Copy(io.Discard, os.Stdin)
	return errors.New("the parent closed the child's stdin")
}

// stuckPrinter is the child's printer: it holds the slip (hold). With a
// store, it prints at once and has the store hold its next transaction,
// the print's record.
type stuckPrinter struct{ store *holdStore }

func (p stuckPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	if p.store == nil {
		return hold("printing")
	}
	p.store.held = true
	return nil
}

// holdStore is the child's store: once held, its next Update holds
// (hold) before it begins.
type holdStore struct {
	pinsede.Store
	held bool
}

func (s *holdStore) Update(fn func(pinsede.Tx) error) error {
	if s.held {
		return hold("printed")
	}
	return s.Store.Update(fn)
}

// TestPrintKilledChild is not a test: it is the child process of
// TestPrintKilled. It opens the store, logs the supervisor in and issues
// a PIN, whose print, or the record of its print, never ends.
func TestPrintKilledChild(t *testing.T) {
	dir := os.Getenv(printKillEnv)
	if dir == "" {
		t.Skip("the child process of TestPrintKilled")
	}
	now, err := time.Parse(time.RFC3339Nano, os.Getenv(printKillNowEnv))
	if err != nil {
		t.Fatal(err)
	}
	st, err := local.Open(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	d := pinsede.NewDesk(st, stuckPrinter{}, func() time.Time { return now })
	if os.Getenv(printKillPrintedEnv) != "" {
		hs := &holdStore{Store: st}
		d.Store, d.Printer = hs, stuckPrinter{store: hs}
	}
	d.PINParams, d.PasswordParams = cheap, cheap
	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Issue(context.Background(), s, request(), verification())
	t.Fatalf("the issue returned (%v): its print never ends", err)
}

// Ensure that a desk's process killed (SIGKILL) mid-print, or once the
// printer returned and before the print was recorded, on a real store,
// leaves a slip that the next start takes as a print cut short: the PIN
// revoked for ReasonPrintFailed, its event in the outbox, and its
// operator told at the login that its print was not recorded (the
// envelope, if it printed, void).
func TestPrintKilled(t *testing.T) {
	for _, printed := range []bool{false, true} {
		f := newFixture(t)
		path := f.store.Path()
		if err := f.store.Close(); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestPrintKilledChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), printKillEnv+"="+filepath.Dir(path), printKillNowEnv+"="+f.now.Format(time.RFC3339Nano))
		want := "printing\n"
		if printed {
			cmd.Env, want = append(cmd.Env, printKillPrintedEnv+"=1"), "printed\n"
		}
		killChildAt(t, cmd, want)

		st, d := openAgain(t, path, f.desk.Now)
		creds := credentials(t, st)
		if len(creds) != 1 || creds[0].State != pinsede.StateAttivo || !creds[0].PrintedAt.IsZero() {
			t.Fatalf("after the kill (%s) the credentials are %+v, want the one printing, active", want, creds)
		}
		if n, err := d.RecoverPrints(); n != 1 || err != nil {
			t.Fatalf("RecoverPrints: %d, %v; want the one killed at %s", n, err, want)
		}
		creds = credentials(t, st)
		if c := creds[0]; c.State != pinsede.StateRevocato || c.RevokeReason != pinsede.ReasonPrintFailed {
			t.Errorf("after the restart the credential is %+v, want it revoked as not printed", c)
		}
		if got := outboxKinds(t, st); !slices.Equal(got, []pinsede.EventKind{pinsede.EventIssued, pinsede.EventRevoked}) {
			t.Errorf("outbox %v", got)
		}
		s, err := d.Login("sup", "password-lunga")
		if err != nil {
			t.Fatal(err)
		}
		if un, err := d.UnprintedSlips(s); err != nil || len(un) != 1 || un[0].SlipSerial != creds[0].SlipSerial {
			t.Errorf("slips told at the login after the kill at %s: %+v, %v", want, un, err)
		}
	}
}

// killChildAt starts cmd, waits for it to say line on stdout, and kills
// it (SIGKILL: nothing deferred runs).
func killChildAt(t *testing.T, cmd *exec.Cmd, line string) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe() // open until the kill: the child holds
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(out).ReadString('\n')
	if got != line {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child said %q, %v; want %q", got, err, line)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

// Ensure that the handover of a slip this desk issued and never printed
// is refused, even with no slip kept as printing (a print cut short on a
// desk of before they were kept): the state machine checks only that the
// envelope was not handed over yet, and the handover was recorded. A
// sibling desk's credential, which has no print here, is handed over
// (TestApplySedeEvents).
func TestHandoverOfUnprintedSlip(t *testing.T) {
	f := newFixture(t)
	f.desk.DeskID = "01"
	f.store.SetDesk("01")
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Update(func(tx pinsede.Tx) error {
		c := out.Credential
		c.PrintedAt = time.Time{} // as an older desk left a print cut short
		return tx.PutCredential(c)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.RecordHandover(f.sup, out.Credential.ID); !errors.Is(err, pinsede.ErrNotPrinted) {
		t.Errorf("handover of a slip never printed: %v, want ErrNotPrinted", err)
	}
	if u, err := f.desk.PendingHandovers(f.sup); err != nil || len(u) != 0 {
		t.Errorf("slips to hand over: %+v, %v; want none", u, err)
	}
}

// pullDuringPrint is a printer that, while it prints, has the desk apply
// centrale's revocation of the credential printing (a pull between the
// commit and the record of the print), then fails with err, if any.
type pullDuringPrint struct {
	t    *testing.T
	desk *pinsede.Desk
	err  error
}

func (p *pullDuringPrint) PrintSlip(_ context.Context, s pinsede.Slip) error {
	var id string
	err := p.desk.Store.View(func(tx pinsede.Tx) error {
		ps, err := tx.Printing()
		if len(ps) == 1 {
			id = ps[0].Credential
		}
		return err
	})
	if err != nil || id == "" {
		p.t.Errorf("the slip printing: %q, %v", id, err)
		return err
	}
	ch := pinsede.Change{Seq: 1, Kind: pinsede.ChangeRevoked, Time: p.desk.Now(), Sede: s.Sede.Code,
		CredentialID: id, CodiceFiscale: s.Citizen.CodiceFiscale, Reason: "furto"}
	if _, err := p.desk.ApplyPulled(1, []pinsede.Change{ch}, p.desk.Now()); err != nil {
		p.t.Error(err)
	}
	return p.err
}

// Ensure that a revocation pulled from centrale while a slip prints
// stays: the record of the print wrote the credential as it was before
// the print, active, over it (the desk then held active a PIN centrale
// had revoked), and a failed print revoked it again with an event of
// its own. A slip that printed is told void (ErrRevokedWhilePrinting):
// the clerk was told to hand it over.
func TestPulledDuringPrint(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{{"printed", nil}, {"print failed", errors.New("carta esaurita")}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.desk.Printer = &pullDuringPrint{t: t, desk: f.desk, err: tc.err}
			got, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
			if !errors.Is(err, pinsede.ErrPrint) || (tc.err == nil) != errors.Is(err, pinsede.ErrRevokedWhilePrinting) {
				t.Fatalf("issue: %v; want a print failure, told as revoked meanwhile if it printed", err)
			}
			var stored pinsede.Credential
			if err := f.store.View(func(tx pinsede.Tx) (err error) { stored, err = tx.Credential(got.Credential.ID); return err }); err != nil {
				t.Fatal(err)
			}
			if stored.State != pinsede.StateRevocato || stored.RevokedBy != pinsede.ActorCentrale || !strings.Contains(stored.RevokeReason, "furto") {
				t.Errorf("stored after the print: %s by %q (%s), want revoked at centrale", stored.State, stored.RevokedBy, stored.RevokeReason)
			}
			if tc.err == nil && stored.PrintedAt.IsZero() {
				t.Error("the print is not recorded")
			}
			if got.Credential.State != stored.State {
				t.Errorf("issue returned %s, the store holds %s", got.Credential.State, stored.State)
			}
			if kinds := outboxKinds(t, f.store); slices.Contains(kinds, pinsede.EventRevoked) {
				t.Errorf("outbox %v: a revocation of the desk's own over centrale's", kinds)
			}
		})
	}
}
