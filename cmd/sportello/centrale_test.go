package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/i18n"
)

// Ensure that the desk starts offline without -centrale, refuses flags
// that cannot work (half given, a certificate that is not a sede's, or one
// of another sede than the store's) with a message that says what to do,
// and starts the sync with the certificate of its own sede, before set-up
// too, knowing the desk id of a desk's certificate ("" for one of before
// desk ids).
func TestStartSync(t *testing.T) {
	if err := i18n.Load("it"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "test CA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(role pki.Role, code string) string {
		certPEM, keyPEM, err := ca.Issue(role, code, time.Now())
		if role == pki.RoleSede && code == "ROMA01-03" { // desk 03 of ROMA01
			certPEM, keyPEM, err = ca.IssueDesk("ROMA01", "03", time.Now())
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, string(role)+"-"+code)
		if err := os.WriteFile(p+".crt", certPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+".key", keyPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	roma, milano, portal := issue(pki.RoleSede, "ROMA01"), issue(pki.RoleSede, "MILANO01"), issue(pki.RolePortal, "PORTALE")
	desk03 := issue(pki.RoleSede, "ROMA01-03")
	caFile := filepath.Join(dir, "ca", pki.CertFile)
	flags := func(cert string) syncFlags {
		return syncFlags{url: "https://127.0.0.1:1", cert: cert + ".crt", key: cert + ".key", ca: caFile}
	}

	newStore := func(sede string) *local.Store {
		d := t.TempDir()
		s, err := local.Create(filepath.Join(d, "s.db"), filepath.Join(d, "s.key"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if sede != "" {
			if err := s.Update(func(tx pinsede.Tx) error { return tx.SetSede(pinsede.Sede{Code: sede, Name: sede}) }); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		sede    string // the store's; "" before set-up
		flags   syncFlags
		online  bool   // a link is made
		desk    string // the desk id known
		wantErr string // in the message
	}{
		{"offline desk", "ROMA01", syncFlags{}, false, "", ""},
		{"certificate without centrale", "ROMA01", syncFlags{cert: roma + ".crt"}, false, "", "-centrale"},
		{"centrale without certificate", "ROMA01", syncFlags{url: "https://127.0.0.1:1"}, false, "", "-certkey"},
		{"not a sede's certificate", "ROMA01", flags(portal), false, "", "non è il certificato di una sede"},
		{"another sede's certificate", "ROMA01", flags(milano), false, "", "è della sede MILANO01, ma questo sportello è della sede ROMA01"},
		{"missing file", "ROMA01", syncFlags{url: "https://127.0.0.1:1", cert: "/nonexistent.crt", key: roma + ".key", ca: caFile}, false, "", "nonexistent"},
		{"its own sede", "ROMA01", flags(roma), true, "", ""},
		{"a desk of its own sede", "ROMA01", flags(desk03), true, "03", ""},
		{"before set-up", "", flags(roma), true, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(tc.sede)
			l, err := startSync(store, pinsede.NewDesk(store, nil, testclock.Now), tc.flags)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.stop()
			if got := l.link() != nil; got != tc.online {
				t.Errorf("link: %v, want %v", got, tc.online)
			}
			if tc.online && (l.sede != "ROMA01" || l.desk != tc.desk) {
				t.Errorf("sede %q desk %q, want ROMA01 desk %q", l.sede, l.desk, tc.desk)
			}
		})
	}
}

// Ensure that the desk knows its certificate stops working when its CA's
// does, if that comes first: a certificate signed by a renewed CA (or by
// one of before certificates were kept to their CA's end) on a desk whose
// -ca file is the CA's certificate of before works only until that one
// ends, and the sync status warns from 30 days before that day, not the
// certificate's own.
func TestStartSyncCertEndsWithCA(t *testing.T) {
	if err := i18n.Load("it"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	now := testclock.Now()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "test CA", now.Add(-pki.CAValidity+10*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	oldEnd := ca.NotAfter()
	oldCA := filepath.Join(dir, "old-ca.crt")
	if err := os.WriteFile(oldCA, ca.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ca.RenewCA(now); err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueDesk("ROMA01", "03", now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "roma01-03")
	if err := os.WriteFile(p+".crt", certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p+".key", keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, ca string
		want     time.Time
	}{
		{"CA of before", oldCA, oldEnd},
		{"renewed CA", filepath.Join(dir, "ca", pki.CertFile), cert.NotAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			store, err := local.Create(filepath.Join(d, "s.db"), filepath.Join(d, "s.key"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			l, err := startSync(store, pinsede.NewDesk(store, nil, testclock.Now),
				syncFlags{url: "https://127.0.0.1:1", cert: p + ".crt", key: p + ".key", ca: tc.ca})
			if err != nil {
				t.Fatal(err)
			}
			defer l.stop()
			if got := l.certExpires(); !got.Equal(tc.want) {
				t.Errorf("the desk's certificate works until %s, want %s (its own end %s)", got, tc.want, cert.NotAfter)
			}
		})
	}
}
