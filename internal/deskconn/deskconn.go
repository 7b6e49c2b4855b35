// Package deskconn is the desk's connection to centrale as the settings
// screen sets it (ui/desk.Connector): it reads a certificate bundle
// (pinctl ca issue -bundle), tries centrale with it, and writes it where
// sportello's next start reads it.
package deskconn

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pinsede/pinsede"
	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/sync/pki"
)

// The files the settings write into the desk's config folder, beside
// sportello.toml, from the bundle a supervisor imports.
const (
	CAFile   = "centrale-ca.crt"
	CertFile = "sportello.crt"
	KeyFile  = "sportello.key" // 0600
)

// Files is the desk's ui/desk.Connector (cmd/sportello checks it): it reads a certificate bundle
// (pinctl ca issue -bundle), tries centrale with it, and saves the
// connection where the next start reads it: the bundle's parts in the
// config folder, the keys centrale, cert, certkey and ca in the user's
// sportello.toml. The desk connects with it at its next start: its desk
// id, from the certificate, is stamped on every audit entry and outbox
// event from the start, and is not changed under a running desk.
type Files struct {
	// File is the user's sportello.toml; the bundle's parts go beside it.
	File string
	// Seed is the file the desk read at start, when another: its keys
	// seed File when File does not exist yet.
	Seed string
	// Now is the desk's clock: a certificate is checked valid at Now.
	Now func() time.Time
}

// readBundle reads and parses the bundle at path.
func (c *Files) readBundle(path string) (*pki.Bundle, error) {
	f, err := smallfile.OpenRegular(path, "bundle")
	if err != nil {
		return nil, &pinsede.Problem{Key: pinsede.KeyBundleUnreadable, Args: map[string]any{"Err": err.Error()}, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, pki.MaxBundleBytes+1))
	switch {
	case err != nil:
		return nil, &pinsede.Problem{Key: pinsede.KeyBundleUnreadable, Args: map[string]any{"Err": err.Error()}, Err: err}
	case len(data) > pki.MaxBundleBytes:
		return nil, &pinsede.Problem{Key: pinsede.KeyBundleFormat, Err: fmt.Errorf("%s: more than %d bytes", path, pki.MaxBundleBytes)}
	}
	b, err := pki.ParseBundle(data, c.Now())
	var inv x509.CertificateInvalidError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired && b != nil:
		return b, nil // pinsede.Desk.CheckConnection says it has expired
	case errors.Is(err, pki.ErrBundleKey):
		return nil, &pinsede.Problem{Key: pinsede.KeyBundleKey, Err: err}
	case errors.Is(err, pki.ErrBundleChain):
		return nil, &pinsede.Problem{Key: pinsede.KeyBundleChain, Err: err}
	case err != nil:
		return nil, &pinsede.Problem{Key: pinsede.KeyBundleFormat, Err: err}
	}
	return b, nil
}

// ReadBundle reads the bundle at path and says whose its certificate is.
func (c *Files) ReadBundle(path string) (pinsede.DeskCert, error) {
	b, err := c.readBundle(path)
	if err != nil {
		return pinsede.DeskCert{}, err
	}
	role, code, err := pki.Identity(b.Cert)
	if err != nil {
		return pinsede.DeskCert{}, &pinsede.Problem{Key: pinsede.KeyBundleFormat, Err: err}
	}
	deskID, err := pki.DeskOf(b.Cert)
	if err != nil {
		return pinsede.DeskCert{}, &pinsede.Problem{Key: pinsede.KeyBundleFormat, Err: err}
	}
	return pinsede.DeskCert{Role: string(role), Sede: code, DeskID: deskID, Serial: pki.Serial(b.Cert),
		NotBefore: b.Cert.NotBefore, NotAfter: pki.ChainEnd(b.CAPEM, b.Cert)}, nil
}

// Try calls centrale's /v1/health with the bundle's certificate.
func (c *Files) Try(ctx context.Context, conn pinsede.Connection) error {
	b, err := c.readBundle(conn.BundlePath)
	if err != nil {
		return err
	}
	tlsCfg, err := pki.ClientTLS(b.CAPEM, b.CertPEM, b.KeyPEM)
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, conn.CentraleURL+"/v1/health", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/v1/health: %s", conn.CentraleURL, resp.Status)
	}
	return nil
}

// Save writes the bundle's parts beside the user's sportello.toml (the
// key 0600) and sets in it centrale, cert, certkey and ca.
func (c *Files) Save(conn pinsede.Connection) error {
	b, err := c.readBundle(conn.BundlePath)
	if err != nil {
		return err
	}
	dir := filepath.Dir(c.File)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, cert, key := filepath.Join(dir, CAFile), filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	for _, f := range []struct {
		path string
		data []byte
		perm os.FileMode
	}{{key, b.KeyPEM, 0o600}, {cert, b.CertPEM, 0o644}, {ca, b.CAPEM, 0o644}} {
		if err := settings.WriteFile(f.path, f.data, f.perm); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return settings.SetKeys(c.File, map[string]string{
		"centrale": conn.CentraleURL, "cert": cert, "certkey": key, "ca": ca,
	}, c.Seed, 0o644)
}
