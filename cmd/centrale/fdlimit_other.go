//go:build !unix

package main

import "github.com/pinsede/pinsede/sync/server"

// descriptorLimit returns a limit that leaves the default bound of the
// connections at its cap: the system has no descriptor limit of Unix's
// kind.
func descriptorLimit() uint64 { return server.MaxDefaultConns + server.DescriptorReserve }
