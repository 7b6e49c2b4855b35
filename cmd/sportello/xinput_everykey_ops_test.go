package main

import (
	"bytes"
	"image"
	"path/filepath"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/local"
)

// The supervisor's dialogs on the operators (disabling a clerk, resetting
// a clerk's password) and the conversion of a PIN ordinario, as
// TestXInputEveryKey reaches them: keyboard only, from a session of
// m.rossi.

const (
	// xinClerk is the clerk the walk adds, whose password it resets.
	xinClerk = "g.verdi"
	// xinClerkPassword is the clerk's first password, xinClerkTemporary
	// the temporary one of the reset.
	xinClerkPassword, xinClerkTemporary = "password-di-verdi", "temporanea-2026"
)

// xinLaura is the citizen of the walk's PIN ordinario, obtained online:
// the sede holds her record and that PIN only.
var xinLaura = pinsede.Request{
	Cognome: "Bianchi", Nome: "Laura", Sesso: pinsede.SexFemale,
	DataNascita:   pinsede.Date{Year: 1985, Month: time.August, Day: 1},
	LuogoNascita:  pinsede.Place{Name: "Milano", Code: "F205"},
	CodiceFiscale: "BNCLRA85M41F205C",
	Residenza:     pinsede.Address{Street: "Via Dante 12", CAP: "20121", City: "Milano", Province: "MI", Country: "IT"},
	Recapiti:      pinsede.Contacts{Mobile: "+39 333 123 4567", Email: "laura.bianchi@example.com"},
}

// xinOrdinarioID is the id of Laura's PIN ordinario.
const xinOrdinarioID = "xin-ordinario"

// toOperators goes from any screen of the session to the operators'
// screen, the keyboard on its first control (the clerk's Disattiva, or
// the new operator's id while no clerk is listed): on its first visit it
// adds the clerk, by the keyboard, so that the list offers Disattiva and
// Reimposta password.
func (d *xinDesk) toOperators() {
	d.t.Helper()
	d.leave("ctrl+n", "Richiesta MV35")
	d.come("ctrl+f", "Home")
	xinHeaderOperators(d)
	if d.clerk {
		return
	}
	d.typeText(xinClerk) // in the clerk's id: no operator listed but m.rossi
	d.keys("Tab")
	d.typeText("Giuseppe Verdi")
	// The passwords replace what the walk of the screen left in them: a
	// Space pressed on a password is kept there, as typed (seed 20261276
	// added no clerk: the two differed).
	d.keys("Tab", "Tab", "ctrl+a") // past Ruolo, Operatore
	d.typeText(xinClerkPassword)
	d.keys("Tab", "ctrl+a")
	d.typeText(xinClerkPassword)
	d.keys("Return")
	d.waitBody("the clerk added, in green", xinGreen)
	d.clerk = true
	d.come("ctrl+f", "Home")
	xinHeaderOperators(d)
}

// xinHeaderOperators goes from the home page's codice fiscale to the
// operators' screen by the header's Operatori: back through the status
// bar, Esci, Blocca and Impostazioni, whether or not a citizen was found.
func xinHeaderOperators(d *xinDesk) {
	d.t.Helper()
	d.come("shift+Tab shift+Tab shift+Tab shift+Tab shift+Tab space", "Operatori")
}

// resetClerk gives the clerk a temporary password from the operators'
// screen, keyboard only: Space on Reimposta password, the password typed
// twice, Enter, and the dialog closes (the clerk logs in with it:
// chooseOwnPassword). The Space that opened the dialog put itself before the
// password, unseen: the two differed, and the dialog stayed.
func (d *xinDesk) resetClerk() {
	d.t.Helper()
	d.toOperators()
	d.openDialog("Tab", "space") // Reimposta password, after Disattiva
	shaded := d.header()
	d.typeText(xinClerkTemporary)
	d.keys("Tab")
	d.typeText(xinClerkTemporary)
	d.keys("Return")
	d.waitFrame("the reset's dialog closed, the password reset", func(img image.Image) bool {
		return !bytes.Equal(xtest.Pixels(img, xinHeaderRect), shaded)
	})
	d.settled()
	d.shot("operators-reset")
}

