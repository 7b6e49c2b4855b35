package storetest

import (
	"math/big"
	"testing"

	"github.com/pinsede/pinsede/sync/central"
)

// Ensure that the store keeps the highest revocation list number raised,
// whatever the order, also for numbers past 64 bits and for raises sent
// at once.
func testCRLNumber(t *testing.T, s central.Store) {
	raise := func(n *big.Int) *big.Int {
		t.Helper()
		got, err := s.RaiseCRLNumber(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tc := range []struct{ raise, want int64 }{{5, 5}, {3, 5}, {5, 5}, {7, 7}} {
		if got := raise(big.NewInt(tc.raise)); got.Cmp(big.NewInt(tc.want)) != 0 {
			t.Errorf("raise %d: %s, want %d", tc.raise, got, tc.want)
		}
	}
	huge := new(big.Int).Lsh(big.NewInt(1), 150) // RFC 5280 allows 20 octets
	if got := raise(huge); got.Cmp(huge) != 0 {
		t.Errorf("raise 2^150: %s", got)
	}
	top := new(big.Int).Add(huge, big.NewInt(40))
	Together(40, func(i int) {
		if _, err := s.RaiseCRLNumber(ctx, new(big.Int).Add(huge, big.NewInt(int64(i+1)))); err != nil {
			t.Error(err)
		}
	})
	if got := raise(big.NewInt(1)); got.Cmp(top) != 0 {
		t.Errorf("after 40 raises at once up to 2^150+40: %s", got)
	}
}
