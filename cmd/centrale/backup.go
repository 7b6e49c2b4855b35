package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/pinsede/pinsede/sync/boltstore"
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

// backupStamp names the copies of -backup-dir: centrale-YYYYMMDD-HHMMSS.db.
const backupStamp = "20060102-150405"

// backupLoop copies the bbolt store into dir at start and then every
// every (only at start when every is 0), keeping the keep newest copies
// (all when keep is 0), until ctx ends: the online backup of a running
// centrale.
func backupLoop(ctx context.Context, s *boltstore.Store, dir string, every time.Duration, keep int, log *slog.Logger) {
	once := func() {
		start := time.Now()
		path := filepath.Join(dir, "centrale-"+start.Format(backupStamp)+".db")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			log.Error("backup failed", "err", err)
			return
		}
		n, err := s.BackupFile(path)
		if err != nil {
			log.Error("backup failed", "err", err)
			return
		}
		log.Info("backup written", "path", path, "bytes", n, "took", time.Since(start))
		if err := prune(dir, keep); err != nil {
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

// prune removes the oldest copies of centrale in dir beyond the keep
// newest; none when keep is 0 or less.
func prune(dir string, keep int) error {
	if keep <= 0 {
		return nil
	}
	names, err := filepath.Glob(filepath.Join(dir, "centrale-*.db"))
	if err != nil {
		return err
	}
	var copies []string
	for _, n := range names {
		stamp := filepath.Base(n)[len("centrale-") : len(filepath.Base(n))-len(".db")]
		if _, err := time.Parse(backupStamp, stamp); err == nil {
			copies = append(copies, n)
		}
	}
	slices.Sort(copies)
	for len(copies) > keep {
		if err := os.Remove(copies[0]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		copies = copies[1:]
	}
	return nil
}
