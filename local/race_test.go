//go:build race

package local_test

// raceBuild is true when the tests run under the race detector: the kill
// tests then make fewer runs, each child being ten times slower, since the
// plain run covers the kill points and the race run looks for races.
const raceBuild = true
