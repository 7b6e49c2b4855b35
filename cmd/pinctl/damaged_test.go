package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
)

// Ensure that pinctl, the real binary, restores a copy over a store
// whose freelist page is damaged, which pinctl (and the desk) says is
// damaged, and
// keeps the damaged store aside as it was. Before, it died at the hold
// of the store: "panic: invalid freelist page: 0", exit 2, nothing
// restored.
func TestRestoreOverDamagedStore(t *testing.T) {
	bin := buildPinctl(t)
	sb := setUp(t)
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	sb.must(t, "", "backup", "-out", copyPath)
	damaged := zeroed.Freelist(t, sb.store)
	pinctl := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"-store", sb.store, "-key", sb.key}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	_, stderr, err := pinctl("audit", "verify")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFail || !strings.Contains(stderr, "è danneggiato") || strings.Contains(stderr, "panic") {
		t.Fatalf("pinctl audit verify of the damaged store: %v\n%s", err, stderr)
	}
	stdout, stderr, err := pinctl("restore", "-from", copyPath)
	if err != nil {
		t.Fatalf("pinctl restore over a damaged store: %v\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "ripristinato dalla copia") {
		t.Errorf("restore says:\n%s", stdout)
	}
	kept, _ := filepath.Glob(sb.store + ".pre-restore-*")
	if len(kept) != 1 {
		t.Fatalf("damaged store kept as %v, want one", kept)
	}
	if b, err := os.ReadFile(kept[0]); err != nil || !bytes.Equal(b, damaged) {
		t.Errorf("the damaged store kept at %s is not as it was (%v)", kept[0], err)
	}
	sb.must(t, "", "audit", "verify")
}
