package deskconn

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that a bundle whose CA's certificate has ended, its desk's
// certificate still within its own dates (signed before certificates
// were kept to their CA's, or by the CA renewed while the bundle kept the
// old certificate of it), is read as the desk's and refused by the
// settings as expired on the CA's day, which is when it stopped working:
// it was taken as not signed by its own CA ("issue the bundle again with
// the sede's CA"), and before that accepted as valid for two more years.
func TestReadBundleCAExpired(t *testing.T) {
	now := testclock.Now()
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "pinsede CA", now.Add(-pki.CAValidity+24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	oldCA, caEnd := ca.CertPEM(), ca.NotAfter()
	if err := ca.RenewCA(now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueDesk("ROMA01", "03", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "roma01-03.pem")
	if err := pki.WriteBundle(bundle, oldCA, certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	files := &Files{File: filepath.Join(dir, "sportello.toml"), Now: func() time.Time { return now }}
	for _, tc := range []struct {
		name    string
		at      time.Time
		expired bool
	}{
		{"the day before the CA's end", caEnd.Add(-24 * time.Hour), false},
		{"past the CA's end", caEnd.Add(time.Minute), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			cert, err := files.ReadBundle(bundle)
			if err != nil {
				t.Fatalf("ReadBundle: %v, want the desk's certificate", err)
			}
			if cert.Sede != "ROMA01" || cert.DeskID != "03" || !cert.NotAfter.Equal(caEnd) {
				t.Errorf("ReadBundle: %+v, want ROMA01 desk 03 until the CA's end %s", cert, caEnd)
			}
			es := newDesk(t, now).CheckConnection(pinsede.Connection{CentraleURL: "https://centrale.example:8443"}, cert)
			if got := len(es) == 1 && es[0].Key == pinsede.KeyCertExpired; got != tc.expired {
				t.Errorf("CheckConnection: %v, want refused as expired: %v", es, tc.expired)
			}
		})
	}
}

// newDesk returns a desk of sede ROMA01 on a store in a temporary folder,
// its clock at now.
func newDesk(t *testing.T, now time.Time) *pinsede.Desk {
	t.Helper()
	dir := t.TempDir()
	store, err := local.Create(filepath.Join(dir, "s.db"), filepath.Join(dir, "s.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Update(func(tx pinsede.Tx) error { return tx.SetSede(pinsede.Sede{Code: "ROMA01", Name: "Roma"}) }); err != nil {
		t.Fatal(err)
	}
	return pinsede.NewDesk(store, nil, func() time.Time { return now })
}
