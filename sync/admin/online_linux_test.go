package admin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// otherUser checks that another user cannot use centrale's admin socket:
// the socket's mode refuses them, with what to do, and when the socket's
// permissions are opened wide centrale closes the connection at once. It
// runs `centrale sedi` as nobody (uid 65534), which takes root; without
// root it says so and checks nothing.
func otherUser(t *testing.T, o online) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Log("not root: the refusal of another user's connection is not checked")
		return
	}
	dir := filepath.Dir(o.socket)
	bin := filepath.Join(dir, "centrale-nobody")
	b, err := os.ReadFile(o.bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	nobody := func() (string, error) {
		cmd := exec.Command(bin, "sedi", "-admin", o.socket)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// The socket's own mode, 0600, keeps nobody out, and says what to do.
	if out, err := nobody(); err == nil || !strings.Contains(out, "permission denied: run this as root or as the user centrale runs as") {
		t.Errorf("another user's `centrale sedi` on the socket as made: %v\n%s", err, out)
	}
	// Opened wide, centrale closes the connection itself.
	if err := os.Chmod(o.socket, 0o666); err != nil {
		t.Fatal(err)
	}
	if out, err := nobody(); err == nil || strings.Contains(out, "ROMA01") {
		t.Errorf("another user's `centrale sedi` on the socket opened wide: %v\n%s", err, out)
	}
	o.proc.Await(t, "admin socket: connection of another user refused")
}
