//go:build !unix

package slip

// cpuTime is not measured on this system: it returns 0.
func cpuTime() int64 { return 0 }
