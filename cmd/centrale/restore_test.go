package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/boltstore"
)

// Ensure that `centrale restore -bolt FILE` gives the store a new epoch,
// refuses a store centrale holds and arguments that name no store or
// two.
func TestRestoreCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run(ctx, []string{"restore", "-bolt", path}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "stop centrale") {
		t.Errorf("restore of a store held: exit %d, %q", code, stderr.String())
	}
	s.Close()
	for _, args := range [][]string{{}, {"-bolt", path, "-postgres", "postgres://127.0.0.1:1/x"}, {"-bolt", path, "extra"}} {
		stderr.Reset()
		if code := run(ctx, append([]string{"restore"}, args...), io.Discard, &stderr); code != 2 {
			t.Errorf("restore %q: exit %d, want 2: %s", args, code, stderr.String())
		}
	}
	var stdout bytes.Buffer
	if code := run(ctx, []string{"restore", "-bolt", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, stderr.String())
	}
	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := s.Epoch(ctx)
	if err != nil || after.ID == before.ID || !strings.Contains(stdout.String(), after.String()) {
		t.Errorf("epoch %v before, %v after (%v); restore said %q", before, after, err, stdout.String())
	}
}
