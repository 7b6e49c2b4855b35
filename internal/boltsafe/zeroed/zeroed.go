// Package zeroed damages bbolt files for the tests of the code that reads
// them, as a disk damages one: a page zeroed.
package zeroed

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Page zeroes page pg of the bbolt file at path, in place: the file may
// be open, as a store in use that the disk damages. Pages are bbolt's
// default size, the system's page size.
func Page(tb testing.TB, path string, pg int) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	ps := os.Getpagesize()
	_, err = f.WriteAt(make([]byte, ps), int64(pg*ps))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// Freelist zeroes the freelist page of the bbolt file at path, the one
// its newest meta page names, in place, and returns the file as it is
// then: bbolt panics on it at open ("invalid freelist page: 0").
func Freelist(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	ps := os.Getpagesize()
	// A meta page: its header (16 bytes), magic, version, page size,
	// flags (4 each), the root bucket (16), then the freelist's page and,
	// after the high water mark, the transaction id (8 each), in the
	// machine's byte order.
	meta := func(pg int) (freelist, txid uint64) {
		m := b[pg*ps+16:]
		return binary.NativeEndian.Uint64(m[32:]), binary.NativeEndian.Uint64(m[48:])
	}
	fl, tx := meta(0)
	if fl1, tx1 := meta(1); tx1 > tx {
		fl = fl1
	}
	Page(tb, path, int(fl))
	if b, err = os.ReadFile(path); err != nil {
		tb.Fatal(err)
	}
	return b
}

// EachPage writes, in a folder of the test's, a copy of the closed bbolt
// file at path for each of its pages, that page zeroed, and returns their
// paths by page.
func EachPage(tb testing.TB, path string) []string {
	tb.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	ps := os.Getpagesize()
	var copies []string
	for pg := range len(orig) / ps {
		b := append([]byte(nil), orig...)
		clear(b[pg*ps : (pg+1)*ps])
		p := filepath.Join(dir, fmt.Sprintf("page%d.db", pg))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			tb.Fatal(err)
		}
		copies = append(copies, p)
	}
	return copies
}
