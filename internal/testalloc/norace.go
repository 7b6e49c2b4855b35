//go:build !race

package testalloc

// Race reports whether the race detector is on (go test -race).
const Race = false
