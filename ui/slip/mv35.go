package slip

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
)

// MV35Form is what the filled modello MV35, "Richiesta assegnazione PIN
// dispositivo per il cittadino in sede", carries: the request, the
// identity document shown at the desk, the sede, the operator and the date.
type MV35Form struct {
	Request  pinsede.Request
	Document pinsede.Document
	Sede     pinsede.Sede
	// Operator is the name of the operator who verifies the identity.
	Operator string
	// Date is when the citizen signs the form.
	Date time.Time
	// Replaces is true when the request replaces a PIN the citizen already
	// has (the option "sostituzione": the old PIN is revoked).
	Replaces bool
}

// MV35 renders the filled MV35 as a one-page A4 PDF for the citizen to sign
// and the operator to countersign. It holds no PIN. The same form always
// renders to the same bytes, so that the archived copy can be checked
// against a reprint.
func MV35(f MV35Form) ([]byte, error) {
	r := f.Request
	switch {
	case strings.TrimSpace(r.FullName()) == "" || r.CodiceFiscale == "":
		return nil, errors.New("render mv35: no name or codice fiscale")
	case f.Sede.Code == "":
		return nil, errors.New("render mv35: no sede")
	case f.Date.IsZero():
		return nil, errors.New("render mv35: no date")
	}
	d, err := newDoc(false)
	if err != nil {
		return nil, fmt.Errorf("render mv35: %w", err)
	}
	d.SetCreationDate(f.Date)
	d.SetModificationDate(f.Date)
	d.SetCatalogSort(true)
	d.SetTitle("INPS – modello MV35 – "+string(r.CodiceFiscale), true)
	d.SetAuthor("INPS – "+sedeName(f.Sede), true)
	d.SetCreator("pinsede", true)
	d.SetLang("it-IT")
	mv35(d, f)
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("render mv35: %w", err)
	}
	return buf.Bytes(), nil
}

