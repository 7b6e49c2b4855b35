package pinsede

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the domain. Back ends wrap them; callers test with
// errors.Is.
var (
	// ErrNotFound is returned when a record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNotSetUp is returned before the sede and its first supervisor exist.
	ErrNotSetUp = errors.New("sede not set up")
	// ErrAlreadySetUp is returned when set-up runs on a store that has a sede.
	ErrAlreadySetUp = errors.New("sede already set up")
	// ErrBadCredentials is returned for a wrong operator id or password and
	// for a locked or disabled account alike, so that the answer reveals
	// nothing about which one it was.
	ErrBadCredentials = errors.New("operator id or password not accepted")
	// ErrNoPassword is returned by Login, Desk.Unlock, ChangePassword and
	// an approval given without a password: nothing was checked, so
	// nothing counts towards the account's lock-out (an Enter pressed on
	// an empty field is not a wrong password).
	ErrNoPassword = errors.New("no password given")
	// ErrAuditCursor is returned by ExportSedeAudit and SearchSedeAudit
	// when the central records say more entries follow a page but give
	// no cursor past it (paging on would read the same page again), or
	// send a page longer than a page.
	ErrAuditCursor = errors.New("the central records gave no cursor past the page")
	// ErrDateFormat is returned by ParseDate for a text that is not a
	// date written gg/mm/aaaa (or in its other layouts).
	ErrDateFormat = errors.New("want gg/mm/aaaa")
	// ErrNoSuchDay is returned by ParseDate for a date written in one of
	// its layouts whose day is not in the calendar (31/02/1990).
	ErrNoSuchDay = errors.New("no such day in the calendar")
	// ErrForbidden is returned when the session's role may not do an action.
	ErrForbidden = errors.New("not allowed for this role")
	// ErrOperatorExists is returned when adding an operator id already in use.
	ErrOperatorExists = errors.New("operator already exists")
	// ErrLastSupervisor is returned when disabling the only active supervisor.
	ErrLastSupervisor = errors.New("last active supervisor")
	// ErrAlreadyHandedOver is returned when a handover is recorded twice.
	ErrAlreadyHandedOver = errors.New("already handed over")
	// ErrNotActive is returned for an action that needs an active credential.
	ErrNotActive = errors.New("credential not active")
	// ErrTicketExpired is returned by TakeTicket for a kiosk ticket of a
	// past day: a ticket is valid on the day it was printed only.
	ErrTicketExpired = errors.New("ticket of a past day")
	// ErrSameApprover is returned when an operator approves their own
	// action: a supervisor's approval must come from someone else.
	ErrSameApprover = errors.New("approval by the operator who asks for it")
	// ErrApprovalNeeded is returned when an action needs a supervisor's
	// approval that was not given (the revocation of a PIN another operator
	// issued).
	ErrApprovalNeeded = errors.New("supervisor's approval needed")
	// ErrNoPrinter is returned by Issue when no printer is configured;
	// nothing is issued.
	ErrNoPrinter = errors.New("no printer configured")
	// ErrPrint is returned when the slip could not be printed; the credential
	// issued with it has been revoked.
	ErrPrint = errors.New("slip not printed")
	// ErrPrintNotRecorded comes with ErrPrint when the slip printed but
	// its print could not be recorded: the envelope exists and is void,
	// its credential revoked, or left to the next start (RecoverPrints)
	// when the store would not take the revocation either. The clerk does
	// not hand it over.
	ErrPrintNotRecorded = errors.New("slip printed, its print not recorded")
	// ErrRevokedWhilePrinting is returned, with ErrPrint, when the slip
	// printed but its PIN was revoked meanwhile by a change pulled from
	// the central records (a theft reported, a newer PIN of another
	// sede): the envelope opens nothing, and the clerk does not hand it
	// over.
	ErrRevokedWhilePrinting = errors.New("slip printed, its PIN revoked meanwhile by the central records")
	// ErrNotPrinted is returned by RecordHandover for a credential of
	// this desk whose slip is printing, or whose print was cut short: no
	// envelope exists to hand over.
	ErrNotPrinted = errors.New("slip not printed yet")
	// ErrClockAhead is returned when a new PIN is refused because this
	// PC's clock runs ahead of the central records' by more than they take
	// (Link.ClockAhead); nothing is issued.
	ErrClockAhead = errors.New("this PC's clock is ahead of the central records'")
	// ErrClockBehind is returned when a new PIN is refused because this
	// PC's clock runs behind the central records' by more than they take
	// (Link.ClockBehind); nothing is issued.
	ErrClockBehind = errors.New("this PC's clock is behind the central records'")
	// ErrSessionEnded is returned for an action of a session whose
	// account, since its login, was disabled, changed role or had its
	// password reset by a supervisor (here or at another desk of the
	// sede): the operator logs in again, if they still may. Nothing was
	// done.
	ErrSessionEnded = errors.New("the session's account was disabled or changed since its login")
	// ErrApproverTemporary is returned for an approval given by a
	// supervisor whose password is still the temporary one a colleague
	// chose (a new account, a reset): whoever chose it could approve in
	// their name. The approver logs in once and sets their own.
	ErrApproverTemporary = errors.New("the approver's password is a temporary one")
	// ErrStoreCorrupt is returned when the store's file is damaged (a
	// page the disk zeroed or overwrote, a record that does not open):
	// what was being done is not written, and the store is to be restored
	// from a copy by support. The store (local.ErrCorrupt) says it.
	ErrStoreCorrupt = errors.New("store corrupt")
	// ErrStoreWrite is returned when the store could not commit what was
	// being done to its file (the disk full, read-only or failing, the
	// file past the largest the system allows or made unwritable):
	// nothing of it is written, and the operation may be done again once
	// the cause is gone. The cause is wrapped beside it, for package
	// diskerr to tell. The store (local.ErrWrite) says it; a file that is
	// not the store (the settings, a scan) never does.
	ErrStoreWrite = errors.New("store not written")
	// ErrStoreRead is returned when the store cannot be read any more: a
	// write its disk refused (failing) left it without its file's
	// mapping, and no read gets through until the program opens it
	// again. The refused write's error (ErrStoreWrite and its cause) is
	// wrapped beside it, for package diskerr to tell. The store
	// (local.ErrRead) says it.
	ErrStoreRead = errors.New("store unreadable since a write refused")
)

