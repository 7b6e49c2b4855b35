package pinsede_test

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a reason as the central records write it splits into its
// code and its detail, and that one of no known code keeps its text.
func TestParseReason(t *testing.T) {
	for _, tc := range []struct {
		text   string
		code   pinsede.ReasonCode
		detail string
	}{
		{"", pinsede.ReasonOther, ""},
		{"event of another sede", pinsede.RefusedOtherSede, ""},
		{"invalid event: pin hash", pinsede.RefusedBadEvent, "pin hash"},
		{"invalid event", pinsede.RefusedBadEvent, ""},
		{"credential superseded by ROMA02-20260310-ABCDEF", pinsede.RefusedSuperseded, "ROMA02-20260310-ABCDEF"},
		{string(pinsede.RefusedDelegatoFull), pinsede.RefusedDelegatoFull, ""},
		{"form too large: 2 MB", pinsede.RefusedFormTooLarge, "2 MB"},
		{"credential already handed over: on 2026-12-05T10:00:00Z by op1", pinsede.RefusedAlreadyHandedOver, "on 2026-12-05T10:00:00Z by op1"},
		{"credential no longer active: revoked on 2026-12-05T10:00:00Z by op1 (smarrito)", pinsede.RefusedCredNotActive, "revoked on 2026-12-05T10:00:00Z by op1 (smarrito)"},
		{"unknown credential: c1", pinsede.ReasonOther, "unknown credential: c1"},
		{"something new", pinsede.ReasonOther, "something new"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			code, detail := pinsede.NotAccepted{Reason: tc.text}.Code()
			if code != tc.code || detail != tc.detail {
				t.Errorf("Code() = %q, %q; want %q, %q", code, detail, tc.code, tc.detail)
			}
		})
	}
}

// FuzzParseReason feeds ParseReason what centrale could answer as a
// reason: the code it finds starts the text, and the detail is the
// text's, the whole text when no code is known.
func FuzzParseReason(f *testing.F) {
	for _, s := range []string{"invalid event: pin hash", "event of another sede", "credential superseded by X", "form too large:", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, detail := pinsede.ParseReason(text)
		switch {
		case code == pinsede.ReasonOther && detail != text:
			t.Fatalf("ParseReason(%q) = other, %q; want the whole text", text, detail)
		case !strings.HasPrefix(text, string(code)) || !strings.Contains(text, detail):
			t.Fatalf("ParseReason(%q) = %q, %q: not the text's", text, code, detail)
		}
	})
}
