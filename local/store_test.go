package local_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	bolt "go.etcd.io/bbolt"
)

// paths returns a store path and a key path in a fresh folder.
func paths(t *testing.T) (store, key string) {
	dir := t.TempDir()
	return filepath.Join(dir, "data", "pinsede", "sportello.db"), filepath.Join(dir, "config", "pinsede", "store.key")
}

// created makes a store with a sede in it, closes it and returns its paths.
func created(t *testing.T) (store, key string) {
	t.Helper()
	store, key = paths(t)
	s, err := local.Create(store, key)
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx pinsede.Tx) error { return tx.SetSede(testSede) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return store, key
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// Ensure that Create makes the store and a 32-byte key readable by the user
// only, in folders of the user only, and that Open opens them again.
func TestCreate(t *testing.T) {
	store, key := created(t)
	for path, want := range map[string]fs.FileMode{store: 0o600, key: 0o600, filepath.Dir(store): 0o700, filepath.Dir(key): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	if b, _ := os.ReadFile(key); len(b) != 32 {
		t.Errorf("key file holds %d bytes, want 32", len(b))
	}
	if _, err := os.Stat(store + ".new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Create left its work file behind: %v", err)
	}
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != store {
		t.Errorf("Path() = %q, want %q", s.Path(), store)
	}
	view(t, s, func(tx pinsede.Tx) error {
		got, err := tx.Sede()
		if got != testSede {
			t.Errorf("Sede() = %+v, want %+v", got, testSede)
		}
		return err
	})
}

// Ensure that Create refuses an existing store, and a key without its
// store, and touches neither.
func TestCreateRefuses(t *testing.T) {
	t.Run("store exists", func(t *testing.T) {
		store, key := created(t)
		before := fileHash(t, store)
		if _, err := local.Create(store, key); !errors.Is(err, local.ErrExists) {
			t.Fatalf("Create on an existing store: %v, want ErrExists", err)
		}
		if fileHash(t, store) != before {
			t.Error("Create changed the existing store")
		}
	})
	t.Run("key without store", func(t *testing.T) {
		store, key := created(t)
		os.Remove(store)
		keyBefore := fileHash(t, key)
		if _, err := local.Create(store, key); !errors.Is(err, local.ErrNoStore) {
			t.Fatalf("Create with a key and no store: %v, want ErrNoStore", err)
		}
		if _, err := os.Stat(store); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Create made a store next to an existing key: %v", err)
		}
		if fileHash(t, key) != keyBefore {
			t.Error("Create changed the existing key")
		}
	})
}

