package boltstore_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
	"github.com/pinsede/pinsede/sync/boltstore"
)

// A store with one page zeroed, whichever: Open opens it or says it is
// damaged (boltsafe.ErrDamaged) and how to restore it; it never panics.
// Before, pages 4 and 5 zeroed made Open panic.
func TestOpenDamaged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "centrale.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	pages := zeroed.EachPage(t, path)
	damaged := 0
	for pg, p := range pages {
		s, err := boltstore.Open(p)
		switch {
		case errors.Is(err, boltsafe.ErrDamaged):
			damaged++
			t.Logf("page %d zeroed: %v", pg, err)
		case err == nil:
			s.Close()
		}
	}
	if damaged == 0 {
		t.Errorf("no page of %d zeroed said damaged", len(pages))
	}
}
