package pinsede

import (
	"time"
)

// Role is what an operator may do.
type Role string

// The roles of the sede.
const (
	// RoleOperatore takes requests, verifies identity, issues and views.
	RoleOperatore Role = "operatore"
	// RoleSupervisore may also manage operators, read the audit and change
	// settings.
	RoleSupervisore Role = "supervisore"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOperatore || r == RoleSupervisore }

// Login lock-out: after MaxFailedLogins consecutive failures the account is
// locked for LockoutBase, doubling at each further failure up to LockoutMax.
// The failures are the sede's: those at this desk and those the desk
// pulled of its other desks, since the last right password it knows of.
const (
	MaxFailedLogins = 5
	LockoutBase     = time.Minute
	LockoutMax      = 24 * time.Hour
	// MinPasswordLength is the shortest password accepted for an operator.
	MinPasswordLength = 10
)

// Sede is the INPS branch office that runs this desk.
type Sede struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// Validate checks the sede's fields: a code, a name and an address of at
// most MaxTextRunes characters, with none that InvisibleChar refuses. The
// MV35 and the slip print them.
func (s Sede) Validate() FieldErrors {
	var es FieldErrors
	if !validCode(s.Code, 2, 16) {
		es.add(FieldSedeCode, KeyCodeFormat, nil)
	}
	es.checkText(FieldSedeName, s.Name, true, MaxTextRunes)
	es.checkText(FieldSedeAddress, s.Address, true, MaxTextRunes)
	return es
}

// Operator is a person who works at the desk.
type Operator struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"password_hash"`
	Disabled     bool      `json:"disabled,omitempty"`
	FailedLogins int       `json:"failed_logins,omitempty"`
	LockedUntil  time.Time `json:"locked_until,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	LastLogin    time.Time `json:"last_login,omitzero"`
	// MustChangePassword is set by a supervisor's password reset: the
	// operator logs in with the password the supervisor gave and sets a
	// new one before anything else (ChangePassword).
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// SessionsEnded counts the changes that ended the account's sessions
	// at this desk, its own and those pulled from the sede's other desks
	// (countEnded): disabled, another role, a password reset. A session
	// keeps the count of its login and ends once the count moves
	// (checkSession), though a later change undid the account's state: a
	// pull brings a reset and the owner's own new password, or a disable
	// and an enable, in one transaction, and the desk never holds the
	// state between. The desk's own count: it does not travel (Shared).
	SessionsEnded int `json:"sessions_ended,omitempty"`
}

// Shared returns the account as the desks of a sede share it: all but
// what each desk counts of the logins (FailedLogins, LockedUntil,
// LastLogin), which travel as events of their own, one failure, right
// password or lock-out an event, and of the changes that ended its
// sessions there (SessionsEnded), which each desk counts as it applies
// them.
func (o Operator) Shared() Operator {
	o.FailedLogins, o.LockedUntil, o.LastLogin, o.SessionsEnded = 0, time.Time{}, time.Time{}, 0
	return o
}

// countEnded counts in SessionsEnded the change of the account from held
// to o when it ends the account's sessions (checkSession): disabled,
// another role, or another temporary password (MustChangePassword: a
// reset, or another account of the id added in place of the one held).
// A password its owner set keeps them: the same person chose it.
func (o *Operator) countEnded(held Operator) {
	if o.Disabled && !held.Disabled || o.Role != held.Role ||
		o.MustChangePassword && o.PasswordHash != held.PasswordHash {
		o.SessionsEnded++
	}
}

// Locked reports whether the account is locked at now.
func (o Operator) Locked(now time.Time) bool { return now.Before(o.LockedUntil) }

// failed counts a failed login made at at, and locks the account from at
// once MaxFailedLogins is reached, for a time that doubles at each
// failure; a lock-out held that ends later stays. It reports whether the
// lock-out now ends later than it did.
func (o *Operator) failed(at time.Time) bool {
	o.FailedLogins++
	if o.FailedLogins < MaxFailedLogins {
		return false
	}
	d := LockoutBase
	for i := MaxFailedLogins; i < o.FailedLogins && d < LockoutMax; i++ {
		d *= 2
	}
	until := at.Add(min(d, LockoutMax))
	if !until.After(o.LockedUntil) {
		return false
	}
	o.LockedUntil = until
	return true
}

// NewOperator is what a supervisor gives to create an operator account.
type NewOperator struct {
	ID       string
	Name     string
	Role     Role
	Password string
}

// Validate checks the new operator's fields: an id, a name of at most
// MaxNameRunes characters with none that InvisibleChar refuses (the MV35
// and the slip print it), a role and a password of MinPasswordLength
// characters.
func (n NewOperator) Validate() FieldErrors {
	var es FieldErrors
	if !validCode(n.ID, 3, 32) {
		es.add(FieldOperatorID, KeyCodeFormat, nil)
	}
	es.checkText(FieldOperatorName, n.Name, true, MaxNameRunes)
	if !n.Role.Valid() {
		es.add(FieldOperatorRole, KeyRequired, nil)
	}
	if len([]rune(n.Password)) < MinPasswordLength {
		es.add(FieldPassword, KeyPasswordShort, map[string]any{"Min": MinPasswordLength})
	}
	return es
}

// validCode accepts the ids of sedi and operators: letters, digits, '.',
// '-' and '_', between lo and hi characters.
func validCode(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range []byte(s) {
		if !(isDigit(c) || isLetter(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Session is an operator logged in at the desk.
type Session struct {
	Operator Operator
	Sede     Sede
	// Desk is the desk PC the operator works at (Desk.DeskID); "" for
	// none, and in a SystemSession.
	Desk    string
	Started time.Time
	// system marks a SystemSession: no account holds it (checkSession).
	system bool
}

// Actor names who acts, for audit entries.
func (s *Session) Actor() string { return s.Operator.ID }

// IsSupervisor reports whether the session may do a supervisor's actions.
func (s *Session) IsSupervisor() bool { return s.Operator.Role == RoleSupervisore }

// SystemSession is the session of an administrator at the shell (pinctl):
// it acts as a supervisor and is audited under the name who.
func SystemSession(sede Sede, who string, now time.Time) *Session {
	return &Session{
		Operator: Operator{ID: systemPrefix + who, Name: who, Role: RoleSupervisore},
		Sede:     sede,
		Started:  now,
		system:   true,
	}
}
