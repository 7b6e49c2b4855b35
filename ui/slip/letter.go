package slip

import (
	"strconv"

	"github.com/pinsede/pinsede"
)

// The letter is a PIN mailer for a DL window envelope (110 × 220 mm) with
// the window on the left, 90 × 45 mm at 20 mm from the left edge and 15 mm
// from the bottom (DIN 680 / ISO 269). The A4 sheet is laid out as a
// DIN 5008 form B letter and folded in a Z at the fold marks, 105 and
// 210 mm from the top, to 105 × 210 mm: the top panel, with the address,
// faces the window; the PIN is on the middle panel, which no window can
// show, and faces the inside of the fold.
const (
	fold1 = 105.0 // the upper fold mark
	fold2 = 210.0 // the lower fold mark
	punch = 148.5 // the punch mark (DIN 5008)
)

// window is the part of the sheet that the window always shows. The
// folded sheet (105 × 210) can sit 5 mm higher or lower and 10 mm further
// left or right in the envelope (110 × 220): the window shows at least
// x 20-100, y 50-90 of the sheet. The recipient is written inside it.
var window = box{20, 50, 100, 90}

// pinBox is where the PIN is printed: on the middle panel, right of the
// column of the window.
var pinBox = box{110, 112, 190, 162}

// mirror returns the part of the sheet that lies over b, on the panel
// folded along the fold at y, when b is on the middle panel.
func mirror(b box, y float64) box { return box{b.x0, 2*y - b.y1, b.x1, 2*y - b.y0} }

// pinSize is the size of the PIN, in points.
const pinSize = 26.0

