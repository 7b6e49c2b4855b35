// Package zeroed damages bbolt files for the tests of the code that reads
// them, as a disk damages one: a page zeroed.
package zeroed

import (
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
