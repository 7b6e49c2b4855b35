package slip

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
)

// redTint is the background of a mismatch.
var redTint = rgb{0xFB, 0xE9, 0xE9}

// Reconciliation renders the end-of-day reconciliation as an A4 PDF: per
// operator, the slips printed, PINs issued, voided, revoked, replaced and
// handed over, with the slips printed and never handed over highlighted in
// red, and two signature lines (operator, supervisor). It holds no PIN. A
// long list continues on further pages; the signatures close the last.
//
// A reconciliation of the sede (pinsede.ScopeSede) groups the operators
// by desk, with each desk's total and the sede's, names the desk of each
// slip not handed over, and says, before the table, as of when it holds
// each desk's acts: the last pull, and in red each desk not heard from
// since the start of the day, whose acts the signatures do not certify.
func Reconciliation(r pinsede.Reconciliation) ([]byte, error) {
	switch {
	case r.Sede.Code == "":
		return nil, errors.New("render reconciliation: no sede")
	case r.Day.IsZero() || r.DrawnAt.IsZero():
		return nil, errors.New("render reconciliation: no day")
	}
	d, err := newDoc(false)
	if err != nil {
		return nil, fmt.Errorf("render reconciliation: %w", err)
	}
	d.SetCreationDate(r.DrawnAt)
	d.SetModificationDate(r.DrawnAt)
	d.SetCatalogSort(true)
	d.SetTitle("INPS – Riconciliazione di fine giornata – "+r.Sede.Code+" – "+r.Day.Italian(), true)
	d.SetAuthor("INPS – "+sedeName(r.Sede), true)
	d.SetCreator("pinsede", true)
	d.SetLang("it-IT")
	reconciliation(d, r)
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("render reconciliation: %w", err)
	}
	return buf.Bytes(), nil
}

// reconCols are the table's columns after the operator's: heading and
// count.
var reconCols = []struct {
	head  string
	count func(pinsede.ReconciliationRow) int
}{
	{"Buste\nstampate", func(r pinsede.ReconciliationRow) int { return r.Printed }},
	{"PIN\nemessi", func(r pinsede.ReconciliationRow) int { return r.Issued }},
	{"Annullati\n(stampa)", func(r pinsede.ReconciliationRow) int { return r.Voided }},
	{"PIN\nrevocati", func(r pinsede.ReconciliationRow) int { return r.Revoked }},
	{"Buste\nsostituite", func(r pinsede.ReconciliationRow) int { return r.Replaced }},
	{"Buste\nconsegnate", func(r pinsede.ReconciliationRow) int { return r.HandedOver }},
}

