package pinsede

import (
	"errors"
	"fmt"
)

// A session holds its operator's account as it was at the login. A
// supervisor who disables the account, changes its role or resets its
// password (here or at another desk of the sede) ends it: every action
// of a session reads the account again, in the action's own transaction,
// and refuses with ErrSessionEnded when it is no longer the one logged
// in. The desk app also checks it while idle (SessionValid), to close
// the session at once.

// systemPrefix starts the id of a SystemSession's actor, for the audit.
const systemPrefix = "pinctl:"

// checkSession returns ErrSessionEnded when the account of s, as tx
// holds it, is missing, disabled, has another role than at the login, or
// had a change since that ended its sessions (Operator.SessionsEnded): a
// password reset, a disable or a change of role, even one undone since
// (enabled again, a password its owner set after the reset). A password
// the operator set themselves, here or at another desk, keeps the
// session: the same person chose it. A SystemSession has no account, and
// passes.
func checkSession(tx Tx, s *Session) error {
	if s.system { // not by its id: a pulled account may be named anything
		return nil
	}
	op, err := tx.Operator(s.Actor())
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w: %s no longer exists", ErrSessionEnded, s.Actor())
	case err != nil:
		return fmt.Errorf("check the session of %s: %w", s.Actor(), err)
	case op.Disabled:
		return fmt.Errorf("%w: %s disabled", ErrSessionEnded, s.Actor())
	case op.Role != s.Operator.Role:
		return fmt.Errorf("%w: %s is now %s", ErrSessionEnded, s.Actor(), op.Role)
	case op.SessionsEnded != s.Operator.SessionsEnded:
		return fmt.Errorf("%w: %s reset, disabled or given another role since the login", ErrSessionEnded, s.Actor())
	}
	return nil
}

// SessionValid reports, as ErrSessionEnded, whether the session s has
// ended since its login: its account disabled, its role changed or its
// password reset. nil while it may go on.
func (d *Desk) SessionValid(s *Session) error {
	return d.Store.View(func(tx Tx) error { return checkSession(tx, s) })
}

// update runs fn in a write transaction of the store, for an action of
// the session s: refused with ErrSessionEnded, fn not run, when s has
// ended.
func (d *Desk) update(s *Session, fn func(Tx) error) error {
	return d.Store.Update(func(tx Tx) error {
		if err := checkSession(tx, s); err != nil {
			return err
		}
		return fn(tx)
	})
}

// view is update for a read of the session s.
func (d *Desk) view(s *Session, fn func(Tx) error) error {
	return d.Store.View(func(tx Tx) error {
		if err := checkSession(tx, s); err != nil {
			return err
		}
		return fn(tx)
	})
}

// The ends of a session, and its locks, are audited as its login is
// (ActionLogin): an auditor reads who held the desk, from when to when.
const (
	// ActionSessionLocked records a session locked, after the idle time
	// or at its operator's asking.
	ActionSessionLocked AuditAction = "operator.session_locked"
	// ActionSessionUnlocked records a locked session resumed by its
	// operator's password.
	ActionSessionUnlocked AuditAction = "operator.session_unlocked"
	// ActionLogout records a session ended (LogoutKind says how).
	ActionLogout AuditAction = "operator.logout"
)

// LogoutKind is how a session ended, for its audit entry.
type LogoutKind int

// The ways a session ends.
const (
	// LogoutOwn: its operator's Esci.
	LogoutOwn LogoutKind = iota
	// LogoutFromLock: Esci on the lock screen, whoever pressed it.
	LogoutFromLock
	// LogoutEnded: its account disabled, given another role or its
	// password reset since the login (ErrSessionEnded).
	LogoutEnded
	// LogoutClosed: the desk's program closed (its window, or stopped)
	// with the session open, locked or not.
	LogoutClosed
)

// detail is the kind's words in the audit entry.
func (k LogoutKind) detail() string {
	switch k {
	case LogoutFromLock:
		return "Esci dalla schermata di blocco"
	case LogoutEnded:
		return "sessione chiusa dallo sportello: utenza disabilitata, ruolo cambiato o password reimpostata"
	case LogoutClosed:
		return "Sportello chiuso con la sessione aperta"
	}
	return "Esci dell'operatore"
}

// SessionLocked records in the audit chain that the session s was
// locked, after the idle time when idle is true. The desk locks its
// screen first, whatever this returns: an error is the store refusing
// the entry (damaged, its disk full), for the desk to tell.
func (d *Desk) SessionLocked(s *Session, idle bool) error {
	detail := "su richiesta dell'operatore"
	if idle {
		detail = "per inattività"
	}
	return d.auditSession(s, ActionSessionLocked, detail)
}

// SessionUnlocked records in the audit chain that the session s, locked,
// was resumed (Unlock): the desk shows its screen first, whatever this
// returns, as with SessionLocked.
func (d *Desk) SessionUnlocked(s *Session) error {
	return d.auditSession(s, ActionSessionUnlocked, "con la password dell'operatore")
}

// Logout records in the audit chain that the session s ended, and how.
// The desk has ended it already, whatever this returns, as with
// SessionLocked; a session ended by its account (LogoutEnded) is
// recorded too.
func (d *Desk) Logout(s *Session, how LogoutKind) error {
	return d.auditSession(s, ActionLogout, how.detail())
}

// auditSession appends the entry of action of the session s, at the
// desk's time, in a transaction of its own.
func (d *Desk) auditSession(s *Session, action AuditAction, detail string) error {
	err := d.Store.Update(func(tx Tx) error {
		return appendAudit(tx, d.Now(), s.Sede.Code, s.Actor(), AuditEntry{Action: action, Detail: detail})
	})
	if err != nil {
		return fmt.Errorf("%s of %s: %w", action, s.Actor(), err)
	}
	return nil
}
