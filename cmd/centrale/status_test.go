package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// chromium returns the path of Debian's chromium, or skips the test
// without it; with CI set, the test fails instead (scripts/setup.sh
// installs it).
func chromium(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is not installed (scripts/apt-packages.txt): %v", err)
		}
		t.Skip("chromium is not installed: `make setup` installs it")
	}
	return p
}

// headless runs chromium headless on url with args (--dump-dom,
// --screenshot=FILE), and returns what it wrote on stdout.
func headless(t *testing.T, bin, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, url)...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errs.String())
	}
	return out.String()
}

// apiClient returns an HTTPS client of centrale with the certificate
// issue makes.
func apiClient(t *testing.T, ca *pki.CA, issue func() ([]byte, []byte, error)) *http.Client {
	t.Helper()
	certPEM, keyPEM, err := issue()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ClientTLS(ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// apiCall sends in as JSON (GET when nil) to url and decodes the 200
// answer into out.
func apiCall(t *testing.T, c *http.Client, url string, in, out any) {
	t.Helper()
	var resp *http.Response
	var err error
	if in == nil {
		resp, err = c.Get(url)
	} else {
		b, merr := json.Marshal(in)
		if merr != nil {
			t.Fatal(merr)
		}
		resp, err = c.Post(url, wire.ContentJSON, bytes.NewReader(b))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatal(err)
	}
}

// Ensure that centrale's status page, loaded in headless Chromium, shows
// the sedi's desks with their pushes, pulls, changes waiting and events
// rejected, the PINs issued per day as a chart, the credential locked,
// and the certificates; and that / leads to it. The screenshot is kept
// in $PINSEDE_STATUS_OUT when set (docs/screens/centrale-status.png is
// one).
func TestStatusPage(t *testing.T) {
	bin := chromium(t)
	dir, ca := serverPKI(t)
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-admin", "", "-bolt", filepath.Join(dir, "c.db"),
		"-lock-after", "1", "-pin-params", pinsede.DefaultPINParams.String(), "-pin-params", storetest.CheapArgon2.String()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c.now = testclock.Now // the events' clock (storetest.T0)
	l, _, stop := start(t, c)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	api := "https://" + l.api

	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	push := func(sede, desk string, seq uint64, evs ...pinsede.Event) {
		t.Helper()
		cl := apiClient(t, ca, func() ([]byte, []byte, error) { return ca.IssueDesk(sede, desk, time.Now()) })
		head := storetest.Head(sede+desk, "", 0, seq)
		var resp wire.PushResponse
		apiCall(t, cl, api+"/v1/events", wire.PushRequest{Sede: sede, AuditHead: &head, Events: evs}, &resp)
	}
	bad := storetest.Issued("ROMA01", storetest.CF(9), "r9", "c9", h)
	bad.Credential.PINHash = "not a hash"
	push("ROMA01", "01", 1, storetest.Issued("ROMA01", storetest.CF(1), "r1", "c1", h), storetest.Issued("ROMA01", storetest.CF(2), "r2", "c2", h),
		storetest.IssuedOn(3, "ROMA01", storetest.CF(3), "r3", "c3", h), storetest.IssuedOn(12, "ROMA01", storetest.CF(4), "r4", "c4", h), bad)
	push("ROMA01", "02", 1, storetest.Issued("ROMA01", storetest.CF(5), "r5", "c5", h))
	push("MILANO02", "01", 1, storetest.Issued("MILANO02", storetest.CF(1), "m1", "c6", h), storetest.IssuedOn(3, "MILANO02", storetest.CF(6), "m2", "c7", h))
	milano := apiClient(t, ca, func() ([]byte, []byte, error) { return ca.IssueDesk("MILANO02", "01", time.Now()) })
	var changes wire.ChangesResponse
	apiCall(t, milano, api+"/v1/changes", nil, &changes)
	portal := apiClient(t, ca, func() ([]byte, []byte, error) { return ca.Issue(pki.RolePortal, "PORTALE", time.Now()) })
	var verdict wire.VerifyResponse
	apiCall(t, portal, api+"/v1/pin/verify", wire.VerifyRequest{CodiceFiscale: string(storetest.CF(2)), PIN: "WRONGWRONGWRONG0"}, &verdict)

	dom := headless(t, bin, "http://"+l.manage+"/", "--dump-dom")
	text := strings.Join(strings.Fields(stripTags(dom)), " ")
	for _, want := range []string{
		"Stato di centrale", "archivio bolt",
		"Certificato del server", "Autorità di certificazione (CA)", "Elenco di revoca (CRL)",
		"2 sedi", "3 sportelli", "2 modifiche in attesa", "1 eventi rifiutati",
		"MILANO02", "ROMA01",
		"7 PIN dal", "al massimo 4 in un giorno",
		"0 bloccate definitivamente", "1 bloccate temporaneamente", "c2 ROMA01 dispositivo fino al",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the status page does not say %q:\n%s", want, text)
		}
	}
	if n := strings.Count(dom, `<rect class="bar"`); n != 30 {
		t.Errorf("the chart has %d bars, want 30", n)
	}
	out := os.Getenv("PINSEDE_STATUS_OUT")
	if out == "" {
		out = t.TempDir()
	}
	shot := filepath.Join(out, "centrale-status.png")
	headless(t, bin, "http://"+l.manage+"/status", "--screenshot="+shot, "--window-size=1150,1500")
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot %s: %v, %v", shot, fi, err)
	}
}

// stripTags returns the text of an HTML page: its tags left out.
func stripTags(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
