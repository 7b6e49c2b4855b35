package pinsede_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// sedeChanges returns the events in f's outbox after seq as the central
// records send them to the sede's other desks: ChangeSedeEvent changes of
// desk, numbered from first.
func sedeChanges(t *testing.T, f *fixture, desk string, first uint64) []pinsede.Change {
	t.Helper()
	items, err := f.store.OutboxAfter(0, 1000, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var out []pinsede.Change
	for _, it := range items {
		ev := it.Event
		ev.Desk = desk
		out = append(out, pinsede.Change{
			Seq: first + uint64(len(out)), Kind: pinsede.ChangeSedeEvent, Time: ev.Time, Sede: ev.Sede, Desk: desk,
			CredentialID: ev.Credential.ID, CodiceFiscale: ev.Credential.CodiceFiscale, Event: &ev,
		})
	}
	return out
}

// counts is what a desk holds, to tell that applying again changes nothing.
type counts struct{ audit, outbox, creds, delegations int }

func countsOf(t *testing.T, f *fixture, cf pinsede.CodiceFiscale) counts {
	t.Helper()
	var c counts
	err := f.store.View(func(tx pinsede.Tx) error {
		a, err := tx.AuditFor(cf)
		if err != nil {
			return err
		}
		cs, err := tx.Credentials(cf)
		if err != nil {
			return err
		}
		ds, err := tx.DelegationsOf(cf)
		if err != nil {
			return err
		}
		n, err := tx.Pending()
		c = counts{len(a), n, len(cs), len(ds)}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that the events of a desk of the sede, pulled as ChangeSedeEvent
// changes, bring its records to another desk of the sede through the state
// machine: the issued PIN with its hash and the citizen's record, its
// handover and revocation, a delegation registered and revoked; each with
// an audit entry naming the desk and the operator, and no outbox event;
// the receiving desk's reconciliation counts none of them.
// Applying them again, or the desk's own events, changes nothing, and the
// sibling's credential then takes the desk's own acts.
func TestApplySedeEvents(t *testing.T) {
	ctx := context.Background()
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	a.now, b.now = a.now.Add(-2*time.Minute), a.now.Add(-2*time.Minute)
	out, err := a.desk.Issue(ctx, a.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	id, cf := out.Credential.ID, out.Credential.CodiceFiscale
	before := countsOf(t, b, cf)
	dl, err := a.desk.RegisterDelegation(a.sup, delegation(t, a, pinsede.FormAA08, 0, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	// As if desk 02's own: skipped.
	if _, err := b.desk.ApplyPulled(5, sedeChanges(t, a, "02", 1), b.now); err != nil {
		t.Fatal(err)
	}
	if got := countsOf(t, b, cf); got != before {
		t.Errorf("the desk's own events applied again: %+v, want %+v", got, before)
	}
	ch := sedeChanges(t, a, "01", 10)
	if _, err := b.desk.ApplyPulled(20, ch, b.now); err != nil {
		t.Fatal(err)
	}
	page, err := b.desk.Citizen(b.sup, cf)
	switch {
	case err != nil:
		t.Fatal(err)
	case page.Unknown || !reflect.DeepEqual(page.Citizen.Request, request()) || page.Citizen.Document != verification().Document:
		t.Errorf("citizen at the sibling desk = %+v, unknown %v; want the MV35 and the document of desk 01", page.Citizen, page.Unknown)
	case len(page.Credentials) != 1 || page.Credentials[0].ID != id || page.Credentials[0].PINHash != out.Credential.PINHash:
		t.Errorf("credentials at the sibling desk = %+v, want desk 01's with its PIN hash", page.Credentials)
	case len(page.Delegations) != 1 || page.Delegations[0].ID != dl.ID:
		t.Errorf("delegations at the sibling desk = %+v, want desk 01's", page.Delegations)
	}
	after := countsOf(t, b, cf)
	if after.outbox != 0 {
		t.Errorf("the sibling desk's outbox holds %d events, want none: centrale has them", after.outbox)
	}
	var named int
	for _, e := range page.History {
		if strings.HasPrefix(e.Detail, "sportello 01: ") || strings.Contains(e.Detail, ": sportello 01: ") {
			named++
			if e.Actor != "sup" || e.Desk != "01" {
				t.Errorf("entry %+v: actor %q, desk %q; want desk 01's operator and desk", e, e.Actor, e.Desk)
			}
		}
	}
	if named != 2 { // the issue, the delegation (about the delegante)
		t.Errorf("%d audit entries name desk 01, want 2: %+v", named, page.History)
	}

	if r, err := b.desk.Reconciliation(b.sup, pinsede.DateOf(b.now), pinsede.ScopeDesk); err != nil || r.Total.Issued != 0 || len(r.Mismatches) != 0 {
		t.Errorf("desk 02's reconciliation = %+v, %v; want none of desk 01's acts", r, err)
	}

	// Again, under other numbers: nothing changes.
	again := countsOf(t, b, cf)
	if _, err := b.desk.ApplyPulled(40, sedeChanges(t, a, "01", 30), b.now); err != nil {
		t.Fatal(err)
	}
	if got := countsOf(t, b, cf); got != again {
		t.Errorf("applied twice: %+v, want %+v", got, again)
	}
	if before.creds != 0 || after.creds != 1 {
		t.Errorf("credentials before %d, after %d; want 0, 1", before.creds, after.creds)
	}

	// Handover at desk 02; desk 01 revokes it and ends the delegation
	// meanwhile: desk 02 takes both; the handover it recorded stays.
	if _, err := b.desk.RecordHandover(b.sup, id); err != nil {
		t.Fatalf("handover at the sibling desk: %v", err)
	}
	a.now, b.now = a.now.Add(time.Minute), b.now.Add(time.Minute)
	seqs := outboxSeqs(t, a)
	if _, err := a.desk.Revoke(a.sup, id, "il cittadino lo ha chiesto"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.desk.RevokeDelegation(a.sup, dl.ID, "revocata dal delegante"); err != nil {
		t.Fatal(err)
	}
	ch = sedeChanges(t, a, "01", 50)[len(seqs):]
	if _, err := b.desk.ApplyPulled(60, ch, b.now); err != nil {
		t.Fatal(err)
	}
	page, err = b.desk.Citizen(b.sup, cf)
	switch {
	case err != nil:
		t.Fatal(err)
	case page.Credentials[0].State != pinsede.StateRevocato || page.Credentials[0].RevokeReason != "il cittadino lo ha chiesto" || page.Credentials[0].HandedOverBy != "sup":
		t.Errorf("credential at desk 02 = %+v, want handed over here and revoked at desk 01", page.Credentials[0])
	case page.Delegations[0].RevokedAt.IsZero():
		t.Errorf("delegation at desk 02 = %+v, want revoked", page.Delegations[0])
	}
}

// outboxSeqs returns the seqs in f's outbox.
func outboxSeqs(t *testing.T, f *fixture) []uint64 {
	t.Helper()
	items, err := f.store.OutboxAfter(0, 1000, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, it := range items {
		out = append(out, it.Seq)
	}
	return out
}

// Ensure that a change of a kind this version does not know, with fields
// it does not know, as a later centrale may send, is read (the sync
// client decodes answers leniently), kept with the cursor after it, and
// otherwise ignored: an older desk pulls on, and acts on nothing it does
// not understand.
func TestApplyPulledUnknownKind(t *testing.T) {
	f := newFixture(t)
	var resp struct{ Changes []pinsede.Change }
	body := `{"changes": [{"seq": 7, "kind": "sede.operator", "time": "2026-11-23T10:00:00Z", "sede": "ROMA01",
		"credential_id": "", "codice_fiscale": "", "desk": "03", "operator": {"id": "l.verdi", "password_hash": "$argon2id$..."}}]}`
	if err := json.NewDecoder(strings.NewReader(body)).Decode(&resp); err != nil {
		t.Fatal(err)
	}
	before := countsOf(t, f, request().CodiceFiscale)
	if _, err := f.desk.ApplyPulled(7, resp.Changes, f.now); err != nil {
		t.Fatal(err)
	}
	if cur, err := f.store.SyncCursor(); err != nil || cur != 7 {
		t.Errorf("cursor %d, %v; want 7", cur, err)
	}
	if got := countsOf(t, f, request().CodiceFiscale); got != before {
		t.Errorf("after an unknown change: %+v, want %+v", got, before)
	}
	ops, err := f.desk.Operators(f.sup)
	if err != nil || len(ops) != 1 {
		t.Errorf("operators %+v, %v; want the supervisor only", ops, err)
	}
}

// Ensure that the acts of a supervisor of desk 01 on an operator account
// reach desk 02 through its pull: the account added logs in at desk 02
// with its password (whose hash alone travelled); disabled at desk 01,
// it is refused at desk 02; enabled again and reset, it logs in with the
// temporary password and must change it; unlocked at desk 01, the
// lock-out counted at desk 02 is lifted. Each act is audited once at desk
// 02, naming desk 01, and leaves desk 02's outbox empty.
func TestApplySedeOperators(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	var sent int // the changes of desk 01's outbox pulled, numbered from 1
	pull := func() {
		t.Helper()
		ch := sedeChanges(t, a, "01", 1)[sent:]
		sent += len(ch)
		if _, err := b.desk.ApplyPulled(uint64(sent), ch, b.now); err != nil {
			t.Fatal(err)
		}
	}
	a.addOperator(t, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-di-luca"})
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); err == nil {
		t.Fatal("logged in at desk 02 before its pull")
	}
	pull()
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); err != nil {
		t.Fatalf("at desk 02 after its pull: %v", err)
	}
	if err := a.desk.DisableOperator(a.sup, "l.verdi"); err != nil {
		t.Fatal(err)
	}
	pull()
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("disabled at desk 01, login at desk 02: %v, want refused", err)
	}
	if err := a.desk.EnableOperator(a.sup, "l.verdi"); err != nil {
		t.Fatal(err)
	}
	if err := a.desk.ResetPassword(a.sup, "l.verdi", "temporanea-123"); err != nil {
		t.Fatal(err)
	}
	pull()
	s, err := b.desk.Login("l.verdi", "temporanea-123")
	if err != nil || !s.Operator.MustChangePassword {
		t.Fatalf("reset at desk 01, login at desk 02: %+v, %v; want in, to change the password", s, err)
	}
	for range pinsede.MaxFailedLogins {
		b.desk.Login("l.verdi", "sbagliata-sbagliata")
	}
	if _, err := b.desk.Login("l.verdi", "temporanea-123"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("locked out at desk 02: %v", err)
	}
	if err := a.desk.UnlockOperator(a.sup, "l.verdi"); err != nil {
		t.Fatal(err)
	}
	pull()
	if _, err := b.desk.Login("l.verdi", "temporanea-123"); err != nil {
		t.Fatalf("unlocked at desk 01, login at desk 02: %v", err)
	}

	// desk01Acts returns the actions of desk 02's audit entries of desk
	// 01's acts on the account.
	desk01Acts := func() string {
		t.Helper()
		var acts []string
		err := b.store.View(func(tx pinsede.Tx) error {
			es, err := tx.AuditOn(pinsede.DateOf(b.now))
			for _, e := range es {
				if e.Desk == "01" && strings.HasPrefix(e.Detail, "sportello 01: l.verdi") {
					acts = append(acts, string(e.Action))
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(acts, " ")
	}
	want := "operator.added operator.password_changed operator.disabled operator.enabled operator.password_reset operator.unlocked" // the first login's change, then the supervisor's
	if got := desk01Acts(); got != want {
		t.Errorf("desk 02's audit of desk 01's acts: %s; want %s", got, want)
	}
	// Pulled again (a pull whose answer was lost): nothing changes.
	if _, err := b.desk.ApplyPulled(uint64(sent), sedeChanges(t, a, "01", 1), b.now); err != nil {
		t.Fatal(err)
	}
	if got := desk01Acts(); got != want {
		t.Errorf("applied twice, desk 02's audit: %s; want %s", got, want)
	}
	// desk 02's outbox holds its own failed logins of l.verdi, one an
	// event, and the lock-out the fifth caused, and nothing of desk 01's
	// acts.
	items, err := b.store.OutboxAfter(0, 10, 1<<20)
	var kinds []string
	for _, it := range items {
		if it.Event.Operator == nil || it.Event.Operator.ID != "l.verdi" || it.Event.Actor != "l.verdi" {
			t.Errorf("desk 02's outbox holds %+v, want l.verdi's own acts", it.Event)
		}
		kinds = append(kinds, string(it.Event.Kind))
	}
	want = strings.Repeat("operator.login_failed ", pinsede.MaxFailedLogins) + "operator.locked"
	if err != nil || strings.Join(kinds, " ") != want {
		t.Fatalf("desk 02's outbox holds %s, %v; want %s", kinds, err, want)
	}
	if id := items[len(items)-1].Event.ID; id != pinsede.LockEventID(items[len(items)-2].Event.ID) {
		t.Errorf("the lock-out's id %s is not LockEventID of the failure that caused it", id)
	}
}

// Ensure that failed logins that lock an account at one desk lock it at
// the sede's other desks, from their pull, until the same time: the lock
// travels (operator.locked, with its end and no count of the desk's),
// each further failure at the locking desk sends the longer lock, an
// older lock applied later shortens nothing, and the account logs in
// again everywhere once the lock ends.
func TestLockOutAcrossSede(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	a.addOperator(t, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-di-luca"})
	for range pinsede.MaxFailedLogins + 1 { // locked, then for longer
		if _, err := a.desk.Login("l.verdi", "sbagliata-sbagliata"); !errors.Is(err, pinsede.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	ch := sedeChanges(t, a, "01", 1)
	var (
		locks     []pinsede.Event
		firstLock pinsede.Change
	)
	for _, c := range ch {
		if c.Event.Kind == pinsede.EventOperatorLocked {
			if locks = append(locks, *c.Event); len(locks) == 1 {
				firstLock = c
			}
			if o := c.Event.Operator; o.FailedLogins != 0 || !o.LockedUntil.IsZero() || c.Event.Actor != "l.verdi" {
				t.Errorf("the lock-out event carries %+v by %s: want the account without the desk's counts, by the operator", o, c.Event.Actor)
			}
		}
	}
	if len(locks) != 2 || !locks[1].Until.After(locks[0].Until) {
		t.Fatalf("locks sent: %+v; want two, the second longer", locks)
	}
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); err == nil {
		t.Fatal("an account desk 02 does not know logged in")
	}
	// The longer lock first, then the shorter one again: the longer holds.
	firstLock.Seq = uint64(len(ch) + 1)
	reordered := append(append([]pinsede.Change{}, ch...), firstLock)
	if _, err := b.desk.ApplyPulled(uint64(len(ch)+1), reordered, b.now); err != nil {
		t.Fatal(err)
	}
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("locked at desk 01, login at desk 02: %v, want refused", err)
	}
	b.now = locks[0].Until.Add(time.Second) // past the first lock, within the second
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("within desk 01's longer lock, login at desk 02: %v, want refused", err)
	}
	b.now = locks[1].Until.Add(time.Second)
	if _, err := b.desk.Login("l.verdi", "password-di-luca"); err != nil {
		t.Fatalf("after the lock-out, login at desk 02: %v", err)
	}
}

// Ensure that desk 02 replaces the slip of a PIN issued at desk 01, from
// the records pulled: the citizen's MV35 data came with the issue, the
// old PIN is revoked and a new one printed, both going to centrale, and
// desk 01, applying them in turn, holds the old PIN revoked and the new
// one with the citizen's record.
func TestReplaceSlipAtSiblingDesk(t *testing.T) {
	ctx := context.Background()
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	out, err := a.desk.Issue(ctx, a.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.desk.ApplyPulled(1, sedeChanges(t, a, "01", 1), b.now); err != nil {
		t.Fatal(err)
	}
	b.addOperator(t, pinsede.NewOperator{ID: "sup2", Name: "Carla Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2"})
	skip := len(outboxSeqs(t, b))
	a.now, b.now = a.now.Add(time.Minute), b.now.Add(time.Minute) // the new PIN is the newer
	re, err := b.desk.ReplaceSlip(ctx, b.sup, out.Credential.ID, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
	if err != nil {
		t.Fatalf("replace at desk 02: %v", err)
	}
	if len(b.printer.pins) != 1 {
		t.Errorf("desk 02 printed %d slips, want the new one", len(b.printer.pins))
	}
	ch := sedeChanges(t, b, "02", 10)[skip:]
	var kinds []pinsede.EventKind
	for _, c := range ch {
		kinds = append(kinds, c.Event.Kind)
	}
	if len(kinds) != 2 || kinds[0] != pinsede.EventRevoked || kinds[1] != pinsede.EventIssued || ch[1].Event.Citizen == nil {
		t.Fatalf("desk 02's events = %v, want the revocation and the issue with the citizen", kinds)
	}
	if _, err := a.desk.ApplyPulled(20, ch, a.now); err != nil {
		t.Fatal(err)
	}
	page, err := a.desk.Citizen(a.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Credentials) != 2 || page.Credentials[0].ID != re.Credential.ID || page.Credentials[0].State != pinsede.StateAttivo ||
		page.Credentials[1].State != pinsede.StateRevocato || page.Credentials[1].RevokeReason != pinsede.ReasonSlipLost {
		t.Errorf("desk 01 holds %+v, want the new PIN active and the old one revoked, slip lost", page.Credentials)
	}
}

// Ensure that a PIN obtained online and converted at desk 01 (a copy with
// no PIN hash, ConvertCentral) arrives at desk 02 as the same copy,
// converted, audited once; and that a conversion of a PIN desk 02 holds
// as an active ordinario makes it dispositivo.
func TestApplySedeConversions(t *testing.T) {
	b := newFixture(t)
	b.desk.DeskID = "02"
	cf := request().CodiceFiscale
	issued := b.now.AddDate(0, -1, 0)
	online := pinsede.Credential{ID: "web-1", CodiceFiscale: cf, Type: pinsede.Dispositivo, State: pinsede.StateAttivo,
		IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued), Sede: "WEB", ConvertedAt: b.now, ConvertedBy: "sup"}
	own := pinsede.Credential{ID: "own-1", CodiceFiscale: cf, Type: pinsede.Ordinario, State: pinsede.StateAttivo, PINHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA",
		IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued), Sede: "ROMA01"}
	if err := b.store.Update(func(tx pinsede.Tx) error { return tx.PutCredential(own) }); err != nil {
		t.Fatal(err)
	}
	ownConv := own
	ownConv.Type, ownConv.ConvertedAt, ownConv.ConvertedBy = pinsede.Dispositivo, b.now, "sup"
	var ch []pinsede.Change
	for i, c := range []pinsede.Credential{online, ownConv} {
		ev := pinsede.Event{ID: fmt.Sprint("conv-", i), Kind: pinsede.EventConverted, Time: b.now, Sede: "ROMA01", Desk: "01", Credential: c}
		ch = append(ch, pinsede.Change{Seq: uint64(i + 1), Kind: pinsede.ChangeSedeEvent, Time: b.now, Sede: "ROMA01", Desk: "01", Event: &ev})
	}
	for round := range 2 { // the second time, even under other numbers: nothing changes
		for i := range ch {
			ch[i].Seq += uint64(round * 10)
		}
		if _, err := b.desk.ApplyPulled(ch[1].Seq, ch, b.now); err != nil {
			t.Fatal(err)
		}
	}
	var got []pinsede.Credential
	var converted int
	err := b.store.View(func(tx pinsede.Tx) error {
		var err error
		if got, err = tx.Credentials(cf); err != nil {
			return err
		}
		es, err := tx.AuditFor(cf)
		for _, e := range es {
			if e.Action == pinsede.ActionConverted && e.Desk == "01" {
				converted++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]pinsede.Credential{}
	for _, c := range got {
		byID[c.ID] = c
	}
	if c := byID["web-1"]; c.Sede != "WEB" || c.PINHash != "" || c.Type != pinsede.Dispositivo {
		t.Errorf("the online PIN at desk 02 = %+v, want desk 01's copy, converted", c)
	}
	if c := byID["own-1"]; c.Type != pinsede.Dispositivo || c.ConvertedBy != "sup" || c.PINHash != own.PINHash {
		t.Errorf("the sede's PIN at desk 02 = %+v, want converted, its hash kept", c)
	}
	if converted != 2 {
		t.Errorf("%d conversions audited, want 2", converted)
	}
}

// Ensure that a desk that joins the sede, on an empty store, sets it up
// from the first desk's set-up pulled from the central records: the
// sede's record, and its first supervisor, who logs in with the password
// typed at the first desk; the events carry the password's hash only.
// Applied again, or at a desk set up already, the set-up changes nothing.
func TestJoinSedeFromSetUp(t *testing.T) {
	first := newTestStoreDesk(t)
	sede := pinsede.Sede{Code: "ROMA01", Name: "Roma Tuscolano", Address: "Via Tuscolana 1, Roma"}
	if err := first.desk.Setup(sede, pinsede.NewOperator{ID: "sup", Name: "Anna Bianchi", Password: "password-lunga"}); err != nil {
		t.Fatal(err)
	}
	changes := sedeChanges(t, first, "01", 1)
	if len(changes) != 2 {
		t.Fatalf("the set-up enqueued %d events, want the sede and its supervisor", len(changes))
	}
	for _, c := range changes {
		b, err := json.Marshal(c.Event)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "password-lunga") {
			t.Errorf("event %s carries the password: %s", c.Event.Kind, b)
		}
	}
	if got := changes[0].Event; got.ID != pinsede.SetUpEventID || got.SetUp == nil || *got.SetUp != sede || got.Actor != "sup" {
		t.Errorf("set-up event %+v", got)
	}

	joining := newTestStoreDesk(t)
	joining.desk.DeskID = "02"
	if need, err := joining.desk.NeedsSetup(); err != nil || !need {
		t.Fatalf("an empty store: NeedsSetup %v, %v", need, err)
	}
	for range 2 { // again: nothing changes
		if _, err := joining.desk.ApplyPulled(2, changes, first.now); err != nil {
			t.Fatal(err)
		}
	}
	if need, err := joining.desk.NeedsSetup(); err != nil || need {
		t.Fatalf("after the pull: NeedsSetup %v, %v; want the sede set up", need, err)
	}
	s, err := joining.desk.Login("sup", "password-lunga")
	if err != nil {
		t.Fatalf("the first supervisor at the joining desk: %v", err)
	}
	if s.Sede != sede || s.Operator.Role != pinsede.RoleSupervisore {
		t.Errorf("session %+v", s)
	}
	var setUps int
	err = joining.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == pinsede.ActionSetup {
			setUps++
			if e.Desk != "01" || e.Actor != "sup" {
				t.Errorf("set-up audited as %+v, want desk 01's, by sup", e)
			}
		}
		return nil
	})
	if err != nil || setUps != 1 {
		t.Errorf("%d set-up entries (%v), want 1", setUps, err)
	}
	if n, _ := joining.store.OutboxLen(); n != 0 {
		t.Errorf("the joining desk's outbox holds %d events, want none", n)
	}

	// A desk set up on its own keeps its sede.
	other := newFixture(t)
	other.desk.DeskID = "03"
	moved := sedeChanges(t, first, "01", 1)
	moved[0].Event.SetUp.Name = "Altro nome"
	if _, err := other.desk.ApplyPulled(2, moved, other.now); err != nil {
		t.Fatal(err)
	}
	if s, err := other.desk.Login("sup", "password-lunga"); err != nil || s.Sede.Name != "Roma Tuscolano" {
		t.Errorf("a desk set up already: %+v, %v", s, err)
	}
}

// pw is the password of l.verdi, the account of threeDesks.
const pw = "password-di-luca"

// threeDesks returns desks 01, 02 and 03 of the sede, with the account
// l.verdi added at desk 01, not yet pulled.
func threeDesks(t *testing.T) (a, b, c *fixture) {
	t.Helper()
	a, b, c = newFixture(t), newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID, c.desk.DeskID = "01", "02", "03"
	a.addOperator(t, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: pw})
	return a, b, c
}

// failedLogins returns the failed logins of the account id that f counts.
func failedLogins(t *testing.T, f *fixture, id string) int {
	t.Helper()
	var op pinsede.Operator
	if err := f.store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator(id); return err }); err != nil {
		t.Fatal(err)
	}
	return op.FailedLogins
}

// Ensure that the failed logins of an account count across the sede's
// desks: 3 wrong passwords at desk 01 and 2 at desk 02, each desk
// pulling the other's, lock the account at both and at desk 03, which
// pulls both. Each failure pulled is audited at the desk that pulls it,
// by the operator, naming the desk it was typed at, with the count
// there; the desk whose count a pulled failure brings to the lock-out
// sends the lock-out under LockEventID of that failure. Applied again
// (the same changes pulled twice), nothing changes.
func TestFailedLoginsAcrossSede(t *testing.T) {
	a, b, c := threeDesks(t)
	added := sedeChanges(t, a, "01", 1)
	for _, x := range []*fixture{b, c} {
		if _, err := x.desk.ApplyPulled(1, added, x.now); err != nil {
			t.Fatal(err)
		}
	}
	outA, outB := len(outboxSeqs(t, a)), len(outboxSeqs(t, b))
	link := &fakeLink{online: true, desk: b.desk}
	b.desk.Link = link
	wrong := func(f *fixture, n int) {
		t.Helper()
		for range n {
			if _, err := f.desk.Login("l.verdi", "sbagliata-sbagliata"); !errors.Is(err, pinsede.ErrBadCredentials) {
				t.Fatal(err)
			}
		}
	}
	wrong(a, 3)
	wrong(b, 2)
	fromA, fromB := sedeChanges(t, a, "01", 10)[outA:], sedeChanges(t, b, "02", 20)[outB:]
	if len(fromA) != 3 || len(fromB) != 2 {
		t.Fatalf("desk 01 sent %d events, desk 02 %d; want a failure an event, 3 and 2", len(fromA), len(fromB))
	}
	for _, ch := range append(append([]pinsede.Change{}, fromA...), fromB...) {
		if ev := ch.Event; ev.Kind != pinsede.EventOperatorLoginFailed || ev.Actor != "l.verdi" || *ev.Operator != ev.Operator.Shared() || !ev.Until.IsZero() {
			t.Errorf("a failure sent as %+v (account %+v), want operator.login_failed by the operator, no counts", ev, ev.Operator)
		}
	}
	pull := func(f *fixture, ch []pinsede.Change) {
		t.Helper()
		if _, err := f.desk.ApplyPulled(ch[len(ch)-1].Seq, ch, f.now); err != nil {
			t.Fatal(err)
		}
	}
	pull(b, fromA)
	if want := []int{1, 2, 3}; !reflect.DeepEqual(link.pending, want) {
		t.Errorf("desk 02 asked its link to push with %v events waiting, want %v: at each failure, and at the pull that locked", link.pending, want)
	}
	pull(a, fromB)
	pull(c, fromA)
	pull(c, fromB)
	for _, x := range []struct {
		f    *fixture
		desk string
	}{{a, "01"}, {b, "02"}, {c, "03"}} {
		if n := failedLogins(t, x.f, "l.verdi"); n != 5 {
			t.Errorf("desk %s counts %d failed logins, want 5", x.desk, n)
		}
		if _, err := x.f.desk.Login("l.verdi", pw); !errors.Is(err, pinsede.ErrBadCredentials) {
			t.Errorf("desk %s, the right password after 5 failures at the sede: %v, want refused", x.desk, err)
		}
	}
	// Desk 02 learned of desk 01's failures after its own two: the third
	// locked it, and it sends the lock-out under that failure's id.
	items, err := b.store.OutboxAfter(0, 100, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	last := items[len(items)-1].Event
	if last.Kind != pinsede.EventOperatorLocked || last.ID != pinsede.LockEventID(fromA[2].Event.ID) || !last.Until.Equal(b.now.Add(pinsede.LockoutBase)) {
		t.Errorf("desk 02's last event %s %s until %s; want the lock-out of desk 01's third failure until %s",
			last.Kind, last.ID, last.Until, b.now.Add(pinsede.LockoutBase))
	}
	// Desk 02's audit: desk 01's failures, by the operator, with its count.
	audited := func() []string {
		t.Helper()
		var out []string
		err := b.store.View(func(tx pinsede.Tx) error {
			es, err := tx.AuditOn(pinsede.DateOf(b.now))
			for _, e := range es {
				if e.Desk == "01" && e.Action == pinsede.ActionLoginFailed {
					out = append(out, e.Actor+" "+e.Detail)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	until := b.now.Add(pinsede.LockoutBase).Format("15:04:05")
	want := []string{
		"l.verdi sportello 01: l.verdi, tentativo 3",
		"l.verdi sportello 01: l.verdi, tentativo 4",
		"l.verdi sportello 01: l.verdi, tentativo 5, bloccato fino alle " + until,
	}
	if got := audited(); !reflect.DeepEqual(got, want) {
		t.Errorf("desk 02's audit of desk 01's failures:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Pulled again (an answer lost): counted once, nothing sent.
	pull(b, fromA)
	if n, got := failedLogins(t, b, "l.verdi"), audited(); n != 5 || len(got) != 3 || len(link.pending) != 3 {
		t.Errorf("applied twice, desk 02 counts %d failures, audits %d of desk 01's, pushed %d times; want 5, 3 and 3", n, len(got), len(link.pending))
	}
}

// Ensure that a right password after failed logins at the sede clears the
// count at every desk: desk 02, which pulled desk 01's 3 failures, lets
// the operator in and sends operator.login; desks 01 and 03 pulling it
// count no failure, so 4 more wrong passwords at desk 01 lock nothing,
// and each audits the login, naming desk 02. A login after no failure
// sends nothing.
func TestLoginResetsFailuresAcrossSede(t *testing.T) {
	a, b, c := threeDesks(t)
	for range 3 {
		a.desk.Login("l.verdi", "sbagliata-sbagliata")
	}
	fromA := sedeChanges(t, a, "01", 1)
	for _, x := range []*fixture{b, c} {
		if _, err := x.desk.ApplyPulled(uint64(len(fromA)), fromA, x.now); err != nil {
			t.Fatal(err)
		}
	}
	outB := len(outboxSeqs(t, b))
	if _, err := b.desk.Login("l.verdi", pw); err != nil {
		t.Fatal(err)
	}
	fromB := sedeChanges(t, b, "02", 100)[outB:]
	if len(fromB) != 1 || fromB[0].Event.Kind != pinsede.EventOperatorLogin || fromB[0].Event.Actor != "l.verdi" {
		t.Fatalf("desk 02 sent %+v after the right password; want one operator.login", fromB)
	}
	if _, err := b.desk.Login("l.verdi", pw); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxSeqs(t, b)); n != outB+1 {
		t.Errorf("a second login, after no failure, sent %d events; want none", n-outB-1)
	}
	for _, x := range []*fixture{a, c} {
		if _, err := x.desk.ApplyPulled(100, fromB, x.now); err != nil {
			t.Fatal(err)
		}
		if n := failedLogins(t, x, "l.verdi"); n != 0 {
			t.Errorf("desk %s counts %d failures after desk 02's login, want 0", x.desk.DeskID, n)
		}
		var logins int
		err := x.store.View(func(tx pinsede.Tx) error {
			es, err := tx.AuditOn(pinsede.DateOf(x.now))
			for _, e := range es {
				if e.Desk == "02" && e.Action == pinsede.ActionLogin && e.Detail == "sportello 02: l.verdi, 3 tentativi azzerati" {
					logins++
				}
			}
			return err
		})
		if err != nil || logins != 1 {
			t.Errorf("desk %s audits %d logins of desk 02, %v; want 1", x.desk.DeskID, logins, err)
		}
	}
	for range pinsede.MaxFailedLogins - 1 {
		a.desk.Login("l.verdi", "sbagliata-sbagliata")
	}
	if _, err := a.desk.Login("l.verdi", pw); err != nil {
		t.Errorf("4 failures after desk 02's login, then the right password at desk 01: %v, want in", err)
	}
}

// pullFirst is the desk's store, which runs pull before the next Update:
// a pull that lands while a login is checking the password.
type pullFirst struct {
	pinsede.Store
	pull func()
}

func (s *pullFirst) Update(fn func(pinsede.Tx) error) error {
	if p := s.pull; p != nil {
		s.pull = nil
		p()
	}
	return s.Store.Update(fn)
}

// Ensure that a login judges the account as it is when it records the
// outcome, not as it was when the password check began: a lock-out, or
// a new password, pulled from another desk meanwhile refuses the right
// (old) password, and the lock-out stays.
func TestLoginRacesAPull(t *testing.T) {
	for _, kind := range []pinsede.EventKind{pinsede.EventOperatorLocked, pinsede.EventOperatorPasswordChanged} {
		t.Run(string(kind), func(t *testing.T) {
			a, b, _ := threeDesks(t)
			added := sedeChanges(t, a, "01", 1) // the account added, its first change of password
			n := uint64(len(added))
			if _, err := b.desk.ApplyPulled(n, added, b.now); err != nil {
				t.Fatal(err)
			}
			ev := *added[n-1].Event
			ev.ID, ev.Kind, ev.Actor = "racing", kind, "l.verdi"
			if kind == pinsede.EventOperatorLocked {
				ev.Until = b.now.Add(time.Hour)
			} else {
				ev.Operator.PasswordHash = b.sup.Operator.PasswordHash // another password
			}
			b.desk.Store = &pullFirst{Store: b.store, pull: func() {
				if _, err := b.desk.ApplyPulled(n+1, []pinsede.Change{{Seq: n + 1, Kind: pinsede.ChangeSedeEvent, Time: b.now, Sede: "ROMA01", Desk: "01", Event: &ev}}, b.now); err != nil {
					t.Error(err)
				}
			}}
			if _, err := b.desk.Login("l.verdi", pw); !errors.Is(err, pinsede.ErrBadCredentials) {
				t.Errorf("the right password as %s was pulled: %v, want refused", kind, err)
			}
			var op pinsede.Operator
			if err := b.store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator("l.verdi"); return err }); err != nil {
				t.Fatal(err)
			}
			if op.FailedLogins != 0 || kind == pinsede.EventOperatorLocked && !op.LockedUntil.Equal(ev.Until) {
				t.Errorf("account after the race: %d failures, locked until %s; want none counted, the lock-out kept", op.FailedLogins, op.LockedUntil)
			}
		})
	}
}

// Ensure that failed logins at a desk that holds a longer lock-out
// pulled from another desk do not shorten it, and send no shorter one.
func TestFailuresKeepLongerLock(t *testing.T) {
	a, b, _ := threeDesks(t)
	added := sedeChanges(t, a, "01", 1) // the account added, its first change of password
	n := uint64(len(added))
	lock := *added[n-1].Event
	lock.ID, lock.Kind, lock.Actor, lock.Until = "long", pinsede.EventOperatorLocked, "l.verdi", b.now.Add(time.Hour)
	ch := append(added, pinsede.Change{Seq: n + 1, Kind: pinsede.ChangeSedeEvent, Time: b.now, Sede: "ROMA01", Desk: "01", Event: &lock})
	if _, err := b.desk.ApplyPulled(n+1, ch, b.now); err != nil {
		t.Fatal(err)
	}
	for range pinsede.MaxFailedLogins {
		b.desk.Login("l.verdi", "sbagliata-sbagliata")
	}
	var op pinsede.Operator
	if err := b.store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator("l.verdi"); return err }); err != nil {
		t.Fatal(err)
	}
	if !op.LockedUntil.Equal(lock.Until) {
		t.Errorf("locked until %s after 5 failures under a pulled lock-out until %s; want that one", op.LockedUntil, lock.Until)
	}
	items, err := b.store.OutboxAfter(0, 100, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Event.Kind == pinsede.EventOperatorLocked {
			t.Errorf("desk 02 sent a lock-out until %s, shorter than the one it holds", it.Event.Until)
		}
	}
}
