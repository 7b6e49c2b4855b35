package xtest

import (
	"os"
	"testing"
)

// TestMain runs the tests through Main: the programs of testdata they
// start are built once for them all.
func TestMain(m *testing.M) { os.Exit(Main(m)) }
