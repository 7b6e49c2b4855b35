package local_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// crashEnv tells the test binary, run again by TestCrash, to be the child
// that issues until it is killed: its value is the store's folder.
const crashEnv = "PINSEDE_CRASH_STORE"

// crashPeople is how many citizens the child issues PINs to, in turn.
const crashPeople = 40

func crashCFs() []pinsede.CodiceFiscale {
	cfs := make([]pinsede.CodiceFiscale, crashPeople)
	for i := range cfs {
		cfs[i] = person(i, "Ferrari", "Giulia").CodiceFiscale
	}
	return cfs
}

// TestCrashChild is not a test: it is the child process of TestCrash. It
// opens the store and issues PINs through the desk until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("the child process of TestCrash")
	}
	s, err := local.Open(filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		os.Stderr.WriteString("child: " + err.Error() + "\n")
		os.Exit(3)
	}
	d := newDesk(s, nopPrinter{})
	for i := rand.IntN(crashPeople); ; i++ {
		req := person(i%crashPeople, "Ferrari", "Giulia")
		if _, err := d.Issue(context.Background(), session(), req, verification(pngScan(2000))); err != nil {
			os.Stderr.WriteString("child: " + err.Error() + "\n")
			os.Exit(4)
		}
	}
}

// Ensure that a process killed at any moment, mid-commit included, leaves
// a store that opens, whose audit chain is whole, and where every
// credential has its audit entry and its outbox event or none of them
// exists.
func TestCrash(t *testing.T) {
	runs := 200
	if testing.Short() {
		runs = 20
	}
	dir := t.TempDir()
	store, key := filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key")
	s, err := local.Create(store, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	cfs := crashCFs()
	issued := 0
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL: no deferred function, no flush
		err := cmd.Wait()
		if stderr.Len() > 0 || !errors.As(err, new(*exec.ExitError)) {
			t.Fatalf("run %d: child ended on its own (%v): %s", run, err, stderr.Bytes())
		}

		s, err := local.Open(store, key)
		if err != nil {
			t.Fatalf("run %d: store does not open after the kill: %v", run, err)
		}
		n := count(t, s, cfs)
		n.check(t)
		verifyChain(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			t.Fatalf("run %d: store inconsistent after the kill", run)
		}
		if len(n.credentials) < issued {
			t.Fatalf("run %d: %d credentials, %d before: committed issues lost", run, len(n.credentials), issued)
		}
		issued = len(n.credentials)
	}
	t.Logf("%d runs, %d credentials issued in all", runs, issued)
}
