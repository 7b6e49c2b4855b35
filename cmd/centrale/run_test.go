package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that centrale starts from a pinctl CA folder on a bbolt store,
// answers /v1/health over TLS to a client with a certificate only, and
// stops when told.
func TestServe(t *testing.T) {
	dir, ca := serverPKI(t) // observe_test.go
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, logs, stop := start(t, c) // observe_test.go
	addr := l.api
	// Health needs a certificate of the CA, of any role: the handshake
	// refuses a client without one.
	noCert, err := pki.ClientTLS(ca.CertPEM(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: noCert}}).Get("https://" + addr + "/v1/health"); err == nil {
		resp.Body.Close()
		t.Errorf("health without a certificate: %s, want the handshake refused", resp.Status)
	}
	monPEM, monKey, err := ca.Issue(pki.RolePortal, "MONITOR", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ClientTLS(ca.CertPEM(), monPEM, monKey)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	resp, err := hc.Get("https://" + addr + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"bolt"`) || !strings.Contains(string(b), `"crl":"ok"`) {
		t.Errorf("health: %s %s", resp.Status, b)
	}

	// HTTP/2 to a client that asks for it, as ServeTLS offered it.
	h2 := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg.Clone(), ForceAttemptHTTP2: true}}
	if resp, err := h2.Get("https://" + addr + "/v1/health"); err != nil {
		t.Error(err)
	} else if resp.Body.Close(); resp.ProtoMajor != 2 || resp.StatusCode != 200 {
		t.Errorf("health over HTTP/2: %s %s", resp.Proto, resp.Status)
	}

	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if !strings.Contains(logs.String(), `pin_params="m=19456,t=2,p=1"`) || !strings.Contains(logs.String(), "verify_slots=") || !strings.Contains(logs.String(), "conn_max=") {
		t.Errorf("the start's log line does not say the limits:\n%s", logs.String())
	}
}

// Ensure that bad flags are refused with a message.
func TestParseErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(bad, []byte(`{"version": 0, "rules": []}`), 0o644)
	for _, args := range [][]string{{}, {"-pki", "x", "-lock-after", "0"}, {"-pki", "x", "extra"}, {"-pki", "x", "-policy", bad}, {"-pki", "x", "-policy", bad + ".none"},
		{"-pki", "x", "-drain-delay", "-1s"}, {"-pki", "x", "-drain-delay", "61s"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
}

// Ensure that -policy loads the policy file served to the sedi, and that
// without it the built-in policy is.
func TestParsePolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(path, []byte(`{"version": 3, "rules": [{"eligible": "all"}]}`), 0o644)
	c, err := parse([]string{"-pki", "x", "-policy", path}, io.Discard)
	if err != nil || c.policy.Version != 3 {
		t.Errorf("parse with -policy: version %d, %v; want 3", c.policy.Version, err)
	}
	if c, err := parse([]string{"-pki", "x"}, io.Discard); err != nil || c.policy.Version != pinsede.DefaultPolicy().Version {
		t.Errorf("parse without -policy: %+v, %v; want the default", c.policy, err)
	}
}

// Ensure that the bounds of pushed events and of the PIN checks come from
// the flags, with the defaults when not given, and that bad ones are
// refused.
func TestParseLimits(t *testing.T) {
	c, err := parse([]string{"-pki", "x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.limits.PINParams) != 1 || c.limits.PINParams[0] != pinsede.DefaultPINParams ||
		c.limits.MaxSkew != central.DefaultMaxSkew || c.limits.MaxAge != central.DefaultMaxAge || c.limits.Tickets != central.DefaultTickets {
		t.Errorf("default limits: %+v", c.limits)
	}
	if c.verify.MemoryBudget != server.DefaultVerifyMemory || c.verify.CFBurst != server.DefaultCFBurst || c.verify.CFRate != server.DefaultCFRate {
		t.Errorf("default verify limits: %+v", c.verify)
	}
	if c.lookup != (server.LookupLimits{Rate: server.DefaultLookupRate, Burst: server.DefaultLookupBurst}) {
		t.Errorf("default lookup limits: %+v", c.lookup)
	}
	c, err = parse([]string{"-pki", "x", "-pin-params", "m=19456,t=2,p=1", "-pin-params", "m=131072,t=2,p=4",
		"-max-clock-skew", "5m", "-max-event-age", "720h", "-kiosk-tickets", "300", "-push-per-cert", "3", "-verify-memory", "512", "-verify-slots", "3",
		"-verify-ahead", "2", "-verify-queue", "7", "-verify-wait", "500ms", "-verify-cf-rate", "30", "-verify-cf-burst", "4",
		"-lookup-rate", "6", "-lookup-burst", "10"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := []pinsede.Argon2Params{pinsede.DefaultPINParams, {Time: 2, MemoryKiB: 131072, Threads: 4}}
	if !slices.Equal(c.limits.PINParams, want) || c.limits.MaxSkew != 5*time.Minute || c.limits.MaxAge != 720*time.Hour || c.limits.Tickets != 300 {
		t.Errorf("limits: %+v", c.limits)
	}
	if c.lookup != (server.LookupLimits{Rate: 0.1, Burst: 10}) {
		t.Errorf("lookup limits: %+v, want 6 a minute, 10 in a row", c.lookup)
	}
	if c.push.PerCert != 3 {
		t.Errorf("push limits: %+v, want 3 per certificate", c.push)
	}
	if c.limits.MaxPINMemoryKiB() != 131072 {
		t.Errorf("a check's memory: %d KiB, want 131072", c.limits.MaxPINMemoryKiB())
	}
	if v := c.verify; v.MemoryBudget != 512<<20 || v.Slots != 3 || v.Ahead != 2 || v.Queue != 7 || v.Wait != 500*time.Millisecond || v.CFRate != 0.5 || v.CFBurst != 4 {
		t.Errorf("verify limits: %+v", v)
	}
	for _, args := range [][]string{
		{"-pin-params", "m=8,t=1"}, {"-pin-params", "m=4194305,t=1,p=1"}, {"-max-clock-skew", "0s"}, {"-max-event-age", "-1h"}, {"-kiosk-tickets", "0"}, {"-push-per-cert", "-1"},
		{"-verify-memory", "0"}, {"-verify-slots", "-1"}, {"-verify-ahead", "-1"}, {"-verify-wait", "0s"}, {"-verify-cf-rate", "0"}, {"-verify-cert-burst", "0"},
		{"-lookup-rate", "0"}, {"-lookup-burst", "0"},
	} {
		if _, err := parse(append([]string{"-pki", "x"}, args...), io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
}

// Ensure that the connection bounds default from the descriptor limit,
// the per-source bound to half the total, come from the flags, and that
// bad ones are refused.
func TestParseConns(t *testing.T) {
	c, err := parse([]string{"-pki", "x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	def := server.DefaultConnLimits(server.DescriptorLimit())
	if c.conns != def || c.conns.PerSource != c.conns.Max/2 || c.manageConns != (server.ConnLimits{Max: server.DefaultManageConns, PerSource: server.DefaultManagePerSource}) {
		t.Errorf("default bounds: %+v and %+v, want %+v and %d, %d per source", c.conns, c.manageConns, def, server.DefaultManageConns, server.DefaultManagePerSource)
	}
	if c.writeStall != server.DefaultWriteStall {
		t.Errorf("default -conn-write-stall %v, want %v", c.writeStall, server.DefaultWriteStall)
	}
	c, err = parse([]string{"-pki", "x", "-conn-max", "300"}, io.Discard)
	if err != nil || c.conns.PerSource != 150 {
		t.Errorf("-conn-max 300: per source %d, %v; want 150", c.conns.PerSource, err)
	}
	c, err = parse([]string{"-pki", "x", "-conn-max", "300", "-conn-per-source", "0", "-conn-handshake", "2s", "-manage-conn-max", "4", "-manage-conn-per-source", "0"}, io.Discard)
	if err != nil || c.conns != (server.ConnLimits{Max: 300, Handshake: 2 * time.Second}) || c.manageConns != (server.ConnLimits{Max: 4}) {
		t.Errorf("bounds: %+v, %+v, %v", c.conns, c.manageConns, err)
	}
	for _, args := range [][]string{{"-conn-max", "0"}, {"-conn-per-source", "-2"}, {"-conn-handshake", "0s"}, {"-conn-write-stall", "0s"}, {"-manage-conn-max", "0"}, {"-manage-conn-per-source", "-1"}} {
		if _, err := parse(append([]string{"-pki", "x"}, args...), io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
}

// Ensure that the default bounds take what the descriptors allow, less
// the reserve, within the cap.
func TestDefaultConnLimits(t *testing.T) {
	for _, tc := range []struct {
		nofile   uint64
		max, per int
	}{
		{1024, 768, 384}, {256, 128, 64}, {20000, server.MaxDefaultConns, server.MaxDefaultConns / 2}, {1 << 20, server.MaxDefaultConns, server.MaxDefaultConns / 2}, {1, 1, 1},
	} {
		if l := server.DefaultConnLimits(tc.nofile); l.Max != tc.max || l.PerSource != tc.per || l.Handshake != server.DefaultHandshake {
			t.Errorf("DefaultConnLimits(%d) = %+v, want %d, %d per source", tc.nofile, l, tc.max, tc.per)
		}
	}
}

// Ensure that -version prints the program, its version and its commit,
// and serves nothing.
func TestVersion(t *testing.T) {
	var out, errOut strings.Builder
	if code := run(context.Background(), []string{"-version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "centrale ") || !strings.Contains(out.String(), "commit ") {
		t.Errorf("exit %d, %q %q", code, out.String(), errOut.String())
	}
}

// Ensure that centrale -h lists the subcommands and the server's flags
// with their kinds and defaults (it told 40 panics of the flags' watch
// instead of the defaults), and that a command misspelt, or named after
// flags, is told as such with the commands known (it was "unexpected
// arguments: [...]").
func TestUsageCommands(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"-h"}, 0, []string{"centrale COMMAND", "centrale revoke [", "centrale unlock [", "centrale credentials [", "centrale sedi [",
			"centrale audit forks|reset", "centrale backup -bolt", "centrale healthcheck [", "the server's flags:", "-listen",
			"-lock-for duration", "(default 15m0s)", "-lock-after int"}},
		{[]string{"unlok", "-by", "rossi", "-cf", "RSSMRA80A01H501U"}, 2, []string{`unknown command "unlok"`,
			"the commands are revoke, unlock, credentials, sedi, audit, backup, restore, healthcheck"}},
		{[]string{"-admin", "/run/c.sock", "sedi"}, 2, []string{`"sedi" is a command: name it first, its flags after it (centrale sedi -admin SOCKET`}},
	} {
		var out strings.Builder
		if code := run(t.Context(), c.args, &out, &out); code != c.code {
			t.Errorf("centrale %q: exit %d, want %d\n%s", c.args, code, c.code, out.String())
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("centrale %q does not say %q:\n%s", c.args, w, out.String())
			}
		}
		if strings.Contains(out.String(), "panic") {
			t.Errorf("centrale %q tells of a panic:\n%s", c.args, out.String())
		}
	}
}
