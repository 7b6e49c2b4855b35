package xtest

import (
	"bufio"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// titleWatch follows the title of one window: xprop -spy prints the
// window's _NET_WM_NAME at once and again at each change, as the X server
// reports it, so a wait for a title ends as soon as the title is set, at
// no cost meanwhile.
type titleWatch struct {
	cmd *exec.Cmd

	mu      sync.Mutex
	title   string
	changed chan struct{} // closed, and replaced, at each change
	ended   bool          // xprop exited
}

// watchTitle starts following the title of the window id on display; nil
// when xprop cannot start (the caller asks for the title instead).
func watchTitle(display, id string) *titleWatch {
	cmd := exec.Command("xprop", "-display", display, "-spy", "-notype", "-id", id, "_NET_WM_NAME")
	cmd.Env = append(Environ("LC_ALL"), "LC_ALL=C.UTF-8")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil
	}
	if err := cmd.Start(); err != nil {
		return nil
	}
	w := &titleWatch{cmd: cmd, changed: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if title, ok := parseXpropString(sc.Text()); ok {
				w.set(title)
			}
		}
		_ = cmd.Wait()
		w.mu.Lock()
		w.ended = true
		close(w.changed)
		w.changed = make(chan struct{})
		w.mu.Unlock()
	}()
	return w
}

// set records a new title and wakes the waits.
func (w *titleWatch) set(title string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.title = title
	close(w.changed)
	w.changed = make(chan struct{})
}

// running reports whether xprop still follows the title.
func (w *titleWatch) running() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.ended
}

// stop ends xprop.
func (w *titleWatch) stop() {
	if w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
	}
}

// wait waits until the title is one of titles, as WaitTitle does.
func (w *titleWatch) wait(a *App, deadline time.Time, timeout time.Duration, titles []string) (string, error) {
	alive := time.NewTicker(100 * time.Millisecond) // the app's exit, which xprop does not report at once
	defer alive.Stop()
	for {
		w.mu.Lock()
		title, changed, ended := w.title, w.changed, w.ended
		w.mu.Unlock()
		if slices.Contains(titles, title) {
			return title, nil
		}
		if err := a.Alive(); err != nil {
			return "", fmt.Errorf("waiting for %q: %w", titles, err)
		}
		if ended {
			return "", fmt.Errorf("waiting for %q: the window is gone (last title %q)", titles, title)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return "", fmt.Errorf("waiting for %q: the window is still %q after %v", titles, title, timeout)
		}
		select {
		case <-changed:
		case <-alive.C:
		case <-time.After(left):
		}
	}
}

// parseXpropString returns the value of a line of xprop -notype for a
// string property, `_NET_WM_NAME = "PIN Sede – Sportello · Home"`, with
// its escapes (\" \\ \ooo) decoded.
func parseXpropString(line string) (string, bool) {
	_, v, ok := strings.Cut(line, " = ")
	if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	v = v[1 : len(v)-1]
	var b []byte
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 >= len(v) {
			b = append(b, v[i])
			continue
		}
		if i+3 < len(v) {
			if n, err := strconv.ParseUint(v[i+1:i+4], 8, 8); err == nil {
				b = append(b, byte(n))
				i += 3
				continue
			}
		}
		b = append(b, v[i+1])
		i++
	}
	return string(b), true
}
