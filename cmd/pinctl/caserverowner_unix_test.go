//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Ensure that pinctl ca server, the real binary, renewing centrale's pair
// as packaging/README.centrale says (the key made 0640 root:pinsede at
// set-up), keeps the mode, owner and group of the files it replaces:
// before, it wrote a key 0600 of the user who ran it, centrale (user
// pinsede) could no longer read it, took the pair as unusable and did not
// start again. Run as root the files are given to another owner and
// group, as to pinsede; otherwise to a group of the user's, if any.
func TestCAServerKeepsModeAndOwner(t *testing.T) {
	bin := buildPinctl(t)
	dir := filepath.Join(t.TempDir(), "ca")
	pinctl := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("pinctl %v: %v\n%s", args, err, out)
		}
	}
	pinctl("ca", "init", "-dir", dir)
	pinctl("ca", "server", "-dir", dir, "-host", "127.0.0.1")
	key, crt := filepath.Join(dir, "server.key"), filepath.Join(dir, "server.crt")
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = 4242, 4243
	} else if groups, _ := os.Getgroups(); len(groups) > 0 {
		for _, g := range groups {
			if g != gid {
				gid = g
			}
		}
	}
	for _, p := range []string{key, crt} {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	before := readCert(t, crt).SerialNumber
	pinctl("ca", "server", "-dir", dir)
	if readCert(t, crt).SerialNumber.Cmp(before) == 0 {
		t.Fatal("the server certificate was not renewed")
	}
	for p, mode := range map[string]os.FileMode{key: 0o640, crt: 0o644} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != mode || int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s renewed: %v %d:%d, want %v %d:%d, as the file it replaced", filepath.Base(p), fi.Mode().Perm(), st.Uid, st.Gid, mode, uid, gid)
		}
	}
}
