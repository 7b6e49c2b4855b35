package client_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that a desk store restored from an older copy syncs again with
// centrale without doubling anything: the events of its outbox that
// centrale took after the copy are sent again, answered duplicate and
// acknowledged, and centrale holds every event once.
func TestRestoredStoreResyncs(t *testing.T) {
	testclock.RealDayOnly(t, "a restored store syncing again")
	const n, k, m = 5, 3, 4 // pushed before the copy, pending in it, issued after it
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			ls, path, keyPath := newLocal(t)
			hc := env.Client(t, pki.RoleSede, "ROMA01")
			push := func(s *local.Store) {
				t.Helper()
				c := client.New(client.Config{URL: env.URL, HTTP: hc, Sede: "ROMA01", Local: s, Desk: deskOn(s), Now: clock})
				if err := c.Sync(ctx); err != nil {
					t.Fatal(err)
				}
				if st := c.State(); st.Pending != 0 || len(st.NotAccepted) != 0 {
					t.Fatalf("after sync: %+v", st)
				}
			}
			events := func(want int) {
				t.Helper()
				if got, err := env.Store.Events(ctx); err != nil || got != want {
					t.Fatalf("centrale holds %d events (%v), want %d", got, err, want)
				}
			}

			enqueue(t, ls, "ROMA01", 0, n)
			push(ls)
			enqueue(t, ls, "ROMA01", n, k)
			copyPath := filepath.Join(t.TempDir(), "copia.db")
			if _, err := ls.BackupFile(copyPath); err != nil {
				t.Fatal(err)
			}
			push(ls)
			enqueue(t, ls, "ROMA01", n+k, m)
			push(ls)
			events(n + k + m)
			ls.Close()

			if _, err := local.CheckCopy(copyPath, keyPath, clock()); err != nil {
				t.Fatal(err)
			}
			if _, err := local.Restore(copyPath, path, keyPath, clock()); err != nil {
				t.Fatal(err)
			}
			restored, err := local.Open(path, keyPath)
			if err != nil {
				t.Fatal(err)
			}
			defer restored.Close()
			if items, err := restored.Outbox(0); err != nil || len(items) != k {
				t.Fatalf("the restored outbox holds %d events (%v), want the %d pending in the copy", len(items), err, k)
			}
			push(restored)
			events(n + k + m)
			if items, err := restored.Outbox(0); err != nil || len(items) != 0 {
				t.Errorf("after the sync the restored outbox holds %d events (%v)", len(items), err)
			}
		})
	}
}
