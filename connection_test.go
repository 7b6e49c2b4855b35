package pinsede_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that a connection to centrale is checked field by field (the
// address https, the certificate a desk's of this sede and valid now),
// that only a supervisor saves one, and that saving writes it and audits
// what changed, in words, without key material.
func TestConnection(t *testing.T) {
	f := newFixture(t)
	good := pinsede.DeskCert{Role: "sede", Sede: "ROMA01", DeskID: "03", Serial: "ab12",
		NotBefore: f.now.Add(-time.Hour), NotAfter: f.now.AddDate(1, 0, 0)}
	url := "https://centrale.example:8443"
	with := func(edit func(*pinsede.DeskCert)) pinsede.DeskCert { c := good; edit(&c); return c }
	for _, tc := range []struct {
		name  string
		url   string
		cert  pinsede.DeskCert
		field string
		key   string
	}{
		{"good", url, good, "", ""},
		{"no address", " ", good, pinsede.FieldCentraleURL, pinsede.KeyRequired},
		{"http", "http://centrale.example:8443", good, pinsede.FieldCentraleURL, pinsede.KeyCentraleHTTPS},
		{"no scheme", "centrale.example:8443", good, pinsede.FieldCentraleURL, pinsede.KeyCentraleHTTPS},
		{"no host", "https://", good, pinsede.FieldCentraleURL, pinsede.KeyCentraleURL},
		{"a kiosk's", url, with(func(c *pinsede.DeskCert) { c.Role = "chiosco" }), pinsede.FieldBundle, pinsede.KeyCertNotSede},
		{"another sede's", url, with(func(c *pinsede.DeskCert) { c.Sede = "MILANO01" }), pinsede.FieldBundle, pinsede.KeyCertOtherSede},
		{"expired", url, with(func(c *pinsede.DeskCert) { c.NotAfter = f.now }), pinsede.FieldBundle, pinsede.KeyCertExpired},
		{"not yet valid", url, with(func(c *pinsede.DeskCert) { c.NotBefore = f.now.Add(time.Minute) }), pinsede.FieldBundle, pinsede.KeyCertNotYetValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := f.desk.CheckConnection(pinsede.Connection{CentraleURL: tc.url}, tc.cert)
			if tc.field == "" {
				if len(es) > 0 {
					t.Fatalf("problems %v", es)
				}
				return
			}
			if fe, ok := es.For(tc.field); !ok || fe.Key != tc.key || len(es) != 1 {
				t.Errorf("problems %v, want %s on %s", es, tc.key, tc.field)
			}
		})
	}

	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	written := 0
	var saved pinsede.Connection
	write := func(c pinsede.Connection) error { written++; saved = c; return nil }
	if err := f.desk.SaveConnection(op, pinsede.Connection{}, pinsede.Connection{CentraleURL: url}, good, write); !errors.Is(err, pinsede.ErrForbidden) || written != 0 {
		t.Fatalf("an operatore saves a connection: %v, written %d", err, written)
	}
	if err := f.desk.SaveConnection(f.sup, pinsede.Connection{}, pinsede.Connection{CentraleURL: "http://x"}, good, write); err == nil || written != 0 {
		t.Fatalf("a bad connection saved: %v, written %d", err, written)
	}
	if err := f.desk.SaveConnection(f.sup, pinsede.Connection{}, pinsede.Connection{CentraleURL: url}, good, func(pinsede.Connection) error { return errors.New("disco pieno") }); err == nil {
		t.Fatal("a failed write reported as saved")
	}
	if err := f.desk.SaveConnection(f.sup, pinsede.Connection{}, pinsede.Connection{CentraleURL: " " + url + "/"}, good, write); err != nil || written != 1 || saved.CentraleURL != url {
		t.Fatalf("save: %v, written %d %+v", err, written, saved)
	}
	var changes []string
	err = f.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == pinsede.ActionSettingsChanged {
			changes = append(changes, e.Actor+": "+e.Detail)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "sup: centrale: nessuna → https://centrale.example:8443; certificato: ROMA01 sportello 03, seriale ab12, scade il 23/11/2027"
	if strings.Join(changes, "\n") != want {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(changes, "\n"), want)
	}
}
