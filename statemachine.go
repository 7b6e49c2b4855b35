package pinsede

import (
	"errors"
	"fmt"
	"time"
)

// Transition is a step in the life of a credential. The use cases ask
// [Credential.Can] before they take one, so that every rule about which
// step is allowed from which state lives here.
//
//	(none)  --issue-->    attivo
//	attivo  --handover--> attivo (consegnato), once
//	attivo  --revoke-->   revocato
//	attivo  --replace-->  revocato (sostituzione: a new PIN takes its place)
//	attivo  --expire-->   scaduto, once its expiry has come
//	attivo  --convert-->  attivo dispositivo, from ordinario
//
// Revocato and scaduto are final: nothing leaves them.
type Transition string

// The transitions of a credential.
const (
	TransitionIssue    Transition = "issue"
	TransitionHandOver Transition = "handover"
	TransitionRevoke   Transition = "revoke"
	TransitionReplace  Transition = "replace"
	TransitionExpire   Transition = "expire"
	TransitionConvert  Transition = "convert"
)

// Transitions returns every transition, in the order of the diagram above.
func Transitions() []Transition {
	return []Transition{
		TransitionIssue, TransitionHandOver, TransitionRevoke, TransitionReplace, TransitionExpire, TransitionConvert,
	}
}

// String returns the transition's name.
func (t Transition) String() string { return string(t) }

// To returns the state a credential is in after the transition.
func (t Transition) To() CredentialState {
	switch t {
	case TransitionRevoke, TransitionReplace:
		return StateRevocato
	case TransitionExpire:
		return StateScaduto
	default:
		return StateAttivo
	}
}

// ErrTransition is returned for a transition the state machine does not
// allow; the *TransitionError that carries it says from where to where.
var ErrTransition = errors.New("transition not allowed")

// TransitionError is a forbidden transition: the state the credential was
// in, the transition asked for, and the reason, one of ErrNotActive,
// ErrAlreadyHandedOver or ErrTransition. errors.Is matches both the reason
// and ErrTransition.
type TransitionError struct {
	From       CredentialState
	Transition Transition
	Err        error
}

// Error says the transition, its states and the reason.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s from %s to %s: %v", e.Transition, e.From, e.Transition.To(), e.Err)
}

// Unwrap returns the reason.
func (e *TransitionError) Unwrap() error { return e.Err }

// Is reports ErrTransition as a match, whatever the reason.
func (e *TransitionError) Is(target error) bool { return target == ErrTransition }

// Can reports whether the credential may take transition t at now: nil, or
// a *TransitionError. The state is the one at now ([Credential.StateAt]),
// so an active credential past its expiry is scaduto and can only be
// marked as such.
//
// Issue is allowed only to a credential not yet stored (no state). Every
// other transition needs an attivo credential (ErrNotActive); handover is
// allowed once (ErrAlreadyHandedOver); expire needs the expiry to have
// come, and convert an ordinario credential (ErrTransition).
func (c Credential) Can(t Transition, now time.Time) error {
	from := c.StateAt(now)
	refuse := func(err error) error { return &TransitionError{From: from, Transition: t, Err: err} }
	if t == TransitionIssue {
		if c.State != "" {
			return refuse(ErrTransition)
		}
		return nil
	}
	if c.State == StateAttivo && t == TransitionExpire {
		if from != StateScaduto {
			return refuse(ErrTransition) // not yet expired
		}
		return nil
	}
	if from != StateAttivo {
		return refuse(ErrNotActive)
	}
	switch t {
	case TransitionHandOver:
		if !c.HandedOverAt.IsZero() {
			return refuse(ErrAlreadyHandedOver)
		}
	case TransitionRevoke, TransitionReplace:
	case TransitionConvert:
		if c.Type != Ordinario {
			return refuse(ErrTransition)
		}
	default:
		return refuse(ErrTransition) // unknown transition
	}
	return nil
}
