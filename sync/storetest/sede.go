package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// WithCitizen returns issued, an issue event, carrying the record of its
// citizen as the desk keeps it: TicketRequest for the credential's codice
// fiscale, and a passport.
func WithCitizen(issued pinsede.Event) pinsede.Event {
	req := TicketRequest()
	req.CodiceFiscale = issued.Credential.CodiceFiscale
	issued.Citizen = &pinsede.Citizen{
		Request: req,
		Document: pinsede.Document{Type: pinsede.DocPassaportoEstero, Number: "AAA123456", Authority: "RENAPER", Country: "AR",
			IssuedOn: pinsede.DateOf(T0.AddDate(-2, 0, 0)), ExpiresOn: pinsede.DateOf(T0.AddDate(5, 0, 0))},
		UpdatedAt: T0,
	}
	return issued
}

// sedeEvents returns the ChangeSedeEvent changes of sede, oldest first.
func sedeEvents(t *testing.T, s central.Store, sede string) []wire.Change {
	t.Helper()
	out, err := kindChanges(s, sede, func(k wire.ChangeKind) bool { return k == wire.ChangeSedeEvent })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Ensure that each event of a sede's desk that the central records
// accept, of the kinds that make or change a record (issue with the
// citizen's record, handover, revocation, conversion, delegations), is a
// ChangeSedeEvent for the sede, in order, naming the desk and carrying
// the event as applied; that the citizen's record is kept with the
// event; and that a replay, a rejected event, a form, an outcome, a
// ticket called and another sede's events are none.
func testSedeEvents(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	issued := AtDesk(WithCitizen(Issued("ROMA01", CF(1), "e1", "c1", h)), "03")
	ord := AtDesk(WithCitizen(Ordinario("ROMA01", CF(2), "e2", "c2", h)), "03")
	reg := AtDesk(Delegated("ROMA01", "d1", pinsede.FormAA08, CF(3), CF(4)), "05")
	evs := []pinsede.Event{
		issued,
		AtDesk(FormArchived(issued, "f1", PDF(2000)), "03"),
		AtDesk(Follow(issued, "e3", pinsede.EventHandedOver), "04"),
		AtDesk(Follow(issued, "e4", pinsede.EventRevoked), "05"),
		ord,
		AtDesk(Converted(ord, "e5"), "04"),
		reg,
		AtDesk(DelegationRevoked(reg, "ROMA01", "e6"), "04"),
		Refused("ROMA01", "e7", CF(5), pinsede.KeyRefusedResidentItaly),
		TicketCalled("ROMA01", "e8", "QRTUVW99"),
		AtDesk(Follow(Issued("ROMA01", CF(6), "x", "nope", h), "e9", pinsede.EventHandedOver), "04"), // unknown credential
	}
	got := apply(t, s, "ROMA01", evs...)
	wantVerdicts(t, got, wire.Accepted, wire.Accepted, wire.Accepted, wire.Accepted, wire.Accepted, wire.Accepted,
		wire.Accepted, wire.Accepted, wire.Accepted, wire.Accepted, wire.Rejected)
	wantVerdicts(t, apply(t, s, "ROMA01", AtDesk(issued, "04")), wire.Duplicate)
	wantVerdicts(t, apply(t, s, "MILA01", AtDesk(Issued("MILA01", CF(9), "m1", "cm1", h), "01")), wire.Accepted)

	want := []struct {
		id, desk string
		kind     pinsede.EventKind
	}{
		{"e1", "03", pinsede.EventIssued}, {"e3", "04", pinsede.EventHandedOver}, {"e4", "05", pinsede.EventRevoked},
		{"e2", "03", pinsede.EventIssued}, {"e5", "04", pinsede.EventConverted},
		{"ev-d1", "05", pinsede.EventDelegationRegistered}, {"e6", "04", pinsede.EventDelegationRevoked},
	}
	ch := sedeEvents(t, s, "ROMA01")
	if len(ch) != len(want) {
		t.Fatalf("ROMA01's sede events = %d, want %d: %+v", len(ch), len(want), ch)
	}
	for i, w := range want {
		c := ch[i]
		switch {
		case c.Event == nil:
			t.Errorf("change %d carries no event", i)
		case c.Event.ID != w.id || c.Event.Kind != w.kind || c.Desk != w.desk || c.Event.Desk != w.desk || c.Sede != "ROMA01" || c.Event.Form != nil:
			t.Errorf("change %d = %+v, event %+v; want %s (%s) of desk %s", i, c, *c.Event, w.id, w.kind, w.desk)
		case i > 0 && c.Seq <= ch[i-1].Seq:
			t.Errorf("change %d numbered %d after %d", i, c.Seq, ch[i-1].Seq)
		}
	}
	if e := ch[0].Event; e != nil && (!reflect.DeepEqual(e.Citizen, issued.Citizen) || e.Credential.PINHash != h || ch[0].CredentialID != "c1" || ch[0].CodiceFiscale != CF(1)) {
		t.Errorf("the issue's change = %+v, event %+v; want the citizen and the PIN hash as sent", ch[0], *e)
	}
	if got, err := s.Event(ctx, "ROMA01", "e1"); err != nil || !reflect.DeepEqual(got.Event.Citizen, issued.Citizen) {
		t.Errorf("Event(e1) = %+v, %v; want the citizen's record kept with it", got.Event.Citizen, err)
	}
	if ch := sedeEvents(t, s, "MILA01"); len(ch) != 1 || ch[0].Event.ID != "m1" {
		t.Errorf("MILA01's sede events = %+v, want its own issue only", ch)
	}
}

// Ensure that of two desks of a sede acting on one credential at once,
// the central records take the first and refuse the second with a reason
// of a code the desk knows: a second handover, a second revocation. A
// handover after a revocation is still taken (the envelope was handed
// over before the desk knew), and a refused act is no change for the
// sede.
func testSedeConflicts(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	a := AtDesk(Issued("ROMA01", CF(1), "a", "ca", h), "03")
	b := AtDesk(Issued("ROMA01", CF(2), "b", "cb", h), "03")
	wantVerdicts(t, apply(t, s, "ROMA01", a, b), wire.Accepted, wire.Accepted)
	before := len(sedeEvents(t, s, "ROMA01"))
	rs := reasons(t, s, "ROMA01",
		AtDesk(Follow(a, "a1", pinsede.EventHandedOver), "04"),
		AtDesk(Follow(a, "a2", pinsede.EventHandedOver), "05"),
		AtDesk(Follow(b, "b1", pinsede.EventRevoked), "04"),
		AtDesk(Follow(b, "b2", pinsede.EventRevoked), "05"),
		AtDesk(Follow(b, "b3", pinsede.EventHandedOver), "05"),
	)
	for i, want := range []pinsede.ReasonCode{"", pinsede.RefusedAlreadyHandedOver, "", pinsede.RefusedCredNotActive, ""} {
		code, detail := pinsede.ParseReason(rs[i])
		if code != want || want != "" && !strings.HasPrefix(detail, "on ") && !strings.HasPrefix(detail, "revoked on ") {
			t.Errorf("event %d: reason %q (code %q), want code %q with who acted first", i, rs[i], code, want)
		}
	}
	if n := len(sedeEvents(t, s, "ROMA01")) - before; n != 3 {
		t.Errorf("%d sede events for the acts, want 3: the refused ones are none", n)
	}
}

// Ensure that the citizen's record an issue carries is bounded: its
// codice fiscale the credential's, its strings within MaxCitizenText
// together, and on an issue only.
func testSedeCitizenBounds(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	other := WithCitizen(Issued("ROMA01", CF(1), "e1", "c1", h))
	other.Citizen.Request.CodiceFiscale = CF(2)
	long := WithCitizen(Issued("ROMA01", CF(3), "e3", "c3", h))
	long.Citizen.Request.Residenza.Street = strings.Repeat("Via dei Fori Imperiali ", 30)[:central.MaxText]
	long.Citizen.Request.Residenza.City = long.Citizen.Request.Residenza.Street
	long.Citizen.Document.Authority = long.Citizen.Request.Residenza.Street
	long.Citizen.Request.Cognome, long.Citizen.Request.Nome = long.Citizen.Document.Authority, long.Citizen.Document.Authority
	long.Citizen.Request.LuogoNascita.Name, long.Citizen.Request.Recapiti.Email = long.Citizen.Document.Authority, long.Citizen.Document.Authority
	long.Citizen.Request.Recapiti.PEC, long.Citizen.Document.Number = long.Citizen.Document.Authority, long.Citizen.Document.Authority
	handover := Follow(Issued("ROMA01", CF(4), "e4", "c4", h), "e5", pinsede.EventHandedOver)
	handover.Citizen = WithCitizen(Issued("ROMA01", CF(4), "e4", "c4", h)).Citizen
	rs := reasons(t, s, "ROMA01", other, long, Issued("ROMA01", CF(4), "e4", "c4", h), handover)
	for i, want := range []string{central.ReasonBadEvent + ": the citizen's", central.ReasonText + ": citizen has", "", central.ReasonBadEvent + ": fields of another kind"} {
		if !strings.HasPrefix(rs[i], want) || want == "" && rs[i] != "" {
			t.Errorf("event %d: reason %q, want %q", i, rs[i], want)
		}
	}
}

// OperatorEvent returns an event of kind, an operator.* kind, of sede
// about the account id with the password hash given, by the supervisor
// "sup".
func OperatorEvent(sede, eventID string, kind pinsede.EventKind, id, hash string) pinsede.Event {
	op := &pinsede.Operator{ID: id, Name: "Luca Verdi", Role: pinsede.RoleOperatore, PasswordHash: hash, CreatedAt: T0,
		Disabled: kind == pinsede.EventOperatorDisabled, MustChangePassword: kind == pinsede.EventOperatorPasswordReset}
	return pinsede.Event{ID: eventID, Kind: kind, Time: T0, Sede: sede, Operator: op, Actor: "sup"}
}

// Ensure that an act on an operator account of the sede is kept once as
// an accepted event, with the account's password hash, and goes to the
// sede's desks as a ChangeSedeEvent (another sede gets none); and that an
// operator event without the account or who acted, with a role unknown,
// a password hash that is none or costs more than MaxPasswordParams, a
// desk's own count of failed logins (a failed login or a login with the
// count, the lock-out's end or the last login), or fields of another
// kind, is rejected.
func testSedeOperators(t *testing.T, s central.Store) {
	h := Hash(t, "una-password-lunga")
	added := AtDesk(OperatorEvent("ROMA01", "o1", pinsede.EventOperatorAdded, "l.verdi", h), "01")
	off := AtDesk(OperatorEvent("ROMA01", "o2", pinsede.EventOperatorDisabled, "l.verdi", h), "02")
	wantVerdicts(t, apply(t, s, "ROMA01", added, off), wire.Accepted, wire.Accepted)
	locked := AtDesk(OperatorEvent("ROMA01", "o3", pinsede.EventOperatorLocked, "l.verdi", h), "03")
	locked.Until = T0.Add(pinsede.LockoutBase)
	wantVerdicts(t, apply(t, s, "ROMA01", locked), wire.Accepted)
	wantVerdicts(t, apply(t, s, "ROMA01", added), wire.Duplicate)
	ch := sedeEvents(t, s, "ROMA01")
	if len(ch) == 3 && (ch[2].Event.Kind != pinsede.EventOperatorLocked || !ch[2].Event.Until.Equal(locked.Until) || ch[2].Desk != "03") {
		t.Errorf("the lock-out at 03 as ROMA01's desks get it: %+v, want its end", ch[2].Event)
	}
	if len(ch) != 3 || ch[0].Event.Operator == nil || *ch[0].Event.Operator != *added.Operator || ch[0].Desk != "01" ||
		ch[1].Event.Kind != pinsede.EventOperatorDisabled || !ch[1].Event.Operator.Disabled || ch[1].Event.Actor != "sup" {
		t.Errorf("ROMA01's sede events = %+v, want the account added at 01 and disabled at 02", ch)
	}
	if got := sedeEvents(t, s, "MILA01"); len(got) != 0 {
		t.Errorf("MILA01's sede events = %+v, want none", got)
	}

	bad := func(mod func(*pinsede.Event)) pinsede.Event {
		ev := OperatorEvent("ROMA01", "bad", pinsede.EventOperatorAdded, "m.neri", h)
		mod(&ev)
		return ev
	}
	costly := pinsede.Argon2Params{Time: 1, MemoryKiB: 1 << 20, Threads: 1}
	for _, tc := range []struct {
		name string
		ev   pinsede.Event
		want string
	}{
		{"no account", bad(func(e *pinsede.Event) { e.Operator = nil }), central.ReasonBadEvent + ": no operator"},
		{"no actor", bad(func(e *pinsede.Event) { e.Actor = "" }), central.ReasonBadEvent + ": an operator event names"},
		{"role", bad(func(e *pinsede.Event) { e.Operator.Role = "capo" }), central.ReasonBadEvent + ": operator role"},
		{"no hash", bad(func(e *pinsede.Event) { e.Operator.PasswordHash = "password" }), central.ReasonBadEvent + ": password hash"},
		{"cost", bad(func(e *pinsede.Event) { e.Operator.PasswordHash = FakeHash(costly) }), central.ReasonHashCost},
		{"failed logins", bad(func(e *pinsede.Event) { e.Operator.FailedLogins = 3 }), central.ReasonBadEvent + ": a desk's counts"},
		{"a failure's count", bad(func(e *pinsede.Event) { e.Kind, e.Operator.FailedLogins = pinsede.EventOperatorLoginFailed, 4 }), central.ReasonBadEvent + ": a desk's counts"},
		{"a failure's lock", bad(func(e *pinsede.Event) {
			e.Kind, e.Operator.LockedUntil = pinsede.EventOperatorLoginFailed, T0.Add(time.Minute)
		}), central.ReasonBadEvent + ": a desk's counts"},
		{"a failure's until", bad(func(e *pinsede.Event) { e.Kind, e.Until = pinsede.EventOperatorLoginFailed, T0.Add(time.Minute) }), central.ReasonBadEvent + ": fields of another kind"},
		{"a login's last login", bad(func(e *pinsede.Event) { e.Kind, e.Operator.LastLogin = pinsede.EventOperatorLogin, T0 }), central.ReasonBadEvent + ": a desk's counts"},
		{"a login's until", bad(func(e *pinsede.Event) { e.Kind, e.Until = pinsede.EventOperatorLogin, T0.Add(time.Minute) }), central.ReasonBadEvent + ": fields of another kind"},
		{"a failure without the account", bad(func(e *pinsede.Event) { e.Kind, e.Operator = pinsede.EventOperatorLoginFailed, nil }), central.ReasonBadEvent + ": no operator"},
		{"credential", bad(func(e *pinsede.Event) { e.Credential.ID = "c1" }), central.ReasonBadEvent + ": fields of another kind"},
		{"until elsewhere", bad(func(e *pinsede.Event) { e.Until = T0.Add(time.Minute) }), central.ReasonBadEvent + ": fields of another kind"},
		{"lock ended", bad(func(e *pinsede.Event) { e.Kind, e.Until = pinsede.EventOperatorLocked, T0 }), central.ReasonBadEvent + ": a lock-out ends"},
		{"lock too long", bad(func(e *pinsede.Event) { e.Kind, e.Until = pinsede.EventOperatorLocked, T0.Add(25*time.Hour) }), central.ReasonBadEvent + ": a lock-out ends"},
		{"actor elsewhere", func() pinsede.Event {
			ev := Issued("ROMA01", CF(1), "bad", "c1", Hash(t, "ACEFHJKMNPRTUVWX"))
			ev.Actor = "sup"
			return ev
		}(), central.ReasonBadEvent + ": fields of another kind"},
	} {
		if got := reasons(t, s, "ROMA01", tc.ev)[0]; !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: reason %q, want %q", tc.name, got, tc.want)
		}
	}
}

