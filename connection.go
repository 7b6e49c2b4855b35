package pinsede

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Connection is how the desk reaches centrale, as a supervisor sets it
// in the settings: centrale's address and the certificate bundle of the
// desk (`pinctl ca issue -bundle`: the CA's certificate, the desk's and
// its key). The app writes it where its next start reads it.
type Connection struct {
	// CentraleURL is centrale's address, https://host:port.
	CentraleURL string
	// BundlePath is the file of the bundle, as the supervisor named it.
	BundlePath string
}

// DeskCert is what the certificate of a bundle says, as the app read it:
// the domain checks it is right for this desk (CheckConnection).
type DeskCert struct {
	// Role is the certificate's role: "sede" for a desk's, "chiosco"
	// for a kiosk's, "portale".
	Role string
	// Sede is the sede's code, DeskID the desk's ("" for a certificate
	// of before desk ids).
	Sede, DeskID        string
	Serial              string
	NotBefore, NotAfter time.Time
}

// The role of a desk's certificate.
const certRoleSede = "sede"

// CheckConnection checks a connection to centrale and the certificate
// of its bundle: the address is https with a host, and the certificate
// is a desk's of this desk's sede, valid now. The problems are by field
// (FieldCentraleURL, FieldBundle).
func (d *Desk) CheckConnection(c Connection, cert DeskCert) FieldErrors {
	var es FieldErrors
	raw := strings.TrimSpace(c.CentraleURL)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		es.add(FieldCentraleURL, KeyRequired, nil)
	case err == nil && u.Scheme != "https":
		es.add(FieldCentraleURL, KeyCentraleHTTPS, nil)
	case err != nil || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		es.add(FieldCentraleURL, KeyCentraleURL, nil)
	}
	sede, err := d.sedeCode()
	if err != nil {
		es.add(FieldBundle, KeyStoreUnavailable, nil)
		return es
	}
	now := d.Now()
	args := map[string]any{"Sede": sede, "CertSede": cert.Sede, "Role": cert.Role,
		"NotAfter":  cert.NotAfter.In(now.Location()).Format("02/01/2006"),
		"NotBefore": cert.NotBefore.In(now.Location()).Format("02/01/2006 15:04")}
	switch {
	case cert.Role != certRoleSede:
		es.add(FieldBundle, KeyCertNotSede, args)
	case cert.Sede != sede:
		es.add(FieldBundle, KeyCertOtherSede, args)
	case !now.Before(cert.NotAfter):
		es.add(FieldBundle, KeyCertExpired, args)
	case now.Before(cert.NotBefore):
		es.add(FieldBundle, KeyCertNotYetValid, args)
	}
	return es
}

// sedeCode returns the code of the desk's sede.
func (d *Desk) sedeCode() (string, error) {
	var code string
	err := d.Store.View(func(tx Tx) error {
		s, err := tx.Sede()
		code = s.Code
		return err
	})
	return code, err
}

// SaveConnection records a new connection to centrale: supervisors only.
// It checks it (CheckConnection), calls write with it (the address
// trimmed), which writes it where the
// app's next start reads it, and audits the change in the same store
// transaction (settings.changed,
// naming centrale's address and the certificate: never the key). The
// app connects with it at its next start.
func (d *Desk) SaveConnection(s *Session, old, c Connection, cert DeskCert, write func(Connection) error) error {
	if !s.IsSupervisor() {
		return ErrForbidden
	}
	c.CentraleURL = strings.TrimRight(strings.TrimSpace(c.CentraleURL), "/")
	if es := d.CheckConnection(c, cert); len(es) > 0 {
		return es
	}
	now := d.Now()
	holder := cert.Sede
	if cert.DeskID != "" {
		holder += " sportello " + cert.DeskID
	}
	detail := fmt.Sprintf("centrale: %s → %s; certificato: %s, seriale %s, scade il %s",
		orNone(old.CentraleURL), c.CentraleURL, holder, cert.Serial, cert.NotAfter.In(now.Location()).Format("02/01/2006"))
	// Written inside the audit's transaction: a write that fails leaves
	// no entry.
	err := d.update(s, func(tx Tx) error {
		if err := write(c); err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionSettingsChanged, Detail: detail})
	})
	if err != nil {
		return fmt.Errorf("save connection: %w", err)
	}
	return nil
}
