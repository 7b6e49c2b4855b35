package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
)

// recordsArgs says where an operator's subcommand finds the records: the
// running centrale on its admin socket (the default), PostgreSQL
// directly, or a bbolt file while centrale is stopped.
type recordsArgs struct {
	admin    string
	boltPath string
	pg       pgConn
}

// where returns a; every subcommand's arguments embed it.
func (a recordsArgs) where() recordsArgs { return a }

// recordsFlags declares -admin, -bolt, -postgres and -pg-password-file on
// fs; a subcommand's flags come from the command line only.
func recordsFlags(fs *flag.FlagSet, a *recordsArgs) {
	fs.StringVar(&a.admin, "admin", adminSocketDefault(), "the running centrale's admin `socket` (default $"+EnvPrefix+"ADMIN, else "+DefaultAdminSocket+"), used when neither -bolt nor -postgres is given")
	fs.StringVar(&a.boltPath, "bolt", "", "open this bbolt store `file` directly, with centrale stopped (one program opens it)")
	pgFlags(fs, &a.pg)
	a.pg.fromArgs = true
}

// byFlag declares -by, who does what verb says (unlocks, revokes,
// resets).
func byFlag(fs *flag.FlagSet, by *string, verb string) {
	fs.StringVar(by, "by", "", "who "+verb+": the operator of centrale, recorded as centrale:OPERATOR")
}

// checkBy checks the operator of -by as the records keep it,
// pinsede.ActorCentrale:OPERATOR (central.CheckText).
func checkBy(by string) error {
	return central.CheckText("-by", by, central.MaxShortText-len(pinsede.ActorCentrale)-1)
}

// openRecords opens the records a names.
func openRecords(ctx context.Context, a recordsArgs) (admin.Records, error) {
	if a.pg.DSN == "" && a.boltPath == "" {
		return admin.Dial(a.admin), nil
	}
	s, err := openStore(ctx, a.boltPath, a.pg)
	if errors.Is(err, boltstore.ErrAlreadyOpen) {
		return nil, fmt.Errorf("%w: centrale runs on it; leave out -bolt to act through its admin socket", err)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// runRecords runs the subcommand name: parse reads its arguments, and do
// acts on the records they name, at now. It returns the exit code, as
// runSub.
func runRecords[A interface{ where() recordsArgs }](ctx context.Context, name string, args []string, stdout, stderr io.Writer,
	parse func([]string, io.Writer) (A, error), do func(ctx context.Context, r admin.Records, a A, stdout io.Writer, now time.Time) error) int {
	return runSub(name, args, stderr, parse, func(a A) error {
		r, err := openRecords(ctx, a.where())
		if err != nil {
			return err
		}
		defer r.Close()
		err = do(ctx, r, a, stdout, time.Now())
		if errors.Is(err, admin.ErrNotRunning) {
			return fmt.Errorf("%w\nIs centrale running? Its socket is its -admin setting; give the same -admin here (or $%sADMIN), "+
				"or -postgres DSN, or -bolt FILE while centrale is stopped", err, EnvPrefix)
		}
		return err
	})
}

// subFlags returns the flag set of the subcommand name ("centrale
// unlock"), which prints usage and the flags on -h and on an error, to
// stderr.
func subFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseCF reads the codice fiscale of -cf, in its canonical form.
func parseCF(cf string) (pinsede.CodiceFiscale, error) {
	if cf == "" {
		return "", errors.New("give -cf, the codice fiscale")
	}
	c, err := pinsede.ParseCodiceFiscale(cf)
	if err != nil {
		return "", fmt.Errorf("-cf %s: %s", cf, central.CFReason(err))
	}
	return c, nil
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
