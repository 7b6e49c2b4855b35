package server

import (
	"crypto/x509"
	"log/slog"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/pki"
)

// ExpiryWatch puts in centrale's log what the status page shows of the
// certificates and the revocation list: a warning once each comes within
// the status page's margin of its end (30 days for a certificate, 7 for
// the list), with what to run, an error once a certificate has ended (the
// list past its next update is pki.CRL's to log), and a line when a
// renewed one is in force again. Each state is logged once, however often
// Check runs: centrale calls it on a timer, so that an operator who reads
// the log, not the status page, hears of it ahead of the day, and on it.
// A server certificate past its end is not otherwise logged: the clients
// refuse it in the handshake, and handshakes fail uncounted in the log.
type ExpiryWatch struct {
	// Log receives the lines; Now is centrale's clock.
	Log *slog.Logger
	Now func() time.Time
	// Cert and CA return centrale's server certificate in force and the
	// CA's; CRL is the list in force. Nil watches none.
	Cert, CA func() *x509.Certificate
	CRL      *pki.CRL

	mu     sync.Mutex
	logged map[string]string // the state last logged, by item
}

// The states of an item of ExpiryWatch.
const (
	expiryOK   = ""
	expirySoon = "soon"
	expiryPast = "past"
)

// Check logs what changed since the last call.
func (w *ExpiryWatch) Check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.logged == nil {
		w.logged = map[string]string{}
	}
	now := w.Now()
	if w.Cert != nil {
		w.item("server certificate", w.Cert().NotAfter, now, certWarn, true,
			"pinctl ca server -dir CA (the names of the one it renews kept), then copy server.crt and server.key to centrale (read again without a restart)")
	}
	if w.CA != nil {
		w.item("CA certificate", w.CA().NotAfter, now, certWarn, true,
			"pinctl ca renew-ca -dir CA, then the steps it prints (ca.crt to centrale and a restart, ca server, new desk bundles)")
	}
	if w.CRL != nil {
		_ = w.CRL.Status() // reads a renewed file; its problems are the CRL's to log
		w.item("revocation list", w.CRL.NextUpdate(), now, crlWarn, false,
			"pinctl ca crl -dir CA, then copy crl.pem to centrale (read again without a restart)")
	}
}

// item logs the state of what ends at end, as of now, when it changed:
// soon within warn of it, past after it (logged only when logPast is).
func (w *ExpiryWatch) item(what string, end, now time.Time, warn time.Duration, logPast bool, renew string) {
	state := expiryOK
	switch left := end.Sub(now); {
	case left <= 0:
		state = expiryPast
	case left < warn:
		state = expirySoon
	}
	if state == w.logged[what] {
		return
	}
	was := w.logged[what]
	w.logged[what] = state
	if w.Log == nil {
		return
	}
	at := end.UTC().Format(time.RFC3339)
	switch state {
	case expirySoon:
		w.Log.Warn(what+" expires soon", "not_after", at, "left", end.Sub(now).Round(time.Minute).String(), "renew", renew)
	case expiryPast:
		if logPast {
			w.Log.Error(what+" has expired: desks and kiosks cannot connect", "not_after", at, "renew", renew)
		}
	default:
		if was != expiryOK {
			w.Log.Info(what+" renewed", "not_after", at)
		}
	}
}
