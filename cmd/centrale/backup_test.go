package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that `centrale backup` copies a stopped store, refuses one in
// use and a copy that exists, and that the online loop writes and prunes
// its copies.
func TestBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits) // the suite's cheap hashes
	ctx := context.Background()
	iss := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{iss}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy.db")
	var errs bytes.Buffer
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, io.Discard, &errs); code != 1 || !strings.Contains(errs.String(), "in use") {
		t.Errorf("backup of a store in use: exit %d, %q", code, errs.String())
	}

	// The online copies, three starts an hour apart on the loop's clock:
	// the oldest is pruned, the two newest kept, named after that clock.
	copies := filepath.Join(dir, "copies")
	now := testclock.Stepping(time.Hour)
	var made []string
	for range 3 {
		var logs bytes.Buffer
		backupLoop(ctx, s, copies, 0, 2, now, slog.New(slog.NewTextHandler(&logs, nil)))
		_, rest, ok := strings.Cut(logs.String(), `msg="backup written" path=`)
		if !ok {
			t.Fatalf("online copy: %s", logs.String())
		}
		path, _, _ := strings.Cut(rest, " ")
		made = append(made, path)
	}
	kept := slices.Sorted(slices.Values(made[1:])) // as Glob lists them
	if names, _ := filepath.Glob(filepath.Join(copies, "centrale-*.db")); !slices.Equal(names, kept) {
		t.Errorf("online copies %v, want the two newest of %v", names, made)
	}
	s.Close()

	var stdout bytes.Buffer
	errs.Reset()
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, &stdout, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(stdout.String(), "1 events, 1 credentials") {
		t.Errorf("stdout = %q", stdout.String())
	}
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, io.Discard, io.Discard); code != 1 {
		t.Errorf("backup over a copy: exit %d, want 1", code)
	}
	if code := run(ctx, []string{"backup", "-bolt", path + ".none", "-out", out + ".2"}, io.Discard, io.Discard); code != 1 {
		t.Errorf("backup of no store: exit %d, want 1", code)
	}
	if _, err := os.Stat(path + ".none"); err == nil {
		t.Error("backup of no store made one")
	}
	c, err := boltstore.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Current(ctx, storetest.CF(1), central.SlotPIN)
	if err != nil || r.Credential.ID != "c1" {
		t.Errorf("the copy's record = %+v, %v", r, err)
	}
}
