//go:build unix

package server

import "syscall"

// DescriptorLimit returns the file descriptors the process may open
// (the soft RLIMIT_NOFILE, which Go raises to the hard one at start), or
// 1024 when it cannot tell: what DefaultConnLimits takes, for centrale
// and for the tests that serve as it does.
func DescriptorLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 1024
	}
	return r.Cur
}
