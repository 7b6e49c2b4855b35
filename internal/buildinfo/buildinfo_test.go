package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

// Ensure that the line names the program, the version and build time
// stamped, and the Go version, and says "unknown" for what was not.
func TestString(t *testing.T) {
	got := String("centrale")
	for _, want := range []string{"centrale dev ", "built unknown", runtime.Version(), "commit "} {
		if !strings.Contains(got, want) {
			t.Errorf("String = %q, lacks %q", got, want)
		}
	}
	Version, Built = "v1.2.3", "2026-12-05T10:00:00Z"
	defer func() { Version, Built = "dev", "" }()
	if got := String("pinctl"); !strings.HasPrefix(got, "pinctl v1.2.3 (") || !strings.Contains(got, "built 2026-12-05T10:00:00Z") {
		t.Errorf("stamped: %q", got)
	}
}
