package boltstore

import (
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/sync/storetest"
)

// BenchmarkPulls times a desk's catch-up on a day of its sede
// (storetest.BenchPulls) on bbolt.
func BenchmarkPulls(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	storetest.BenchPulls(b, s)
}
