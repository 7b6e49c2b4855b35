//go:build linux

package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/diskerr"
	"github.com/pinsede/pinsede/internal/testdisk"
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

// Ensure that a write the store's disk does not carry out is ErrWrite
// (the domain's pinsede.ErrStoreWrite, which the desk says) with the
// disk's cause for package diskerr: the store's file made immutable
// (EPERM, as chattr +i), and its disk failing (EIO: an ext4 file system
// shut down by its kernel, as after its disk's errors), and a read after
// the write that left it unmapped is ErrRead with that cause; and that an
// error of the transaction's own is not.
func TestWriteRefusedIsErrWrite(t *testing.T) {
	// write writes settings of size bytes: 1 MiB grows the file past
	// bbolt's map, which it maps again at the commit.
	write := func(s *local.Store, size int) error {
		return s.Update(func(tx pinsede.Tx) error {
			return tx.PutSettings(pinsede.Settings{PrinterQueue: strings.Repeat("a", size)})
		})
	}
	open := func(t *testing.T, dir string) *local.Store {
		s, err := local.Create(filepath.Join(dir, "sportello.db"), filepath.Join(t.TempDir(), "store.key"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	t.Run("immutable", func(t *testing.T) {
		s := open(t, t.TempDir())
		testdisk.Immutable(t, s.Path())
		err := write(s, 10)
		if !errors.Is(err, local.ErrWrite) || !errors.Is(err, pinsede.ErrStoreWrite) || diskerr.Of(err) != diskerr.Denied {
			t.Errorf("a write to the immutable store: %v, want ErrWrite, denied", err)
		}
	})
	t.Run("failing", func(t *testing.T) {
		dir, fail := testdisk.Failing(t)
		s := open(t, dir)
		fail()
		// The first write's growth of the file unmaps it in bbolt (its
		// map again refused: "mmap allocate error"); the second is told
		// by the first's cause.
		for i := range 2 {
			err := write(s, 1<<20)
			if !errors.Is(err, local.ErrWrite) || diskerr.Of(err) != diskerr.Failing {
				t.Errorf("write %d to the store on a failing disk: %v, want ErrWrite, failing", i+1, err)
			}
		}
		// The reads after it are ErrRead, told by the same cause.
		reads := map[string]error{
			"View":         s.View(func(tx pinsede.Tx) error { _, err := tx.Settings(); return err }),
			"AuditEntries": s.AuditEntries(0, func(pinsede.AuditEntry) error { return nil }),
		}
		for name, err := range reads {
			if !errors.Is(err, local.ErrRead) || !errors.Is(err, pinsede.ErrStoreRead) || diskerr.Of(err) != diskerr.Failing {
				t.Errorf("%s after the store unmapped: %v, want ErrRead, failing", name, err)
			}
		}
	})
	own := errors.New("refused by the transaction")
	if err := open(t, t.TempDir()).Update(func(pinsede.Tx) error { return own }); err != own {
		t.Errorf("the transaction's own error came back as %v", err)
	}
}