// Ensure that Open reports each way a store cannot be opened with its own
// error, creates nothing and leaves the files as they were.
func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, store, key string)
		want   error
	}{
		{"missing store", func(t *testing.T, store, key string) { os.Remove(store) }, local.ErrNoStore},
		{"missing key", func(t *testing.T, store, key string) { os.Remove(key) }, local.ErrNoKey},
		{"wrong key", func(t *testing.T, store, key string) {
			b := make([]byte, 32)
			rand.Read(b)
			os.WriteFile(key, b, 0o600)
		}, local.ErrWrongKey},
		{"another store's key", func(t *testing.T, store, key string) {
			_, other := created(t)
			b, _ := os.ReadFile(other)
			os.WriteFile(key, b, 0o600)
		}, local.ErrWrongKey},
		{"key readable by other users", func(t *testing.T, store, key string) { os.Chmod(key, 0o644) }, local.ErrKeyExposed},
		{"short key file", func(t *testing.T, store, key string) { os.WriteFile(key, []byte("0123456789"), 0o600) }, local.ErrWrongKey},
		{"random bytes", func(t *testing.T, store, key string) {
			b := make([]byte, 64<<10)
			rand.Read(b)
			os.WriteFile(store, b, 0o600)
		}, local.ErrCorrupt},
		{"empty file", func(t *testing.T, store, key string) { os.WriteFile(store, nil, 0o600) }, local.ErrCorrupt},
		{"truncated to half", func(t *testing.T, store, key string) {
			fi, _ := os.Stat(store)
			os.Truncate(store, fi.Size()/2)
		}, local.ErrCorrupt},
		{"truncated to one page", func(t *testing.T, store, key string) { os.Truncate(store, 4096) }, local.ErrCorrupt},
		{"meta pages overwritten", func(t *testing.T, store, key string) {
			f, _ := os.OpenFile(store, os.O_WRONLY, 0)
			f.WriteAt(bytes.Repeat([]byte{0xA5}, 2*4096), 0)
			f.Close()
		}, local.ErrCorrupt},
		{"bbolt file, not a store", func(t *testing.T, store, key string) {
			os.Remove(store)
			db, err := bolt.Open(store, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
			db.Close()
		}, local.ErrCorrupt},
		{"schema too new", func(t *testing.T, store, key string) {
			if err := local.SetSchemaVersion(store, 99); err != nil {
				t.Fatal(err)
			}
		}, local.ErrSchemaTooNew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, key := created(t)
			tc.damage(t, store, key)
			_, statErr := os.Stat(store)
			var before [32]byte
			if statErr == nil {
				before = fileHash(t, store)
			}
			s, err := local.Open(store, key)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			if statErr != nil {
				if _, err := os.Stat(store); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Open created the missing store: %v", err)
				}
			} else if fileHash(t, store) != before {
				t.Error("Open changed the store file")
			}
		})
	}
}

// Ensure that a second Open of a store already open fails with
// ErrAlreadyOpen after about a second, instead of waiting for ever.
func TestOpenAlreadyOpen(t *testing.T) {
	store, key := created(t)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	s2, err := local.Open(store, key)
	if err == nil {
		s2.Close()
	}
	if !errors.Is(err, local.ErrAlreadyOpen) {
		t.Fatalf("second Open: %v, want ErrAlreadyOpen", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("second Open took %v to give up", d) // a hang detector, not a timing test
	}
}

// Ensure that opening a store of the current schema writes nothing: there
// is nothing to migrate.
func TestOpenCurrentSchemaIsNoOp(t *testing.T) {
	store, key := created(t)
	before := fileHash(t, store)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fileHash(t, store) != before {
		t.Error("Open of a current store changed the file")
	}
}

// Ensure that the paths DefaultPaths gives follow XDG_DATA_HOME and the
// user's configuration folder, and keep the key apart from the store.
func TestDefaultPaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	for _, tc := range []struct {
		xdgData   string
		wantStore string
	}{
		{filepath.Join(home, "data"), filepath.Join(home, "data", "pinsede", "sportello.db")},
		{"", filepath.Join(home, ".local", "share", "pinsede", "sportello.db")},
		{"relative/ignored", filepath.Join(home, ".local", "share", "pinsede", "sportello.db")},
	} {
		t.Setenv("XDG_DATA_HOME", tc.xdgData)
		store, key, err := local.DefaultPaths()
		if err != nil {
			t.Fatal(err)
		}
		if store != tc.wantStore {
			t.Errorf("XDG_DATA_HOME=%q: store %q, want %q", tc.xdgData, store, tc.wantStore)
		}
		if want := filepath.Join(home, "cfg", "pinsede", "store.key"); key != want {
			t.Errorf("key %q, want %q", key, want)
		}
	}
}

// Ensure that an error or a panic in Update writes nothing, and that a Tx
// kept after its function returned refuses to work.
func TestUpdateRollsBack(t *testing.T) {
	s := newStore(t)
	boom := errors.New("boom")
	if err := s.Update(func(tx pinsede.Tx) error {
		tx.SetSede(testSede)
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Update swallowed the panic")
			}
		}()
		s.Update(func(tx pinsede.Tx) error {
			tx.SetSede(testSede)
			panic("boom")
		})
	}()
	var kept pinsede.Tx
	view(t, s, func(tx pinsede.Tx) error {
		kept = tx
		if _, err := tx.Sede(); !errors.Is(err, pinsede.ErrNotFound) {
			t.Errorf("after rollbacks Sede() = %v, want ErrNotFound", err)
		}
		return nil
	})
	if _, err := kept.Sede(); err == nil {
		t.Error("a Tx used after its function returned still works")
	}
}