// letter draws page 1, the letter that goes into the envelope with the PIN.
func letter(d doc, s pinsede.Slip) error {
	d.AddPage()
	if err := header(d, s); err != nil {
		return err
	}
	foldMarks(d)

	// Top panel: what the window shows, and the mask over the PIN.
	d.font("", 7.5, grey)
	d.para(marginL, 39, 80, 3.6, forType(s.Type,
		"Contiene il PIN per i servizi online dell'INPS: da aprire solo a cura del destinatario.",
		"Contiene il PIN telefonico per il Contact Center INPS: da aprire solo a cura del destinatario."))
	sender := "INPS · " + sedeName(s.Sede)
	d.fit(window.x0+1, window.y0+0.8, window.w()-2, sender, "", 6.5, 5.5, grey, 1)
	d.draw(grey, 0.1)
	d.Line(window.x0+1, window.y0+3.8, window.x1-1, window.y0+3.8)
	d.font("B", 8, redLabel)
	d.text(window.x0+1, window.y0+4.6, window.w()-2, 4, "RISERVATA PERSONALE", "L")
	ry := d.fit(window.x0+1, window.y0+9.5, window.w()-2, s.Citizen.FullName(), "B", 10.5, 8, black, 2)
	for i, l := range addressLines(s.Citizen.Residenza) {
		lines := 1
		if i == 0 {
			lines = 2 // the street
		}
		ry = d.fit(window.x0+1, ry, window.w()-2, l, "", 9.5, 7.5, black, lines)
	}
	top := mirror(pinBox, fold1)
	d.font("", 6.5, grey)
	d.text(top.x0, top.y0-3.6, top.w(), 3.2, "Area di sicurezza: copre il PIN quando il foglio è piegato", "L")
	maskPattern(d, top, s.Serial, pinSize)

	// Middle panel: the PIN and what it is.
	y := fold1 + 6
	col := pinBox.x0 - 6 - marginL
	d.font("B", 10, dark)
	y = d.para(marginL, y, col, 4.8, "Oggetto: "+typeName(s.Type)+subjectTail(s.Type)) + 2
	d.font("", 9.5, black)
	y = d.para(marginL, y, col, 4.6, "Gentile cittadina, gentile cittadino,")
	d.para(marginL, y, col, 4.6, "su Sua richiesta (modello MV35) e dopo la verifica della Sua identità, "+
		"questa sede Le ha assegnato il PIN personale riportato qui a fianco. "+purpose(s.Type))
	pinZone(d, s)
	y = fields(d, s, pinBox.y1+4) + 4

	d.font("B", 10.5, blue)
	d.text(marginL, y, width, 5.5, "Come usare il PIN", "L")
	y += 6.5
	steps := []string{
		"Acceda ai servizi online dal sito www.inps.it scegliendo l'accesso con PIN: inserisca il Suo codice fiscale (" +
			string(s.Citizen.CodiceFiscale) + ") e i 16 caratteri del PIN, nell'ordine in cui sono stampati.",
		"Al primo accesso una procedura guidata Le chiederà di sostituire i 16 caratteri con un PIN di 8 caratteri " +
			"scelto da Lei: da quel momento userà soltanto il nuovo PIN.",
		"Il PIN vale 6 mesi, fino al " + date(s.ExpiresAt) + ", e non si rinnova da solo: per un nuovo PIN si rivolga " +
			"a una sede INPS con un documento d'identità valido, oppure acceda con SPID, CIE o CNS.",
	}
	if s.Type == pinsede.Telefonico {
		steps = telephoneSteps(s)
	}
	if s.Pending {
		steps = append(steps, "Il PIN è in attesa di attivazione negli archivi centrali dell'INPS: "+
			"se al primo accesso non venisse accettato, riprovi più tardi.")
	}
	for i, step := range steps {
		d.font("B", 9, blue)
		d.text(marginL, y, 6, 4.3, strconv.Itoa(i+1)+".", "L")
		d.font("", 9, black)
		y = d.para(marginL+6, y, width-6, 4.3, step) + 1
	}

	y += 2
	d.fill(redLabel)
	d.Rect(marginL, y, 1.2, 8.6, "F")
	d.SetLeftMargin(marginL + 4)
	d.SetXY(marginL+4, y)
	d.font("B", 9, black)
	d.Write(4.3, "Il PIN è strettamente personale: ")
	d.font("", 9, black)
	d.Write(4.3, forType(s.Type,
		"non lo comunichi a nessuno, neppure a chi si presenta come operatore INPS, "+
			"e non lo conservi insieme ai Suoi documenti. Dopo il primo accesso distrugga questo foglio.",
		"lo comunichi solo all'operatore del Contact Center quando è Lei a chiamare i numeri qui sotto, "+
			"e non lo conservi insieme ai Suoi documenti. Alla scadenza distrugga questo foglio."))
	d.SetLeftMargin(marginL)

	// Bottom panel: the Contact Center, and the mask over the PIN.
	bottom := mirror(pinBox, fold2)
	bottom.y1 = min(bottom.y1, bottomY)
	d.font("", 6.5, grey)
	d.text(bottom.x0, bottom.y0-3.6, bottom.w(), 3.2, "Area di sicurezza", "L")
	maskPattern(d, bottom, s.Serial, pinSize)
	contactCenter(d, box{marginL, bottom.y0, bottom.x0 - 5, bottom.y0 + 25})
	footer(d, s, "Documento riservato: contiene un PIN personale", 1, bottom.x0-5-marginL)
	return nil
}

// bottomY is the lowest line a printer can print on: most leave 5 mm.
const bottomY = 290.0

// foldMarks draws the fold marks and the punch mark on the left edge.
func foldMarks(d doc) {
	d.draw(grey, 0.2)
	for _, y := range []float64{fold1, fold2} {
		d.Line(4, y, 9, y)
	}
	d.Line(4, punch, 7, punch)
}

// forType returns telephone for the slip of a PIN telefonico, and pin for
// the others: the sentences of the letter that differ.
func forType(t pinsede.CredentialType, pin, telephone string) string {
	if t == pinsede.Telefonico {
		return telephone
	}
	return pin
}

// subjectTail ends the letter's subject line after the kind of PIN.
func subjectTail(t pinsede.CredentialType) string {
	if t == pinsede.Telefonico {
		return " per l'assistenza del Contact Center INPS"
	}
	return " per l'accesso ai servizi online dell'INPS"
}