// disableAndEnableClerk disables the clerk from the operators' screen and
// enables the clerk again, keyboard only: Space on Disattiva, Tab to Sì,
// Space; then Space again, on Riattiva, which the keyboard is on once the
// list is made anew (xinCheckClerk checks the clerk enabled). The keyboard
// stayed on the Disattiva gone from the screen, and Space asked again to
// disable the clerk.
func (d *xinDesk) disableAndEnableClerk() {
	d.t.Helper()
	d.toOperators()
	plain := d.header()
	d.openDialog("space") // Disattiva, the first control
	shaded := d.header()
	d.keys("Tab", "Tab", "space") // Sì
	d.waitHeaderChange(shaded)
	disabled := d.region(xinBodyRect)
	d.keys("space")
	d.waitFrame("the clerk enabled again by Space, on Riattiva", func(img image.Image) bool {
		return bytes.Equal(xtest.Pixels(img, xinHeaderRect), plain) && !bytes.Equal(xtest.Pixels(img, xinBodyRect), disabled)
	})
	d.settled()
	d.shot("operators-enabled")
}

// toConversion goes from any screen of the session to the conversion of
// Laura's PIN ordinario: on its first visit it stops the desk, stores her
// record and the PIN as the desk holds one obtained online, and starts the
// desk again.
func (d *xinDesk) toConversion() {
	d.t.Helper()
	if !d.ordinario {
		d.restart(func() { xinPutOrdinario(d) })
		d.ordinario = true
		d.logIn()
	}
	d.leave("ctrl+n", "Richiesta MV35")
	d.come("ctrl+f", "Home")
	d.xdotool("key", "ctrl+a")
	d.typeText(string(xinLaura.CodiceFiscale))
	d.come("Return space", "Pagina del cittadino")
	d.come("space", "Conversione") // Converti in dispositivo has the keyboard
}

// xinPutOrdinario stores Laura's record and her active PIN ordinario,
// issued online a month ago, in the store of the stopped desk d.
func xinPutOrdinario(d *xinDesk) {
	d.t.Helper()
	issued := time.Now().AddDate(0, -1, 0)
	c := pinsede.Credential{
		ID: xinOrdinarioID, CodiceFiscale: xinLaura.CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo,
		PINHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", IssuedAt: issued,
		ExpiresAt: issued.AddDate(0, pinsede.ValidityMonths, 0), IssuedBy: "web", Sede: "WEB", SlipSerial: "WEB-ABC123",
	}
	xinInStore(d, func(store *local.Store) error {
		return store.Update(func(tx pinsede.Tx) error {
			if err := tx.PutCitizen(pinsede.Citizen{Request: xinLaura, UpdatedAt: issued}); err != nil {
				return err
			}
			return tx.PutCredential(c)
		})
	})
}

// xinCheckOps checks, the desk stopped, that Laura's PIN is still
// ordinario (no key converts it without the document and the checks), and
// the clerk's day (xinCheckClerk).
func xinCheckOps(d *xinDesk) {
	d.t.Helper()
	var c pinsede.Credential
	xinInStore(d, func(store *local.Store) error {
		xinCheckClerk(d, store)
		return store.View(func(tx pinsede.Tx) (err error) {
			c, err = tx.Credential(xinOrdinarioID)
			return err
		})
	})
	if c.Type != pinsede.Ordinario || !c.ConvertedAt.IsZero() {
		d.t.Errorf("Laura's PIN after the keys: %+v; want ordinario, not converted", c)
	}
}

// xinInStore runs f on the store of the stopped desk d, and closes it: the
// desk, started again, locks its file.
func xinInStore(d *xinDesk, f func(*local.Store) error) {
	d.t.Helper()
	store, err := local.Open(filepath.Join(d.dir, "store.db"), filepath.Join(d.dir, "store.key"))
	if err != nil {
		d.t.Fatalf("open the store: %v", err)
	}
	err = f(store)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		d.t.Fatalf("the store of the walk: %v", err)
	}
}
