//go:build unix

package slip

import "syscall"

// cpuTime returns the processor time of the process so far, in
// nanoseconds (user and system, every thread).
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