// Ensure that a store of schema version 1 opens, migrates to the current
// version (the documents bucket), keeps its records and takes documents.
func TestOpenMigratesV1(t *testing.T) {
	store, key := created(t)
	if err := local.MakeV1(store); err != nil {
		t.Fatal(err)
	}
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatalf("open a v1 store: %v", err)
	}
	err = s.Update(func(tx pinsede.Tx) error {
		if sede, err := tx.Sede(); err != nil || sede != testSede {
			t.Errorf("sede after migration %+v, %v", sede, err)
		}
		return tx.PutDocument("cred1", pinsede.DocumentMV35, []byte("%PDF-1.7"))
	})
	if err != nil {
		t.Fatalf("put a document after migration: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := local.StoredSchema(store); err != nil || v != local.SchemaVersion {
		t.Fatalf("schema after migration %d, %v; want %d", v, err, local.SchemaVersion)
	}
}

// Ensure that a store of schema version 5, whose outbox kept a form's PDF
// inside its event's JSON, migrates to keeping it beside the event, named
// by SHA-256 and size.
func TestOpenMigratesV5(t *testing.T) {
	store, key := created(t)
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 5000)...)
	ev := pinsede.Event{ID: "e1", Kind: pinsede.EventFormArchived, Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Sede: "ROMA01",
		Credential: pinsede.Credential{ID: "c1", Sede: "ROMA01"}, Form: &pinsede.ArchivedForm{Kind: pinsede.DocumentMV35, PDF: pdf}}
	if err := local.MakeV5(store, key, ev); err != nil {
		t.Fatal(err)
	}
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatalf("open a v5 store: %v", err)
	}
	defer s.Close()
	items, err := s.Outbox(0)
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox after migration %+v, %v", items, err)
	}
	f := items[0].Event.Form
	if f.PDF != nil || f.Size != len(pdf) || f.SHA256 != pinsede.FormDigest(pdf) || !bytes.Equal(items[0].Form, pdf) {
		t.Fatalf("form after migration %+v with %d bytes beside it", f, len(items[0].Form))
	}
}

// Ensure that Open writes the outbox's events of a version 7 store again
// as this version writes them, which a push sends as they are: an event
// as json.Marshal wrote it before a zero credential was left out, and a
// member this version does not know (centrale refuses a push with one),
// come out as json.Marshal of the event now.
func TestOpenMigratesV7(t *testing.T) {
	store, key := created(t)
	ev := pinsede.Event{ID: "e1", Kind: pinsede.EventRefused, Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Sede: "ROMA01",
		Outcome: &pinsede.Outcome{CodiceFiscale: "RSSMRA80A01H501U", Reason: pinsede.KeyRefusedResidentItaly, PolicyVersion: 2}}
	old, err := json.Marshal(struct {
		pinsede.Event
		Credential pinsede.Credential `json:"credential"`
		Obsolete   string             `json:"obsolete"`
	}{Event: ev, Obsolete: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(old, []byte(`"credential":{"id":""`)) {
		t.Fatalf("the old JSON has no zero credential: %s", old)
	}
	if err := local.MakeV7(store, key, old); err != nil {
		t.Fatal(err)
	}
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatalf("open a v7 store: %v", err)
	}
	defer s.Close()
	entries, err := s.OutboxEntries(0, 0, 0)
	if err != nil || len(entries) != 1 {
		t.Fatalf("outbox after migration %+v, %v", entries, err)
	}
	want, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.ID != "e1" || !bytes.Equal(e.JSON, want) {
		t.Errorf("event after migration %s %s, want e1 %s", e.ID, e.JSON, want)
	}
}
