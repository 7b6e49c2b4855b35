package desk

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"fyne.io/fyne/v2/lang"
)

// guard runs f, what a button, a key or a background job of where does, and
// turns a panic into a line with its stack in the desk's log and a message
// to the clerk in plain words. The screen, and what was typed on it, stay
// as they were: the clerk may try again, or go on. It must run on the UI
// goroutine (it shows a dialog).
func (a *App) guard(where string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			a.logPanic(where, p, debug.Stack())
			a.tellPanic()
		}
	}()
	f()
}

// logger returns the desk's log: Config.Log, else slog.Default.
func (a *App) logger() *slog.Logger {
	if a.cfg.Log != nil {
		return a.cfg.Log
	}
	return slog.Default()
}

// logPanic writes a panic with its stack to the desk's log.
func (a *App) logPanic(where string, p any, stack []byte) {
	a.logger().Error("panic in the desk: the action was stopped, the screen kept", "where", where, "panic", fmt.Sprint(p), "stack", string(stack))
}

// tellPanic tells the clerk, on the UI goroutine, that an action failed
// inside the desk and that nothing typed was lost.
func (a *App) tellPanic() {
	msg := lang.L("panic.message")
	if a.cfg.LogPath != "" {
		msg += "\n" + lang.L("panic.log", map[string]any{"Path": a.cfg.LogPath})
	}
	d := a.newInformation(lang.L("panic.title"), msg)
	a.tellIfLeft(d, func() string {
		return lang.L("lock.left.panic", map[string]any{"Title": lang.L("panic.title")})
	})
	a.showDialog(d)
}
