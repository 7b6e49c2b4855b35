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
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// The kinds of FileError that are not a smallfile.Error's (fs.ErrNotExist,
// fs.ErrPermission, smallfile.ErrTooLarge, smallfile.ErrNotRegular).
var (
	// ErrNotKiosk is a certificate of another role than the kiosk's, or
	// of none.
	ErrNotKiosk = errors.New("not a kiosk certificate (pinctl ca issue -role chiosco -code SEDE)")
	// ErrNotCertificate is a certificate file, or the CA's, that holds
	// no PEM certificate.
	ErrNotCertificate = errors.New("no PEM certificate")
	// ErrOtherCA is a certificate that the CA of the CA file did not
	// sign: centrale, which trusts that CA, would refuse it.
	ErrOtherCA = errors.New("not signed by the CA")
	// ErrNotKey is a key file that holds no PEM private key, or the key
	// of another certificate.
	ErrNotKey = errors.New("not the certificate's key")
	// ErrUnreadable is a file that cannot be read for another cause.
	ErrUnreadable = errors.New("file not read")
)

// FileError is a file of the kiosk's certificate that Load refuses. Its
// message, in English, names the file and the cause; [FileError.Message]
// gives the key and the arguments of the same message in the programs'
// translations (assets/translations, "kioskpost.*"), to tell the kiosk's
// staff in their language what to fix.
type FileError struct {
	// Setting is chiosco's option that names the file: cert, certkey
	// or ca.
	Setting string
	// Path is the file's path, as it was given.
	Path string
	// Kind is ErrNotKiosk, ErrNotCertificate, ErrOtherCA, ErrNotKey,
	// ErrUnreadable, or the kind of a *smallfile.Error.
	Kind error
	// Err is the cause; nil when none.
	Err error
}

// Error returns the message, in English.
func (e *FileError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("kiosk certificate: %s (-%s): %v", e.Path, e.Setting, e.Kind)
	}
	return fmt.Sprintf("kiosk certificate: %s (-%s): %v: %v", e.Path, e.Setting, e.Kind, e.Err)
}

// Unwrap returns the kind and the cause, for errors.Is and errors.As.
func (e *FileError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// fileKeys are the translation keys of FileError's kinds.
var fileKeys = map[error]string{
	fs.ErrNotExist:          "kioskpost.missing",
	fs.ErrPermission:        "kioskpost.permission",
	smallfile.ErrTooLarge:   "kioskpost.toolarge",
	smallfile.ErrNotRegular: "kioskpost.notregular",
	ErrNotKiosk:             "kioskpost.notkiosk",
	ErrNotCertificate:       "kioskpost.notcert",
	ErrOtherCA:              "kioskpost.otherca",
	ErrNotKey:               "kioskpost.notkey",
}

// Message returns the translation key of the message and its arguments:
// File, Setting and Err, the cause's text ("" when none).
func (e *FileError) Message() (key string, args map[string]any) {
	key, ok := fileKeys[e.Kind]
	if !ok {
		key = "kioskpost.unreadable"
	}
	cause := ""
	if e.Err != nil {
		cause = e.Err.Error()
	}
	return key, map[string]any{"File": e.Path, "Setting": e.Setting, "Err": cause}
}

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
// (DefaultTimeout when 0). A file it refuses is a *FileError.
func Load(url, certFile, keyFile, caFile string, timeout time.Duration) (*Client, error) {
	read := func(setting, p string) ([]byte, error) {
		b, err := smallfile.ReadRegular(p, "PEM", pki.MaxPEMBytes)
		if err != nil {
			kind := ErrUnreadable
			if fe := new(smallfile.Error); errors.As(err, &fe) {
				kind = fe.Kind
			}
			return nil, &FileError{Setting: setting, Path: p, Kind: kind, Err: err}
		}
		return b, nil
	}
	caPEM, err := read("ca", caFile)
	if err != nil {
		return nil, err
	}
	certPEM, err := read("cert", certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := read("certkey", keyFile)
	if err != nil {
		return nil, err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(caPEM) {
		return nil, &FileError{Setting: "ca", Path: caFile, Kind: ErrNotCertificate}
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		return nil, &FileError{Setting: "cert", Path: certFile, Kind: ErrNotCertificate, Err: err}
	}
	role, code, err := pki.Identity(cert)
	if err != nil {
		return nil, &FileError{Setting: "cert", Path: certFile, Kind: ErrNotKiosk, Err: err}
	}
	if role != pki.RoleKiosk {
		return nil, &FileError{Setting: "cert", Path: certFile, Kind: ErrNotKiosk, Err: fmt.Errorf("for %s %s", role, code)}
	}
	if len(pki.Signers(caPEM, cert)) == 0 {
		return nil, &FileError{Setting: "cert", Path: certFile, Kind: ErrOtherCA, Err: fmt.Errorf("issued by %q, not by the CA of %s", cert.Issuer.CommonName, caFile)}
	}
	cfg, err := pki.ClientTLS(caPEM, certPEM, keyPEM)
	if err != nil {
		return nil, &FileError{Setting: "certkey", Path: keyFile, Kind: ErrNotKey, Err: err}
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
