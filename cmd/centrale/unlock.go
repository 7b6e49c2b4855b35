package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/admin"
)

// unlockArgs is what the flags of the unlock subcommand say.
type unlockArgs struct {
	recordsArgs
	by string
	cf pinsede.CodiceFiscale
}

// parseUnlock reads the flags of the unlock subcommand.
func parseUnlock(args []string, stderr io.Writer) (unlockArgs, error) {
	var a unlockArgs
	fs := subFlags("centrale unlock", "usage: centrale unlock [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -cf CODICEFISCALE", stderr)
	recordsFlags(fs, &a.recordsArgs)
	byFlag(fs, &a.by, "unlocks")
	cf := fs.String("cf", "", "the codice fiscale whose credentials to unlock, after checking the citizen's identity")
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	a.by = strings.TrimSpace(a.by)
	switch {
	case fs.NArg() != 0:
		return a, fmt.Errorf("unexpected arguments: %v", fs.Args())
	case a.by == "":
		return a, errors.New("give -by, the operator who unlocks")
	}
	if err := checkBy(a.by); err != nil {
		return a, err
	}
	var err error
	a.cf, err = parseCF(*cf)
	return a, err
}

// runUnlock lifts the wrong-PIN lock of a codice fiscale's credentials at
// the central records. It returns the exit code.
func runUnlock(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRecords(ctx, "unlock", args, stdout, stderr, parseUnlock, unlock)
}

// unlock unlocks the credentials of a.cf at now and says which on stdout.
func unlock(ctx context.Context, recs admin.Records, a unlockArgs, stdout io.Writer, now time.Time) error {
	rs, err := recs.Unlock(ctx, a.cf, pinsede.ActorCentrale+":"+a.by, now)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		fmt.Fprintf(stdout, "no credential of %s is locked or has wrong PINs counted: nothing changed\n", a.cf)
		return nil
	}
	for _, r := range rs {
		fmt.Fprintf(stdout, "unlocked credential %s (%s, %s) of sede %s: was %s, %d wrong PINs counted\n",
			r.Credential.ID, r.Credential.Type, r.Status, r.Credential.Sede, r.Lock, r.Failures)
	}
	return nil
}
