package shutdown

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// runWait returns how long the process's threads have waited for a
// processor, runnable but not running, in all since each began: the
// second field of /proc/self/task/*/schedstat (nanoseconds), summed. It
// reports false where the kernel does not tell (no schedstat, as
// without CONFIG_SCHED_INFO).
func runWait() (time.Duration, bool) {
	tasks, err := filepath.Glob("/proc/self/task/*/schedstat")
	if err != nil || len(tasks) == 0 {
		return 0, false
	}
	var sum time.Duration
	read := false
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue // a thread that ended since the glob
		}
		f := bytes.Fields(b)
		if len(f) < 2 {
			return 0, false
		}
		ns, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			return 0, false
		}
		sum += time.Duration(ns)
		read = true
	}
	return sum, read
}