// telephoneSteps are the "Come usare il PIN" steps of a PIN telefonico: it
// serves only to be helped by the Contact Center, for the validity chosen
// at the desk.
func telephoneSteps(s pinsede.Slip) []string {
	return []string{
		"Quando chiama il Contact Center INPS, comunichi all'operatore il Suo codice fiscale (" +
			string(s.Citizen.CodiceFiscale) + ") e i 16 caratteri del PIN telefonico, nell'ordine in cui sono stampati.",
		"Il PIN telefonico serve soltanto per essere assistito dal Contact Center: non consente di accedere ai servizi online " +
			"e non sostituisce il Suo PIN, SPID, CIE o CNS, che restano validi.",
		"Il PIN telefonico vale " + s.Validity.Label() + ", fino al " + date(s.ExpiresAt) +
			": dopo quella data non è più valido e, se serve, ne potrà chiedere uno nuovo.",
	}
}

// purpose says what a kind of PIN is for.
func purpose(t pinsede.CredentialType) string {
	if t == pinsede.Telefonico {
		return "È un PIN telefonico: serve soltanto per essere assistito dagli operatori del Contact Center INPS."
	}
	if t == pinsede.Dispositivo {
		return "È un PIN dispositivo: consente di consultare la Sua posizione e di presentare domande di prestazione."
	}
	return "È un PIN ordinario: consente di consultare la Sua posizione."
}

// pinZone draws the PIN in pinBox over its security pattern: two rows of
// eight characters, each with its position beneath.
func pinZone(d doc, s pinsede.Slip) {
	b := pinBox
	pinPattern(d, b, s.Serial)
	d.draw(blue, 0.4)
	d.Rect(b.x0, b.y0, b.w(), b.h(), "D")
	d.font("B", 7.5, dark)
	d.text(b.x0+3, b.y0+1.5, b.w()-6, 4, "IL SUO PIN PERSONALE · 16 caratteri", "L")

	first, second := s.PIN.Groups()
	d.SetFont(mono, "", pinSize)
	cw := d.GetStringWidth("M")
	x := b.x0 + (b.w()-8*cw)/2
	for g, group := range []string{first, second} {
		base := b.y0 + 17 + float64(g)*17
		d.SetFont(mono, "", pinSize)
		d.SetTextColor(black.r, black.g, black.b)
		d.Text(x, base, group)
		d.font("", 6, dark)
		for i := range 8 {
			n := strconv.Itoa(g*8 + i + 1)
			d.Text(x+float64(i)*cw+(cw-d.GetStringWidth(n))/2, base+4.2, n)
		}
	}
}

// fields draws the type, state and expiry of the PIN in a row at y, and
// returns the y below it.
func fields(d doc, s pinsede.Slip, y float64) float64 {
	col := width / 3
	field := func(i int, label, value string, c rgb) {
		cx := marginL + float64(i)*col
		d.font("", 7.5, grey)
		d.text(cx, y, col, 3.8, label, "L")
		d.font("B", 10.5, c)
		d.text(cx, y+3.8, col, 5.5, value, "L")
	}
	state := green
	if s.Pending {
		state = amber
	}
	field(0, "Tipo", typeName(s.Type), dark)
	field(1, "Stato", stateName(s), state)
	field(2, "Valido fino al", date(s.ExpiresAt), dark)
	return y + 9.5
}

// contactCenter draws the Contact Center box in b.
func contactCenter(d doc, b box) {
	d.fill(boxTint)
	d.draw(rule, 0.2)
	d.Rect(b.x0, b.y0, b.w(), b.h(), "DF")
	d.font("B", 8.5, dark)
	d.text(b.x0+3, b.y0+1.8, b.w()-6, 4.5, "Contact Center INPS", "L")
	d.SetRightMargin(pageW - b.x1 + 3)
	y := b.y0 + 6.5
	for _, l := range [][2]string{
		{"803 164", " da rete fissa, gratuito"},
		{"06 164 164", " da rete mobile, a pagamento secondo la tariffa del gestore"},
		{"lunedì-venerdì", " 08:00-20:00  ·  sabato 08:00-14:00"},
	} {
		d.SetLeftMargin(b.x0 + 3)
		d.SetXY(b.x0+3, y)
		d.font("B", 8, black)
		d.Write(3.8, l[0])
		d.font("", 8, black)
		d.Write(3.8, l[1])
		y = d.GetY() + 4.4
	}
	d.SetLeftMargin(marginL)
	d.SetRightMargin(marginR)
}