// reconciliation draws the report.
func reconciliation(d doc, r pinsede.Reconciliation) {
	const (
		opW   = 42.0 // the operator's column
		rowH  = 7.0
		limit = bottomY - 12 // lowest line of the body on a page
	)
	colW := (width - opW) / float64(len(reconCols)+1) // +1: "non consegnate"
	header := func() float64 {
		d.AddPage()
		formHeading(d, &r.Sede, "Riconciliazione")
		d.font("", 7, grey)
		d.text(marginL, bottomY-4.5, width, 3.5, "Riconciliazione stampata con pinsede · non contiene PIN", "L")
		d.text(right-30, bottomY-4.5, 30, 3.5, "Pagina "+strconv.Itoa(d.PageNo()), "R")
		return headerY - 2
	}
	y := header()
	sede := r.Scope == pinsede.ScopeSede
	d.font("B", 15, dark)
	title := "Riconciliazione di fine giornata del " + r.Day.Italian()
	if sede {
		title += " · tutta la sede"
	}
	y = d.para(marginL, y, width, 7, title) + 1
	d.font("", 9, black)
	if sede {
		y = d.para(marginL, y, width, 4.5, "Buste stampate, PIN emessi, annullati, revocati, sostituiti e consegnati "+
			"da ciascun operatore di ciascuno sportello della sede, secondo il registro delle operazioni di questo "+
			"sportello ("+strings.ToLower(deskName(r.Desk))+") e gli atti degli altri sportelli ricevuti dalla centrale. "+
			"In rosso le buste stampate e non consegnate al cittadino: vanno ritrovate, consegnate o distrutte e il PIN revocato.") + 1
	} else {
		y = d.para(marginL, y, width, 4.5, "Buste stampate, PIN emessi, annullati, revocati, sostituiti e consegnati "+
			"da ciascun operatore secondo il registro delle operazioni della sede. In rosso le buste stampate e non "+
			"consegnate al cittadino: vanno ritrovate, consegnate o distrutte e il PIN revocato.") + 1
	}
	d.font("", 8, grey)
	y = d.para(marginL, y, width, 4, "Redatta da "+dash(r.DrawnBy)+" il "+date(r.DrawnAt)+" alle "+r.DrawnAt.Format("15:04")+".") + 4
	if sede {
		y = reconDesks(d, r, y) + 4
	}

	type key struct{ desk, op string }
	unhanded, deskUnhanded := map[key]int{}, map[string]int{}
	for _, m := range r.Mismatches {
		unhanded[key{m.Desk, m.Operator}]++
		deskUnhanded[m.Desk]++
	}
	cell := func(x, y, w float64, s string, bold bool, c rgb) {
		style := ""
		if bold {
			style = "B"
		}
		d.font(style, 9.5, c)
		d.text(x, y+1, w-2, rowH-2, s, "R")
	}
	tableHead := func(y float64) float64 {
		d.fill(boxTint)
		d.Rect(marginL, y, width, 10, "F")
		d.font("B", 8, dark)
		head := "Operatore"
		if sede {
			head = "Sportello, operatore"
		}
		d.text(marginL+2, y+3, opW-2, 4, head, "L")
		heads := make([]string, 0, len(reconCols)+1)
		for _, c := range reconCols {
			heads = append(heads, c.head)
		}
		heads = append(heads, "Non\nconsegnate")
		for i, h := range heads {
			x := marginL + opW + float64(i)*colW
			for j, l := range strings.Split(h, "\n") {
				d.text(x, y+1+float64(j)*4, colW-2, 4, l, "R")
			}
		}
		d.hrule(y+10, dark, 0.3)
		return y + 10
	}
	row := func(y float64, name string, rw pinsede.ReconciliationRow, miss int, bold bool) float64 {
		if miss > 0 {
			d.fill(redTint)
			d.Rect(marginL, y, width, rowH, "F")
		}
		style := ""
		if bold {
			style = "B"
		}
		d.fit(marginL+2, y+1.3, opW-4, name, style, 9.5, 7, black, 1)
		for i, c := range reconCols {
			cell(marginL+opW+float64(i)*colW, y, colW, strconv.Itoa(c.count(rw)), bold, black)
		}
		mc := black
		if miss > 0 {
			mc = redLabel
		}
		cell(marginL+opW+float64(len(reconCols))*colW, y, colW, strconv.Itoa(miss), bold || miss > 0, mc)
		d.hrule(y+rowH, rule, 0.2)
		return y + rowH
	}

	y = tableHead(y)
	if len(r.Rows) == 0 {
		d.font("", 9.5, grey)
		d.text(marginL+2, y+1, width-4, rowH-2, "Nessuna operazione registrata in questo giorno.", "L")
		y += rowH
	}
	deskTotal := map[string]pinsede.ReconciliationRow{}
	for _, dk := range r.Desks {
		deskTotal[dk.Desk] = dk.Total
	}
	deskHead := func(y float64, name string) float64 {
		d.fill(boxTint)
		d.Rect(marginL, y, width, rowH, "F")
		d.font("B", 9.5, dark)
		d.text(marginL+2, y+1, width-4, rowH-2, name, "L")
		return y + rowH
	}
	for i, rw := range r.Rows {
		if sede && (i == 0 || r.Rows[i-1].Desk != rw.Desk) {
			if y+3*rowH > limit {
				y = tableHead(header())
			}
			y = deskHead(y, deskName(rw.Desk))
		}
		if y+rowH > limit {
			if y = tableHead(header()); sede {
				y = deskHead(y, deskName(rw.Desk)+" (segue)")
			}
		}
		name := rw.Name
		if rw.Name != rw.Operator {
			name += " (" + rw.Operator + ")"
		}
		if sede {
			name = "   " + name
		}
		y = row(y, name, rw, unhanded[key{rw.Desk, rw.Operator}], false)
		if sede && (i == len(r.Rows)-1 || r.Rows[i+1].Desk != rw.Desk) {
			if y+rowH > limit {
				y = tableHead(header())
			}
			y = row(y, "Totale "+strings.ToLower(deskName(rw.Desk)), deskTotal[rw.Desk], deskUnhanded[rw.Desk], true)
		}
	}
	if y+rowH > limit {
		y = tableHead(header())
	}
	d.hrule(y, dark, 0.3)
	total := "Totale"
	if sede {
		total = "Totale della sede"
	}
	y = row(y, total, r.Total, len(r.Mismatches), true) + 8

	// The mismatches.
	if y+20 > limit {
		y = header()
	}
	d.font("B", 11, dark)
	y = d.para(marginL, y, width, 6, "Buste stampate e non consegnate") + 1
	if len(r.Mismatches) == 0 {
		d.font("", 9.5, green)
		y = d.para(marginL, y, width, 5, "Nessuna: tutte le buste stampate in questo giorno sono state consegnate.") + 4
	} else {
		d.font("", 9, black)
		y = d.para(marginL, y, width, 4.5, strconv.Itoa(len(r.Mismatches))+" busta/e da verificare:") + 1
		for _, m := range r.Mismatches {
			if y+rowH > limit {
				y = header()
			}
			d.fill(redTint)
			d.Rect(marginL, y, width, rowH, "F")
			d.fill(redLabel)
			d.Rect(marginL, y, 1.4, rowH, "F")
			d.font("B", 9.5, redLabel)
			d.text(marginL+4, y+1, 58, rowH-2, m.SlipSerial, "L")
			citW, whoX := 62.0, 128.0
			if sede {
				citW, whoX = 50, 116
			}
			d.fit(marginL+64, y+1.3, citW, dash(m.Citizen), "", 9.5, 7, black, 1)
			d.font("", 8.5, grey)
			who := m.Operator
			if sede {
				who = strings.ToLower(deskName(m.Desk)) + " · " + who
			}
			if m.Printed.IsZero() { // another desk's: its print is not known here
				who += " · emessa alle " + m.Issued.Local().Format("15:04")
			} else {
				who += " · stampata alle " + m.Printed.Local().Format("15:04")
			}
			d.text(marginL+whoX, y+1, width-whoX-2, rowH-2, who, "R")
			y += rowH + 1
		}
		y += 3
	}

	// The signatures.
	if y+30 > limit {
		y = header()
	}
	y = max(y+16, 240.0)
	sign := func(x, y float64, label, value string) {
		d.font("", 9, black)
		d.text(x, y-5, 75, 4.5, value, "L")
		d.draw(black, 0.3)
		d.Line(x, y, x+75, y)
		d.font("", 7.5, grey)
		d.text(x, y+1, 75, 4, label, "L")
	}
	sign(marginL, y, "Firma dell'operatore", "")
	sign(right-75, y, "Firma del supervisore", "")
	sign(marginL, y+18, "Luogo e data", strings.TrimSpace(r.Sede.Name)+", "+date(r.DrawnAt))
}

