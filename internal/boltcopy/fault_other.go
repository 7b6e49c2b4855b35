//go:build !windows

package boltcopy

import "syscall"

// noSpace are the errors of a full disk or a quota used up.
var noSpace = []error{syscall.ENOSPC, syscall.EDQUOT}
