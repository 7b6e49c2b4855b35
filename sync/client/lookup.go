package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

var _ pinsede.CentralRecords = (*Client)(nil)

// LookupTimeout bounds a lookup at centrale: the clerk waits for it, with
// the citizen at the desk.
const LookupTimeout = 5 * time.Second

// Message keys of a lookup that failed (Credentials); nothing is lost, and
// the clerk tries again.
const (
	// KeyLookupUnreachable: centrale could not be reached.
	KeyLookupUnreachable = "err.central.unreachable"
	// KeyLookupTimeout: centrale did not answer within Args{"Seconds"}.
	KeyLookupTimeout = "err.central.timeout"
	// KeyLookupCertificate: centrale refused the sede's certificate.
	KeyLookupCertificate = "err.central.certificate"
	// KeyLookupCentraleCertificate: this desk does not trust centrale's
	// certificate (FaultCentraleCertificate).
	KeyLookupCentraleCertificate = "err.central.centralecert"
	// KeyLookupServer: centrale answered with an error, titled
	// Args{"Title"}.
	KeyLookupServer = "err.central.server"
	// KeyLookupBusy: centrale took in as much as it can at once, or as
	// many lookups of this sede's certificate as it allows a minute
	// (sync/server's limits): nothing was done, and a moment later the
	// same lookup is answered.
	KeyLookupBusy = "err.central.busy"
	// KeyLookupStoreRefused: centrale's database refuses its credentials
	// (FaultStoreRefused): centrale's operators put it right.
	KeyLookupStoreRefused = "err.central.storerefused"
)

// Credentials looks cf up at centrale (GET /v1/credentials), within
// LookupTimeout: every credential of cf there, newest first, without a
// PIN hash (centrale sends none). An active one is attivo; a revoked one
// is revocato with its reason; a superseded one is revocato as replaced
// by a newer PIN. A failure is a *pinsede.Problem with one of the
// KeyLookup* keys, wrapping the error.
func (c *Client) Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]pinsede.Credential, error) {
	ctx, cancel := context.WithTimeout(ctx, LookupTimeout)
	defer cancel()
	var resp wire.CredentialsResponse
	if err := c.call(ctx, http.MethodGet, "/v1/credentials?codice_fiscale="+url.QueryEscape(string(cf)), nil, &resp); err != nil {
		return nil, lookupProblem(fmt.Errorf("look up %s at centrale: %w", cf.Redacted(), err))
	}
	out := make([]pinsede.Credential, 0, len(resp.Credentials))
	for _, s := range resp.Credentials {
		cred := pinsede.Credential{
			ID: s.ID, CodiceFiscale: s.CodiceFiscale, Type: s.Type, State: pinsede.StateAttivo,
			IssuedAt: s.IssuedAt, ExpiresAt: s.ExpiresAt, Sede: s.Sede,
			ConvertedAt: s.ConvertedAt, ConvertedBy: s.ConvertedBy,
		}
		switch s.Status {
		case wire.StatusActive:
		case wire.StatusRevoked:
			cred.State, cred.RevokedAt, cred.RevokeReason = pinsede.StateRevocato, s.RevokedAt, s.RevokeReason
		default:
			cred.State, cred.RevokeReason = pinsede.StateRevocato, pinsede.ReasonReplaced
		}
		out = append(out, cred)
	}
	return out, nil
}

// lookupProblem tells in the desk's words why a lookup failed.
func lookupProblem(err error) error {
	p := &pinsede.Problem{Key: KeyLookupUnreachable, Err: err}
	switch f, title := Classify(err); f {
	case FaultTimeout:
		p.Key, p.Args = KeyLookupTimeout, map[string]any{"Seconds": int(LookupTimeout / time.Second)}
	case FaultCertificate:
		p.Key = KeyLookupCertificate
	case FaultCentraleCertificate:
		p.Key = KeyLookupCentraleCertificate
	case FaultBusy:
		p.Key = KeyLookupBusy
	case FaultStoreRefused:
		p.Key = KeyLookupStoreRefused
	case FaultServer:
		p.Key, p.Args = KeyLookupServer, map[string]any{"Title": title}
	}
	return p
}
