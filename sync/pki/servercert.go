package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// ErrServerCertRefused is why centrale goes on serving the pair loaded
// before: the files hold a pair that the desks would refuse at their
// handshake (expired, not yet valid, signed by another CA, or not naming
// every host name and address the pair in force names).
var ErrServerCertRefused = errors.New("server certificate refused")

// ServerCert is a certificate and its key kept in two files, read again at
// a TLS handshake when either file changed since it was last read: a
// server certificate renewed (pinctl ca server) takes effect without a
// restart. A pair that cannot be used (a file half written, a key of
// another certificate) or that the desks would refuse (expired or not
// yet valid on the caller's clock, of another CA, naming fewer hosts) is
// reported to the log and the pair loaded before goes on serving;
// Status tells it until the files change again. But a pair refused only
// for being not yet valid (issued on a PC whose clock runs ahead) is
// judged again on the clock at each handshake or Status, without reading
// the files again, and serves once valid; and so is the pair in force
// that was not yet valid at start, which Status then no longer reports.
type ServerCert struct {
	certPath, keyPath string
	roots             *x509.CertPool
	now               func() time.Time
	log               *slog.Logger

	mu         sync.Mutex
	pair       *tls.Certificate
	stamp      [2]fileStamp // of the files last read
	lastFailed [2]fileStamp // of the files last refused
	// problem is what is wrong with the files as last read: why they were
	// refused, or inForce when they hold the pair in force.
	problem error
	// inForce is why the desks cannot take the pair in force: set only for
	// the pair read at start, which serves whatever it is.
	inForce error
	// waiting is the pair of the files last refused when only its time
	// had not come (check's notYetValid): judged again once the clock
	// reaches its NotBefore. nil when none.
	waiting *tls.Certificate
}

// notYetValid is check's error for a certificate valid only from a later
// time: the one refusal that time cures.
type notYetValid struct{ error }

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

// NewServerCert reads the certificate at certPath and its key at keyPath.
// caPEM holds the CA certificates the desks trust (centrale's -ca, which
// signs their certificates too): a pair read later must chain to one of
// them. now is the clock a pair's validity is checked on; log receives the
// problems of later reads (nil logs nothing). The pair read at start
// serves even when the desks cannot take it, there being no other: that
// is logged as an error, and Status tells it.
func NewServerCert(certPath, keyPath string, caPEM []byte, now func() time.Time, log *slog.Logger) (*ServerCert, error) {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("server certificate: no CA certificate in PEM")
	}
	f := &ServerCert{certPath: certPath, keyPath: keyPath, roots: roots, now: now, log: log}
	if err := f.reload(); err != nil {
		return nil, err
	}
	f.inForce = f.check(f.pair.Leaf, nil, now())
	if f.problem = f.inForce; f.problem != nil && log != nil {
		log.Error("server certificate in force cannot be taken by the desks", "err", f.problem)
	}
	return f, nil
}

// reload reads the files again if they changed since they were last read
// or refused, and judges again on the clock, without reading the files,
// the pair refused or in force that was not yet valid once its time has
// come. Called with f.mu held, or before f is shared.
func (f *ServerCert) reload() error {
	s, err := f.stamps()
	if err != nil {
		return err
	}
	now := f.now()
	if f.pair != nil {
		f.recheckInForce(now)
	}
	var pair tls.Certificate
	waited := false // pair is f.waiting, its time come
	switch {
	case f.pair != nil && s == f.stamp:
		f.problem = f.inForce // the files put back as they were
		return nil
	case f.pair != nil && s == f.lastFailed:
		if f.waiting == nil || now.Before(f.waiting.Leaf.NotBefore) {
			return nil
		}
		pair, waited = *f.waiting, true // judged again as read
	default:
		pair, err = f.load()
	}
	f.waiting = nil
	if err == nil && f.pair != nil {
		if err = f.check(pair.Leaf, f.pair.Leaf, now); err != nil {
			if errors.As(err, new(notYetValid)) {
				f.waiting = &pair
			}
			err = fmt.Errorf("%w: %w", ErrServerCertRefused, err)
		}
	}
	if err != nil {
		f.lastFailed, f.problem = s, err
		return err
	}
	if f.pair != nil && f.log != nil {
		msg := "server certificate loaded again"
		if waited {
			msg = "server certificate refused as not yet valid is valid now and serves"
		}
		f.log.Info(msg, "file", f.certPath, "serial", pair.Leaf.SerialNumber.Text(16),
			"not_before", pair.Leaf.NotBefore.UTC(), "not_after", pair.Leaf.NotAfter.UTC())
	}
	f.pair, f.stamp, f.problem, f.inForce = &pair, s, nil, nil
	return nil
}