// mv35 draws the form.
func mv35(d doc, f MV35Form) {
	r, doc := f.Request, f.Document
	d.AddPage()
	formHeading(d, &f.Sede, "Mod. MV35")

	y := headerY - 2
	d.font("B", 13, dark)
	y = d.para(marginL, y, width, 6, "Richiesta assegnazione PIN dispositivo per il cittadino in sede") + 1
	d.font("", 8.5, grey)
	y = d.para(marginL, y, width, 4, "Da compilare e firmare davanti all'operatore della sede, che verifica l'identità "+
		"con l'originale del documento indicato; una copia del documento è allegata alla richiesta.") + 3

	section := func(title string) {
		d.fill(boxTint)
		d.Rect(marginL, y, width, 6, "F")
		d.font("B", 9, dark)
		d.text(marginL+2, y+0.8, width-4, 4.4, title, "L")
		y += 7.5
	}
	// row writes label/value pairs in columns of the given widths (the
	// last takes the rest), each value at most two lines.
	row := func(pairs ...string) {
		n := len(pairs) / 2
		x := marginL
		next := y
		for i := range n {
			w := width / float64(n)
			d.font("", 7, grey)
			d.text(x+1, y, w-2, 3.3, pairs[2*i], "L")
			ny := d.fit(x+1, y+3.4, w-3, pairs[2*i+1], "B", 9.5, 7.5, black, 2)
			next = max(next, ny)
			x += w
		}
		y = max(next, y+8) + 1.2
		d.draw(rule, 0.2)
		d.Line(marginL, y-0.6, right, y-0.6)
	}

	section("La/il richiedente")
	row("Cognome", r.Cognome, "Nome", r.Nome)
	birthPlace := r.LuogoNascita.Name
	if p := r.LuogoNascita.Province; p != "" {
		birthPlace += " (" + strings.ToUpper(p) + ")"
	}
	row("Sesso", string(r.Sesso), "Data di nascita", r.DataNascita.Italian(), "Luogo di nascita", birthPlace)
	row("Codice fiscale", string(r.CodiceFiscale))

	section("Residenza")
	a := r.Residenza
	row("Indirizzo", a.Street)
	row("CAP", a.CAP, "Comune", a.City, "Provincia", strings.ToUpper(a.Province), "Stato", countryName(a.Country))

	section("Recapiti")
	c := r.Recapiti
	row("Cellulare", dash(c.Mobile), "Telefono fisso", dash(c.Landline))
	row("E-mail", dash(c.Email), "PEC", dash(c.PEC))

	section("Chiede")
	d.font("", 9, black)
	choice := func(on bool, label string) {
		d.draw(black, 0.3)
		d.Rect(marginL+1, y+0.6, 3.2, 3.2, "D")
		if on {
			d.Line(marginL+1.6, y+1.2, marginL+3.6, y+3.2)
			d.Line(marginL+3.6, y+1.2, marginL+1.6, y+3.2)
		}
		d.font("", 9, black)
		y = d.para(marginL+6, y, width-6, 4.4, label) + 1
	}
	choice(!f.Replaces, "l'assegnazione del PIN dispositivo per l'accesso ai servizi online dell'INPS")
	choice(f.Replaces, "la sostituzione del PIN in suo possesso con un nuovo PIN dispositivo: il PIN precedente viene revocato")
	y += 1.5

	section("Documento di riconoscimento esibito")
	row("Tipo", docTypeName(doc.Type), "Numero", doc.Number, "Stato di rilascio", countryName(doc.Country))
	row("Rilasciato da", doc.Authority, "Data di rilascio", doc.IssuedOn.Italian(), "Scadenza", doc.ExpiresOn.Italian())

	y += 1
	d.font("", 8, black)
	for _, p := range []string{
		"La/il sottoscritta/o, consapevole delle sanzioni penali previste dall'art. 76 del D.P.R. 28 dicembre 2000, n. 445, " +
			"per le dichiarazioni mendaci, dichiara che i dati sopra riportati sono veritieri, e che il PIN è richiesto per sé: " +
			"non può essere richiesto per conto di altri.",
		"Dichiara di sapere che il PIN è personale e va custodito con cura; che sarà consegnato in busta chiusa e che al primo " +
			"accesso i 16 caratteri andranno sostituiti con un PIN di 8 caratteri.",
		"Informativa: i dati personali sono trattati dall'INPS, titolare del trattamento, ai sensi del Regolamento (UE) " +
			"2016/679, per l'assegnazione e la gestione del PIN; l'informativa completa è disponibile sul sito www.inps.it.",
	} {
		y = d.para(marginL, y, width, 3.8, p) + 1.2
	}

	y = max(y+10, 232.0)
	sign := func(x, y float64, label, value string) {
		d.font("", 9, black)
		d.text(x, y-5, 80, 4.5, value, "L")
		d.draw(black, 0.3)
		d.Line(x, y, x+80, y)
		d.font("", 7.5, grey)
		d.text(x, y+1, 80, 4, label, "L")
	}
	// The sede's name, as long as the desk takes, is cut to leave room
	// for the date.
	d.font("", 9, black)
	day := ", " + date(f.Date)
	sign(marginL, y, "Luogo e data", d.cut(strings.TrimSpace(f.Sede.Name), 80-d.GetStringWidth(day))+day)
	sign(right-80, y, "Firma della/del richiedente", "")

	// Reserved to the office.
	y += 10
	d.draw(grey, 0.3)
	d.SetDashPattern([]float64{1.2, 0.8}, 0)
	d.Rect(marginL, y, width, bottomY-6-y, "D")
	d.SetDashPattern(nil, 0)
	d.font("B", 8, dark)
	d.text(marginL+3, y+1.5, width-6, 4, "Riservato all'ufficio", "L")
	d.font("", 8.5, black)
	d.para(marginL+3, y+6, width-6, 4.2, "Identità verificata con l'originale del documento sopra indicato da "+
		strings.TrimSpace(f.Operator)+", "+sedeName(f.Sede)+" (codice "+f.Sede.Code+"), il "+date(f.Date)+".")
	sign(right-83, bottomY-13, "Firma e timbro dell'operatore", "")

	d.font("", 7, grey)
	d.text(marginL, bottomY-4.5, width, 3.5, "Modello MV35 compilato con pinsede · non contiene il PIN", "L")
}

// dash returns s, or a dash for an empty field.
func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// countryName returns the Italian name of an ISO 3166 code, or the code.
func countryName(code string) string {
	if c, ok := pinsede.LookupCountry(code); ok {
		return c.Name
	}
	return code
}

// docTypeName is how the form names a kind of identity document.
func docTypeName(t pinsede.DocumentType) string {
	switch t {
	case pinsede.DocCIE:
		return "Carta d'identità elettronica"
	case pinsede.DocCartaIdentita:
		return "Carta d'identità"
	case pinsede.DocPassaporto:
		return "Passaporto"
	case pinsede.DocPatente:
		return "Patente di guida"
	case pinsede.DocPermesso:
		return "Permesso di soggiorno"
	case pinsede.DocPassaportoEstero:
		return "Passaporto estero"
	case pinsede.DocIdentitaEstera:
		return "Documento d'identità estero"
	}
	return string(t)
}
