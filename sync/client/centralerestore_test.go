package client_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
)

// restorable is a central store that a test copies and puts back from
// the copy, as README's "Backup and restore" says: a bbolt file copied
// while centrale runs (-backup-dir), put back with cp, centrale stopped;
// a PostgreSQL database dumped and restored into a new one by
// scripts/pg-backup.sh. Both then run `centrale restore`
// (central.EpochStore.NewEpoch).
var restorable = []struct {
	name string
	// open opens a new store, and returns where it is.
	open func(t *testing.T) (central.Store, string)
	// copy copies s, in use at where, and returns where the copy is.
	copy func(t *testing.T, s central.Store, where string) string
	// restore closes s, puts the copy back in its place and opens it.
	restore func(t *testing.T, s central.Store, where, copy string) central.Store
}{
	{"bolt", func(t *testing.T) (central.Store, string) {
		path := filepath.Join(t.TempDir(), "centrale.db")
		return openBolt(t, path), path
	}, func(t *testing.T, s central.Store, _ string) string {
		p := filepath.Join(t.TempDir(), "copia.db")
		if _, err := s.(*boltstore.Store).BackupFile(p); err != nil {
			t.Fatal(err)
		}
		return p
	}, func(t *testing.T, s central.Store, path, copy string) central.Store {
		s.Close()
		if err := os.Rename(path, path+".old"); err != nil { // keep the old one
			t.Fatal(err)
		}
		b, err := os.ReadFile(copy)
		if err == nil {
			err = os.WriteFile(path, b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		return newEpoch(t, openBolt(t, path))
	}},
	{"postgres", func(t *testing.T) (central.Store, string) {
		dsn := pgtest.DSN(t)
		return openPG(t, dsn), dsn
	}, func(t *testing.T, _ central.Store, dsn string) string {
		dump := filepath.Join(t.TempDir(), "centrale.dump")
		pgBackup(t, "dump", dsn, dump)
		return dump
	}, func(t *testing.T, s central.Store, _, dump string) central.Store {
		s.Close()
		dsn := pgtest.DSN(t)
		pgBackup(t, "restore", dump, dsn)
		return newEpoch(t, openPG(t, dsn))
	}},
}

// pgBackup runs scripts/pg-backup.sh with args.
func pgBackup(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join("..", "..", "scripts", "pg-backup.sh")}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg-backup.sh %s: %v\n%s", args[0], err, out)
	}
}

// newEpoch gives s, put back from a copy, a new epoch, as `centrale
// restore` does, and returns it.
func newEpoch(t *testing.T, s central.Store) central.Store {
	t.Helper()
	id, err := central.NewEpochID()
	if err == nil {
		_, err = s.NewEpoch(context.Background(), id)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reconnect points d's client at env's centrale.
func (d *deskPC) reconnect(t *testing.T, env *testenv.Env, clock func() time.Time) {
	t.Helper()
	cfg, _ := env.DeskTLS(t, "ROMA01", d.id)
	d.c = client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
		Sede: "ROMA01", Local: d.ls, Desk: d.desk, Now: clock})
}

