//go:build !linux

package shutdown

import "time"

// runWait reports false: only Linux tells here how long the process's
// threads waited for a processor (runwait_linux.go), and elsewhere the
// watchdog counts every gap between looks on time as run.
func runWait() (time.Duration, bool) { return 0, false }
