package slip

import (
	"strconv"

	"github.com/pinsede/pinsede"
)

// contactTop is the top of the Contact Center box, above the footer.
const contactTop = footerY - 30

// letter draws page 1, the letter that goes into the envelope with the PIN.
func letter(d doc, s pinsede.Slip) {
	d.AddPage()
	y := header(d, s) + 7

	// Left: the envelope's marking. Right: the recipient, in at most five
	// lines.
	d.font("B", 10, redLabel)
	d.text(marginL, y, 80, 5, "RISERVATA PERSONALE", "L")
	d.font("", 8.5, grey)
	d.para(marginL, y+5, 75, 4, "Contiene il PIN per i servizi online dell'INPS: da aprire solo a cura del destinatario.")
	d.font("", 8, grey)
	d.text(column, y, right-column, 4.5, "Destinatario", "L")
	ry := d.fit(column, y+5, right-column, s.Citizen.FullName(), "B", 11, 9, black, 2)
	for i, l := range addressLines(s.Citizen.Residenza) {
		lines := 1
		if i == 0 {
			lines = 2 // the street
		}
		ry = d.fit(column, ry, right-column, l, "", 10.5, 8.5, black, lines)
	}
	y = max(ry, y+25) + 6

	d.font("B", 11, dark)
	y = d.para(marginL, y, width, 5.5, "Oggetto: "+typeName(s.Type)+" per l'accesso ai servizi online dell'INPS") + 2
	d.font("", 10, black)
	y = d.para(marginL, y, width, 5, "Gentile cittadina, gentile cittadino,")
	y = d.para(marginL, y, width, 5, "su Sua richiesta (modello MV35) e dopo la verifica della Sua identità, "+
		"questa sede Le ha assegnato il PIN personale riportato qui sotto. "+purpose(s.Type)) + 4

	y = pinZone(d, s, y) + 6

	d.font("B", 11, blue)
	d.text(marginL, y, width, 6, "Come usare il PIN", "L")
	y += 7
	steps := []string{
		"Acceda ai servizi online dal sito www.inps.it scegliendo l'accesso con PIN: inserisca il Suo codice fiscale (" +
			string(s.Citizen.CodiceFiscale) + ") e i 16 caratteri del PIN, nell'ordine in cui sono stampati.",
		"Al primo accesso una procedura guidata Le chiederà di sostituire i 16 caratteri con un PIN di 8 caratteri " +
			"scelto da Lei: da quel momento userà soltanto il nuovo PIN.",
		"Il PIN vale 6 mesi, fino al " + date(s.ExpiresAt) + ": alla scadenza il sistema La guiderà nel rinnovo.",
	}
	if s.Pending {
		steps = append(steps, "Il PIN è in attesa di attivazione negli archivi centrali dell'INPS: "+
			"se al primo accesso non venisse accettato, riprovi più tardi.")
	}
	for i, step := range steps {
		d.font("B", 9.5, blue)
		d.text(marginL, y, 6, 4.6, strconv.Itoa(i+1)+".", "L")
		d.font("", 9.5, black)
		y = d.para(marginL+6, y, width-6, 4.6, step) + 1.4
	}

	y += 2.5
	d.fill(redLabel)
	d.Rect(marginL, y, 1.2, 9.2, "F")
	d.SetLeftMargin(marginL + 4)
	d.SetXY(marginL+4, y)
	d.font("B", 9, black)
	d.Write(4.6, "Il PIN è strettamente personale: ")
	d.font("", 9, black)
	d.Write(4.6, "non lo comunichi a nessuno, neppure a chi si presenta come operatore INPS, "+
		"e non lo conservi insieme ai Suoi documenti. Dopo il primo accesso distrugga questo foglio.")
	d.SetLeftMargin(marginL)

	contactCenter(d, contactTop)
	footer(d, s, "Documento riservato: contiene un PIN personale", 1)
}

// purpose says what a kind of PIN is for.
func purpose(t pinsede.CredentialType) string {
	if t == pinsede.Dispositivo {
		return "È un PIN dispositivo: consente di consultare la Sua posizione e di presentare domande di prestazione."
	}
	return "È un PIN ordinario: consente di consultare la Sua posizione."
}

// pinZone draws the boxed PIN with its type, state and expiry at y, and
// returns the y below it.
func pinZone(d doc, s pinsede.Slip, y float64) float64 {
	const h = 50.0
	d.fill(pinTint)
	d.draw(blue, 0.5)
	d.Rect(marginL, y, width, h, "DF")

	d.font("B", 9, dark)
	d.text(marginL+6, y+4, width-12, 4.5, "IL SUO PIN PERSONALE · 16 caratteri", "L")

	// The two groups, centred, with each character's position beneath it.
	const size, gap = 30.0, 16.0
	first, second := s.PIN.Groups()
	d.SetFont(mono, "", size)
	d.SetTextColor(black.r, black.g, black.b)
	cw := d.GetStringWidth("M")
	x := marginL + (width-(16*cw+gap))/2
	base := y + 21
	for g, group := range []string{first, second} {
		gx := x + float64(g)*(8*cw+gap)
		d.SetFont(mono, "", size)
		d.SetTextColor(black.r, black.g, black.b)
		d.Text(gx, base, group)
		d.font("", 6.5, grey)
		for i := range 8 {
			n := strconv.Itoa(g*8 + i + 1)
			d.Text(gx+float64(i)*cw+(cw-d.GetStringWidth(n))/2, base+5.5, n)
		}
	}

	d.draw(rule, 0.3)
	d.SetDashPattern([]float64{1, 1}, 0)
	d.Line(marginL+6, y+31, right-6, y+31)
	d.SetDashPattern(nil, 0)

	col := (width - 12) / 3
	field := func(i int, label, value string, c rgb) {
		cx := marginL + 6 + float64(i)*col
		d.font("", 8, grey)
		d.text(cx, y+34, col, 4, label, "L")
		d.font("B", 11, c)
		d.text(cx, y+39, col, 6, value, "L")
	}
	state := green
	if s.Pending {
		state = amber
	}
	field(0, "Tipo", typeName(s.Type), dark)
	field(1, "Stato", stateName(s), state)
	field(2, "Valido fino al", date(s.ExpiresAt), dark)
	return y + h
}

// contactCenter draws the Contact Center box at y.
func contactCenter(d doc, y float64) {
	const h = 24.0
	d.fill(boxTint)
	d.draw(rule, 0.2)
	d.Rect(marginL, y, width, h, "DF")
	d.font("B", 9.5, dark)
	d.text(marginL+5, y+2.5, width-10, 5, "Contact Center INPS", "L")
	line := func(y float64, parts ...string) {
		d.SetXY(marginL+5, y)
		for i, p := range parts {
			style := ""
			if i%2 == 0 {
				style = "B"
			}
			d.font(style, 9, black)
			d.Write(4.4, p)
		}
	}
	line(y+8, "803 164", " da rete fissa, gratuito")
	line(y+12.4, "06 164 164", " da rete mobile, a pagamento secondo la tariffa del proprio gestore")
	line(y+16.8, "dal lunedì al venerdì", " dalle 08:00 alle 20:00  ·  ", "il sabato", " dalle 08:00 alle 14:00")
}
