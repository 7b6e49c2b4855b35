package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// storeOf returns the path of a bbolt store, closed, that holds events
// of ROMA01, applied at the suite's clock with its cheap hashes.
func storeOf(t *testing.T, events ...pinsede.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	if _, err := s.Apply(context.Background(), "ROMA01", events, storetest.T0); err != nil {
		t.Fatal(err)
	}
	return path
}

// Ensure that `centrale revoke` revokes a credential in the bbolt store,
// records a ChangeRevoked for its sede with the reason, and refuses bad
// flags and a credential it cannot revoke.
func TestRevoke(t *testing.T) {
	ctx := context.Background()
	path := storeOf(t, storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX")))

	var out, errs bytes.Buffer
	args := []string{"revoke", "-bolt", path, "-by", "rossi", "-reason", "furto d'identità denunciato", "c1"}
	if code := run(ctx, args, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "revoked credential c1") || !strings.Contains(out.String(), "ROMA01") {
		t.Errorf("stdout = %q", out.String())
	}
	errs.Reset()
	if code := run(ctx, args, io.Discard, &errs); code != 1 || !strings.Contains(errs.String(), "not active") {
		t.Errorf("revoke again: exit %d, %q; want 1, not active", code, errs.String())
	}

	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Current(ctx, storetest.CF(1), central.SlotPIN)
	if err != nil || r.Status != central.StatusRevoked || r.Credential.RevokedBy != "centrale:rossi" {
		t.Errorf("record = %+v, %v", r, err)
	}
	ch, err := storetest.CentralChanges(s, "ROMA01")
	if err != nil || len(ch) != 1 || ch[0].Kind != wire.ChangeRevoked || ch[0].Reason != "furto d'identità denunciato" {
		t.Errorf("changes = %+v, %v", ch, err)
	}

	for _, bad := range [][]string{
		{"-bolt", path, "-by", "rossi", "-reason", "furto denunciato"},
		{"-bolt", path, "-reason", "furto denunciato", "c1"},
		{"-bolt", path, "-by", "rossi", "-reason", "corto", "c1"},
		{"-bolt", path, "-by", "rossi", "-reason", "furto denunciato", "c1", "c2"},
		// The reason reaches the sede's desks, and `centrale credentials`
		// prints both: held to the rules of a pushed event's texts.
		{"-bolt", path, "-by", "rossi", "-reason", "furto \x1b[2J denunciato", "c1"},
		{"-bolt", path, "-by", "rossi", "-reason", "furto\ndenunciato", "c1"},
		{"-bolt", path, "-by", "rossi", "-reason", "furto \u202edenunciato", "c1"},
		{"-bolt", path, "-by", "rossi", "-reason", strings.Repeat("furto ", 100), "c1"},
		{"-bolt", path, "-by", "ro\u202essi", "-reason", "furto denunciato", "c1"},
		{"-bolt", path, "-by", strings.Repeat("r", 56), "-reason", "furto denunciato", "c1"},
	} {
		if _, err := parseRevoke(bad, io.Discard); err == nil {
			t.Errorf("parseRevoke(%q) accepted", bad)
		}
	}
}
