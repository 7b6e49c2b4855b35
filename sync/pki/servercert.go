package pki

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// ServerCert is a certificate and its key kept in two files, read again at
// a TLS handshake when either file changed since it was last read: a
// server certificate renewed (pinctl ca server) takes effect without a
// restart. A pair that cannot be used (a file half written, a key of
// another certificate) is reported to the log and the pair loaded before
// goes on serving; the files are read again once they change.
type ServerCert struct {
	certPath, keyPath string
	log               *slog.Logger

	mu         sync.Mutex
	pair       *tls.Certificate
	stamp      [2]fileStamp // of the files last read
	lastFailed [2]fileStamp // of the files last refused
}

// fileStamp tells a file's version apart: its time and size.
type fileStamp struct {
	mod  time.Time
	size int64
}

// stamps returns the stamps of the certificate and key files.
func (f *ServerCert) stamps() ([2]fileStamp, error) {
	var s [2]fileStamp
	for i, p := range []string{f.certPath, f.keyPath} {
		st, err := os.Stat(p)
		if err != nil {
			return s, fmt.Errorf("certificate: %w", err)
		}
		s[i] = fileStamp{st.ModTime(), st.Size()}
	}
	return s, nil
}

// NewServerCert reads the certificate at certPath and its key at keyPath;
// log receives the problems of later reads (nil logs nothing).
func NewServerCert(certPath, keyPath string, log *slog.Logger) (*ServerCert, error) {
	f := &ServerCert{certPath: certPath, keyPath: keyPath, log: log}
	if err := f.reload(); err != nil {
		return nil, err
	}
	return f, nil
}

// reload reads the files again if they changed since they were last read
// or refused. Called with f.mu held, or before f is shared.
func (f *ServerCert) reload() error {
	s, err := f.stamps()
	if err != nil {
		return err
	}
	if f.pair != nil && (s == f.stamp || s == f.lastFailed) {
		return nil
	}
	pair, err := f.load()
	if err != nil {
		f.lastFailed = s
		return err
	}
	if f.pair != nil && f.log != nil {
		f.log.Info("server certificate loaded again", "file", f.certPath,
			"serial", pair.Leaf.SerialNumber.Text(16), "not_after", pair.Leaf.NotAfter.UTC())
	}
	f.pair, f.stamp = &pair, s
	return nil
}

// load reads the pair, each file up to MaxPEMBytes.
func (f *ServerCert) load() (tls.Certificate, error) {
	certPEM, err := smallfile.ReadRegular(f.certPath, "server certificate", MaxPEMBytes)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := smallfile.ReadRegular(f.keyPath, "server key", MaxPEMBytes)
	if err != nil {
		return tls.Certificate{}, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate %s with key %s: %w", f.certPath, f.keyPath, err)
	}
	return pair, nil
}

// GetCertificate is a tls.Config's GetCertificate: the pair as the files
// hold it now, or as last loaded when they cannot be used.
func (f *ServerCert) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reload(); err != nil && f.log != nil {
		f.log.Error("server certificate not loaded again; the one loaded before serves", "err", err)
	}
	return f.pair, nil
}

// Leaf returns the certificate in force, as of the last handshake.
func (f *ServerCert) Leaf() *x509.Certificate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pair.Leaf
}
