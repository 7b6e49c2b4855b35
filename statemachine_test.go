package pinsede_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that every transition is allowed or refused, with the right
// reason, from every state a credential can be in: not yet stored, attivo,
// revocato and scaduto, each handed over or not, ordinario, dispositivo
// (issued so, or converted) or telefonico.
func TestCredentialCan(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	issued := now.AddDate(0, -1, 0)
	base := pinsede.Credential{
		ID: "c1", Type: pinsede.Dispositivo, State: pinsede.StateAttivo,
		IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued), IssuedBy: "op1",
	}
	handed := func(c pinsede.Credential) pinsede.Credential {
		c.HandedOverAt, c.HandedOverBy = issued.Add(time.Minute), "op1"
		return c
	}
	revoked := func(c pinsede.Credential) pinsede.Credential {
		c.State, c.RevokedAt, c.RevokedBy, c.RevokeReason = pinsede.StateRevocato, now.Add(-time.Hour), "op1", "richiesta del cittadino"
		return c
	}
	expired := func(c pinsede.Credential) pinsede.Credential {
		c.IssuedAt, c.ExpiresAt = now.AddDate(0, -7, 0), now.AddDate(0, -1, 0)
		return c
	}
	ordinario := func(c pinsede.Credential) pinsede.Credential { c.Type = pinsede.Ordinario; return c }
	telefonico := func(c pinsede.Credential) pinsede.Credential {
		c.Type, c.Validity, c.ExpiresAt = pinsede.Telefonico, pinsede.ValidityThreeMonths, pinsede.ValidityThreeMonths.Expiry(c.IssuedAt)
		return c
	}
	converted := func(c pinsede.Credential) pinsede.Credential {
		c.ConvertedAt, c.ConvertedBy = now.Add(-time.Hour), "op1"
		return c
	}

	states := []struct {
		name string
		c    pinsede.Credential
		// want maps each transition to the reason it is refused; a missing
		// transition is allowed.
		want map[pinsede.Transition]error
	}{
		{"nuovo", pinsede.Credential{ID: "c1", Type: pinsede.Dispositivo}, map[pinsede.Transition]error{
			pinsede.TransitionHandOver: pinsede.ErrNotActive, pinsede.TransitionRevoke: pinsede.ErrNotActive,
			pinsede.TransitionReplace: pinsede.ErrNotActive, pinsede.TransitionExpire: pinsede.ErrNotActive,
			pinsede.TransitionConvert: pinsede.ErrNotActive,
		}},
		{"attivo", base, map[pinsede.Transition]error{
			pinsede.TransitionIssue: pinsede.ErrTransition, pinsede.TransitionExpire: pinsede.ErrTransition,
			pinsede.TransitionConvert: pinsede.ErrTransition,
		}},
		{"attivo consegnato", handed(base), map[pinsede.Transition]error{
			pinsede.TransitionIssue: pinsede.ErrTransition, pinsede.TransitionHandOver: pinsede.ErrAlreadyHandedOver,
			pinsede.TransitionExpire: pinsede.ErrTransition, pinsede.TransitionConvert: pinsede.ErrTransition,
		}},
		{"attivo ordinario", ordinario(base), map[pinsede.Transition]error{
			pinsede.TransitionIssue: pinsede.ErrTransition, pinsede.TransitionExpire: pinsede.ErrTransition,
		}},
		{"attivo ordinario consegnato", handed(ordinario(base)), map[pinsede.Transition]error{
			pinsede.TransitionIssue: pinsede.ErrTransition, pinsede.TransitionHandOver: pinsede.ErrAlreadyHandedOver,
			pinsede.TransitionExpire: pinsede.ErrTransition,
		}},
		// Convert needs an ordinario: a telefonico, or an ordinario
		// already converted (now dispositivo), cannot be converted.
		{"attivo telefonico", telefonico(base), map[pinsede.Transition]error{
			pinsede.TransitionIssue: pinsede.ErrTransition, pinsede.TransitionExpire: pinsede.ErrTransition,
			pinsede.TransitionConvert: pinsede.ErrTransition,
		}},
		{"attivo convertito", converted(base), map[pinsede.Transition]error{
			pinsede.TransitionIssue: pinsede.ErrTransition, pinsede.TransitionExpire: pinsede.ErrTransition,
			pinsede.TransitionConvert: pinsede.ErrTransition,
		}},
		{"revocato", revoked(base), allRefused(pinsede.ErrNotActive)},
		{"revocato consegnato", revoked(handed(base)), allRefused(pinsede.ErrNotActive)},
		{"revocato ordinario", revoked(ordinario(base)), allRefused(pinsede.ErrNotActive)},
		{"revocato e scaduto", revoked(expired(base)), allRefused(pinsede.ErrNotActive)},
		{"scaduto", expired(base), allRefusedBut(pinsede.TransitionExpire)},
		{"scaduto consegnato", handed(expired(base)), allRefusedBut(pinsede.TransitionExpire)},
		{"scaduto ordinario", ordinario(expired(base)), allRefusedBut(pinsede.TransitionExpire)},
		{"revocato telefonico", revoked(telefonico(base)), allRefused(pinsede.ErrNotActive)},
		{"scaduto telefonico", expired(telefonico(base)), allRefusedBut(pinsede.TransitionExpire)},
	}
	for _, st := range states {
		for _, tr := range pinsede.Transitions() {
			t.Run(st.name+"/"+tr.String(), func(t *testing.T) {
				err := st.c.Can(tr, now)
				want := st.want[tr]
				if want == nil {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var te *pinsede.TransitionError
				if !errors.Is(err, want) || !errors.Is(err, pinsede.ErrTransition) || !errors.As(err, &te) {
					t.Fatalf("got %v, want %v", err, want)
				}
				if te.From != st.c.StateAt(now) || te.Transition != tr {
					t.Fatalf("error says %s from %s, want %s from %s", te.Transition, te.From, tr, st.c.StateAt(now))
				}
			})
		}
	}
}

// allRefused refuses every transition for reason, and issue as a
// transition (the credential exists).
func allRefused(reason error) map[pinsede.Transition]error {
	m := map[pinsede.Transition]error{}
	for _, tr := range pinsede.Transitions() {
		m[tr] = reason
	}
	m[pinsede.TransitionIssue] = pinsede.ErrTransition
	return m
}

// allRefusedBut is the expired credential: only expire is allowed.
func allRefusedBut(allowed pinsede.Transition) map[pinsede.Transition]error {
	m := allRefused(pinsede.ErrNotActive)
	delete(m, allowed)
	return m
}

// Ensure that the transitions land in the states the diagram says.
func TestTransitionTo(t *testing.T) {
	for tr, want := range map[pinsede.Transition]pinsede.CredentialState{
		pinsede.TransitionIssue: pinsede.StateAttivo, pinsede.TransitionHandOver: pinsede.StateAttivo,
		pinsede.TransitionRevoke: pinsede.StateRevocato, pinsede.TransitionReplace: pinsede.StateRevocato,
		pinsede.TransitionExpire: pinsede.StateScaduto, pinsede.TransitionConvert: pinsede.StateAttivo,
	} {
		if got := tr.To(); got != want {
			t.Errorf("%s lands in %s, want %s", tr, got, want)
		}
	}
}
