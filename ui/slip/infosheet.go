package slip

import (
	"bytes"
	"fmt"
	"time"
)

// infoSheetDate is the date of the information sheet's text, written as
// the PDF's creation date so that every print is the same file.
var infoSheetDate = time.Date(2021, time.October, 1, 0, 0, 0, 0, time.UTC)

// InfoSheet renders the information sheet given to a citizen the
// eligibility policy refuses a PIN: one A4 page in Italian on SPID, CIE and
// CNS, the credentials to use instead. It holds no personal data, and
// always renders to the same bytes.
func InfoSheet() ([]byte, error) {
	d, err := newDoc(false)
	if err != nil {
		return nil, fmt.Errorf("render info sheet: %w", err)
	}
	d.SetCreationDate(infoSheetDate)
	d.SetModificationDate(infoSheetDate)
	d.SetCatalogSort(true)
	d.SetTitle("INPS – Come accedere ai servizi online: SPID, CIE, CNS", true)
	d.SetAuthor("INPS", true)
	d.SetCreator("pinsede", true)
	d.SetLang("it-IT")
	infoSheet(d)
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("render info sheet: %w", err)
	}
	return buf.Bytes(), nil
}

// infoSheet draws the sheet.
func infoSheet(d doc) {
	d.AddPage()
	formHeading(d, nil, "Informativa")

	y := headerY - 2
	d.font("B", 15, dark)
	y = d.para(marginL, y, width, 7, "Come accedere ai servizi online dell'INPS: SPID, CIE e CNS") + 2
	d.font("", 10, black)
	y = d.para(marginL, y, width, 5, "Dal 1° ottobre 2021 l'INPS rilascia il PIN soltanto ai cittadini residenti "+
		"all'estero che non hanno un documento di identità italiano. Tutti gli altri accedono ai servizi online "+
		"dell'INPS con una delle credenziali dell'identità digitale: SPID, CIE o CNS. Basta averne una.") + 5

	section := func(name, title string, paras ...string) {
		d.fill(boxTint)
		d.Rect(marginL, y, width, 9, "F")
		d.fill(blue)
		d.Rect(marginL, y, 1.6, 9, "F")
		d.font("B", 13, blue)
		d.text(marginL+5, y+1.6, 20, 6, name, "L")
		d.font("B", 10.5, dark)
		d.text(marginL+25, y+1.8, width-27, 6, title, "L")
		y += 12
		d.font("", 9.5, black)
		for _, p := range paras {
			y = d.para(marginL+5, y, width-5, 4.7, p) + 1.8
		}
		y += 3
	}
	section("SPID", "Sistema Pubblico di Identità Digitale",
		"Un nome utente e una password personali, con un codice temporaneo (da un'app o per SMS) per i servizi "+
			"che lo chiedono. Lo rilascia, di solito gratuitamente, uno dei gestori di identità digitale accreditati.",
		"Come si ottiene: si sceglie un gestore sul sito www.spid.gov.it e ci si registra online, con il "+
			"riconoscimento via webcam, con la CIE, con la CNS o con una firma digitale, oppure di persona presso "+
			"uno sportello del gestore. Servono un documento di identità valido, la tessera sanitaria, un indirizzo "+
			"e-mail e un numero di cellulare.")
	section("CIE", "Carta d'identità elettronica",
		"La carta d'identità elettronica è anche una credenziale di accesso: al rilascio si ricevono il PIN e il PUK "+
			"della carta (la prima metà allo sportello, la seconda con la carta).",
		"Come si usa: con l'app CieID su uno smartphone dotato di NFC, avvicinando la carta al telefono, oppure "+
			"con un lettore di smart card collegato al computer. Si richiede al Comune di residenza; i cittadini "+
			"italiani iscritti all'AIRE la richiedono al proprio Consolato. Informazioni: www.cartaidentita.interno.gov.it.")
	section("CNS", "Carta Nazionale dei Servizi",
		"La tessera sanitaria con il microchip (TS-CNS) vale anche come Carta Nazionale dei Servizi, una volta "+
			"attivata: il PIN si chiede agli sportelli indicati dalla propria Regione, di solito l'Azienda sanitaria.",
		"Come si usa: con un lettore di smart card collegato al computer e il programma indicato dalla Regione.")

	d.hrule(y, rule, 0.3)
	y += 4
	d.font("B", 10.5, dark)
	y = d.para(marginL, y, width, 5, "Dove si usano") + 1
	d.font("", 9.5, black)
	for _, p := range []string{
		"Sul sito www.inps.it, con il pulsante «Entra in MyINPS», e nell'app INPS Mobile: si sceglie SPID, CIE o " +
			"CNS e si seguono le istruzioni. La stessa credenziale vale per i servizi online delle altre pubbliche " +
			"amministrazioni.",
		"Chi non può usare da sé i servizi online può delegare una persona di fiducia (delega dell'identità " +
			"digitale, circolare INPS n. 127 del 12 agosto 2021), presentando in sede il modulo AA08 con i documenti " +
			"di identità di entrambi.",
		"Per assistenza: Contact Center INPS, 803 164 da rete fissa (gratuito) e 06 164 164 da rete mobile o " +
			"dall'estero, secondo la tariffa del proprio operatore.",
	} {
		y = d.para(marginL, y, width, 4.7, p) + 1.8
	}

	d.font("", 7, grey)
	d.text(marginL, bottomY-4.5, width, 3.5, "Informativa stampata con pinsede · non contiene dati personali", "L")
}