// operators returns the ids of the operator accounts d holds, in order.
func (d *deskPC) operators(t *testing.T) string {
	t.Helper()
	var ids []string
	err := d.ls.View(func(tx pinsede.Tx) error {
		ops, err := tx.Operators()
		for _, o := range ops {
			ids = append(ids, o.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return strings.Join(ids, " ")
}

// Ensure that a centrale put back from a copy, as README's restore says
// (the copy in place, then `centrale restore`), leaves no desk of the
// sede out of step, on both stores: desk A (03) adds an operator after
// the copy, which desk B (02) pulls; after the restore A adds another.
// A sends again what it sent since the copy (its events are answered
// duplicate for what the copy holds, taken again for the rest), B pulls
// again from the copy's newest change, and desk C (04), whose first sync
// comes after, finds both: every desk holds every account, and centrale
// each event once. Before, centrale lost "gialli" for good (A had
// dropped its event once taken), and B, its cursor past the numbers the
// restored centrale gave again, never pulled "viola".
func TestCentraleRestoredFromCopy(t *testing.T) {
	testclock.RealDayOnly(t, "a copy put back by centrale restore")
	for _, st := range restorable {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			store, where := st.open(t)
			env := testenv.NewAt(t, store, clock)
			a, b := newDeskPC(t, env, clock, "ROMA01", "03"), newDeskPC(t, env, clock, "ROMA01", "02")
			a.sync(t)
			b.sync(t)
			copy := st.copy(t, store, where)
			addedAfterCopy(t, a, b)

			env.HTTP.Close() // centrale stops
			store = st.restore(t, store, where, copy)
			afterCopyPutBack(t, store, clock, a, b)
		})
	}
}

// addedAfterCopy has desk A (a) add "gialli", after the copy, and desk
// B (b) pull it.
func addedAfterCopy(t *testing.T, a, b *deskPC) {
	t.Helper()
	addOperator(t, a.desk, a.sess, pinsede.NewOperator{ID: "gialli", Name: "Gino Gialli", Role: pinsede.RoleOperatore, Password: "password-lunga-2"})
	a.sync(t)
	b.sync(t)
	if got := b.operators(t); got != "gialli sup" {
		t.Fatalf("B before the copy is put back holds %q", got)
	}
}

// afterCopyPutBack serves store, just put back from a copy taken before
// desk A (a) added "gialli", which B (b) pulled, and checks that the
// sede is in step once A adds "viola": A sends again what it sent since
// the copy, B pulls again from the copy's newest change, and desk C
// (04), whose first sync comes after, finds both; every desk holds every
// account, and centrale each event once.
func afterCopyPutBack(t *testing.T, store central.Store, clock func() time.Time, a, b *deskPC) {
	t.Helper()
	env := testenv.NewAt(t, store, clock)
	a.reconnect(t, env, clock)
	b.reconnect(t, env, clock)
	addOperator(t, a.desk, a.sess, pinsede.NewOperator{ID: "viola", Name: "Vera Viola", Role: pinsede.RoleOperatore, Password: "password-lunga-3"})
	a.sync(t)
	b.sync(t)
	b.sync(t)
	c := newDeskPC(t, env, clock, "ROMA01", "04")
	c.sync(t)

	for _, d := range []*deskPC{a, b, c} {
		if got := d.operators(t); got != "gialli sup viola" {
			t.Errorf("desk %s holds %q, want gialli sup viola", d.id, got)
		}
		if n, err := d.ls.OutboxLen(); err != nil || n != 0 {
			t.Errorf("desk %s: %d events in its outbox (%v)", d.id, n, err)
		}
	}
	if r := a.c.State().CentraleRestored; r == nil || r.Resent == 0 {
		t.Errorf("A's state after the restore: %+v, want the events sent again", r)
	}
	changes, _, _, err := store.Changes(context.Background(), "ROMA01", 0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ch := range changes {
		if ch.Kind == pinsede.ChangeSedeEvent && ch.Event != nil {
			seen[ch.Event.ID]++
		}
	}
	ops := 0
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s: %d changes at centrale, want 1", id, n)
		}
	}
	for _, ch := range changes {
		if ch.Kind == pinsede.ChangeSedeEvent && ch.Event != nil && ch.Event.Kind == pinsede.EventOperatorAdded {
			ops++
		}
	}
	if ops < 3 {
		t.Errorf("centrale holds %d operator.added events of ROMA01, want sup's, gialli's and viola's", ops)
	}
}

// Ensure that a desk that pruned events older than those it keeps
// (local.SentKeep) says they are lost only when the copy lacks the
// oldest it kept: a copy taken after its pushes holds it (a duplicate)
// and every event before it; a copy taken before them does not, and the
// events pruned are lost at centrale.
func TestCentraleRestoredLost(t *testing.T) {
	st := restorable[0]
	ctx := context.Background()
	clock := testclock.Stepping(time.Microsecond)
	store, where := st.open(t)
	older := st.copy(t, store, where) // before any push
	env := testenv.NewAt(t, store, clock)
	ls, _, _ := newLocal(t)
	const pruned = 5
	enqueue(t, ls, "ROMA01", 0, local.SentKeep+pruned)
	newClient := func() *client.Client {
		return client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: clock})
	}
	if err := newClient().Sync(ctx); err != nil {
		t.Fatal(err)
	}
	newer := st.copy(t, store, where) // after them
	for _, c := range []struct {
		name, copy string
		lost       bool
		events     int
	}{{"a copy after the pushes", newer, false, local.SentKeep + pruned}, {"a copy before them", older, true, local.SentKeep}} {
		env.HTTP.Close()
		store = st.restore(t, store, where, c.copy)
		env = testenv.NewAt(t, store, clock)
		cl := newClient()
		if err := cl.Sync(ctx); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r := cl.State().CentraleRestored
		if r == nil || r.Resent != local.SentKeep || !r.Pruned || r.Lost != c.lost {
			t.Errorf("%s: the desk did %+v; want %d sent again, older pruned, lost %v", c.name, r, local.SentKeep, c.lost)
		}
		if n, err := store.Events(ctx); err != nil || n != c.events {
			t.Errorf("%s: centrale holds %d events (%v), want %d", c.name, n, err, c.events)
		}
	}
}

// Ensure that a bbolt store put back from centrale's own copy with a
// plain file copy, without `centrale restore`, leaves no desk out of
// step: the copy, made by `centrale backup` (the binary, centrale
// stopped) or by -backup-dir while centrale serves (Store.BackupFile, as
// backupLoop), carries an epoch of its own, which the desks find as
// after `centrale restore`. Desk A adds "gialli" after the copy, which B
// pulls; once the copy is back, A adds "viola": every desk holds both,
// and centrale each event once. Before, the copy carried the live
// store's epoch: centrale lost "gialli" for good, and B never pulled
// "viola".
func TestCentraleRestoredByPlainCopy(t *testing.T) {
	testclock.RealDayOnly(t, "a copy put back by cp")
	bin := testenv.BuildCentrale(t, t.TempDir())
	for _, by := range []string{"centrale backup", "backup-dir"} {
		t.Run(by, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			path := filepath.Join(t.TempDir(), "centrale.db")
			store := openBolt(t, path)
			env := testenv.NewAt(t, store, clock)
			a, b := newDeskPC(t, env, clock, "ROMA01", "03"), newDeskPC(t, env, clock, "ROMA01", "02")
			a.sync(t)
			b.sync(t)
			copy := filepath.Join(t.TempDir(), "copia.db")
			if by == "centrale backup" {
				env.HTTP.Close() // centrale stops for its copy
				store.Close()
				if out, err := exec.Command(bin, "backup", "-bolt", path, "-out", copy).CombinedOutput(); err != nil {
					t.Fatalf("centrale backup: %v\n%s", err, out)
				}
				store = openBolt(t, path)
				env = testenv.NewAt(t, store, clock)
				a.reconnect(t, env, clock)
				b.reconnect(t, env, clock)
			} else if _, err := store.(*boltstore.Store).BackupFile(copy); err != nil {
				t.Fatal(err)
			}
			addedAfterCopy(t, a, b)

			env.HTTP.Close() // centrale stops
			store.Close()
			b2, err := os.ReadFile(copy) // cp copia.db centrale.db, nothing else
			if err == nil {
				err = os.WriteFile(path, b2, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			afterCopyPutBack(t, openBolt(t, path), clock, a, b)
		})
	}
}
