package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Ensure that pinctl refuses an operator's name centrale would refuse (an
// escape sequence, 600 characters), saying which flag and where, without
// writing the escape back to the terminal; and that a codice fiscale with
// a zero-width space pasted after it is said to have an invisible
// character, not 17 characters of 16 seen.
func TestTextRefused(t *testing.T) {
	sb := setUp(t)
	for name, want := range map[string]string{"Anna\x1b[31m Rossi": "posizione 5", strings.Repeat("A", 600): "60 caratteri"} {
		r := sb.run(t, "altra-password-lunga\n", "operator", "add", "-id", "a.rossi", "-name", name, "-role", "operatore", "-password-stdin")
		if r.code != exitFail || !strings.Contains(r.stderr, "-name") || !strings.Contains(r.stderr, want) {
			t.Errorf("name %.20q: exit %d, want %d saying -name and %q\n%s%s", name, r.code, exitFail, want, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "\x1b") {
			t.Errorf("name %.20q: pinctl wrote the escape back: %q", name, r.stdout+r.stderr)
		}
	}
	r := sb.run(t, "", "cf", "RSSMRA80A01H501U\u200b")
	var c cfResult
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || r.code != exitFail || c.Valid ||
		!strings.Contains(c.Error, "invisibile in posizione 17") || !strings.Contains(c.Error, "U+200B") {
		t.Errorf("cf with a zero-width space: exit %d, %+v, %v\n%s", r.code, c, err, r.stderr)
	}
}