// FieldError is a problem with one field of a form. Key names a translated
// message (for example "err.cf.check"); Args fill its template.
type FieldError struct {
	Field string
	Key   string
	Args  map[string]any
}

// Error returns the field and the message key, for logs and tests.
func (e FieldError) Error() string { return e.Field + ": " + e.Key }

// FieldErrors is every problem found in one form, in field order. A nil
// FieldErrors means the form is valid.
type FieldErrors []FieldError

// Error joins the problems.
func (es FieldErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return "invalid input: " + strings.Join(s, "; ")
}

// For returns the first problem with field, if any.
func (es FieldErrors) For(field string) (FieldError, bool) {
	for _, e := range es {
		if e.Field == field {
			return e, true
		}
	}
	return FieldError{}, false
}

// Err returns es as an error, or nil when it is empty.
func (es FieldErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

func (es *FieldErrors) add(field, key string, args map[string]any) {
	*es = append(*es, FieldError{Field: field, Key: key, Args: args})
}

// Problem is an error that the user interface can explain: a message key, its
// template arguments, and the error underneath.
type Problem struct {
	Key  string
	Args map[string]any
	Err  error
}

// Error returns the key and the cause.
func (p *Problem) Error() string {
	if p.Err == nil {
		return p.Key
	}
	return fmt.Sprintf("%s: %v", p.Key, p.Err)
}

// Unwrap returns the cause.
func (p *Problem) Unwrap() error { return p.Err }

// asFieldError returns the FieldError err is or wraps, found with
// errors.As; any other error becomes a FieldError on field that says the
// value is not valid (KeyInvalid). A check that one day wraps its
// FieldError loses nothing, and panics nowhere.
func asFieldError(err error, field string) FieldError {
	var fe FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return FieldError{Field: field, Key: KeyInvalid}
}
