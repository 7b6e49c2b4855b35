// Package logging makes a program's slog.Logger from its -log-format and
// -log-level settings.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Formats are the values of -log-format.
const Formats = "text|json"

// Levels are the values of -log-level.
const Levels = "debug|info|warn|error"

// New returns a logger writing to w in format ("text" or "json") at level
// ("debug", "info", "warn" or "error") and above.
func New(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil || !strings.Contains("|"+Levels+"|", "|"+strings.ToLower(level)+"|") {
		return nil, fmt.Errorf("log level %q: one of %s expected", level, Levels)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		opts.ReplaceAttr = durationText
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: one of %s expected", format, Formats)
}

// durationText writes a duration as text ("15m0s"), as the text format
// does, where JSON would write nanoseconds.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}
