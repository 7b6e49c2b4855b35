package server_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
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

// stripTags returns the text of an HTML page: its tags and its style
// left out, its spaces made one.
func stripTags(html string) string {
	if i, j := strings.Index(html, "<style>"), strings.Index(html, "</style>"); i >= 0 && j > i {
		html = html[:i] + html[j:]
	}
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
	return strings.Join(strings.Fields(b.String()), " ")
}

// Ensure that the status page, loaded in headless Chromium from the
// management listener on loopback, shows the sedi's desks with their
// pushes, pulls, changes waiting and events rejected, the PINs issued per
// day as a chart, the credential locked, and the certificates, in Italian
// and, for a browser that prefers it, in English; and that / leads to it.
// The screenshots are kept in $PINSEDE_STATUS_OUT when set
// (docs/screens/centrale-status.png and centrale-status-en.png).
func TestStatusPageChromium(t *testing.T) {
	bin := chromium(t)
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := testenv.NewAt(t, store, testclock.Now)
	caCert, err := pki.ParseCert(env.CA.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	serverCert := env.Cert
	manage := httptest.NewServer(env.Server.ManageHandler(server.Manage{
		Cert: func() *x509.Certificate { return serverCert },
		CA:   func() *x509.Certificate { return caCert },
	}))
	t.Cleanup(manage.Close)

	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	desk := func(sede, name string) *http.Client {
		return testenv.CertClient(t, env.CA.CertPEM(), func() ([]byte, []byte, error) { return env.CA.IssueDesk(sede, name, time.Now()) })
	}
	push := func(sede, name string, evs ...pinsede.Event) {
		t.Helper()
		head := storetest.Head(sede+name, "", 0, 1)
		var resp wire.PushResponse
		if err := testenv.Call(desk(sede, name), env.URL+"/v1/events", wire.PushRequest{Sede: sede, AuditHead: &head, Events: evs}, &resp); err != nil {
			t.Fatal(err)
		}
	}
	bad := storetest.Issued("ROMA01", storetest.CF(9), "r9", "c9", h)
	bad.Credential.PINHash = "not a hash"
	push("ROMA01", "01", storetest.Issued("ROMA01", storetest.CF(1), "r1", "c1", h), storetest.Issued("ROMA01", storetest.CF(2), "r2", "c2", h),
		storetest.IssuedOn(3, "ROMA01", storetest.CF(3), "r3", "c3", h), storetest.IssuedOn(12, "ROMA01", storetest.CF(4), "r4", "c4", h), bad)
	push("ROMA01", "02", storetest.Issued("ROMA01", storetest.CF(5), "r5", "c5", h))
	push("MILANO02", "01", storetest.Issued("MILANO02", storetest.CF(1), "m1", "c6", h), storetest.IssuedOn(3, "MILANO02", storetest.CF(6), "m2", "c7", h))
	var changes wire.ChangesResponse
	if err := testenv.Call(desk("MILANO02", "01"), env.URL+"/v1/changes", nil, &changes); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the verifier locks after 3 wrong PINs
		var verdict wire.VerifyResponse
		req := wire.VerifyRequest{CodiceFiscale: string(storetest.CF(2)), PIN: "WRONGWRONGWRONG0"}
		if err := testenv.Call(env.Client(t, pki.RolePortal, "PORTALE"), env.URL+"/v1/pin/verify", req, &verdict); err != nil {
			t.Fatal(err)
		}
	}

	// Chromium asks for its --accept-lang first: Italian by default,
	// English for a browser that prefers it.
	dom := headless(t, bin, manage.URL+"/", "--dump-dom", "--accept-lang=it-IT,it")
	text := stripTags(dom)
	for _, want := range []string{
		"Stato di centrale", "archivio bolt",
		"Certificato del server", "Autorità di certificazione (CA) pinsede test CA", "Elenco di revoca (CRL) numero",
		"2 sedi", "3 sportelli", "7 modifiche in attesa", "1 evento rifiutato",
		"MILANO02 01", "ROMA01 01", "mai 2 1 · ultimo il", "invalid event: pin hash", "mai 5 0",
		"7 PIN dal", "al massimo 4 in un giorno",
		"0 bloccate definitivamente", "1 bloccata temporaneamente", "c2 ROMA01 dispositivo fino al",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the status page does not say %q:\n%s", want, text)
		}
	}
	en := stripTags(headless(t, bin, manage.URL+"/", "--dump-dom", "--accept-lang=en-GB,en,it"))
	for _, want := range []string{
		"centrale's status", "bolt records", "(Italian time)",
		"Server certificate", "Certificate authority (CA) pinsede test CA", "Revocation list (CRL) number",
		"2 sedi", "3 desks", "7 changes waiting", "1 event rejected",
		"never 2 1 · last on", "invalid event: pin hash", "never 5 0",
		"PINs issued in the last 30 days", "7 PINs from", "at most 4 in a day",
		"0 locked for good", "1 locked for a while", "c2 ROMA01 dispositivo until",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("the status page in English does not say %q", want)
		}
	}
	if t.Failed() {
		t.Logf("the status page in English:\n%s", en)
	}
	if n := strings.Count(dom, `<rect class="bar"`); n != server.StatusDays {
		t.Errorf("the chart has %d bars, want %d", n, server.StatusDays)
	}
	out := os.Getenv("PINSEDE_STATUS_OUT")
	if out == "" {
		out = t.TempDir()
	}
	for name, lang := range map[string]string{"centrale-status.png": "it-IT,it", "centrale-status-en.png": "en-GB,en"} {
		shot := filepath.Join(out, name)
		headless(t, bin, manage.URL+"/status", "--screenshot="+shot, "--window-size=1150,1500", "--accept-lang="+lang)
		if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
			t.Errorf("screenshot %s: %v, %v", shot, fi, err)
		}
	}
}