// deskName names a desk of the sede: "Sportello 03".
func deskName(id string) string {
	if id == "" {
		return "Sportello senza numero"
	}
	return "Sportello " + id
}

// reconDesks writes, from y, as of when the reconciliation of the sede r
// holds each desk's acts: its last pull from the central records, and a
// line a desk, in red for one not heard from since the start of the day;
// it returns the y below.
func reconDesks(d doc, r pinsede.Reconciliation, y float64) float64 {
	at := func(t time.Time) string { return date(t) + " alle " + t.Local().Format("15:04") }
	d.font("B", 10, dark)
	y = d.para(marginL, y, width, 5, "Dati degli sportelli") + 0.5
	d.font("", 8.5, black)
	switch {
	case r.LastPull.IsZero():
		d.font("B", 8.5, redLabel)
		y = d.para(marginL, y, width, 4, "Questo sportello non ha mai ricevuto gli atti della sede dalla centrale: "+
			"la riconciliazione contiene solo i suoi.")
	case pinsede.DateOf(r.LastPull.Local()).Before(r.Day):
		d.font("B", 8.5, redLabel)
		y = d.para(marginL, y, width, 4, "L'ultimo scambio con la centrale è del "+at(r.LastPull)+
			": gli atti di questo giorno degli altri sportelli possono mancare.")
	default:
		y = d.para(marginL, y, width, 4, "Atti degli altri sportelli ricevuti dalla centrale fino all'ultimo scambio, il "+
			at(r.LastPull)+". Per loro le buste stampate sono quelle dei PIN emessi e non annullati: la stampa non passa dalla centrale.")
	}
	y += 0.5
	for _, dk := range r.Desks {
		name, line, c := deskName(dk.Desk), "", black
		switch {
		case dk.This:
			line = "questo sportello: tutti i suoi atti."
		case dk.Stale && dk.LastEvent.IsZero():
			line, c = "nessun atto ricevuto da inizio giornata: i suoi atti di questo giorno possono mancare e le firme non li certificano.", redLabel
		case dk.Stale:
			line, c = "nessun atto ricevuto da inizio giornata (l'ultimo del "+at(dk.LastEvent)+
				"): i suoi atti di questo giorno possono mancare e le firme non li certificano.", redLabel
		case dk.LastEvent.IsZero():
			line = "atti ricevuti dalla centrale."
		default:
			line = "atti ricevuti fino a quello del " + at(dk.LastEvent) + "."
		}
		style := ""
		if c == redLabel {
			style = "B"
		}
		d.font("B", 8.5, c)
		// The line starts 32 mm in, or past a longer name ("Sportello
		// senza numero").
		indent := max(32, 2+d.GetStringWidth(name)+2)
		d.text(marginL+2, y, indent-2, 4, name, "L")
		d.font(style, 8.5, c)
		y = d.para(marginL+indent, y, width-indent, 4, line)
	}
	return y
}
