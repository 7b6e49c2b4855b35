// Package storetest is the conformance suite of the central records: every
// back end of central.Store runs it (sync/boltstore, sync/pgstore), so that
// they apply the same rules.
package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Opener makes a fresh, empty store for one test and closes it when the
// test ends.
type Opener func(t *testing.T) central.Store

// CheapArgon2 makes the hashes of the suite fast.
var CheapArgon2 = pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// Limits are the bounds the suite runs the stores with (Store.SetLimits):
// the defaults, and the suite's cheap hashes accepted besides the desks'.
var Limits = central.Limits{PINParams: []pinsede.Argon2Params{pinsede.DefaultPINParams, CheapArgon2}}

// T0 is the suite's clock: testclock.Now, in UTC as centrale keeps it.
// Every fixture date is relative to it, so the suite runs as any day.
var T0 = testclock.Now().UTC()

// CF returns the i-th test codice fiscale: valid, and distinct for each i.
func CF(i int) pinsede.CodiceFiscale {
	var l [6]byte
	for j, n := 5, i; j >= 0; j-- {
		l[j] = byte('A' + n%26)
		n /= 26
	}
	return pinsede.CodiceFiscale(fmt.Sprintf("%s80A01H501X", l[:])).Canonical()
}

// Hash returns the argon2id hash of pin at the suite's cost.
func Hash(t testing.TB, pin string) string {
	t.Helper()
	h, err := pinsede.HashSecret([]byte(pin), CheapArgon2, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Issued returns an issue event of sede for cf, with the PIN hash given.
func Issued(sede string, cf pinsede.CodiceFiscale, id, credID, hash string) pinsede.Event {
	return pinsede.Event{
		ID: id, Kind: pinsede.EventIssued, Time: T0, Sede: sede,
		Credential: pinsede.Credential{
			ID: credID, CodiceFiscale: cf, Type: pinsede.Dispositivo, State: pinsede.StateAttivo, PINHash: hash,
			IssuedAt: T0, ExpiresAt: pinsede.Expiry(T0), IssuedBy: "op", Sede: sede,
			SlipSerial: sede + "-1",
		},
	}
}

// ExpiryKept reports whether kept, centrale's record of sent (a desk's
// credential whose times centrale moved into its clock), expires as
// centrale's rule keeps it: its issue plus the validity, off it as sent's
// expiry is off sent's issue plus the validity, the months counted in the
// calendar; or, when the move took the issue into another month (in the
// desk's time zone), onto its first or last day, sent's expiry moved as
// far as the issue: the slip's day, not a count from the other side of
// the month's end.
func ExpiryKept(kept, sent pinsede.Credential) bool {
	off := func(c pinsede.Credential) time.Duration {
		if c.Type == pinsede.Telefonico {
			return c.ExpiresAt.Sub(c.Validity.Expiry(c.IssuedAt))
		}
		return c.ExpiresAt.Sub(pinsede.Expiry(c.IssuedAt))
	}
	if off(kept) == off(sent) {
		return true
	}
	at := kept.IssuedAt.In(sent.IssuedAt.Location())
	y, m, _ := sent.IssuedAt.Date()
	ky, km, kd := at.Date()
	edge := kd == 1 || at.AddDate(0, 0, 1).Month() != km
	return (ky != y || km != m) && edge && kept.ExpiresAt.Equal(sent.ExpiresAt.Add(kept.IssuedAt.Sub(sent.IssuedAt)))
}

// Follow returns an event of kind about the credential of an issue event.
func Follow(issued pinsede.Event, id string, kind pinsede.EventKind) pinsede.Event {
	ev := issued
	ev.ID, ev.Kind, ev.Time, ev.Citizen = id, kind, T0.Add(time.Minute), nil
	switch kind {
	case pinsede.EventRevoked:
		ev.Credential.State, ev.Credential.RevokedAt, ev.Credential.RevokeReason = pinsede.StateRevocato, ev.Time, "test"
	case pinsede.EventHandedOver:
		ev.Credential.HandedOverAt, ev.Credential.HandedOverBy = ev.Time, "op"
	}
	return ev
}

// Run runs the suite against the stores open makes, each set to Limits.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, central.Store)
	}{
		{"ApplyOnce", testApplyOnce},
		{"EventIDsPerSede", testEventIDsPerSede},
		{"Reject", testReject},
		{"HashCost", testHashCost}, {"Bounds", testBounds}, // bounds.go
		{"Supersede", testSupersede}, {"SupersedeOlder", testSupersedeOlder}, {"SupersedeOlderThanRevoked", testSupersedeOlderThanRevoked},
		{"Revoke", testRevoke},
		{"Changes", testChanges}, {"ChangeFilter", testChangeFilter}, // changes.go
		{"AttemptSucceed", testAttemptSucceed},
		{"LockConcurrent", testLockConcurrent}, {"LockRightAmongWrong", testLockRightAmongWrong}, // lock.go
		{"LockBackoff", testLockBackoff}, {"LockReset", testLockReset}, {"VerifyGate", testVerifyGate},
		{"Unlock", testUnlock}, {"NoEnumeration", testNoEnumeration},
		{"Verify", testVerify},
		{"Telephone", testTelephone},
		{"ConcurrentIssue", testConcurrentIssue}, {"ConcurrentIssueNewerWins", testConcurrentIssueNewerWins}, {"ConcurrentIssueNewerRevoked", testConcurrentIssueNewerRevoked},
		{"ConcurrentReplay", testConcurrentReplay},
		{"Convert", testConvert},
		{"Credentials", testCredentials}, {"ConvertOtherSede", testConvertOtherSede}, // credentials.go
		{"Forms", testForms},
		{"Delegations", testDelegations},
		{"ConcurrentDelegations", testConcurrentDelegations},
		{"CentralRevoke", testCentralRevoke},
		{"TicketStore", testTicketStore},
		{"TicketCalled", testTicketCalled},
		{"TicketWipe", testTicketWipe},
		{"TicketsFull", testTicketsFull},
		{"Outcomes", testOutcomes}, // outcomes.go
		// audit.go
		{"AuditHeads", testAuditHeads}, {"AuditHeadsPages", testAuditHeadsPages}, {"AuditFork", testAuditFork}, {"AuditForkBound", testAuditForkBound}, {"Push", testPush},
		{"AuditReset", testAuditReset}, {"AuditConcurrent", testAuditConcurrent}, {"AuditHeadsWhilePushing", testAuditHeadsWhilePushing}, // auditheadspaging.go
		{"AuditEntries", testAuditEntries}, {"AuditPages", testAuditPages}, // auditentries.go
		{"EventDesk", testEventDesk}, {"AuditDesks", testAuditDesks}, // desk.go
		{"SedeEvents", testSedeEvents}, {"SedeConflicts", testSedeConflicts}, {"SedeCitizenBounds", testSedeCitizenBounds}, {"SedeOperators", testSedeOperators}, {"SedeLogins", testSedeLogins}, {"SedeSetUp", testSedeSetUp}, // sede.go
		{"CRLNumber", testCRLNumber}, // crl.go
		{"Overview", testOverview},   // overview.go
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			s.SetLimits(Limits)
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

// apply pushes events and returns the verdicts.
func apply(t *testing.T, s central.Store, sede string, evs ...pinsede.Event) []wire.Verdict {
	t.Helper()
	res, err := s.Apply(ctx, sede, evs, T0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(evs) {
		t.Fatalf("Apply returned %d results for %d events", len(res), len(evs))
	}
	vs := make([]wire.Verdict, len(res))
	for i, r := range res {
		if r.ID != evs[i].ID {
			t.Errorf("result %d is for %s, want %s", i, r.ID, evs[i].ID)
		}
		if (r.Verdict == wire.Rejected || r.Verdict == wire.Superseded) && r.Reason == "" {
			t.Errorf("result %d: %s without a reason", i, r.Verdict)
		}
		vs[i] = r.Verdict
	}
	return vs
}

func wantVerdicts(t *testing.T, got []wire.Verdict, want ...wire.Verdict) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts = %v, want %v", got, want)
	}
}

func events(t *testing.T, s central.Store) int {
	t.Helper()
	n, err := s.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func current(t *testing.T, s central.Store, cf pinsede.CodiceFiscale) central.Record {
	t.Helper()
	r, err := s.Current(ctx, cf, central.SlotPIN)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Ensure that an event is applied once however often it is sent, in one
// batch or in several.
func testApplyOnce(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	ev := Issued("ROMA01", CF(1), "e1", "c1", h)
	wantVerdicts(t, apply(t, s, "ROMA01", ev, ev), wire.Accepted, wire.Duplicate)
	wantVerdicts(t, apply(t, s, "ROMA01", ev), wire.Duplicate)
	ho := Follow(ev, "e2", pinsede.EventHandedOver)
	wantVerdicts(t, apply(t, s, "ROMA01", ho, ev, ho), wire.Accepted, wire.Duplicate, wire.Duplicate)
	if n := events(t, s); n != 2 {
		t.Errorf("Events() = %d, want 2", n)
	}
	r := current(t, s, CF(1))
	if r.Status != central.StatusActive || r.Credential.ID != "c1" || r.Credential.PINHash != h || r.Credential.HandedOverAt.IsZero() {
		t.Errorf("Current = %+v", r)
	}
	if _, err := s.Current(ctx, CF(2), central.SlotPIN); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Current(unknown) error = %v, want ErrNotFound", err)
	}
}

// Ensure that invalid events are rejected with a reason and not stored.
func testReject(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	good := Issued("ROMA01", CF(1), "e1", "c1", h)
	mod := func(f func(*pinsede.Event)) pinsede.Event { ev := good; f(&ev); return ev }
	for _, tc := range []struct {
		name string
		ev   pinsede.Event
	}{
		{"other sede", mod(func(e *pinsede.Event) { e.Sede, e.Credential.Sede = "MILA01", "MILA01" })},
		{"credential of other sede", mod(func(e *pinsede.Event) { e.Credential.Sede = "MILA01" })},
		{"unknown kind", mod(func(e *pinsede.Event) { e.Kind = "credential.stolen" })},
		{"no id", mod(func(e *pinsede.Event) { e.ID = "" })},
		{"no credential id", mod(func(e *pinsede.Event) { e.Credential.ID = "" })},
		{"bad codice fiscale", mod(func(e *pinsede.Event) { e.Credential.CodiceFiscale = "RSSMRA80A01H501A" })},
		{"lower-case codice fiscale", mod(func(e *pinsede.Event) { e.Credential.CodiceFiscale = pinsede.CodiceFiscale("x" + string(CF(1))[1:]) })},
		{"plain PIN for hash", mod(func(e *pinsede.Event) { e.Credential.PINHash = "ACEFHJKMNPRTUVWX" })},
		{"bad type", mod(func(e *pinsede.Event) { e.Credential.Type = "super" })},
		{"no expiry", mod(func(e *pinsede.Event) { e.Credential.ExpiresAt = time.Time{} })},
		{"no time", mod(func(e *pinsede.Event) { e.Time = time.Time{} })},
		{"revoke unknown", Follow(good, "e9", pinsede.EventRevoked)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantVerdicts(t, apply(t, s, "ROMA01", tc.ev), wire.Rejected)
			wantVerdicts(t, apply(t, s, "ROMA01", tc.ev), wire.Rejected) // a replay is rejected again
		})
	}
	if n := events(t, s); n != 0 {
		t.Errorf("Events() = %d after rejections, want 0", n)
	}
	wantVerdicts(t, apply(t, s, "ROMA01", good), wire.Accepted)
	again := good
	again.ID = "e2"
	wantVerdicts(t, apply(t, s, "ROMA01", again), wire.Rejected) // same credential, new event id
	other := Issued("MILA01", CF(2), "m1", "m1", h)
	wantVerdicts(t, apply(t, s, "MILA01", other), wire.Accepted)
	steal := Follow(good, "m2", pinsede.EventRevoked)
	steal.Sede, steal.Credential.Sede = "MILA01", "MILA01"
	wantVerdicts(t, apply(t, s, "MILA01", steal), wire.Rejected) // MILA01 may not revoke ROMA01's credential
	if r := current(t, s, CF(1)); r.Status != central.StatusActive {
		t.Errorf("status after another sede's revoke = %s, want active", r.Status)
	}
	if n := events(t, s); n != 2 {
		t.Errorf("Events() = %d, want 2", n)
	}
}

// Ensure that an issue older than the active credential of its codice
// fiscale, pushed after it (its desk was offline), does not take its
// place: it is kept superseded by it at once, answered so with the newer
// one's id, again when replayed, and its sede is told, the issue first
// and then the supersession, with the newer one's sede and issue time;
// the newer one's sede is told nothing. An issue of the same instant as
// the active one, applied later, takes its place.
func testSupersedeOlder(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	newer := Issued("MILA01", CF(1), "m1", "cm", h)
	older := IssuedOn(1, "ROMA01", CF(1), "r1", "cr", h)
	newer.Desk, older.Desk = "01", "02"
	wantVerdicts(t, apply(t, s, "MILA01", newer), wire.Accepted)
	for range 2 { // the second is a replay of an answer lost
		res, err := s.Apply(ctx, "ROMA01", []pinsede.Event{older}, T0)
		if err != nil {
			t.Fatal(err)
		}
		if want := string(pinsede.RefusedSuperseded) + " cm"; len(res) != 1 || res[0].Verdict != wire.Superseded || res[0].Reason != want {
			t.Errorf("results %+v, want superseded for %q", res, want)
		}
	}
	if r := current(t, s, CF(1)); r.Credential.ID != "cm" || r.Status != central.StatusActive || r.Desk != "01" {
		t.Errorf("Current = %s %s of desk %q, want cm active of desk 01", r.Credential.ID, r.Status, r.Desk)
	}
	recs, err := s.Credentials(ctx, CF(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Credential.ID == "cr" && (r.Status != central.StatusSuperseded || r.SupersededBy != "cm") {
			t.Errorf("cr is %s by %q, want superseded by cm", r.Status, r.SupersededBy)
		}
	}
	all, _, _, err := s.Changes(ctx, "ROMA01", 0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Kind != wire.ChangeSedeEvent || all[0].Desk != "02" || all[0].CredentialID != "cr" ||
		all[1].Kind != wire.ChangeSuperseded || all[1].CredentialID != "cr" || all[1].BySede != "MILA01" || all[1].ByDesk != "01" || !all[1].IssuedAt.Equal(T0) {
		t.Errorf("ROMA01 changes = %+v, want cr's issue by desk 02, then cr superseded by MILA01 desk 01's of %v", all, T0)
	}
	if ch, _ := CentralChanges(s, "MILA01"); len(ch) != 0 {
		t.Errorf("MILA01 changes = %+v, want none", ch)
	}
	// ROMA01 hands the older envelope over: told superseded too.
	wantVerdicts(t, apply(t, s, "ROMA01", Follow(older, "r2", pinsede.EventHandedOver)), wire.Superseded)
	// An issue of the same instant as the active one, applied later, wins.
	tie := Issued("NAPO01", CF(1), "n1", "cn", h)
	tie.Desk = "03"
	wantVerdicts(t, apply(t, s, "NAPO01", tie), wire.Accepted)
	if r := current(t, s, CF(1)); r.Credential.ID != "cn" {
		t.Errorf("Current = %s, want cn, of the same instant as cm and applied later", r.Credential.ID)
	}
	if ch, _ := CentralChanges(s, "MILA01"); len(ch) != 1 || ch[0].CredentialID != "cm" || ch[0].BySede != "NAPO01" || ch[0].ByDesk != "03" || !ch[0].IssuedAt.Equal(T0) {
		t.Errorf("MILA01 changes = %+v, want cm superseded by NAPO01 desk 03's of %v", ch, T0)
	}
}

// Ensure that an issue older than a credential of the person issued after
// it that is no longer active (revoked by its sede or at centrale, or
// superseded) is kept superseded by the newest at once, as when the newer
// is active: the older PIN does not come back to life, and its sede is
// told the newest one's sede, desk and issue time. An issue no older than
// every one becomes active.
func testSupersedeOlderThanRevoked(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	// CF(1): MILA01's desk 01 issues cm and revokes it (busta smarrita).
	newer := Issued("MILA01", CF(1), "m1", "cm", h)
	newer.Desk = "01"
	wantVerdicts(t, apply(t, s, "MILA01", newer, Follow(newer, "m2", pinsede.EventRevoked)), wire.Accepted, wire.Accepted)
	// CF(2): cb, then cc, which supersedes it and is revoked at centrale.
	b := IssuedOn(1, "MILA01", CF(2), "m3", "cb", h)
	c := Issued("NAPO01", CF(2), "n1", "cc", h)
	c.Desk = "03"
	wantVerdicts(t, apply(t, s, "MILA01", b), wire.Accepted)
	wantVerdicts(t, apply(t, s, "NAPO01", c), wire.Accepted)
	if _, err := s.Revoke(ctx, "cc", "admin", "test", T0); err != nil {
		t.Fatal(err)
	}
	// ROMA01's desk 02 pushes issues made offline before them.
	older := []pinsede.Event{IssuedOn(1, "ROMA01", CF(1), "r1", "cr", h), IssuedOn(2, "ROMA01", CF(2), "r2", "cs", h)}
	for i := range older {
		older[i].Desk = "02"
	}
	for range 2 { // the second is a replay of an answer lost
		res, err := s.Apply(ctx, "ROMA01", older, T0)
		if err != nil {
			t.Fatal(err)
		}
		for i, by := range []string{"cm", "cc"} {
			if want := string(pinsede.RefusedSuperseded) + " " + by; len(res) != 2 || res[i].Verdict != wire.Superseded || res[i].Reason != want {
				t.Errorf("results %+v, want superseded for %q", res, want)
			}
		}
	}
	for cf, want := range map[pinsede.CodiceFiscale]map[string]string{
		CF(1): {"cm": "revoked", "cr": "superseded by cm"},
		CF(2): {"cb": "superseded by cc", "cc": "revoked", "cs": "superseded by cc"},
	} {
		recs, err := s.Credentials(ctx, cf)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range recs {
			got[r.Credential.ID] = strings.TrimSuffix(string(r.Status)+" by "+r.SupersededBy, " by ")
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("credentials of %s = %v, want %v", cf, got, want)
		}
	}
	ch, err := CentralChanges(s, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 2 || ch[0].CredentialID != "cr" || ch[0].BySede != "MILA01" || ch[0].ByDesk != "01" || !ch[0].IssuedAt.Equal(T0) ||
		ch[1].CredentialID != "cs" || ch[1].BySede != "NAPO01" || ch[1].ByDesk != "03" || !ch[1].IssuedAt.Equal(T0) {
		t.Errorf("ROMA01 changes = %+v, want cr superseded by MILA01 desk 01's and cs by NAPO01 desk 03's, of %v", ch, T0)
	}
	if ch, _ := CentralChanges(s, "MILA01"); len(ch) != 1 || ch[0].CredentialID != "cb" {
		t.Errorf("MILA01 changes = %+v, want cb superseded only", ch)
	}
	// An issue of the same instant as the newest, applied later, is active.
	tie := Issued("TORI01", CF(1), "t1", "ct", h)
	wantVerdicts(t, apply(t, s, "TORI01", tie), wire.Accepted)
	if r := current(t, s, CF(1)); r.Credential.ID != "ct" || r.Status != central.StatusActive {
		t.Errorf("Current = %s %s, want ct active", r.Credential.ID, r.Status)
	}
	// CF(3): an issue pushed revoked (its envelope lost before the push)
	// supersedes the older active one all the same.
	wantVerdicts(t, apply(t, s, "BOLO01", IssuedOn(1, "BOLO01", CF(3), "b1", "co", h)), wire.Accepted)
	lost := Issued("FIRE01", CF(3), "f1", "cl", h)
	lost.Credential.State, lost.Credential.RevokedAt, lost.Credential.RevokedBy, lost.Credential.RevokeReason = pinsede.StateRevocato, T0, "op", "busta smarrita"
	wantVerdicts(t, apply(t, s, "FIRE01", lost), wire.Accepted)
	if r := current(t, s, CF(3)); r.Status == central.StatusActive {
		t.Errorf("Current = %s %s, want none active", r.Credential.ID, r.Status)
	}
	if ch, _ := CentralChanges(s, "BOLO01"); len(ch) != 1 || ch[0].CredentialID != "co" || ch[0].BySede != "FIRE01" {
		t.Errorf("BOLO01 changes = %+v, want co superseded by FIRE01's", ch)
	}
	// CF(4): the desk that pushed the newer pushes a later act of its own,
	// an issue whose time came out earlier (a slip replaced after its
	// clock was put right): it is the newer, and active.
	first := Issued("PISA01", CF(4), "p1", "cf", h)
	second := IssuedOn(1, "PISA01", CF(4), "p3", "cg", h)
	first.Desk, second.Desk = "05", "05"
	wantVerdicts(t, apply(t, s, "PISA01", first, Follow(first, "p2", pinsede.EventRevoked)), wire.Accepted, wire.Accepted)
	wantVerdicts(t, apply(t, s, "PISA01", second), wire.Accepted)
	if r := current(t, s, CF(4)); r.Credential.ID != "cg" || r.Status != central.StatusActive {
		t.Errorf("Current = %s %s, want cg, pushed after cf by its desk, active", r.Credential.ID, r.Status)
	}
}

// Ensure that an issue accepted later, and issued no earlier, supersedes
// the active credential of the same codice fiscale at another sede, and
// that its sede is told.
func testSupersede(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	a := Issued("ROMA01", CF(1), "a1", "ca", h)
	b := Issued("MILA01", CF(1), "b1", "cb", h)
	wantVerdicts(t, apply(t, s, "ROMA01", a), wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", b), wire.Accepted)
	if r := current(t, s, CF(1)); r.Credential.ID != "cb" || r.Status != central.StatusActive {
		t.Errorf("Current = %s %s, want cb active", r.Credential.ID, r.Status)
	}
	ch, err := CentralChanges(s, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].Kind != wire.ChangeSuperseded || ch[0].CredentialID != "ca" || ch[0].BySede != "MILA01" || ch[0].Seq == 0 {
		t.Errorf("ROMA01 changes = %+v, want ca superseded by MILA01", ch)
	}
	if ch, _ := CentralChanges(s, "MILA01"); len(ch) != 0 {
		t.Errorf("MILA01 changes = %+v, want none", ch)
	}
	// ROMA01, offline meanwhile, hands over and revokes its credential.
	wantVerdicts(t, apply(t, s, "ROMA01", Follow(a, "a2", pinsede.EventHandedOver), Follow(a, "a3", pinsede.EventRevoked)),
		wire.Superseded, wire.Superseded)
	// Their answer lost, ROMA01 sends them again: it is told the same, not
	// "duplicate", which its desk would take as accepted and so never list
	// them among the events centrale did not accept.
	again := apply(t, s, "ROMA01", Follow(a, "a2", pinsede.EventHandedOver), Follow(a, "a3", pinsede.EventRevoked), Follow(a, "a2", pinsede.EventHandedOver))
	wantVerdicts(t, again, wire.Superseded, wire.Superseded, wire.Superseded)
	if r := current(t, s, CF(1)); r.Credential.ID != "cb" {
		t.Errorf("Current = %s, want cb", r.Credential.ID)
	}
	// ROMA01 issues again: it wins, and MILA01 is told.
	wantVerdicts(t, apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a4", "ca2", h)), wire.Accepted)
	if ch, _ := CentralChanges(s, "MILA01"); len(ch) != 1 || ch[0].CredentialID != "cb" {
		t.Errorf("MILA01 changes = %+v, want cb superseded", ch)
	}
	if n := events(t, s); n != 5 {
		t.Errorf("Events() = %d, want 5", n)
	}
}

// Ensure that a revoked credential stays revoked and is still found.
func testRevoke(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	a := Issued("ROMA01", CF(1), "a1", "ca", h)
	wantVerdicts(t, apply(t, s, "ROMA01", a, Follow(a, "a2", pinsede.EventRevoked)), wire.Accepted, wire.Accepted)
	r := current(t, s, CF(1))
	if r.Status != central.StatusRevoked || r.Credential.State != pinsede.StateRevocato {
		t.Errorf("after revoke: %s %s", r.Status, r.Credential.State)
	}
	// A new issue is active, with no change for anyone: nothing was active.
	wantVerdicts(t, apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a3", "ca2", h)), wire.Accepted)
	if r := current(t, s, CF(1)); r.Credential.ID != "ca2" || r.Status != central.StatusActive {
		t.Errorf("Current = %s %s, want ca2 active", r.Credential.ID, r.Status)
	}
	if ch, _ := CentralChanges(s, "ROMA01"); len(ch) != 0 {
		t.Errorf("changes = %+v, want none", ch)
	}
}

// Ensure that changes come after the cursor, in order, at most limit.
func testChanges(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	for i := range 5 {
		apply(t, s, "ROMA01", Issued("ROMA01", CF(i), fmt.Sprint("r", i), fmt.Sprint("cr", i), h))
		apply(t, s, "MILA01", Issued("MILA01", CF(i), fmt.Sprint("m", i), fmt.Sprint("cm", i), h))
	}
	all, _, latest, err := s.Changes(ctx, "ROMA01", 0, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 10 {
		t.Fatalf("changes = %d, want 10: each issue of ROMA01 for its desks, and superseded by MILA01", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Errorf("changes out of order: %d after %d", all[i].Seq, all[i-1].Seq)
		}
	}
	if latest != all[len(all)-1].Seq {
		t.Errorf("latest = %d, want the last change's %d", latest, all[len(all)-1].Seq)
	}
	page, _, latest, _ := s.Changes(ctx, "ROMA01", all[1].Seq, 2, nil)
	if len(page) != 2 || page[0].Seq != all[2].Seq || page[1].Seq != all[3].Seq || latest != all[len(all)-1].Seq {
		t.Errorf("page after %d = %+v, latest %d", all[1].Seq, page, latest)
	}
	if rest, _, latest, _ := s.Changes(ctx, "ROMA01", all[len(all)-1].Seq, 10, nil); len(rest) != 0 || latest != all[len(all)-1].Seq {
		t.Errorf("changes after the last = %+v, latest %d", rest, latest)
	}
}

// Ensure that each PIN check is counted before its hash, that the check
// that reaches the threshold sets a temporary lock, that a locked
// credential lets no check through and is told to no sede, that a right
// PIN clears count and lock, and that a replacement PIN is recorded once.
func testAttemptSucceed(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a1", "ca", h))
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 2, ResetAfter: 24 * time.Hour}
	if _, _, err := s.Attempt(ctx, CF(2), central.SlotPIN, p, T0); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Attempt(unknown) = %v, want ErrNotFound", err)
	}
	if _, _, err := s.Attempt(ctx, CF(1), central.SlotTelefonico, p, T0); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Attempt(no PIN telefonico) = %v, want ErrNotFound", err)
	}
	for i := 1; i <= 3; i++ {
		r, open, err := s.Attempt(ctx, CF(1), central.SlotPIN, p, T0)
		if err != nil || !open || r.Credential.ID != "ca" || r.Credential.PINHash != h {
			t.Fatalf("attempt %d = %s, %v, %v; want ca open", i, r.Credential.ID, open, err)
		}
		if want := i % 3; r.Failures != want || current(t, s, CF(1)).Failures != want {
			t.Errorf("attempt %d: failures %d, want %d", i, r.Failures, want)
		}
	}
	r := current(t, s, CF(1))
	if want := (central.Lock{Temporary: 1, Until: T0.Add(15 * time.Minute), LastAttempt: T0}); !sameLock(r.Lock, want) {
		t.Errorf("lock after 3 checks = %+v, want %+v", r.Lock, want)
	}
	if _, open, err := s.Attempt(ctx, CF(1), central.SlotPIN, p, T0.Add(time.Minute)); err != nil || open {
		t.Errorf("attempt while locked: open %v, %v", open, err)
	}
	if after := current(t, s, CF(1)); !sameLock(after.Lock, r.Lock) || after.Failures != 0 {
		t.Errorf("a check while locked changed the record: %+v", after)
	}
	if ch, _ := CentralChanges(s, "ROMA01"); len(ch) != 0 {
		t.Errorf("changes = %+v, want none: a lock is not told to the sede", ch)
	}
	if err := s.Succeed(ctx, "ca", ""); err != nil {
		t.Fatal(err)
	}
	if r := current(t, s, CF(1)); r.Failures != 0 || r.Lock != (central.Lock{}) {
		t.Errorf("after success: failures %d, lock %+v", r.Failures, r.Lock)
	}
	nh := Hash(t, "abcd1234")
	if err := s.Succeed(ctx, "ca", nh); err != nil {
		t.Fatal(err)
	}
	if err := s.Succeed(ctx, "ca", nh); !errors.Is(err, central.ErrAlreadyReplaced) {
		t.Errorf("second replacement: %v, want ErrAlreadyReplaced", err)
	}
	if r := current(t, s, CF(1)); r.NewPINHash != nh {
		t.Errorf("NewPINHash not recorded")
	}
	if err := s.Succeed(ctx, "nope", ""); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Succeed(unknown) = %v, want ErrNotFound", err)
	}
}

// Ensure that the PIN check answers as the portal does: the first use asks
// for the 8-character replacement, which then is the only PIN that opens;
// wrong PINs lock, and a locked credential answers as a wrong PIN, even to
// the right one; revoked and expired PINs are told only to who knows them.
func testVerify(t *testing.T, s central.Store) {
	const pin = "ACEFHJKMNPRTUVWX"
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a1", "ca", Hash(t, pin)))
	now := T0
	v := central.NewVerifier(s, 3, func() time.Time { return now })
	v.Params, v.ChosenParams = CheapArgon2, CheapArgon2
	cf := string(CF(1))
	step := func(name string, req wire.VerifyRequest, want wire.Outcome) {
		t.Helper()
		got, err := v.Verify(ctx, req, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Outcome != want {
			t.Errorf("%s: %+v, want %s", name, got, want)
		}
		if want == wire.Valid && got.Type != pinsede.Dispositivo {
			t.Errorf("%s: type %q, want dispositivo", name, got.Type)
		}
	}
	step("unknown cf", wire.VerifyRequest{CodiceFiscale: string(CF(2)), PIN: pin}, wire.Wrong)
	step("first use", wire.VerifyRequest{CodiceFiscale: cf, PIN: pin}, wire.ChangeRequired)
	step("wrong", wire.VerifyRequest{CodiceFiscale: cf, PIN: "ACEFHJKMNPRTUVWY"}, wire.Wrong)
	step("replace", wire.VerifyRequest{CodiceFiscale: cf, PIN: pin, NewPIN: "Roma2026"}, wire.Valid)
	step("old PIN", wire.VerifyRequest{CodiceFiscale: cf, PIN: pin}, wire.Wrong)
	step("new PIN", wire.VerifyRequest{CodiceFiscale: cf, PIN: "Roma2026"}, wire.Valid)
	if _, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: cf, PIN: "short"}, nil); !errors.Is(err, central.ErrBadRequest) {
		t.Errorf("short PIN: %v, want ErrBadRequest", err)
	}
	if _, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: "nope", PIN: pin}, nil); !errors.Is(err, central.ErrBadRequest) {
		t.Errorf("bad cf: %v, want ErrBadRequest", err)
	}
	now = T0.AddDate(0, pinsede.ValidityMonths, 1)
	step("expired", wire.VerifyRequest{CodiceFiscale: cf, PIN: "Roma2026"}, wire.Expired)
	now = T0
	for range 3 {
		step("wrong", wire.VerifyRequest{CodiceFiscale: cf, PIN: "Roma2027"}, wire.Wrong)
	}
	step("locked", wire.VerifyRequest{CodiceFiscale: cf, PIN: "Roma2026"}, wire.Wrong)

	// A revoked PIN is told revoked only with the right PIN.
	const pin2 = "YXWVUTRPNMKJHFEC"
	iss := Issued("ROMA01", CF(3), "b1", "cb", Hash(t, pin2))
	apply(t, s, "ROMA01", iss, Follow(iss, "b2", pinsede.EventRevoked))
	step("revoked, wrong PIN", wire.VerifyRequest{CodiceFiscale: string(CF(3)), PIN: pin}, wire.Wrong)
	step("revoked", wire.VerifyRequest{CodiceFiscale: string(CF(3)), PIN: pin2}, wire.Revoked)
}

// Ensure that sedi issuing for the same codice fiscale at once leave
// exactly one active credential, and every other one superseded and told.
func testConcurrentIssue(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	const n = 12
	for i, r := range issueTogether(t, s, n, func(sede string, _ int) pinsede.Event { return Issued(sede, CF(1), "e"+sede, "c"+sede, h) }) {
		if r.Verdict != wire.Accepted {
			t.Errorf("SEDE%02d: %+v", i, r)
		}
	}
	if told := toldSuperseded(t, s, n); told != n-1 {
		t.Errorf("%d sedi told they were superseded, want %d", told, n-1)
	}
	if r := current(t, s, CF(1)); r.Status != central.StatusActive {
		t.Errorf("no active credential: %+v", r)
	}
}

// Ensure that, of issues for one codice fiscale pushed at once by
// several sedi, each issued a minute before the previous sede's, the
// newest stays active whatever order they commit in, and every other
// sede is told once that its credential was superseded.
func testConcurrentIssueNewerWins(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	const n = 12
	issueTogether(t, s, n, func(sede string, i int) pinsede.Event { return minutesBefore(sede, i, h) })
	if r := current(t, s, CF(1)); r.Credential.ID != "cSEDE00" || r.Status != central.StatusActive {
		t.Errorf("Current = %s %s, want cSEDE00, the newest, active", r.Credential.ID, r.Status)
	}
	if ch, _ := CentralChanges(s, "SEDE00"); len(ch) != 0 {
		t.Errorf("SEDE00 changes = %+v, want none", ch)
	}
	if told := toldSuperseded(t, s, n); told != n-1 {
		t.Errorf("%d sedi told they were superseded, want %d", told, n-1)
	}
}

// Ensure that issues for one person pushed together, the newest of them
// revoked before its push (at a desk offline meanwhile), leave none
// active whatever the commit order: each older one yields to the newest
// though it is not active, and its sede is told.
func testConcurrentIssueNewerRevoked(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	const n = 12
	issueTogether(t, s, n, func(sede string, i int) pinsede.Event {
		ev := minutesBefore(sede, i, h)
		if i == 0 {
			ev.Credential.State, ev.Credential.RevokedAt, ev.Credential.RevokedBy, ev.Credential.RevokeReason = pinsede.StateRevocato, T0, "op", "busta smarrita"
		}
		return ev
	})
	recs, err := s.Credentials(ctx, CF(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Status == central.StatusActive {
			t.Errorf("%s active, want none: cSEDE00, the newest, is revoked", r.Credential.ID)
		}
	}
	if told := toldSuperseded(t, s, n); told != n-1 {
		t.Errorf("%d sedi told they were superseded, want %d", told, n-1)
	}
}

// minutesBefore returns sede's issue for CF(1), with the PIN hash h,
// issued i minutes before T0.
func minutesBefore(sede string, i int, h string) pinsede.Event {
	ev := Issued(sede, CF(1), "e"+sede, "c"+sede, h)
	at := T0.Add(-time.Duration(i) * time.Minute)
	ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = at, at, pinsede.Expiry(at)
	return ev
}

// issueTogether pushes, released together, the event issue makes for
// each of n sedi SEDE00, SEDE01..., and returns their results in the
// sedi's order.
func issueTogether(t *testing.T, s central.Store, n int, issue func(sede string, i int) pinsede.Event) []wire.Result {
	t.Helper()
	out := make([]wire.Result, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		sede := fmt.Sprintf("SEDE%02d", i)
		ev := issue(sede, i)
		wg.Go(func() {
			<-start
			res, err := s.Apply(ctx, sede, []pinsede.Event{ev}, T0)
			if errs[i] = err; err == nil {
				out[i] = res[0]
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// toldSuperseded counts the changes other than sede.event for n sedi
// SEDE00, SEDE01...
func toldSuperseded(t *testing.T, s central.Store, n int) int {
	t.Helper()
	told := 0
	for i := range n {
		ch, err := CentralChanges(s, fmt.Sprintf("SEDE%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		told += len(ch)
	}
	return told
}

// Ensure that the same batch pushed at once by several connections is
// applied once.
func testConcurrentReplay(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	var batch []pinsede.Event
	for i := range 20 {
		batch = append(batch, Issued("ROMA01", CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Apply(ctx, "ROMA01", batch, T0)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range res {
				switch r.Verdict {
				case wire.Accepted:
					accepted++
				case wire.Duplicate:
				default:
					t.Errorf("verdict %+v", r)
				}
			}
		}()
	}
	wg.Wait()
	if accepted != len(batch) {
		t.Errorf("%d accepted, want %d", accepted, len(batch))
	}
	if n := events(t, s); n != len(batch) {
		t.Errorf("Events() = %d, want %d", n, len(batch))
	}
}

// Telephone returns an issue event of a PIN telefonico of sede for cf,
// valid one week.
func Telephone(sede string, cf pinsede.CodiceFiscale, id, credID, hash string) pinsede.Event {
	ev := Issued(sede, cf, id, credID, hash)
	ev.Credential.Type, ev.Credential.Validity = pinsede.Telefonico, pinsede.ValidityWeek
	ev.Credential.ExpiresAt = pinsede.ValidityWeek.Expiry(T0)
	return ev
}

// Ensure that a PIN telefonico takes a slot of its own: it lives alongside
// the active PIN dispositivo without superseding it, supersedes only a
// previous PIN telefonico, and /v1/pin/verify checks it with its type, with
// no change of PIN, until it expires.
func testTelephone(t *testing.T, s central.Store) {
	const pin, tel, tel2 = "ACEFHJKMNPRTUVWX", "YXWVUTRPNMKJHFEC", "HJKMNPRTACEFUVWX"
	wantVerdicts(t, apply(t, s, "ROMA01",
		Issued("ROMA01", CF(1), "a1", "ca", Hash(t, pin)),
		Telephone("ROMA01", CF(1), "t1", "ct", Hash(t, tel)),
	), wire.Accepted, wire.Accepted)
	if ch, _ := CentralChanges(s, "ROMA01"); len(ch) != 0 {
		t.Errorf("changes = %+v, want none: a PIN telefonico supersedes no PIN dispositivo", ch)
	}
	slot := func(sl central.Slot, wantID string) {
		t.Helper()
		r, err := s.Current(ctx, CF(1), sl)
		if err != nil || r.Credential.ID != wantID || r.Status != central.StatusActive {
			t.Errorf("Current(%q) = %s %s, %v; want %s active", sl, r.Credential.ID, r.Status, err, wantID)
		}
	}
	slot(central.SlotPIN, "ca")
	slot(central.SlotTelefonico, "ct")

	// A second PIN telefonico, from another sede, supersedes the first only.
	wantVerdicts(t, apply(t, s, "MILA01", Telephone("MILA01", CF(1), "t2", "ct2", Hash(t, tel2))), wire.Accepted)
	slot(central.SlotPIN, "ca")
	slot(central.SlotTelefonico, "ct2")
	if ch, _ := CentralChanges(s, "ROMA01"); len(ch) != 1 || ch[0].CredentialID != "ct" || ch[0].Kind != wire.ChangeSuperseded {
		t.Errorf("ROMA01 changes = %+v, want ct superseded", ch)
	}
	// A new PIN dispositivo leaves the PIN telefonico active.
	wantVerdicts(t, apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a2", "ca2", Hash(t, pin))), wire.Accepted)
	slot(central.SlotPIN, "ca2")
	slot(central.SlotTelefonico, "ct2")

	now := T0
	v := central.NewVerifier(s, 3, func() time.Time { return now })
	v.Params, v.ChosenParams = CheapArgon2, CheapArgon2
	step := func(name string, req wire.VerifyRequest, want wire.Outcome, typ pinsede.CredentialType) {
		t.Helper()
		req.CodiceFiscale = string(CF(1))
		got, err := v.Verify(ctx, req, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Outcome != want || got.Type != typ {
			t.Errorf("%s: %+v, want %s of type %q", name, got, want, typ)
		}
	}
	step("telefonico", wire.VerifyRequest{PIN: tel2, Type: pinsede.Telefonico}, wire.Valid, pinsede.Telefonico)
	step("telefonico again", wire.VerifyRequest{PIN: tel2, Type: pinsede.Telefonico}, wire.Valid, pinsede.Telefonico)
	step("superseded telefonico", wire.VerifyRequest{PIN: tel, Type: pinsede.Telefonico}, wire.Wrong, "")
	step("telefonico as the online PIN", wire.VerifyRequest{PIN: tel2}, wire.Wrong, "")
	step("dispositivo", wire.VerifyRequest{PIN: pin}, wire.ChangeRequired, pinsede.Dispositivo)
	now = pinsede.ValidityWeek.Expiry(T0)
	step("telefonico expired", wire.VerifyRequest{PIN: tel2, Type: pinsede.Telefonico}, wire.Expired, pinsede.Telefonico)
	if _, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: tel2, Type: "spid"}, nil); !errors.Is(err, central.ErrBadRequest) {
		t.Errorf("unknown type: %v, want ErrBadRequest", err)
	}
}

// Ensure that event ids are unique per sede only: another sede's event
// of the same id is applied, and its credential stored, and each sede's
// replay is its own duplicate.
func testEventIDsPerSede(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	roma := Issued("ROMA01", CF(1), "e1", "cr", h)
	mila := Issued("MILA01", CF(2), "e1", "cm", h)
	wantVerdicts(t, apply(t, s, "ROMA01", roma), wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", mila), wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", mila), wire.Duplicate)
	wantVerdicts(t, apply(t, s, "ROMA01", roma), wire.Duplicate)
	if r := current(t, s, CF(1)); r.Credential.ID != "cr" || r.Status != central.StatusActive {
		t.Errorf("ROMA01's credential = %s %s, want cr active", r.Credential.ID, r.Status)
	}
	if r := current(t, s, CF(2)); r.Credential.ID != "cm" || r.Status != central.StatusActive {
		t.Errorf("MILA01's credential = %s %s, want cm active", r.Credential.ID, r.Status)
	}
	// The follow-up of the same id at each sede is each one's own.
	wantVerdicts(t, apply(t, s, "ROMA01", Follow(roma, "e2", pinsede.EventHandedOver)), wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", Follow(mila, "e2", pinsede.EventRevoked)), wire.Accepted)
	if r := current(t, s, CF(2)); r.Status != central.StatusRevoked {
		t.Errorf("MILA01's credential after its revocation: %s", r.Status)
	}
	if r := current(t, s, CF(1)); r.Status != central.StatusActive || r.Credential.HandedOverAt.IsZero() {
		t.Errorf("ROMA01's credential after its handover: %s, handed over %v", r.Status, r.Credential.HandedOverAt)
	}
	if n := events(t, s); n != 4 {
		t.Errorf("Events() = %d, want 4", n)
	}
}

// CentralChanges returns the first changes (up to 1000) for sede, but the
// events of its desks (ChangeSedeEvent, which testSedeEvents tests):
// those that the central records make themselves.
func CentralChanges(s central.Store, sede string) ([]wire.Change, error) {
	return kindChanges(s, sede, func(k wire.ChangeKind) bool { return k != wire.ChangeSedeEvent })
}

// kindChanges returns the first changes for sede whose kind keep takes,
// oldest first.
func kindChanges(s central.Store, sede string, keep func(wire.ChangeKind) bool) ([]wire.Change, error) {
	all, _, _, err := s.Changes(ctx, sede, 0, 1000, nil)
	var out []wire.Change
	for _, c := range all {
		if keep(c.Kind) {
			out = append(out, c)
		}
	}
	return out, err
}
