package pinsede

import (
	"fmt"
	"time"
)

// ActorCentrale is the actor of the audit entries that record what the
// central records did to a credential of the sede (a change pulled by the
// sync): no operator of the sede did it.
const ActorCentrale = "centrale"

// ReasonLocked is the revocation reason of a credential the central
// records locked after too many wrong PINs at the portal.
const ReasonLocked = "bloccato per troppi tentativi errati"

// ReasonSupersededBy returns the revocation reason of a credential that
// the central records superseded with one issued later at desk of
// another sede, e.g. "sostituito da un PIN emesso da un'altra sede
// (MILANO02, sportello 03, 23/11/2026)" (newerIssue).
func ReasonSupersededBy(sede, desk string, issued time.Time) string {
	return fmt.Sprintf("sostituito da un PIN emesso da un'altra sede (%s, %s)", sede, newerIssue(desk, issued))
}

// ReasonReplacedOn returns the revocation reason of a credential that the
// central records superseded with one issued later at desk, another desk
// of the sede, which this desk did not know of when it issued its own (it
// was offline): "sostituito da un PIN più recente emesso in questa sede
// (sportello 02, 23/11/2026): la busta non vale più" (newerIssue).
func ReasonReplacedOn(desk string, issued time.Time) string {
	return fmt.Sprintf("sostituito da un PIN più recente emesso in questa sede (%s): la busta non vale più", newerIssue(desk, issued))
}

// newerIssue names the desk and the day of the issue of a newer PIN:
// "sportello 03, 23/11/2026", the day alone for no desk (one the central
// records did not name). issued is written as a date in local time.
func newerIssue(desk string, issued time.Time) string {
	day := issued.Local().Format("02/01/2006")
	if desk == "" {
		return day
	}
	return deskDetailPrefix + desk + ", " + day
}

// ReasonRevokedAtCentrale returns the revocation reason of a credential
// that an operator of the central records revoked for reason.
func ReasonRevokedAtCentrale(reason string) string {
	if reason == "" {
		return "revocato dall'archivio centrale"
	}
	return "revocato dall'archivio centrale: " + reason
}

// ReasonRefusedAtCentrale returns the revocation reason of a delegation
// that the central records refused for reason.
func ReasonRefusedAtCentrale(reason string) string {
	return "rifiutata dall'archivio centrale: " + reason
}
