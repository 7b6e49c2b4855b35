package logging

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// Ensure that the format and the level are those asked, and that others
// are refused with a message.
func TestNew(t *testing.T) {
	var b bytes.Buffer
	l, err := New(&b, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown", "n", 1, "wait", 15*time.Minute)
	var rec map[string]any
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil || rec["msg"] != "shown" || rec["wait"] != "15m0s" {
		t.Errorf("json at warn: %q, %v", b.String(), err)
	}
	b.Reset()
	if l, err = New(&b, "text", "debug"); err != nil {
		t.Fatal(err)
	}
	l.Debug("detail")
	if !strings.Contains(b.String(), "level=DEBUG msg=detail") {
		t.Errorf("text at debug: %q", b.String())
	}
	for _, bad := range [][2]string{{"xml", "info"}, {"text", "loud"}, {"text", "info+2"}} {
		if _, err := New(io.Discard, bad[0], bad[1]); err == nil {
			t.Errorf("New(%q, %q) accepted", bad[0], bad[1])
		}
	}
}
