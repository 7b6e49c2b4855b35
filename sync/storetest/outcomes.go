package storetest

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// DigitalIdentityChosen returns the event of a desk of sede recording that
// the citizen cf chose the digital identity choice instead of a PIN.
func DigitalIdentityChosen(sede, id string, cf pinsede.CodiceFiscale, choice string) pinsede.Event {
	return pinsede.Event{ID: id, Kind: pinsede.EventDigitalIdentityChosen, Time: T0, Sede: sede,
		Outcome: &pinsede.Outcome{CodiceFiscale: cf, Choice: choice}}
}

// Refused returns the event of a desk of sede recording that the policy of
// DefaultPolicy's version refused a PIN to the citizen cf, for the reason
// key given.
func Refused(sede, id string, cf pinsede.CodiceFiscale, key string) pinsede.Event {
	return pinsede.Event{ID: id, Kind: pinsede.EventRefused, Time: T0, Sede: sede,
		Outcome: &pinsede.Outcome{CodiceFiscale: cf, Reason: key, PolicyVersion: pinsede.DefaultPolicy().Version}}
}

// Ensure that a citizen's choice of SPID, CIE or CNS and a policy refusal
// are accepted once by id, a replay being a duplicate, and change no
// credential; and that such an event with a bad choice, a bad codice
// fiscale, no reason or a field of another kind is rejected with a reason
// and not kept.
func testOutcomes(t *testing.T, s central.Store) {
	chosen := DigitalIdentityChosen("ROMA01", "o1", CF(1), "SPID")
	refused := Refused("ROMA01", "o2", CF(2), pinsede.KeyRefusedResidentItaly)
	wantVerdicts(t, apply(t, s, "ROMA01", chosen, refused, chosen), wire.Accepted, wire.Accepted, wire.Duplicate)
	wantVerdicts(t, apply(t, s, "ROMA01", refused, chosen), wire.Duplicate, wire.Duplicate)
	if n := events(t, s); n != 2 {
		t.Errorf("Events() = %d, want 2", n)
	}
	if recs, err := s.Credentials(ctx, CF(1)); err != nil || len(recs) != 0 {
		t.Errorf("Credentials after a choice = %+v, %v", recs, err)
	}

	modChosen := func(f func(*pinsede.Event)) pinsede.Event {
		ev := DigitalIdentityChosen("ROMA01", "bad", CF(3), "CIE")
		f(&ev)
		return ev
	}
	modRefused := func(f func(*pinsede.Event)) pinsede.Event {
		ev := Refused("ROMA01", "bad", CF(3), pinsede.KeyRefusedClosed)
		f(&ev)
		return ev
	}
	for _, tc := range []struct {
		name string
		ev   pinsede.Event
	}{
		{"bad choice", modChosen(func(e *pinsede.Event) { e.Outcome.Choice = "PEC" })},
		{"lower-case choice", modChosen(func(e *pinsede.Event) { e.Outcome.Choice = "spid" })},
		{"choice with a reason", modChosen(func(e *pinsede.Event) { e.Outcome.Reason = pinsede.KeyRefusedClosed })},
		{"choice with a policy version", modChosen(func(e *pinsede.Event) { e.Outcome.PolicyVersion = 1 })},
		{"choice with a bad codice fiscale", modChosen(func(e *pinsede.Event) { e.Outcome.CodiceFiscale = "RSSMRA80A01H501A" })},
		{"choice with a lower-case codice fiscale", modChosen(func(e *pinsede.Event) {
			e.Outcome.CodiceFiscale = pinsede.CodiceFiscale(strings.ToLower(string(CF(3))))
		})},
		{"choice with no outcome", modChosen(func(e *pinsede.Event) { e.Outcome = nil })},
		{"choice with a credential", modChosen(func(e *pinsede.Event) { e.Credential.ID = "c1" })},
		{"choice with a ticket", modChosen(func(e *pinsede.Event) { e.Ticket = "A001" })},
		{"choice of another sede", modChosen(func(e *pinsede.Event) { e.Sede = "MILA01" })},
		{"refusal with no reason", modRefused(func(e *pinsede.Event) { e.Outcome.Reason = "" })},
		{"refusal with a long reason", modRefused(func(e *pinsede.Event) { e.Outcome.Reason = strings.Repeat("x", 65) })},
		{"refusal with no policy version", modRefused(func(e *pinsede.Event) { e.Outcome.PolicyVersion = 0 })},
		{"refusal with a choice", modRefused(func(e *pinsede.Event) { e.Outcome.Choice = "SPID" })},
		{"refusal with a bad codice fiscale", modRefused(func(e *pinsede.Event) { e.Outcome.CodiceFiscale = "" })},
		{"refusal with a delegation", modRefused(func(e *pinsede.Event) { e.Delegation = &pinsede.Delegation{ID: "d1", Sede: "ROMA01"} })},
		{"issue with an outcome", func() pinsede.Event {
			ev := Issued("ROMA01", CF(4), "bad", "c4", Hash(t, "ACEFHJKMNPRTUVWX"))
			ev.Outcome = &pinsede.Outcome{CodiceFiscale: CF(4), Choice: "SPID"}
			return ev
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantVerdicts(t, apply(t, s, "ROMA01", tc.ev), wire.Rejected)
		})
	}
	if n := events(t, s); n != 2 {
		t.Errorf("Events() after the rejected = %d, want 2", n)
	}
	if recs, err := s.Credentials(ctx, CF(4)); err != nil || len(recs) != 0 {
		t.Errorf("an issue with an outcome was kept: %+v, %v", recs, err)
	}
}
