package main

import (
	"net"
	"os"
	"syscall"
)

// peerAllowed reports whether the process at the other end of c, a Unix
// connection, runs as centrale's user or as root (SO_PEERCRED), with its
// uid.
func peerAllowed(c net.Conn) (int, bool) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return -1, false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1, false
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return -1, false
	}
	uid := int(cred.Uid)
	return uid, uid == 0 || uid == os.Getuid()
}
