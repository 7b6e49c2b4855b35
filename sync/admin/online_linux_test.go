package admin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// otherUser checks that centrale closes at once a connection of another
// user to its admin socket, even when the socket's permissions are
// opened wide: it runs `centrale sedi` as nobody (uid 65534), which
// takes root. Without root it says so and checks nothing.
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
	if err := os.Chmod(o.socket, 0o666); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "sedi", "-admin", o.socket)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || strings.Contains(string(out), "ROMA01") {
		t.Errorf("another user's `centrale sedi`: %v\n%s", err, out)
	}
	o.proc.Await(t, "admin socket: connection of another user refused")
}
