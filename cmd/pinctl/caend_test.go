package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that the supervisor is told, on the output of the ca commands,
// ahead of the CA's end and at it, that the CA's certificate ends and what
// to do: a desk's or centrale's certificate signed in the CA's last month
// says it ends with the CA, the revocation list's monthly renewal warns,
// a CA past its end signs nothing and names ca renew-ca, and after ca
// renew-ca the same desk gets its full two years, no warning.
func TestCAEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	start := testclock.Now()
	now := start
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, now: func() time.Time { return now }}
	if err := cmdCAInit(e, []string{"-dir", dir}); err != nil {
		t.Fatal(err)
	}
	ca, err := pki.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	end := ca.NotAfter()
	// Each issue to a file of its own: a certificate issued is never
	// written over another (TestCAIssueKeepsExisting).
	var desk string
	issueDesk := func(name string) []string {
		desk = filepath.Join(dir, "roma01-03-"+name)
		return []string{"-dir", dir, "-role", "sede", "-code", "ROMA01", "-desk", "03", "-out", desk}
	}
	step := func(name string, run func(*env, []string) error, args []string, want ...string) {
		t.Helper()
		out.Reset()
		if err := run(e, args); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out.String())
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s at %s: the output lacks %q:\n%s", name, now.Format(time.DateTime), w, out.String())
			}
		}
		if len(want) == 0 && strings.Contains(out.String(), "attenzione") {
			t.Errorf("%s at %s: a warning with the CA far from its end:\n%s", name, now.Format(time.DateTime), out.String())
		}
	}

	step("issue", cmdCAIssue, issueDesk("first"))
	step("crl", cmdCACRL, []string{"-dir", dir})

	now = end.Add(-30 * 24 * time.Hour)
	endText := end.Local().Format("02/01/2006 15:04")
	step("issue in the CA's last month", cmdCAIssue, issueDesk("last-month"),
		"vale solo fino al "+endText, "pinctl ca renew-ca -dir "+dir)
	if got := readCert(t, desk+".crt").NotAfter; got.After(end) {
		t.Errorf("issued in the CA's last month: valid until %s, past the CA's %s", got, end)
	}
	step("server in the CA's last month", cmdCAServer, []string{"-dir", dir, "-host", "127.0.0.1"},
		"vale solo fino al "+endText)
	step("crl in the CA's last month", cmdCACRL, []string{"-dir", dir},
		"il certificato della CA scade il "+endText, "pinctl ca renew-ca -dir "+dir)

	now = end.Add(time.Hour)
	out.Reset()
	err = cmdCAIssue(e, issueDesk("expired"))
	if msg := explain(err, e); err == nil || !strings.Contains(msg, "è scaduto") || !strings.Contains(msg, "pinctl ca renew-ca") {
		t.Errorf("issue with the CA expired: %v (%q), want the refusal naming ca renew-ca", err, msg)
	}

	step("renew-ca", cmdCARenewCA, []string{"-dir", dir},
		"certificato della CA rinnovato", "al più tardi il "+endText, "pinctl ca server", "-bundle")
	step("issue after renew-ca", cmdCAIssue, issueDesk("renewed"))
	if got, want := readCert(t, desk+".crt").NotAfter, now.Add(pki.ClientValidity).Truncate(time.Second); !got.Equal(want) {
		t.Errorf("issued after renew-ca: valid until %s, want %s", got, want)
	}
}
