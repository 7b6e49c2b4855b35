package kiosk

import (
	"testing"
)

// Ensure that every key of the on-screen keyboard is a different
// character, in small and capital letters, plain and accented.
func TestKeyboardKeysUnique(t *testing.T) {
	h := newHarness(t)
	k := h.app.keyboard
	for _, accents := range []bool{false, true} {
		for _, upper := range []bool{false, true} {
			k.accents, k.upper = accents, upper
			k.relabel()
			seen := map[string]int{}
			for i, key := range k.keys {
				if len([]rune(key.Text)) != 1 {
					t.Errorf("accents %v, capitals %v: key %d is %q, not one character", accents, upper, i, key.Text)
				}
				if j, dup := seen[key.Text]; dup {
					t.Errorf("accents %v, capitals %v: %q on keys %d and %d", accents, upper, key.Text, j, i)
				}
				seen[key.Text] = i
			}
		}
	}
}
