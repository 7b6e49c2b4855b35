package local_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// putDocuments archives n documents of size random bytes in s (sealed
// data does not compress), 64 a transaction.
func putDocuments(b *testing.B, s *local.Store, n, size int) {
	b.Helper()
	const batch = 64
	doc := make([]byte, size)
	rand.Read(doc)
	for i := 0; i < n; i += batch {
		err := s.Update(func(tx pinsede.Tx) error {
			for j := i; j < min(i+batch, n); j++ {
				if err := tx.PutDocument(fmt.Sprintf("bench-%08d", j), "mv35", doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// backupBenchMB is the size of the store BenchmarkBackup copies, in MiB:
// $PINSEDE_BENCH_BACKUP_MB, 64 by default (1024 for the figure of
// BENCHMARKS.md).
func backupBenchMB(b *testing.B) int {
	if v := os.Getenv("PINSEDE_BENCH_BACKUP_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("PINSEDE_BENCH_BACKUP_MB=%q: want a number of MiB", v)
		}
		return n
	}
	return 64
}

// BenchmarkBackup copies a store of backupBenchMB MiB (archived documents
// of 256 KiB, as many as it takes) to a file while a clerk issues without
// pause, and reports the copy's throughput, the median time of an issue
// during the copies, and how many issues completed during them.
func BenchmarkBackup(b *testing.B) {
	s, _, _ := newStoreAt(b)
	d := newDesk(s, nopPrinter{})
	if err := d.Setup(testSede, pinsede.NewOperator{ID: "mbianchi", Name: "Maria Bianchi", Password: password}); err != nil {
		b.Fatal(err)
	}
	sess, err := d.Login("mbianchi", password)
	if err != nil {
		b.Fatal(err)
	}
	const docSize = 256 << 10
	putDocuments(b, s, backupBenchMB(b)<<20/docSize, docSize)

	var (
		mu     sync.Mutex
		issues []time.Duration
		during bool
		wg     sync.WaitGroup
		stop   = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			if _, err := d.Issue(context.Background(), sess, person(i, "Bianchi", "Paolo"), verification(nil)); err != nil {
				b.Error(err)
				return
			}
			took := time.Since(start)
			mu.Lock()
			if during {
				issues = append(issues, took)
			}
			mu.Unlock()
		}
	}()
	dir := b.TempDir()
	var bytes int64
	var copies []time.Duration
	for n := 0; b.Loop(); n++ {
		path := filepath.Join(dir, fmt.Sprintf("copy-%d.db", n))
		mu.Lock()
		during = true
		mu.Unlock()
		start := time.Now()
		w, err := s.BackupFile(path)
		copies = append(copies, time.Since(start))
		mu.Lock()
		during = false
		mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		bytes = w
		os.Remove(path)
	}
	close(stop)
	wg.Wait()
	b.SetBytes(bytes)
	reportLatency(b, copies)
	b.ReportMetric(float64(bytes)/(1<<20), "MiB")
	mu.Lock()
	defer mu.Unlock()
	b.ReportMetric(float64(len(issues))/float64(len(copies)), "issues/copy")
	if len(issues) > 0 {
		b.ReportMetric(float64(median(issues))/1e6, "issue-ms-median")
	}
}

// median returns the median of ds.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
