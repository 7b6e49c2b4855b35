//go:build !linux

package main

import "net"

// peerAllowed lets every connection through where the system gives no
// peer credentials: the socket file's permissions (0600) decide.
func peerAllowed(net.Conn) (int, bool) { return -1, true }
