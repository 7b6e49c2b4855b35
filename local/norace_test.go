//go:build !race

package local_test

// raceBuild is true when the tests run under the race detector (see
// race_test.go).
const raceBuild = false
