//go:build unix

package testenv_test

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that New bounds its listener's connections as centrale does,
// from the process's descriptor limit: with the soft limit lowered to
// 1024, 768 connections (the limit less server.DescriptorReserve), half
// of them per source.
func TestNewConnLimits(t *testing.T) {
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &was); err != nil {
		t.Skip(err)
	}
	if was.Max < 1024 {
		t.Skipf("hard descriptor limit %d below 1024", was.Max)
	}
	low := syscall.Rlimit{Cur: 1024, Max: was.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &was) })
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := testenv.New(t, store)
	if want := (server.ConnLimits{Max: 768, PerSource: 384, Handshake: server.DefaultHandshake}); env.Conns != want {
		t.Errorf("bounds at 1024 descriptors: %+v, want %+v", env.Conns, want)
	}
}