// loginEvent returns an event of kind, one of the kinds of logins
// (EventOperatorLoginFailed, EventOperatorLogin, EventOperatorLocked), of
// sede about the account id with the password hash given, by the
// operator themself, from desk.
func loginEvent(sede, eventID string, kind pinsede.EventKind, id, hash, desk string) pinsede.Event {
	ev := AtDesk(OperatorEvent(sede, eventID, kind, id, hash), desk)
	ev.Actor = id
	return ev
}

// Ensure that the logins of an operator account at the sede's desks (a
// failure an event, a right password after failures, the lock-out that
// failures caused) are each kept once and go to the sede's desks in
// order, naming the desk: a failure sent twice is a duplicate, and so is
// the lock-out of the same failure (the same id, pinsede.LockEventID)
// from a second desk. (testSedeOperators rejects a failure, or a login,
// that carries a desk's counts or a lock-out's end: the count is the
// events'.)
func testSedeLogins(t *testing.T, s central.Store) {
	h := Hash(t, "una-password-lunga")
	f1 := loginEvent("ROMA01", "f1", pinsede.EventOperatorLoginFailed, "l.verdi", h, "01")
	f2 := loginEvent("ROMA01", "f2", pinsede.EventOperatorLoginFailed, "l.verdi", h, "02")
	in := loginEvent("ROMA01", "in", pinsede.EventOperatorLogin, "l.verdi", h, "03")
	lock := loginEvent("ROMA01", pinsede.LockEventID("f2"), pinsede.EventOperatorLocked, "l.verdi", h, "01")
	lock.Until = T0.Add(pinsede.LockoutBase)
	lockAt2 := AtDesk(lock, "02")
	wantVerdicts(t, apply(t, s, "ROMA01", f1, f2, f1, in, lock, lockAt2),
		wire.Accepted, wire.Accepted, wire.Duplicate, wire.Accepted, wire.Accepted, wire.Duplicate)
	var got []string
	for _, c := range sedeEvents(t, s, "ROMA01") {
		got = append(got, fmt.Sprintf("%s %s %s %s", c.Event.ID, c.Event.Kind, c.Desk, c.Event.Actor))
	}
	want := []string{
		"f1 operator.login_failed 01 l.verdi", "f2 operator.login_failed 02 l.verdi",
		"in operator.login 03 l.verdi", lock.ID + " operator.locked 01 l.verdi",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ROMA01's sede events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// SetUpEvent returns the set-up of sede (pinsede.EventSedeSetUp) by its
// first supervisor "sup", as Desk.Setup enqueues it.
func SetUpEvent(sede string) pinsede.Event {
	return pinsede.Event{ID: pinsede.SetUpEventID, Kind: pinsede.EventSedeSetUp, Time: T0, Sede: sede, Actor: "sup",
		SetUp: &pinsede.Sede{Code: sede, Name: "Sede " + sede, Address: "Via Ciro il Grande 21, Roma"}}
}

// Ensure that a sede's set-up at its first desk is kept once and goes to
// the sede's desks as a ChangeSedeEvent carrying the sede's record; that
// the same set-up from a second desk is a duplicate (the first stays);
// that a set-up of another sede, with another id, without its record
// whole or its supervisor, or with fields of another kind, is rejected;
// and that Changes tells the sede's newest change, 0 for a sede with
// none, whether or not there are changes after the cursor.
func testSedeSetUp(t *testing.T, s central.Store) {
	if ch, _, n, err := s.Changes(ctx, "ROMA01", 0, 10, nil); err != nil || n != 0 || len(ch) != 0 {
		t.Errorf("Changes of a sede with no change = %v, latest %d, %v; want none, 0", ch, n, err)
	}
	first := AtDesk(SetUpEvent("ROMA01"), "01")
	again := AtDesk(SetUpEvent("ROMA01"), "02")
	again.SetUp.Name = "Un altro nome"
	wantVerdicts(t, apply(t, s, "ROMA01", first), wire.Accepted)
	wantVerdicts(t, apply(t, s, "ROMA01", again), wire.Duplicate)
	wantVerdicts(t, apply(t, s, "MILA01", AtDesk(SetUpEvent("MILA01"), "01")), wire.Accepted)
	ch := sedeEvents(t, s, "ROMA01")
	if len(ch) != 1 || ch[0].Desk != "01" || ch[0].Event.SetUp == nil || *ch[0].Event.SetUp != *first.SetUp || ch[0].Event.Actor != "sup" {
		t.Fatalf("ROMA01's sede events = %+v, want desk 01's set-up", ch)
	}
	for _, after := range []uint64{0, ch[0].Seq, ch[0].Seq + 100} {
		if _, _, n, err := s.Changes(ctx, "ROMA01", after, 10, nil); err != nil || n != ch[0].Seq {
			t.Errorf("Changes(ROMA01) after %d: latest %d, %v; want %d", after, n, err, ch[0].Seq)
		}
	}
	if got, _, n, err := s.Changes(ctx, "ROMA0", 0, 10, nil); err != nil || n != 0 || len(got) != 0 {
		t.Errorf("Changes of a code that prefixes another's = %v, latest %d, %v; want none, 0", got, n, err)
	}

	bad := func(mod func(*pinsede.Event)) pinsede.Event {
		ev := SetUpEvent("NAPO01")
		mod(&ev)
		return ev
	}
	for _, tc := range []struct {
		name string
		ev   pinsede.Event
		want string
	}{
		{"other sede", bad(func(e *pinsede.Event) { e.SetUp.Code = "ROMA01" }), central.ReasonOtherSede},
		{"id", bad(func(e *pinsede.Event) { e.ID = "s1" }), central.ReasonBadEvent + ": a sede's set-up has the id"},
		{"no sede", bad(func(e *pinsede.Event) { e.SetUp = nil }), central.ReasonBadEvent + ": no sede"},
		{"no name", bad(func(e *pinsede.Event) { e.SetUp.Name = "" }), central.ReasonBadEvent + ": a sede's set-up carries"},
		{"no supervisor", bad(func(e *pinsede.Event) { e.Actor = "" }), central.ReasonBadEvent + ": a sede's set-up names"},
		{"operator", bad(func(e *pinsede.Event) { e.Operator = &pinsede.Operator{ID: "x"} }), central.ReasonBadEvent + ": fields of another kind"},
		{"set-up elsewhere", func() pinsede.Event {
			ev := Issued("NAPO01", CF(1), "bad", "c1", Hash(t, "ACEFHJKMNPRTUVWX"))
			ev.SetUp = SetUpEvent("NAPO01").SetUp
			return ev
		}(), central.ReasonBadEvent + ": fields of another kind"},
	} {
		if got := reasons(t, s, "NAPO01", tc.ev)[0]; !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: reason %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := sedeEvents(t, s, "NAPO01"); len(got) != 0 {
		t.Errorf("NAPO01's sede events = %+v, want none", got)
	}
}
