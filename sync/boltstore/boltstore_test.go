package boltstore_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that the bbolt store passes the conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// Ensure that a second open of the same file gives up with ErrAlreadyOpen.
func TestAlreadyOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := boltstore.Open(path); !errors.Is(err, boltstore.ErrAlreadyOpen) {
		t.Errorf("second Open: %v, want ErrAlreadyOpen", err)
	}
}
