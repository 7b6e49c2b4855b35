//go:build !unix

package cupstest

import "testing"

// lock does nothing where there is no flock: the tests that need CUPS
// skip there anyway.
func lock(testing.TB) {}
