//go:build unix

package smallfile

import "syscall"

// nonBlock opens a named pipe without waiting for a program to open it
// for writing, so that ReadRegular can look at it and refuse it.
const nonBlock = syscall.O_NONBLOCK
