package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that every -out (and -bundle) of pinctl in a folder that does not
// exist, or that is a file, is refused before anything is done, with one
// Italian message that names the folder and says what to do; not the
// system's English error, not twice, not "libera spazio"; and that nothing
// is written, no certificate signed.
func TestOutFolderMissing(t *testing.T) {
	sb := setUp(t)
	base := t.TempDir()
	ca := filepath.Join(base, "ca")
	sb.must(t, "", "ca", "init", "-dir", ca)
	old := filepath.Join(base, "roma01")
	sb.must(t, "", "ca", "issue", "-dir", ca, "-code", "ROMA01", "-out", old)
	file := filepath.Join(base, "un-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	day := pinsede.DateOf(sb.now()).Italian()
	for _, folder := range []struct{ dir, says string }{
		{filepath.Join(base, "manca"), "la cartella %s non esiste"},
		{file, "%s non è una cartella"},
	} {
		for _, args := range [][]string{
			{"backup", "-out", filepath.Join(folder.dir, "copia.db")},
			{"audit", "export", "-from", day, "-out", filepath.Join(folder.dir, "audit.csv")},
			{"ca", "issue", "-dir", ca, "-code", "ROMA01", "-out", filepath.Join(folder.dir, "roma01")},
			{"ca", "issue", "-dir", ca, "-code", "ROMA01", "-bundle", filepath.Join(folder.dir, "roma01.pem")},
			{"ca", "renew", "-dir", ca, "-cert", old + ".crt", "-out", filepath.Join(folder.dir, "roma01-nuovo")},
		} {
			issued, err := os.ReadDir(filepath.Join(ca, pki.IssuedDir))
			if err != nil {
				t.Fatal(err)
			}
			r := sb.run(t, "", args...)
			flag := args[len(args)-2]
			want := flag + ": " + fmt.Sprintf(folder.says, folder.dir)
			if r.code != exitFail || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "indica con "+flag) {
				t.Errorf("%q: exit %d, %q; want %q and what to do", args, r.code, r.stderr, want)
			}
			for _, not := range []string{"no such file", "not a directory", "errore", "libera spazio"} {
				if strings.Contains(r.stderr, not) {
					t.Errorf("%q says %q", args, r.stderr)
				}
			}
			if n := strings.Count(r.stderr, folder.dir); n > 2 {
				t.Errorf("%q names the folder %d times: %q", args, n, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(base, "manca")); !os.IsNotExist(err) {
				t.Fatalf("%q made the folder: %v", args, err)
			}
			if after, _ := os.ReadDir(filepath.Join(ca, pki.IssuedDir)); len(after) != len(issued) {
				t.Errorf("%q signed a certificate it cannot write: %d in the register, were %d", args, len(after), len(issued))
			}
		}
	}
}

// Ensure that a file that could not be written says why in Italian, and
// what to do for that why: room for a full disk, another folder for one
// not writable, the folder for one that is gone.
func TestWriteProblem(t *testing.T) {
	for _, c := range []struct {
		err       error
		why, todo string
	}{
		{syscall.ENOSPC, "il disco è pieno", "libera spazio"},
		{syscall.EDQUOT, "quota", "libera spazio"},
		{syscall.EFBIG, "dimensione massima", "un altro disco"},
		{fs.ErrExist, "un altro programma", "un altro nome"},
		{syscall.EROFS, "sola lettura", "una cartella in cui si può scrivere"},
		{syscall.EACCES, "permesso negato", "l'utente che esegue pinctl può scrivere"},
		{syscall.ENOENT, "la cartella /srv/copie non esiste", "mkdir -p /srv/copie"},
		{syscall.ENOTDIR, "/srv/copie non è una cartella", "una cartella che esiste"},
	} {
		err := &fs.PathError{Op: "open", Path: "/srv/copie/.x.part", Err: c.err}
		why, todo := writeProblem("-out", "/srv/copie", fmt.Errorf("write: %w", err))
		if !strings.Contains(why, c.why) || !strings.Contains(todo, c.todo) || strings.Contains(why+todo, "libera spazio") != strings.Contains(c.todo, "libera spazio") {
			t.Errorf("%v: %q, %q; want %q, %q", c.err, why, todo, c.why, c.todo)
		}
	}
}
