//go:build !unix

package server

// DescriptorLimit returns a limit that leaves the default bound of the
// connections at its cap (DefaultConnLimits): the system has no
// descriptor limit of Unix's kind.
func DescriptorLimit() uint64 { return MaxDefaultConns + DescriptorReserve }
