package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// buildPinctl builds the real pinctl binary, for the tests that watch it
// exit (a panic is exit 2 and a stack, not a test binary gone).
func buildPinctl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pinctl")
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the pinctl binary bin on store and key with stdin and
// args, and returns what it gave; an exit code that is not pinctl's
// (the binary did not start) fails the test.
func runBinary(t *testing.T, bin, store, key, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-store", store, "-key", key}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("pinctl %s: %v", strings.Join(args, " "), err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// damagedStore returns a store set up by pinctl init, with 10 operators,
// the pages of its file that hold its records, each zeroed in a copy of
// its own (zeroed.EachPage; those its check as a copy says damaged), and
// one of them that opens as sportello opens it.
func damagedStore(t *testing.T) (sb sandbox, pages []string, damaged string) {
	t.Helper()
	sb = setUp(t)
	for i := range 10 {
		sb.must(t, "altra-password-lunga\n", "operator", "add", "-id", fmt.Sprintf("op%02d", i), "-name", "Operatore di prova",
			"-role", "operatore", "-password-stdin")
	}
	for _, p := range zeroed.EachPage(t, sb.store)[2:] { // a meta page zeroed leaves the other, a whole store
		if _, err := local.CheckCopy(p, sb.key, testclock.Now()); errors.Is(err, local.ErrCorrupt) {
			pages = append(pages, p)
		}
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := local.Open(p, sb.key); err == nil {
			s.Close()
			if err := os.WriteFile(p, b, 0o600); err != nil { // as it was before the open
				t.Fatal(err)
			}
			return sb, pages, p
		}
	}
	t.Fatal("no zeroed page that opens and fails the check")
	return
}

// Ensure that pinctl backup, the real binary, of a store a page of which
// the disk damaged exits 1 and says in Italian that the store is damaged,
// that no copy was written and to restore from a copy of before; it
// leaves nothing at -out nor beside it, and the copies of before in that
// folder stay as they were. Before, it wrote a copy of the damaged store,
// said so and exited 0.
func TestBackupOfDamagedStore(t *testing.T) {
	bin := buildPinctl(t)
	sb, _, damaged := damagedStore(t)
	dir := t.TempDir()
	before := filepath.Join(dir, "copia-1.db")
	if r := runBinary(t, bin, sb.store, sb.key, "", "backup", "-out", before); r.code != exitOK {
		t.Fatalf("backup of the whole store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	kept, err := os.ReadFile(before)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copia-2.db")
	r := runBinary(t, bin, damaged, sb.key, "", "backup", "-out", out)
	if r.code != exitFail || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("backup of a damaged store: exit %d, want %d\n%s%s", r.code, exitFail, r.stdout, r.stderr)
	}
	for _, want := range []string{"l'archivio " + damaged + " è danneggiato", "copia non scritta", "pinctl restore -from"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("backup of a damaged store says %q, want %q in it", r.stderr, want)
		}
	}
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 1 || left[0].Name() != "copia-1.db" {
		t.Errorf("the copies' folder holds %v (%v), want the copy of before alone", left, err)
	}
	if b, err := os.ReadFile(before); err != nil || !bytes.Equal(b, kept) {
		t.Errorf("the copy of before changed (%v)", err)
	}
}

// Ensure that every pinctl command that opens the store, the real binary,
// on a store with one of its pages of records zeroed, whichever, either
// does its work (the page is of records it does not read; never backup,
// whose copy has the page) or exits 1
// saying in Italian that the store is damaged, the file as it was (init:
// or that the sede is set up already); none panics nor says an error of
// bbolt's alone.
func TestDamagedStoreCommands(t *testing.T) {
	bin := buildPinctl(t)
	sb, pages, _ := damagedStore(t)
	out := t.TempDir()
	commands := [][]string{
		{"init", "-sede-code", "ROMA01", "-sede-name", "Roma Eur", "-sede-address", "Viale dell'Aeronautica 1, Roma",
			"-id", "a.verdi", "-name", "Anna Verdi", "-password-stdin"},
		{"operator", "add", "-id", "m.bianchi", "-name", "Marco Bianchi", "-role", "operatore", "-password-stdin"},
		{"operator", "disable", "op07"},
		{"operator", "enable", "op07"},
		{"operator", "unlock", "op07"},
		{"operator", "reset-password", "-password-stdin", "op07"},
		{"operator", "list"},
		{"audit", "verify"},
		{"audit", "export", "-from", testclock.Now().Format("02/01/2006")},
		{"backup", "-out", filepath.Join(out, "copia.db")},
	}
	var told, done int
	for _, p := range pages {
		pg := filepath.Base(p)
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range commands {
			store := filepath.Join(t.TempDir(), "sportello.db")
			if err := os.WriteFile(store, orig, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runBinary(t, bin, store, sb.key, "una-password-lunga\n", args...)
			name := strings.Join(args[:2], " ")
			switch {
			case r.code == exitOK && args[0] == "backup":
				t.Errorf("%s zeroed: backup wrote a copy of a damaged store:\n%s", pg, r.stdout)
			case r.code == exitOK, args[0] == "init" && r.code == exitFail && strings.Contains(r.stderr, "la sede è già configurata"):
				done++
			case r.code == exitFail && strings.Contains(r.stderr, "l'archivio "+store+" è danneggiato") && !strings.Contains(r.stderr, "goroutine "):
				told++
				if b, err := os.ReadFile(store); err != nil || !bytes.Equal(b, orig) {
					t.Errorf("%s zeroed: %s said the store damaged and changed it (%v)", pg, name, err)
				}
			default:
				t.Errorf("%s zeroed: %s: exit %d\n%s", pg, name, r.code, r.stderr)
			}
			os.Remove(filepath.Join(out, "copia.db"))
		}
	}
	t.Logf("%d pages of records zeroed one at a time, %d commands on each: %d told the store damaged, %d did their work",
		len(pages), len(commands), told, done)
}

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
	r := runBinary(t, bin, sb.store, sb.key, "", "audit", "verify")
	if r.code != exitFail || !strings.Contains(r.stderr, "è danneggiato") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("pinctl audit verify of the damaged store: exit %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, bin, sb.store, sb.key, "", "restore", "-from", copyPath)
	if r.code != exitOK {
		t.Fatalf("pinctl restore over a damaged store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "ripristinato dalla copia") {
		t.Errorf("restore says:\n%s", r.stdout)
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
