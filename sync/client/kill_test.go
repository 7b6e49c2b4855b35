package client_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
)

// The child process of TestKilledDuringPush reads its set-up from these.
const (
	envChild = "PINSEDE_PUSH_CHILD" // the folder with the store, key and certificates
	envURL   = "PINSEDE_PUSH_URL"
)

// init runs the child's push instead of the tests when envChild is set:
// open the store, say "ready", push the outbox in small batches.
func init() {
	dir := os.Getenv(envChild)
	if dir == "" {
		return
	}
	os.Exit(pushChild(dir, os.Getenv(envURL)))
}

func pushChild(dir, url string) int {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return b
	}
	cfg, err := pki.ClientTLS(read("ca.crt"), read("sede.crt"), read("sede.key"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ls, err := local.Open(filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer ls.Close()
	c := client.New(client.Config{URL: url, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}, Sede: "ROMA01", Local: ls, Batch: 2, Now: testclock.Now})
	fmt.Println("ready")
	if _, err := c.Push(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Ensure that a sede process SIGKILLed during a push, 100 times, loses
// nothing and applies nothing twice: at the end centrale holds every event
// exactly once and the outbox is empty.
func TestKilledDuringPush(t *testing.T) {
	runs := 100
	if testing.Short() {
		runs = 10
	}
	env := testenv.New(t, stores[0].open(t))
	dir := t.TempDir()
	ls, path, keyPath := newLocal(t)
	ls.Close()
	certPEM, keyPEM, err := env.CA.Issue(pki.RoleSede, "ROMA01", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"ca.crt": env.CA.CertPEM(), "sede.crt": certPEM, "sede.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct{ from, to string }{{path, "sportello.db"}, {keyPath, "store.key"}} {
		if err := os.Rename(f.from, filepath.Join(dir, f.to)); err != nil {
			t.Fatal(err)
		}
	}
	open := func() *local.Store {
		s, err := local.Open(filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const perRun = 10
	killedMidway := 0
	for run := range runs {
		s := open()
		enqueue(t, s, "ROMA01", run*perRun, perRun)
		s.Close()

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envChild+"="+dir, envURL+"="+env.URL)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q, %v", run, line, err)
		}
		time.Sleep(time.Duration(rand.N(50000)) * time.Microsecond)
		cmd.Process.Kill() // SIGKILL
		if err := cmd.Wait(); err != nil {
			killedMidway++
		}
	}
	before, err := env.Store.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := open()
	defer s.Close()
	left, _ := s.OutboxLen()
	t.Logf("the children pushed %d of %d events; %d left in the outbox, so %d were applied but not acknowledged",
		before, runs*perRun, left, before-(runs*perRun-left))
	if before == 0 {
		t.Errorf("no child pushed anything before it was killed: the test does not test")
	}
	c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: s, Now: testclock.Now})
	if _, err := c.Push(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.OutboxLen(); n != 0 {
		t.Errorf("outbox holds %d events, want 0", n)
	}
	if n, err := env.Store.Events(context.Background()); err != nil || n != runs*perRun {
		t.Errorf("centrale holds %d events (%v), want %d", n, err, runs*perRun)
	}
	if na, _ := s.NotAcceptedEvents(); len(na) != 0 {
		t.Errorf("events not accepted: %+v", na)
	}
	t.Logf("%d of %d children killed before they finished", killedMidway, runs)
	if killedMidway < runs/4 {
		t.Errorf("only %d of %d children killed during their push: the test does not test", killedMidway, runs)
	}
}
