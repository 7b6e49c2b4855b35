package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/central"
)

// credentialsArgs is what the flags of the credentials subcommand say.
type credentialsArgs struct {
	recordsArgs
	cf pinsede.CodiceFiscale
}

// parseCredentials reads the flags of the credentials subcommand.
func parseCredentials(args []string, stderr io.Writer) (credentialsArgs, error) {
	var a credentialsArgs
	fs := subFlags("centrale credentials", "usage: centrale credentials [-admin SOCKET | -bolt FILE | -postgres DSN] -cf CODICEFISCALE", stderr)
	recordsFlags(fs, &a.recordsArgs)
	cf := fs.String("cf", "", "the codice fiscale whose credentials to show")
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	if fs.NArg() != 0 {
		return a, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	var err error
	a.cf, err = parseCF(*cf)
	return a, err
}

// runCredentials shows every credential of a codice fiscale at the
// central records. It returns the exit code.
func runCredentials(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRecords(ctx, "credentials", args, stdout, stderr, parseCredentials, credentials)
}

// credentials prints the credentials of a.cf, newest first, one a line,
// with their lock at now: never their hashes.
func credentials(ctx context.Context, recs admin.Records, a credentialsArgs, stdout io.Writer, now time.Time) error {
	rs, err := recs.Credentials(ctx, a.cf)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		fmt.Fprintf(stdout, "no credential of %s at the central records\n", a.cf)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CREDENTIAL\tTYPE\tSTATUS\tSEDE\tISSUED\tEXPIRES\tLOCK\tWRONG PINS\tNOTE")
	for _, r := range rs {
		c := r.Credential
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", c.ID, c.Type, r.Status, c.Sede,
			c.IssuedAt.UTC().Format(time.RFC3339), c.ExpiresAt.In(central.Italy).Format(time.DateOnly), lockNow(r.Lock, now), r.Failures, note(r))
	}
	return tw.Flush()
}

// lockNow says r's lock at now in a few words.
func lockNow(l central.Lock, now time.Time) string {
	switch {
	case l.Permanent:
		return "locked"
	case l.Locked(now):
		return "locked until " + l.Until.UTC().Format(time.RFC3339)
	}
	return "-"
}

// note says why a credential is not active: its revocation, or the one
// that superseded it.
func note(r central.Record) string {
	switch {
	case r.Status == central.StatusRevoked:
		return fmt.Sprintf("revoked %s by %s: %s", r.Credential.RevokedAt.UTC().Format(time.RFC3339), r.Credential.RevokedBy, r.Credential.RevokeReason)
	case r.SupersededBy != "":
		return "superseded by " + r.SupersededBy
	}
	return ""
}
