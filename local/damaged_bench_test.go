package local_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
)

// BenchmarkBackupChecked measures what the check of a scheduled copy
// (bbolt's consistency check, the audit chain, the counts) adds to the
// copy, on a store of backupBenchMB MiB: 100 issues, 100,000 citizens and
// forms of 18 KiB (an issue's) to the size. It reports the copy alone
// (BackupFile) and the copy checked (BackupInto), per op and in MiB/s.
func BenchmarkBackupChecked(b *testing.B) {
	s, store, _ := newStoreAt(b)
	d := newDesk(s, nopPrinter{})
	sess := session(s)
	for i := range 100 {
		if _, err := d.Issue(context.Background(), sess, person(i, "Colombo", "Luca"), verification(pngScan(2000))); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.BulkPutCitizens(100_000, 20_000, benchCitizen); err != nil {
		b.Fatal(err)
	}
	const formSize = 18 << 10
	fi, err := os.Stat(store)
	if err != nil {
		b.Fatal(err)
	}
	putDocuments(b, s, int(max(int64(backupBenchMB(b))<<20-fi.Size(), 0)/formSize), formSize)
	if fi, err = os.Stat(store); err != nil {
		b.Fatal(err)
	}
	mib := float64(fi.Size()) / (1 << 20)
	dir := b.TempDir()
	b.Run("copy", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
			if _, err := s.BackupFile(p); err != nil {
				b.Fatal(err)
			}
			os.Remove(p)
		}
		b.ReportMetric(mib*float64(b.N)/b.Elapsed().Seconds(), "MiB/s")
		b.ReportMetric(mib, "MiB")
	})
	b.Run("copy+check", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p, err := s.BackupInto(context.Background(), dir, testclock.Now().Add(time.Duration(i)*time.Hour), 1)
			if err != nil {
				b.Fatal(err)
			}
			os.Remove(p)
		}
		b.ReportMetric(mib*float64(b.N)/b.Elapsed().Seconds(), "MiB/s")
	})
}
