package xtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// WaitFiles waits until the files of dir whose names match pattern
// (filepath.Match) are n, each complete as complete says, and returns
// them: the program writes them (a slip printed to the -dev-print folder).
// It looks again at each event of the kernel on dir (inotify: a file
// created, written and closed, moved in or removed), not on a clock. It
// returns an error when more than n match, when the app exits, or after
// timeout (UntilDeadline: at the test's Deadline), naming the files seen.
// It makes dir if it is missing, as the program does.
func (a *App) WaitFiles(timeout time.Duration, dir, pattern string, n int, complete func(path string) bool) ([]string, error) {
	began := time.Now()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	// Non-blocking, so that the runtime polls it: Close ends a read.
	events := os.NewFile(uintptr(fd), "inotify")
	defer events.Close()
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_DELETE); err != nil {
		return nil, fmt.Errorf("inotify on %s: %w", dir, err)
	}
	// The events are read on a goroutine of their own, so that the wait
	// can end on the app's exit or the deadline too.
	changed := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			_, err := events.Read(buf)
			select {
			case changed <- err:
			default: // a look is due already
			}
			if err != nil {
				return
			}
		}
	}()
	deadline, stop := a.deadline(timeout)
	defer stop()
	for {
		files, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		if len(files) > n {
			return nil, fmt.Errorf("%s in %s: %v, want %d", pattern, dir, files, n)
		}
		if len(files) == n && !slices.ContainsFunc(files, func(f string) bool { return !complete(f) }) {
			a.waited(began, fmt.Sprintf("%d complete %s in %s", n, pattern, dir))
			return files, nil
		}
		select {
		case err := <-changed:
			if err != nil {
				return nil, fmt.Errorf("inotify on %s: %w", dir, err)
			}
		case <-a.gone:
			return nil, fmt.Errorf("waiting for %d complete %s in %s (%v): %w", n, pattern, dir, files, a.Alive())
		case <-deadline:
			return nil, fmt.Errorf("not %d complete %s in %s after %v: %v", n, pattern, dir, time.Since(began).Round(time.Millisecond), files)
		}
	}
}
