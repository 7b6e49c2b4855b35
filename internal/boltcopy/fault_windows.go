package boltcopy

import "syscall"

// noSpace are the errors of a full disk or a quota used up: Windows's
// ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112), which Go does
// not map to ENOSPC.
var noSpace = []error{syscall.Errno(39), syscall.Errno(112), syscall.ENOSPC}
