package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/central"
)

// sediArgs is what the flags of the sedi subcommand say.
type sediArgs struct{ recordsArgs }

// parseSedi reads the flags of the sedi subcommand.
func parseSedi(args []string, stderr io.Writer) (sediArgs, error) {
	var a sediArgs
	fs := subFlags("centrale sedi", "usage: centrale sedi [-admin SOCKET | -bolt FILE | -postgres DSN]", stderr)
	recordsFlags(fs, &a.recordsArgs)
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	if fs.NArg() != 0 {
		return a, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return a, nil
}

// runSedi lists the sedi's desks, as the status page does. It returns the
// exit code.
func runSedi(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRecords(ctx, "sedi", args, stdout, stderr, parseSedi, sedi)
}

// sedi prints each desk of each sede with its last push and pull, the
// changes waiting for it and its events rejected, then the PINs issued
// and the credentials locked.
func sedi(ctx context.Context, recs admin.Records, _ sediArgs, stdout io.Writer, now time.Time) error {
	o, err := recs.Overview(ctx, now, admin.StatusDays)
	if err != nil {
		return err
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format(time.RFC3339)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEDE\tDESK\tLAST PUSH\tLAST PULL\tWAITING\tREJECTED\tLAST REJECTED")
	for _, d := range o.Desks {
		waiting := fmt.Sprint(d.Pending)
		if d.Pending > central.MaxPending {
			waiting = fmt.Sprintf("over %d", central.MaxPending)
		}
		last := ""
		if d.Rejected > 0 {
			last = when(d.LastRejected) + ": " + d.LastReason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.Sede, d.Desk, when(d.LastPush), when(d.LastPull), waiting, d.Rejected, last)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.MoreDesks {
		fmt.Fprintf(stdout, "(the first %d desks only)\n", len(o.Desks))
	}
	issued := 0
	for _, d := range o.Issued {
		issued += d.Issued
	}
	atLeast := ""
	if o.MoreLocked {
		atLeast = "at least "
	}
	fmt.Fprintf(stdout, "%d desks; %d PINs issued in the last %d days; %s%d credentials locked permanently, %s%d for a while\n",
		len(o.Desks), issued, len(o.Issued), atLeast, o.LockedPermanent, atLeast, o.LockedTemporary)
	return nil
}
