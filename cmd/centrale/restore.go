package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pgstore"
)

// restoreArgs is what the flags of the restore subcommand say.
type restoreArgs struct {
	boltPath string
	pg       pgConn
	// force runs it on a database centrale replicas are connected to.
	force bool
}

// parseRestore reads the flags of the restore subcommand: -bolt or
// -postgres, one of them.
func parseRestore(args []string, stderr io.Writer) (restoreArgs, error) {
	var a restoreArgs
	fs := subFlags("centrale restore", "usage: centrale restore -bolt FILE | -postgres DSN [-force]", stderr)
	fs.StringVar(&a.boltPath, "bolt", "", "the bbolt store `file` just put back from a copy, centrale stopped")
	pgFlags(fs, &a.pg)
	fs.BoolVar(&a.force, "force", false, "run on a PostgreSQL database even with centrale replicas connected to it: they take the new epoch within 30 s, and meanwhile take pushes naming the old one")
	a.pg.fromArgs = true
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	switch {
	case fs.NArg() != 0:
		return a, fmt.Errorf("unexpected arguments: %v", fs.Args())
	case (a.boltPath == "") == (a.pg.DSN == ""):
		return a, errors.New("give the store put back from a copy: -bolt FILE or -postgres DSN, one of them")
	}
	return a, nil
}

// runRestore gives a store put back from a copy a new epoch
// (central.EpochStore): every desk finds it at its next sync, sends again
// the events it sent and keeps, and pulls again from the copy's newest
// change. It returns the exit code.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSub("restore", args, stderr, parseRestore, func(a restoreArgs) error {
		if a.boltPath != "" {
			if _, err := os.Stat(a.boltPath); err != nil { // Open would make an empty store
				return err
			}
		}
		s, err := openStore(ctx, a.boltPath, a.pg)
		if errors.Is(err, boltstore.ErrAlreadyOpen) {
			return fmt.Errorf("%w: stop centrale, put the copy in place, then run this", err)
		}
		if err != nil {
			return err
		}
		defer s.Close()
		if ps, ok := s.(*pgstore.Store); ok && !a.force {
			if err := noReplicas(ctx, ps); err != nil {
				return err
			}
		}
		id, err := central.NewEpochID()
		if err != nil {
			return err
		}
		e, err := s.NewEpoch(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "store epoch %s, from change %d: at their next sync the desks send again the events they sent and keep, "+
			"and pull again the changes after %d\n", e, e.From, e.From)
		return nil
	})
}

// noReplicas refuses a database centrale replicas are connected to: they
// serve the store the copy replaced, and would go on taking pushes
// naming its epoch until they read the new one.
func noReplicas(ctx context.Context, s *pgstore.Store) error {
	others, err := s.OtherSessions(ctx)
	if err != nil {
		return err
	}
	if others.Total() == 0 {
		return nil
	}
	from := make([]string, 0, len(others))
	for _, addr := range slices.Sorted(maps.Keys(others)) {
		from = append(from, fmt.Sprintf("%d from %s", others[addr], addr))
	}
	return fmt.Errorf("centrale is connected to this database (%d connections: %s): stop every centrale replica serving it, put the copy in place, then run this; "+
		"-force runs it with them connected", others.Total(), strings.Join(from, ", "))
}
