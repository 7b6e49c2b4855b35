package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pinsede/pinsede/internal/boltcopy"
	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/server"
)

// runBackup copies the bbolt store of centrale, stopped, to a new file;
// it returns the exit code. A running centrale makes its own copies
// (-backup-dir); PostgreSQL has scripts/pg-backup.sh.
func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := subFlags("centrale backup", "usage: centrale backup -bolt FILE -out FILE", stderr)
	boltPath := fs.String("bolt", "centrale.db", "bbolt store file (centrale must be stopped; while it runs, use its -backup-dir)")
	out := fs.String("out", "", "the copy's `file`, which must not exist")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if _, err := os.Stat(*boltPath); err != nil { // Open would make an empty store
		fmt.Fprintln(stderr, "centrale:", err)
		return 1
	}
	s, err := boltstore.Open(*boltPath)
	if errors.Is(err, boltstore.ErrAlreadyOpen) {
		fmt.Fprintf(stderr, "centrale: %s is in use by a running centrale: stop it, or let it copy itself with -backup-dir\n", *boltPath)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "centrale:", err)
		return 1
	}
	defer s.Close()
	n, err := s.BackupFile(*out)
	if err != nil {
		fmt.Fprintln(stderr, "centrale:", err)
		return 1
	}
	counts, err := s.Counts()
	if err != nil {
		fmt.Fprintln(stderr, "centrale:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup of %s written to %s: %d bytes, %d events, %d credentials\n",
		*boltPath, *out, n, counts["events"], counts["credentials"])
	return 0
}

// backupPrefix and backupSuffix frame the names of the copies of
// -backup-dir: centrale-YYYYMMDD-HHMMSS+hhmm.db (boltcopy.Name).
const (
	backupPrefix = "centrale-"
	backupSuffix = ".db"
)

// backupLoop copies the bbolt store into rec.Dir at start and then every
// every (only at start when every is 0), keeping the keep newest copies
// (all when keep is 0), the one just written always (boltcopy.Prune),
// until ctx ends: the online backup of a running centrale. Each copy is
// named after the time now gives; each outcome is recorded in rec, which
// the metrics and the status page show.
func backupLoop(ctx context.Context, s *boltstore.Store, rec *server.Backups, every time.Duration, keep int, now func() time.Time, log *slog.Logger) {
	once := func() {
		start := now()
		path := filepath.Join(rec.Dir, boltcopy.Name(backupPrefix, start, backupSuffix))
		n, err := writeBackup(s, rec.Dir, path)
		if err != nil {
			rec.Failed(err, start)
			log.Error("backup failed", "dir", rec.Dir, "fault", boltcopy.FaultOf(err).String(), "err", err)
			return
		}
		rec.Written(path, start) // before the log, which the tests wait for
		log.Info("backup written", "path", path, "bytes", n, "took", now().Sub(start))
		if err := boltcopy.Prune(rec.Dir, backupPrefix, backupSuffix, keep, path); err != nil {
			log.Error("backup prune failed", "err", err)
		}
	}
	once()
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			once()
		}
	}
}

// writeBackup writes the copy of s at path, in dir, which it makes if
// need be, and checks it (boltsafe.CheckFile); it returns the copy's
// size. A copy found damaged, of a damaged store, is removed before it
// counts or prunes any (boltsafe.ErrDamaged: boltcopy.FaultDamaged).
func writeBackup(s *boltstore.Store, dir, path string) (int64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("backup folder: %w", err)
	}
	n, err := s.BackupFile(path)
	if err != nil {
		return 0, err
	}
	if err := boltsafe.CheckFile(path, time.Second); err != nil {
		if rerr := os.Remove(path); rerr != nil {
			err = fmt.Errorf("%w; the copy is left at %s: %w", err, path, rerr)
		}
		return 0, fmt.Errorf("backup: copies in %s kept as they were: %w", dir, err)
	}
	return n, nil
}
