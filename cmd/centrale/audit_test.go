package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that `centrale audit forks` lists the heads refused, and that
// `centrale audit reset` accepts a restored desk's chain from the entry
// it names, records who did it, and resolves the sede's forks; bad flags
// exit 2.
func TestAudit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, seq := range []uint64{1, 10, 20} {
		if err := s.PutAuditHead(ctx, "ROMA01", storetest.Head("A", "", 0, seq), storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
	restored := storetest.Head("A", "restored", 11, 12)
	if err := s.PutAuditHead(ctx, "ROMA01", restored, storetest.T0); err == nil {
		t.Fatal("a head going backwards was kept")
	}
	s.Close()

	sub := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(ctx, append([]string{"audit"}, args...), &out, &errs)
		return code, out.String(), errs.String()
	}
	code, out, errs := sub("forks", "-bolt", path)
	if code != 0 || !strings.Contains(out, "fork 1: sede ROMA01, desk \"\", chain "+hex.EncodeToString(restored.Chain)+", seq 12") ||
		!strings.Contains(out, "audit head goes backwards") {
		t.Errorf("forks: exit %d\n%s%s", code, out, errs)
	}
	chain := hex.EncodeToString(restored.Chain)
	code, out, errs = sub("reset", "-bolt", path, "-by", "rossi", "-sede", "ROMA01", "-chain", chain, "-to", "10", "-reason", "ripristino da copia")
	if want := "by centrale:rossi: chain " + chain + " admitted, 1 heads after entry 10 discarded, 1 forks resolved\n"; code != 0 || !strings.HasSuffix(out, want) {
		t.Errorf("reset: exit %d\n%s%s\nwant it to end with %q", code, out, errs, want)
	}
	if code, out, _ = sub("forks", "-bolt", path); code != 0 || out != "no open audit fork\n" {
		t.Errorf("forks after the reset: exit %d %q", code, out)
	}

	for _, args := range [][]string{
		nil,
		{"list"},
		{"reset", "-bolt", path, "-sede", "ROMA01", "-chain", chain, "-reason", "x"},                      // no -by
		{"reset", "-bolt", path, "-by", "rossi", "-sede", "ROMA01", "-chain", "abc", "-reason", "x"},      // odd hex
		{"reset", "-bolt", path, "-by", "rossi", "-sede", "ROMA01", "-chain", chain[:20], "-reason", "x"}, // short
		{"reset", "-bolt", path, "-by", "rossi", "-sede", "ROMA01", "-chain", chain},                      // no reason
	} {
		if code, _, errs := sub(args...); code != 2 || errs == "" {
			t.Errorf("audit %v: exit %d, %q; want 2 with a message", args, code, errs)
		}
	}
}
