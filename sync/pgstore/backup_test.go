package pgstore_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
)

// script runs scripts/pg-backup.sh with args and returns its stdout.
func script(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join("..", "..", "scripts", "pg-backup.sh")}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg-backup.sh %s: %v\n%s", args[0], err, stderr.String())
	}
	return string(out)
}

// Ensure that scripts/pg-backup.sh dumps the database of a centrale in
// use, restores it into a new database, and that the copy holds the same
// rows and opens as a store.
func TestBackupScript(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits) // the suite's cheap hashes
	defer s.Close()
	ctx := context.Background()
	hash := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	var evs []pinsede.Event
	for i := range 20 {
		iss := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprintf("e%d", i), fmt.Sprintf("c%d", i), hash)
		evs = append(evs, iss)
		if i%4 == 0 {
			evs = append(evs, storetest.Follow(iss, fmt.Sprintf("r%d", i), pinsede.EventRevoked))
		}
	}
	if _, err := s.Apply(ctx, "ROMA01", evs, storetest.T0); err != nil {
		t.Fatal(err)
	}

	dump := filepath.Join(t.TempDir(), "centrale.dump")
	script(t, "dump", dsn, dump) // the store is open: centrale runs
	copyDSN := pgtest.DSN(t)
	// The restore tells what the dump cannot carry: the copy's own epoch.
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "pg-backup.sh"), "restore", dump, copyDSN)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "centrale restore -postgres '"+copyDSN+"'") {
		t.Errorf("restore: %v, said\n%s\nwant the command that gives the copy its epoch", err, out)
	}
	want, got := script(t, "counts", dsn), script(t, "counts", copyDSN)
	if want != got || !strings.Contains(got, fmt.Sprintf("events %d\n", len(evs))) {
		t.Errorf("counts of the copy:\n%s\nof the database:\n%s", got, want)
	}
	c, err := pgstore.Open(ctx, copyDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.Events(ctx); err != nil || n != len(evs) {
		t.Errorf("the copy holds %d events (%v), want %d", n, err, len(evs))
	}
	// A dump that fails (no database there) leaves nothing: its part
	// stayed, and on a full disk kept the disk full.
	failed := filepath.Join(t.TempDir(), "failed.dump")
	cmd = exec.Command("bash", filepath.Join("..", "..", "scripts", "pg-backup.sh"), "dump", "postgres://127.0.0.1:1/none?connect_timeout=5", failed)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "nothing was written") {
		t.Errorf("dump from no database: %v\n%s", err, out)
	}
	if left, _ := filepath.Glob(failed + "*"); len(left) != 0 {
		t.Errorf("a failed dump left %v", left)
	}
	// A restore into a database with tables is refused.
	cmd = exec.Command("bash", filepath.Join("..", "..", "scripts", "pg-backup.sh"), "restore", dump, copyDSN)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "empty") {
		t.Errorf("restore over a database: %v\n%s", err, out)
	}
}
