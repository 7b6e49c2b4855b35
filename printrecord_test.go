package pinsede_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/pinsede/pinsede"
)

// errCommitFailed is the failure failCommit gives a transaction's commit.
var errCommitFailed = errors.New("write /srv/sportello.db: input/output error")

// failCommit is the desk's store whose next Update, once armed, fails
// as a commit that hit a disk error does: the transaction runs on the
// real store and is rolled back. The printer arms it, so that the
// transaction that records the print fails and the next one commits.
type failCommit struct {
	pinsede.Store
	armed bool
}

func (s *failCommit) Update(fn func(pinsede.Tx) error) error {
	if !s.armed {
		return s.Store.Update(fn)
	}
	s.armed = false
	return s.Store.Update(func(tx pinsede.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errCommitFailed
	})
}

// armingPrinter prints, and arms its store to fail the next commit.
type armingPrinter struct{ store *failCommit }

func (p armingPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	p.store.armed = true
	return nil
}

// Ensure that a slip printed whose print the store failed to record is
// voided at once: the error says the envelope printed and was not
// recorded (ErrPrintNotRecorded, with ErrPrint: not to be handed over),
// the PIN is revoked as a print that failed, with its event, and nothing
// is left for the next start. Before, the issue returned an error the
// desk told as an internal one ("record print of ..."), the PIN stayed
// active with the envelope in the clerk's hand, and the next start
// revoked it saying the slip was not printed.
func TestPrintNotRecordedVoided(t *testing.T) {
	f := newFixture(t)
	st := &failCommit{Store: f.store}
	f.desk.Store, f.desk.Printer = st, armingPrinter{store: st}
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	var p *pinsede.Problem
	if !errors.Is(err, pinsede.ErrPrint) || !errors.Is(err, pinsede.ErrPrintNotRecorded) || !errors.As(err, &p) || p.Key != pinsede.KeyPrintNotRecorded {
		t.Fatalf("issue whose print was not recorded: %v, want ErrPrint and ErrPrintNotRecorded, key %s", err, pinsede.KeyPrintNotRecorded)
	}
	if !errors.Is(err, errCommitFailed) {
		t.Errorf("the error %v does not say why the print was not recorded", err)
	}
	creds := credentials(t, f.store)
	if len(creds) != 1 || creds[0].ID != out.Credential.ID || creds[0].State != pinsede.StateRevocato ||
		creds[0].RevokeReason != pinsede.ReasonPrintFailed || !creds[0].PrintedAt.IsZero() {
		t.Fatalf("after the print not recorded the credentials are %+v, want the new one revoked as not printed", creds)
	}
	if out.Credential.State != pinsede.StateRevocato {
		t.Errorf("the issue returned %+v, want it revoked", out.Credential)
	}
	if got := outboxKinds(t, f.store); !slices.Equal(got, []pinsede.EventKind{pinsede.EventIssued, pinsede.EventRevoked}) {
		t.Errorf("outbox %v", got)
	}
	if n, err := f.desk.RecoverPrints(); n != 0 || err != nil {
		t.Errorf("RecoverPrints after the print voided: %d, %v; want none", n, err)
	}
	if un, err := f.desk.UnprintedSlips(f.sup); err != nil || len(un) != 0 {
		t.Errorf("slips told at the login after the print voided at once: %+v, %v", un, err)
	}
}

// Ensure that a slip printed whose print could not be recorded, nor its
// PIN revoked (the store closed as the printer returned), is told as
// printed and not recorded, its PIN still active, and is revoked at the
// next start and told to its operator at their login. Before, the issue
// returned "record print of ..." with no ErrPrint.
func TestPrintNotRecordedStoreClosed(t *testing.T) {
	f := newFixture(t)
	p, done := issuePrinting(f)
	path := f.store.Path()
	if err := f.store.Close(); err != nil { // the store fails as the print ends
		t.Fatal(err)
	}
	close(p.release)
	r := <-done
	if !errors.Is(r.err, pinsede.ErrPrint) || !errors.Is(r.err, pinsede.ErrPrintNotRecorded) {
		t.Fatalf("issue whose print was not recorded: %v, want ErrPrint and ErrPrintNotRecorded", r.err)
	}
	if r.out.Credential.State != pinsede.StateAttivo || r.out.Credential.SlipSerial == "" {
		t.Errorf("the issue returned %+v, want it as stored: active, its revocation left to the next start", r.out.Credential)
	}

	st, d := openAgain(t, path, f.desk.Now)
	if n, err := d.RecoverPrints(); n != 1 || err != nil {
		t.Fatalf("RecoverPrints: %d, %v; want the slip not recorded", n, err)
	}
	if c := credentials(t, st)[0]; c.ID != r.out.Credential.ID || c.State != pinsede.StateRevocato || c.RevokeReason != pinsede.ReasonPrintFailed {
		t.Errorf("after the restart the credential is %+v, want it revoked", c)
	}
	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if un, err := d.UnprintedSlips(s); err != nil || len(un) != 1 || un[0].SlipSerial != r.out.Credential.SlipSerial {
		t.Errorf("slips told at the login: %+v, %v; want the one not recorded", un, err)
	}
}

// Ensure that a slip that printed after the desk, started again in the
// same process, took its print as cut short is told as printed and not
// recorded, with its PIN as stored: revoked. Before, the issue said the
// slip was not printed, and returned its PIN as active.
func TestPrintedAfterTakenAsCutShort(t *testing.T) {
	f := newFixture(t)
	p, done := issuePrinting(f)
	again := pinsede.NewDesk(f.store, &capture{}, f.desk.Now) // the desk starts again on the same store
	if n, err := again.RecoverPrints(); n != 1 || err != nil {
		t.Fatalf("RecoverPrints: %d, %v; want the slip printing", n, err)
	}
	close(p.release) // the print ends: the slip is out
	r := <-done
	if !errors.Is(r.err, pinsede.ErrPrint) || !errors.Is(r.err, pinsede.ErrPrintNotRecorded) {
		t.Errorf("issue printed after its print was taken: %v, want ErrPrint and ErrPrintNotRecorded", r.err)
	}
	if c := r.out.Credential; c.State != pinsede.StateRevocato || c.RevokeReason != pinsede.ReasonPrintFailed {
		t.Errorf("the issue returned %+v, want it as stored: revoked", c)
	}
}
