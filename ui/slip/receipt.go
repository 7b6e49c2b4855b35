package slip

import (
	"strings"

	"github.com/pinsede/pinsede"
)

// receipt draws page 2, the handover receipt (ricevuta di consegna) that
// the citizen and the operator sign and the sede keeps. It never shows the
// PIN.
func receipt(d doc, s pinsede.Slip) error {
	d.AddPage()
	if err := header(d, s); err != nil {
		return err
	}
	y := headerY + 10.0

	d.font("B", 15, dark)
	d.text(marginL, y, width, 7, "Ricevuta di consegna del "+typeName(s.Type), "L")
	d.font("", 9, grey)
	d.text(marginL, y+7.5, width, 5, "Copia per la sede, da conservare agli atti insieme al modello MV35", "L")
	y += 18

	sede := sedeName(s.Sede) + " (codice " + s.Sede.Code + ")"
	if addr := strings.TrimSpace(s.Sede.Address); addr != "" {
		sede += ", " + addr
	}
	rows := []struct {
		label, value string
		lines        int
	}{
		{"Busta n.", s.Serial, 1},
		{"Cittadina/o", s.Citizen.FullName(), 3},
		{"Codice fiscale", string(s.Citizen.CodiceFiscale), 1},
		{"Tipo di PIN", typeName(s.Type), 1},
		{"Stato alla consegna", stateName(s), 1},
		{"Valido fino al", date(s.ExpiresAt), 1},
		{"Data", date(s.IssuedAt), 1},
		{"Sede", sede, 3},
		{"Operatore", s.Operator, 2},
	}
	const labelW = 48.0
	d.hrule(y, rule, 0.2)
	for _, r := range rows {
		d.font("", 9.5, grey)
		d.text(marginL+1, y+2, labelW, 5, r.label, "L")
		ny := d.fit(marginL+labelW, y+2.3, width-labelW, r.value, "B", 10, 8, black, r.lines) + 2
		y = max(ny, y+9)
		d.hrule(y, rule, 0.2)
	}
	y += 8

	d.font("", 10, black)
	statement := "La/il sottoscritta/o dichiara di aver ricevuto, dopo la verifica della propria identità, " +
		"la busta chiusa sopra indicata, integra e sigillata, contenente il proprio PIN personale, e di essere " +
		"stata/o informata/o che il PIN è strettamente personale e che al primo accesso i 16 caratteri " +
		"vanno sostituiti con un PIN di 8 caratteri di sua scelta."
	if s.Pending {
		statement += " Al momento della consegna il PIN risulta in attesa di attivazione negli archivi centrali dell'INPS."
	}
	y = d.para(marginL, y, width, 5.2, statement) + 20

	sign := func(x, y float64, label, name string) {
		d.draw(black, 0.3)
		d.Line(x, y, x+72, y)
		d.font("", 8.5, grey)
		d.text(x, y+1.5, 72, 4.5, label, "L")
		d.fit(x, y+6, 72, name, "", 9, 7.5, black, 2)
	}
	sign(marginL, y, "Luogo e data della consegna", "")
	y += 28
	sign(marginL, y, "Firma della cittadina o del cittadino", s.Citizen.FullName())
	sign(right-72, y, "Firma e timbro dell'operatore", s.Operator)

	d.font("", 8.5, grey)
	d.para(marginL, bottomY-20, width, 4.2, "Questa ricevuta non contiene il PIN. "+
		"I dati personali sono trattati dall'INPS ai sensi del Regolamento (UE) 2016/679.")
	footer(d, s, "Ricevuta di consegna: non contiene il PIN", 2, width)
	return nil
}
