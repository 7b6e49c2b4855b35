package admin_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// online is a running centrale process of TestOnline, and what its
// subcommands need.
type online struct {
	bin, socket, api string
	ca               *pki.CA
	proc             *testenv.Process
}

// startOnline runs the centrale binary bin on the store of storeArgs
// (-bolt FILE or -postgres DSN), with its admin socket in dir, and
// returns once the socket listens. Events carry the suite's clock
// (storetest.T0), which may be another day than the process's
// (PINSEDE_TEST_NOW): their window is opened wide. One wrong PIN locks.
func startOnline(t *testing.T, bin, dir string, storeArgs ...string) online {
	t.Helper()
	ca, err := pki.Init(filepath.Join(dir, "pki"), "test CA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "pki", "server.crt"), certPEM, 0o644)
	os.WriteFile(filepath.Join(dir, "pki", "server.key"), keyPEM, 0o600)
	o := online{bin: bin, socket: filepath.Join(dir, "c.sock"), ca: ca}
	args := append([]string{"-pki", filepath.Join(dir, "pki"), "-listen", "127.0.0.1:0", "-manage", "", "-admin", o.socket,
		"-lock-after", "1", "-pin-params", pinsede.DefaultPINParams.String(), "-pin-params", storetest.CheapArgon2.String(),
		"-max-clock-skew", "876000h", "-max-event-age", "876000h"}, storeArgs...)
	p, _ := testenv.StartCentrale(t, bin, "admin socket listening", args...)
	o.proc = p
	logs := p.Logs()
	_, rest, _ := strings.Cut(logs, `msg="centrale listening" addr=`)
	o.api, _, _ = strings.Cut(rest, " ")
	return o
}

// post sends in as JSON to path of the API and decodes the 200 answer
// into out.
func (o online) post(t *testing.T, c *http.Client, path string, in, out any) {
	t.Helper()
	if err := testenv.Call(c, "https://"+o.api+path, in, out); err != nil {
		t.Fatal(err)
	}
}

// sub runs `centrale args...` and returns its exit code, stdout and
// stderr.
func (o online) sub(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	cmd := exec.Command(o.bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errs.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String(), errs.String()
}

// Ensure that the operators' subcommands work on a running centrale, on
// both stores, through its admin socket: they show a citizen's
// credentials and their lock, unlock, revoke, list the sedi and the audit
// forks; that the socket is the centrale user's only; that -bolt on the
// file of a running centrale says to use the socket; and that with
// -postgres they reach the database directly meanwhile.
func TestOnline(t *testing.T) {
	bin := testenv.BuildCentrale(t, t.TempDir())
	for _, kind := range []string{"bolt", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "online") // short: a socket's path has at most 107 bytes
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			store := []string{"-bolt", filepath.Join(dir, "centrale.db")}
			if kind == "postgres" {
				store = []string{"-postgres", pgtest.DSN(t)}
			}
			o := startOnline(t, bin, dir, store...)
			if fi, err := os.Stat(o.socket); err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
				t.Errorf("admin socket: %v, %v; want a socket of mode 0600", fi.Mode(), err)
			}

			h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
			cf := storetest.CF(1)
			desk := testenv.CertClient(t, o.ca.CertPEM(), func() ([]byte, []byte, error) { return o.ca.IssueDesk("ROMA01", "03", time.Now()) })
			head := storetest.Head("roma", "", 0, 1)
			var pushed wire.PushResponse
			o.post(t, desk, "/v1/events", wire.PushRequest{Sede: "ROMA01", AuditHead: &head, Events: []pinsede.Event{
				storetest.Issued("ROMA01", cf, "e1", "c1", h), storetest.Issued("ROMA01", storetest.CF(2), "e2", "c2", h),
			}}, &pushed)
			portal := testenv.CertClient(t, o.ca.CertPEM(), func() ([]byte, []byte, error) { return o.ca.Issue(pki.RolePortal, "PORTALE", time.Now()) })
			var verdict wire.VerifyResponse
			o.post(t, portal, "/v1/pin/verify", wire.VerifyRequest{CodiceFiscale: string(cf), PIN: "WRONGWRONGWRONG0"}, &verdict)

			sock := []string{"-admin", o.socket}
			code, out, errs := o.sub(t, append([]string{"credentials", "-cf", strings.ToLower(string(cf))}, sock...)...)
			if code != 0 || !strings.Contains(out, "c1") || !strings.Contains(out, "locked until") || strings.Contains(out, "argon2") {
				t.Errorf("credentials: %d\n%s%s", code, out, errs)
			}
			code, out, errs = o.sub(t, append([]string{"sedi"}, sock...)...)
			if code != 0 || !strings.Contains(out, "ROMA01  03") || !strings.Contains(out, "0 credentials locked permanently, 1 for a while") {
				t.Errorf("sedi: %d\n%s%s", code, out, errs)
			}
			code, out, errs = o.sub(t, append([]string{"unlock", "-by", "rossi", "-cf", string(cf)}, sock...)...)
			if code != 0 || !strings.Contains(out, "unlocked credential c1") {
				t.Errorf("unlock: %d\n%s%s", code, out, errs)
			}
			code, out, errs = o.sub(t, "revoke", "-admin", o.socket, "-by", "rossi", "-reason", "furto d'identità denunciato", "c2")
			if code != 0 || !strings.Contains(out, "revoked credential c2") {
				t.Errorf("revoke: %d\n%s%s", code, out, errs)
			}
			code, _, errs = o.sub(t, "revoke", "-admin", o.socket, "-by", "rossi", "-reason", "furto d'identità denunciato", "c2")
			if code != 1 || !strings.Contains(errs, "not active") {
				t.Errorf("revoke again: %d %s; want 1, not active", code, errs)
			}
			code, _, errs = o.sub(t, append([]string{"unlock", "-by", "rossi", "-cf", string(storetest.CF(9))}, sock...)...)
			if code != 1 || !strings.Contains(errs, "not found") {
				t.Errorf("unlock of a stranger: %d %s; want 1, not found", code, errs)
			}
			code, out, errs = o.sub(t, append([]string{"credentials", "-cf", string(storetest.CF(2))}, sock...)...)
			if code != 0 || !strings.Contains(out, "revoked") || !strings.Contains(out, "centrale:rossi: furto d'identità denunciato") {
				t.Errorf("credentials after the revocation: %d\n%s%s", code, out, errs)
			}
			code, out, errs = o.sub(t, append([]string{"audit", "forks"}, sock...)...)
			if code != 0 || out != "no open audit fork\n" {
				t.Errorf("audit forks: %d %q %s", code, out, errs)
			}

			switch kind {
			case "bolt":
				code, _, errs = o.sub(t, "sedi", "-bolt", store[1])
				if code != 1 || !strings.Contains(errs, "leave out -bolt") {
					t.Errorf("sedi -bolt on a running centrale's file: %d %s", code, errs)
				}
				otherUser(t, o) // online_linux_test.go
			case "postgres":
				code, out, errs = o.sub(t, "sedi", "-postgres", store[1])
				if code != 0 || !strings.Contains(out, "ROMA01  03") {
					t.Errorf("sedi -postgres: %d\n%s%s", code, out, errs)
				}
			}
		})
	}
	code, _, errs := online{bin: bin}.sub(t, "sedi", "-admin", filepath.Join(t.TempDir(), "none.sock"))
	if code != 1 || !strings.Contains(errs, "does not answer") {
		t.Errorf("sedi with no centrale: %d %s", code, errs)
	}
}
