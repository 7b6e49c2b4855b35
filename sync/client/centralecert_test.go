package client_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a desk that does not trust the certificate centrale shows
// (expired, signed by another CA, made for another host name) is told
// apart from centrale refusing the desk's own (TestFault): the sync's
// fault and the lookup's message name centrale's certificate, the events
// kept in the outbox. Before, the three were FaultCertificate: every
// desk told the clerk that centrale refused the desk's certificate when
// centrale's own had expired.
func TestCentraleCertificateFault(t *testing.T) {
	real := time.Now() // crypto/tls checks the certificates on the real clock
	for _, tc := range []struct {
		name string
		cert func(*pki.CA) ([]byte, []byte, error)
	}{
		{"centrale's certificate expired", func(ca *pki.CA) ([]byte, []byte, error) {
			return ca.IssueServer([]string{"127.0.0.1"}, real.AddDate(-3, 0, 0)) // valid two years
		}},
		{"centrale's certificate of another CA", func(*pki.CA) ([]byte, []byte, error) {
			other, err := pki.Init(filepath.Join(t.TempDir(), "other"), "another CA", real, nil)
			if err != nil {
				return nil, nil, err
			}
			return other.IssueServer([]string{"127.0.0.1"}, real)
		}},
		{"centrale's certificate for another host", func(ca *pki.CA) ([]byte, []byte, error) {
			return ca.IssueServer([]string{"centrale.example"}, real)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testenv.NewServing(t, stores[0].open(t), testclock.Now, tc.cert)
			tlsCfg, _ := env.DeskTLS(t, "ROMA01", "03")
			ls, _, _ := newLocal(t)
			defer ls.Close()
			enqueue(t, ls, "ROMA01", 0, 1)
			c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}},
				Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
			if err := c.Sync(context.Background()); err == nil {
				t.Fatal("sync succeeded")
			}
			if s := c.State(); s.Fault != client.FaultCentraleCertificate || s.Status != client.Offline || s.Pending != 1 {
				t.Errorf("state: fault %q, status %s, %d pending (%s); want %q, offline, the event kept", s.Fault, s.Status, s.Pending, s.LastError, client.FaultCentraleCertificate)
			}
			_, err := c.Credentials(context.Background(), storetest.CF(1))
			if p := new(pinsede.Problem); !errors.As(err, &p) || p.Key != client.KeyLookupCentraleCertificate {
				t.Errorf("lookup: %v, want the problem %s", err, client.KeyLookupCentraleCertificate)
			}
		})
	}
}
