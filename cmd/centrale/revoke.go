package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/central"
)

// minRevokeReason is the shortest reason of a revocation by an operator of
// centrale, in characters, as at the desk.
const minRevokeReason = 10

// revokeArgs is what the flags of the revoke subcommand say.
type revokeArgs struct {
	recordsArgs
	by, reason   string
	credentialID string
}

// parseRevoke reads the flags of the revoke subcommand.
func parseRevoke(args []string, stderr io.Writer) (revokeArgs, error) {
	var a revokeArgs
	fs := subFlags("centrale revoke", "usage: centrale revoke [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -reason TEXT CREDENTIAL_ID", stderr)
	recordsFlags(fs, &a.recordsArgs)
	byFlag(fs, &a.by, "revokes")
	fs.StringVar(&a.reason, "reason", "", fmt.Sprintf("why, at least %d characters; the sede's desk shows it", minRevokeReason))
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	a.by, a.reason = strings.TrimSpace(a.by), strings.TrimSpace(a.reason)
	switch {
	case fs.NArg() != 1:
		return a, errors.New("give the id of one credential")
	case a.by == "":
		return a, errors.New("give -by, the operator who revokes")
	case utf8.RuneCountInString(a.reason) < minRevokeReason:
		return a, fmt.Errorf("give -reason, at least %d characters", minRevokeReason)
	}
	if err := checkBy(a.by); err != nil {
		return a, err
	}
	if err := central.CheckText("-reason", a.reason, central.MaxText); err != nil {
		return a, fmt.Errorf("%w (the sede's desks show the reason)", err)
	}
	a.credentialID = fs.Arg(0)
	return a, nil
}

// runRevoke revokes a credential at the central records, and records a
// ChangeRevoked for its sede, which applies it at its next pull. It
// returns the exit code.
func runRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRecords(ctx, "revoke", args, stdout, stderr, parseRevoke, revoke)
}

// revoke revokes a.credentialID at now and says so on stdout.
func revoke(ctx context.Context, recs admin.Records, a revokeArgs, stdout io.Writer, now time.Time) error {
	r, err := recs.Revoke(ctx, a.credentialID, pinsede.ActorCentrale+":"+a.by, a.reason, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked credential %s (%s) of sede %s; the sede is told at its next sync\n",
		r.Credential.ID, r.Credential.Type, r.Credential.Sede)
	return nil
}
