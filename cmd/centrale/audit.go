package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/central"
)

// auditArgs is what the flags of the audit subcommands say.
type auditArgs struct {
	recordsArgs
	reset bool // audit reset; audit forks otherwise
	r     central.AuditReset
}

// auditUsage is the usage of the audit subcommands.
const auditUsage = `usage: centrale audit forks [-admin SOCKET | -bolt FILE | -postgres DSN]
       centrale audit reset [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -sede SEDE [-desk DESK] -chain HEX -to SEQ -reason TEXT`

// parseAudit reads the flags of the audit subcommands.
func parseAudit(args []string, stderr io.Writer) (auditArgs, error) {
	var a auditArgs
	if len(args) == 0 || args[0] != "forks" && args[0] != "reset" {
		fmt.Fprintln(stderr, auditUsage)
		return a, errors.New("give forks or reset")
	}
	a.reset = args[0] == "reset"
	fs := subFlags("centrale audit "+args[0], auditUsage, stderr)
	var chain string
	recordsFlags(fs, &a.recordsArgs)
	byFlag(fs, &a.r.By, "resets")
	fs.StringVar(&a.r.Sede, "sede", "", "reset: the sede whose desk's audit chain to accept")
	fs.StringVar(&a.r.Desk, "desk", "", "reset: the desk whose chain to accept, as its certificate names it (none for a certificate of before desk ids)")
	fs.StringVar(&chain, "chain", "", "reset: the chain to accept, in hex (as centrale audit forks and pinctl audit verify print it)")
	fs.Uint64Var(&a.r.To, "to", 0, "reset: the last entry the kept heads still bind: those after it are discarded (0 admits another chain of a desk)")
	fs.StringVar(&a.r.Reason, "reason", "", "reset: why (a desk restored from a copy, a desk PC set up again...)")
	if err := fs.Parse(args[1:]); err != nil {
		return a, err
	}
	if fs.NArg() != 0 {
		return a, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if !a.reset {
		return a, nil
	}
	a.r.By, a.r.Reason = strings.TrimSpace(a.r.By), strings.TrimSpace(a.r.Reason)
	var err error
	if a.r.Chain, err = hex.DecodeString(chain); err != nil {
		return a, fmt.Errorf("-chain: %w", err)
	}
	if a.r.By == "" {
		return a, errors.New("give -by, the operator who resets")
	}
	a.r.By = pinsede.ActorCentrale + ":" + a.r.By
	return a, central.CheckReset(a.r)
}

// runAudit lists the open audit forks, or resets a sede's audit chain. It
// returns the exit code.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRecords(ctx, "audit", args, stdout, stderr, parseAudit, audit)
}

// audit runs an audit subcommand at now and says what it did on stdout.
func audit(ctx context.Context, recs admin.Records, a auditArgs, stdout io.Writer, now time.Time) error {
	if !a.reset {
		forks, err := recs.AuditForks(ctx)
		if err != nil {
			return err
		}
		if len(forks) == 0 {
			fmt.Fprintln(stdout, "no open audit fork")
		}
		for _, f := range forks {
			fmt.Fprintf(stdout, "fork %d: sede %s, desk %q, chain %x, seq %d, hash %s, pushed %d times from %s to %s: %s\n",
				f.ID, f.Sede, f.Head.Desk, f.Head.Chain, f.Head.Seq, central.ShortHash(f.Head.Hash), f.Count,
				f.First.Format(time.RFC3339), f.Last.Format(time.RFC3339), f.Reason)
		}
		return nil
	}
	a.r.At = now
	r, err := recs.ResetAudit(ctx, a.r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reset %d of sede %s desk %q by %s: chain %x admitted, %d heads after entry %d discarded, %d forks resolved\n",
		r.ID, r.Sede, r.Desk, r.By, r.Chain, r.Discarded, r.To, r.Resolved)
	return nil
}
