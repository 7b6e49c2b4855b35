// Package kioskpost is the kiosk's side of POST /v1/tickets: it hands a
// ticket, with the request the citizen pre-filled, to centrale over mutual
// TLS, with the kiosk's certificate (role chiosco, code the sede's).
//
// # Basics
//
// [Load] reads the certificate, its key and the CA from files and checks
// that the certificate is a kiosk's; [Client.Post] sends one ticket and
// returns centrale's answer. A retry of a ticket centrale holds already is
// answered Stored false, and is no error.
//
// # Caveats
//
// The package links only net/http, crypto/tls, sync/pki and sync/wire: the
// kiosk links no store and no sync client (cmd/chiosco checks it).
package kioskpost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// DefaultTimeout bounds one post: the citizen waits for the ticket
// meanwhile, and on failure the kiosk falls back (see ui/kiosk).
const DefaultTimeout = 4 * time.Second

// MinTimeout and MaxTimeout bound the timeout of a post that an operator
// sets (chiosco -centrale-timeout), for a slow link: under a second gives
// up on a centrale merely busy; over two minutes keeps a citizen waiting
// for the ticket long after the request could have gone to the spool
// folder or waited at the kiosk.
const (
	MinTimeout = time.Second
	MaxTimeout = 2 * time.Minute
)

// CheckTimeout returns an error naming the bounds when d is not from
// MinTimeout to MaxTimeout.
func CheckTimeout(d time.Duration) error {
	if d < MinTimeout || d > MaxTimeout {
		return fmt.Errorf("%v: want from %v to %v", d, MinTimeout, MaxTimeout)
	}
	return nil
}

// Client posts a kiosk's tickets to centrale.
type Client struct {
	// URL is centrale's base URL, https://centrale:8443.
	URL string
	// HTTP sends the requests, with the kiosk's certificate.
	HTTP *http.Client
	// Sede is the code of the kiosk's certificate: the sede it serves.
	Sede string
	// Expires is when the certificate stops working: its own end, or
	// that of the CA's certificate it is signed by if that comes first
	// (pki.ChainEnd). Centrale refuses the kiosk from then on.
	Expires time.Time
}

// ErrNotKiosk is returned by Load for a certificate of another role.
var ErrNotKiosk = errors.New("not a kiosk certificate (pinctl ca issue -role chiosco -code SEDE)")

// ErrRefused wraps the error of a post when centrale refused the kiosk's
// certificate (revoked, expired on centrale's clock, of another CA): at
// the TLS handshake, or in its answer. A new certificate is the cure.
var ErrRefused = errors.New("centrale refuses the kiosk's certificate")

// ErrUntrusted wraps the error of a post when the kiosk did not trust
// centrale's certificate (expired or not yet valid on the kiosk's clock,
// of another CA, for another host name): centrale's operators' to put
// right, or the kiosk's clock.
var ErrUntrusted = errors.New("the kiosk does not trust centrale's certificate")

// certificateFault returns err, a post's, wrapped with ErrRefused or
// ErrUntrusted when it is one, and as it is otherwise.
func certificateFault(err error) error {
	var p *wire.Problem
	switch {
	case pki.Untrusted(err):
		return fmt.Errorf("%w: %w", ErrUntrusted, err)
	case pki.Refused(err), errors.As(err, &p) && p.Type == wire.ProblemCertificateRevoked:
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

// Load builds a Client for centrale at url from the files of the kiosk's
// certificate, its key and the CA, with requests bounded by timeout
// (DefaultTimeout when 0).
func Load(url, certFile, keyFile, caFile string, timeout time.Duration) (*Client, error) {
	read := func(p string) ([]byte, error) {
		b, err := smallfile.ReadRegular(p, "PEM", pki.MaxPEMBytes)
		if err != nil {
			return nil, fmt.Errorf("kiosk certificate: %w", err)
		}
		return b, nil
	}
	caPEM, err := read(caFile)
	if err != nil {
		return nil, err
	}
	certPEM, err := read(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := read(keyFile)
	if err != nil {
		return nil, err
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certFile, err)
	}
	role, code, err := pki.Identity(cert)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certFile, err)
	}
	if role != pki.RoleKiosk {
		return nil, fmt.Errorf("%s is for %s %s: %w", certFile, role, code, ErrNotKiosk)
	}
	cfg, err := pki.ClientTLS(caPEM, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := &http.Client{Timeout: timeout, Transport: &http.Transport{
		TLSClientConfig:     cfg,
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		TLSHandshakeTimeout: timeout,
	}}
	return &Client{URL: strings.TrimSuffix(url, "/"), HTTP: hc, Sede: code, Expires: pki.ChainEnd(caPEM, cert)}, nil
}

// Post sends t to centrale and returns its answer: Stored false when
// centrale held it already. An answer other than 200 or 201 is returned as
// a *wire.Problem; a certificate refused, the kiosk's or centrale's, wraps
// ErrRefused or ErrUntrusted.
func (c *Client) Post(ctx context.Context, t wire.Ticket) (wire.TicketResponse, error) {
	var resp wire.TicketResponse
	body, err := json.Marshal(t)
	if err != nil {
		return resp, fmt.Errorf("post ticket %s: %w", t.Code, err)
	}
	defer clear(body) // the request: no copy left once sent
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/v1/tickets", bytes.NewReader(body))
	if err != nil {
		return resp, fmt.Errorf("post ticket %s: %w", t.Code, err)
	}
	req.Header.Set("Content-Type", wire.ContentJSON)
	hr, err := c.HTTP.Do(req)
	if err != nil {
		return resp, fmt.Errorf("post ticket %s: %w", t.Code, certificateFault(err))
	}
	defer hr.Body.Close()
	if hr.StatusCode != http.StatusOK && hr.StatusCode != http.StatusCreated {
		p := &wire.Problem{Status: hr.StatusCode, Title: http.StatusText(hr.StatusCode)}
		if err := wire.Decode(hr.Body, wire.MaxTicketBytes, p); err != nil {
			p = &wire.Problem{Status: hr.StatusCode, Title: http.StatusText(hr.StatusCode)}
		}
		return resp, fmt.Errorf("post ticket %s: %w", t.Code, certificateFault(p))
	}
	if err := wire.Decode(io.LimitReader(hr.Body, wire.MaxTicketBytes+1), wire.MaxTicketBytes, &resp); err != nil {
		return resp, fmt.Errorf("post ticket %s: answer: %w", t.Code, err)
	}
	if resp.Code != t.Code {
		return resp, fmt.Errorf("post ticket %s: centrale answered for %q", t.Code, resp.Code)
	}
	return resp, nil
}
