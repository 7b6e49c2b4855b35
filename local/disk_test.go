//go:build linux

package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// Ensure that a full disk fails an issue cleanly: the store still opens,
// its credentials, audit entries and events agree, the audit chain is
// whole, and no slip is printed for a credential that was not stored.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount a small tmpfs")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	store, key := filepath.Join(dir, "sportello.db"), filepath.Join(t.TempDir(), "store.key")
	s, err := local.Create(store, key)
	if err != nil {
		t.Fatal(err)
	}
	p := &capturePrinter{}
	d := newDesk(s, p)
	sess := session(s)
	var cfs []pinsede.CodiceFiscale
	var issueErr error
	for i := 0; i < 20 && issueErr == nil; i++ {
		req := person(i, "Colombo", "Luca")
		cfs = append(cfs, req.CodiceFiscale)
		_, issueErr = d.Issue(context.Background(), sess, req, verification(pngScan(900<<10)))
	}
	if issueErr == nil {
		t.Fatal("20 issues with 900 KB scans fitted in a 2 MB file system")
	}
	t.Logf("issue %d failed: %v", len(cfs), issueErr)
	if fe := (pinsede.FieldErrors{}); errors.As(issueErr, &fe) || len(cfs) < 2 {
		t.Fatalf("issue %d failed before the disk filled: %v", len(cfs), issueErr)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = local.Open(store, key)
	if err != nil {
		t.Fatalf("store does not open after the disk filled: %v", err)
	}
	defer s.Close()
	n := count(t, s, cfs)
	n.check(t)
	verifyChain(t, s)
	if len(n.credentials) < len(cfs)-1 {
		t.Errorf("%d credentials stored, want the %d issued before the failure", len(n.credentials), len(cfs)-1)
	}
	if p.printed() != len(n.credentials) {
		t.Errorf("%d slips printed for %d credentials stored", p.printed(), len(n.credentials))
	}
}
