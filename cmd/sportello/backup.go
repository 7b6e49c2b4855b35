package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/pinsede/pinsede/internal/boltcopy"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/ui/desk"
)

// backupFlags are sportello's flags for its copies of the store.
type backupFlags struct {
	dir   string
	every time.Duration
	keep  int
}

// startBackups writes a copy of the store into f.dir now and then every
// f.every while the desk runs, keeping the f.keep newest: the online
// backup, consistent while clerks issue (local.Store.Backup). The key is
// never copied. Each copy's outcome goes to the log and to report
// (desk.App.BackupDone, which the status bar shows), on the copies'
// goroutine. It does nothing without f.dir; stop ends it, giving up the
// copy under way (its file removed): the desk quits at once, whatever
// the store's size and the folder's speed, and its next start makes a
// copy.
func startBackups(store *local.Store, f backupFlags, now func() time.Time, log *slog.Logger, report func(desk.BackupOutcome)) (stop func()) {
	if f.dir == "" || store == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	once := func() {
		start := now()
		path, err := store.BackupInto(ctx, f.dir, start, f.keep)
		if errors.Is(err, context.Canceled) {
			log.Info("backup given up: the desk quits", "dir", f.dir)
			return
		}
		if path == "" { // not written; a copy written but not pruned is one
			log.Error("backup failed", "dir", f.dir, "fault", boltcopy.FaultOf(err).String(), "err", err)
			report(desk.BackupOutcome{Dir: f.dir, At: start, Err: err})
			return
		}
		if err != nil {
			log.Error("backup prune failed", "err", err)
		}
		log.Info("backup written", "path", path, "took", now().Sub(start))
		report(desk.BackupOutcome{Dir: f.dir, At: start})
	}
	go func() {
		defer close(finished)
		once()
		if f.every <= 0 {
			return
		}
		t := time.NewTicker(f.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				once()
			}
		}
	}()
	return func() { cancel(); <-finished }
}
