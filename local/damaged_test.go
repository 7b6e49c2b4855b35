package local_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// damagedStores writes a store of 40 issues and, for each of its pages, a
// copy with that page zeroed, as a disk damages one; it returns the good
// store, its key and the copies by page.
func damagedStores(t *testing.T) (good, key string, bad []string) {
	t.Helper()
	dir := t.TempDir()
	good, key = filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key")
	s, err := local.Create(good, key)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(s, &capturePrinter{})
	sess := session(s)
	for i := range 40 {
		if _, err := d.Issue(context.Background(), sess, person(i, "Colombo", "Luca"), verification(pngScan(2000))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	for pg := range len(orig) / ps {
		b := append([]byte(nil), orig...)
		clear(b[pg*ps : (pg+1)*ps])
		p := filepath.Join(dir, fmt.Sprintf("page%d.db", pg))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, p)
	}
	return good, key, bad
}

// A store with one page zeroed, whichever: it is refused at open, or the
// start's recovery of prints, the audit check, the counts and the check
// and its check as a copy say ErrCorrupt or find nothing wrong (a free
// page, or one inside a value they do not read); nothing panics.
// Before, VerifyAudit panicked on 17 of the 128 pages ("assertion failed:
// Page expected to be: 2, but self identifies as 0").
func TestDamagedPageReported(t *testing.T) {
	_, key, bad := damagedStores(t)
	var copies, refused, reported, unharmed int
	for pg, p := range bad {
		corrupt := func(step string, err error) bool {
			if err != nil && !errors.Is(err, local.ErrCorrupt) {
				t.Errorf("page %d zeroed: %s: %v, want ErrCorrupt", pg, step, err)
			}
			return err != nil
		}
		if _, err := local.CheckCopy(p, key, testclock.Now()); corrupt("CheckCopy", err) {
			copies++
		}
		s, err := local.Open(p, key)
		if corrupt("Open", err) {
			refused++
			continue
		}
		_, err = newDesk(s, &capturePrinter{}).RecoverPrints()
		hit := corrupt("RecoverPrints", err)
		_, err = s.VerifyAudit()
		hit = corrupt("VerifyAudit", err) || hit
		_, err = s.Counts(testclock.Now())
		if corrupt("Counts", err) || hit {
			reported++
		} else {
			unharmed++
		}
		s.Close()
	}
	t.Logf("%d pages zeroed one at a time: CheckCopy says ErrCorrupt of %d; the desk's Open refuses %d, then %d are ErrCorrupt "+
		"to its start, audit check or counts, %d read as whole by them", len(bad), copies, refused, reported, unharmed)
}
