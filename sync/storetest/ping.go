package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/central"
)

// AwaitPing waits, within the test's time, for s to answer a ping once
// its database is back: a store that found the database unreachable
// answers central.ErrUnavailable at once, connecting for nothing, until
// its probe reaches it again (pgstore's outage), and the test then
// waits for that probe. Any other error fails the test.
func AwaitPing(t testing.TB, s central.Store) {
	t.Helper()
	for {
		err := s.Ping(t.Context())
		if err == nil {
			return
		}
		if !errors.Is(err, central.ErrUnavailable) {
			t.Fatalf("ping of the store back: %v", err)
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("the store never answered again: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