// recheckInForce judges again, on now, the pair in force that was not yet
// valid when read, once now reaches its NotBefore, and logs the verdict.
// Called with f.mu held.
func (f *ServerCert) recheckInForce(now time.Time) {
	if !errors.As(f.inForce, new(notYetValid)) || now.Before(f.pair.Leaf.NotBefore) {
		return
	}
	f.inForce = f.check(f.pair.Leaf, nil, now)
	if f.log == nil {
		return
	}
	if f.inForce == nil {
		f.log.Info("server certificate in force is valid now and can be taken by the desks", "file", f.certPath,
			"serial", f.pair.Leaf.SerialNumber.Text(16), "not_before", f.pair.Leaf.NotBefore.UTC())
	} else {
		f.log.Error("server certificate in force cannot be taken by the desks", "err", f.inForce)
	}
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

// check returns what would make the desks refuse cert at their handshake,
// on now: not yet valid (a notYetValid) or expired, not a server
// certificate of a CA of f.roots, or, when it replaces old, not naming
// every host name and address old names (a desk that reaches centrale by
// the one left out would refuse it). nil when none.
func (f *ServerCert) check(cert, old *x509.Certificate, now time.Time) error {
	renew := "issue it again from the CA folder of centrale's -ca (pinctl ca server -dir CA, which keeps the names of the pair it renews) and copy server.crt and server.key over these"
	switch {
	case now.Before(cert.NotBefore):
		return notYetValid{fmt.Errorf("%s (serial %s) is valid only from %s, and centrale's clock says %s: check the clocks of centrale and of the PC that issued it, and issue it again there (pinctl ca server -dir CA) if it was wrong",
			f.certPath, Serial(cert), cert.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}
	case !now.Before(cert.NotAfter):
		return fmt.Errorf("%s (serial %s) expired at %s: %s", f.certPath, Serial(cert), cert.NotAfter.UTC().Format(time.RFC3339), renew)
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: f.roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return fmt.Errorf("%s (serial %s, issued by %q) does not verify on the CA the desks trust: %w; %s",
			f.certPath, Serial(cert), cert.Issuer.CommonName, err, renew)
	}
	if old == nil {
		return nil
	}
	if lost := lostNames(cert, old); len(lost) > 0 {
		return fmt.Errorf("%s (serial %s) does not name %s, which the certificate in force names: desks that reach centrale by it would refuse it; issue it again with every name (pinctl ca server -dir CA -host %s) and copy server.crt and server.key over these",
			f.certPath, Serial(cert), strings.Join(lost, ", "), strings.Join(hostsOf(old, cert), ","))
	}
	return nil
}

// hostsOf returns the host names and addresses the certificates name,
// each once, in their order.
func hostsOf(certs ...*x509.Certificate) []string {
	var hosts []string
	for _, c := range certs {
		for _, h := range ServerHosts(c) {
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// ServerHosts returns the host names and then the addresses a server
// certificate names, as pinctl ca server's -host takes them.
func ServerHosts(c *x509.Certificate) []string {
	hosts := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		hosts = append(hosts, ip.String())
	}
	return hosts
}

// lostNames returns the host names and addresses old names and cert does
// not.
func lostNames(cert, old *x509.Certificate) []string {
	var lost []string
	for _, n := range old.DNSNames {
		if !slices.ContainsFunc(cert.DNSNames, func(m string) bool { return strings.EqualFold(m, n) }) {
			lost = append(lost, n)
		}
	}
	for _, ip := range old.IPAddresses {
		if !slices.ContainsFunc(cert.IPAddresses, ip.Equal) {
			lost = append(lost, ip.String())
		}
	}
	return lost
}

// GetCertificate is a tls.Config's GetCertificate: the pair as the files
// hold it now, or as last loaded when they cannot be used.
func (f *ServerCert) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh()
	return f.pair, nil
}

// refresh reloads the files if they changed, and logs why they are
// refused, once for each version of them. Called with f.mu held.
func (f *ServerCert) refresh() {
	if err := f.reload(); err != nil && f.log != nil {
		f.log.Error("server certificate not loaded again; the one loaded before serves", "err", err)
	}
}

// Status reads the files again if they changed and returns what is wrong
// with them: an error wrapping ErrServerCertRefused when they hold a pair
// the desks would refuse, another when they cannot be read or used (the
// pair loaded before serving in both cases), or why the desks cannot take
// the pair read at start; nil when the files hold the pair in force and
// it is good. For the health check; the pair in force may still be near
// its end (Leaf).
func (f *ServerCert) Status() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh()
	return f.problem
}

// Leaf returns the certificate in force, as of the last handshake.
func (f *ServerCert) Leaf() *x509.Certificate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pair.Leaf
}
