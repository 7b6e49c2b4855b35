package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a push whose request ran out of time while it waited for
// bbolt's one writer gives up, nothing kept, rather than applying its
// events after centrale answered 503 (the reviewer's probe: a push of a
// request past its deadline was stored and answered 200 all the same),
// and that a pull whose request has ended reads nothing.
func TestEndedRequestKeepsNothing(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	ev := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))

	release := make(chan struct{})
	done := s.HoldWrites(release) // another push holds the writer
	ctx, cancel := context.WithCancel(context.Background())
	pushed := make(chan error, 1)
	go func() {
		_, err := s.Push(ctx, "ROMA01", wire.AuditHead{}, []pinsede.Event{ev}, storetest.T0)
		pushed <- err
	}()
	cancel() // the request ends while the push waits
	close(release)
	<-done
	if err := <-pushed; !errors.Is(err, context.Canceled) {
		t.Errorf("a push whose request ended: %v; want it given up", err)
	}
	if n, err := s.Events(context.Background()); err != nil || n != 0 {
		t.Errorf("the store holds %d events (%v) of a push given up; want none", n, err)
	}

	if _, err := s.Push(context.Background(), "ROMA01", wire.AuditHead{}, []pinsede.Event{ev}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Changes(ctx, "ROMA01", 0, 10, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a pull whose request ended: %v; want it given up", err)
	}
}
