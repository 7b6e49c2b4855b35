package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pinsede/pinsede"
)

// minRevokeReason is the shortest reason of a revocation by an operator of
// centrale, in characters, as at the desk.
const minRevokeReason = 10

// revokeArgs is what the flags of the revoke subcommand say.
type revokeArgs struct {
	boltPath     string
	pg           pgConn
	by, reason   string
	credentialID string
}

// parseRevoke reads the flags of the revoke subcommand.
func parseRevoke(args []string, stderr io.Writer) (revokeArgs, error) {
	var a revokeArgs
	fs := flag.NewFlagSet("centrale revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: centrale revoke [-bolt FILE | -postgres DSN] -by OPERATOR -reason TEXT CREDENTIAL_ID")
		fs.PrintDefaults()
	}
	storeFlags(fs, &a.boltPath, &a.pg, &a.by, "revokes")
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
	a.credentialID = fs.Arg(0)
	return a, nil
}

// runRevoke revokes a credential at the central records, opening the store
// directly, and records a ChangeRevoked for its sede, which applies it at
// its next pull. It returns the exit code.
func runRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSub("revoke", args, stderr, parseRevoke, func(a revokeArgs) error { return revoke(ctx, a, stdout, time.Now()) })
}

// runSub runs the subcommand name: parse reads its arguments, do acts on
// them. It returns the exit code: 0 after -h, 2 for arguments that do not
// parse, 1 when do fails, each with its reason on stderr.
func runSub[A any](name string, args []string, stderr io.Writer, parse func([]string, io.Writer) (A, error), do func(A) error) int {
	a, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "centrale %s: %v\n", name, err)
		return 2
	}
	if err := do(a); err != nil {
		fmt.Fprintf(stderr, "centrale %s: %v\n", name, err)
		return 1
	}
	return 0
}

// revoke revokes a.credentialID at now and says so on stdout.
func revoke(ctx context.Context, a revokeArgs, stdout io.Writer, now time.Time) error {
	store, err := openStore(ctx, a.boltPath, a.pg)
	if err != nil {
		return err
	}
	defer store.Close()
	r, err := store.Revoke(ctx, a.credentialID, pinsede.ActorCentrale+":"+a.by, a.reason, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked credential %s (%s) of sede %s; the sede is told at its next sync\n",
		r.Credential.ID, r.Credential.Type, r.Credential.Sede)
	return nil
}

// storeFlags declares the flags of a subcommand that acts on the store as
// an operator of centrale: -bolt or -postgres (with -pg-password-file or
// PINSEDE_PG_PASSWORD), and -by, who does what
// verb says (revokes, unlocks).
func storeFlags(fs *flag.FlagSet, boltPath *string, pg *pgConn, by *string, verb string) {
	fs.StringVar(boltPath, "bolt", "centrale.db", "bbolt store file, when -postgres is not given (centrale must be stopped: one program opens it)")
	pgFlags(fs, pg)
	pg.fromArgs = true // a subcommand's flags come from the command line only
	fs.StringVar(by, "by", "", "who "+verb+": the operator of centrale, recorded as centrale:OPERATOR")
}
