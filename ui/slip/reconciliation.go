package slip

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pinsede/pinsede"
)

// redTint is the background of a mismatch.
var redTint = rgb{0xFB, 0xE9, 0xE9}

// Reconciliation renders the end-of-day reconciliation as an A4 PDF: per
// operator, the slips printed, PINs issued, voided, revoked, replaced and
// handed over, with the slips printed and never handed over highlighted in
// red, and two signature lines (operator, supervisor). It holds no PIN. A
// long list continues on further pages; the signatures close the last.
func Reconciliation(r pinsede.Reconciliation) ([]byte, error) {
	switch {
	case r.Sede.Code == "":
		return nil, errors.New("render reconciliation: no sede")
	case r.Day.IsZero() || r.DrawnAt.IsZero():
		return nil, errors.New("render reconciliation: no day")
	}
	d, err := newDoc()
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
	d.font("B", 15, dark)
	y = d.para(marginL, y, width, 7, "Riconciliazione di fine giornata del "+r.Day.Italian()) + 1
	d.font("", 9, black)
	y = d.para(marginL, y, width, 4.5, "Buste stampate, PIN emessi, annullati, revocati, sostituiti e consegnati "+
		"da ciascun operatore secondo il registro delle operazioni della sede. In rosso le buste stampate e non "+
		"consegnate al cittadino: vanno ritrovate, consegnate o distrutte e il PIN revocato.") + 1
	d.font("", 8, grey)
	y = d.para(marginL, y, width, 4, "Redatta da "+dash(r.DrawnBy)+" il "+date(r.DrawnAt)+" alle "+r.DrawnAt.Format("15:04")+".") + 4

	unhanded := map[string]int{}
	for _, m := range r.Mismatches {
		unhanded[m.Operator]++
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
		d.text(marginL+2, y+3, opW-2, 4, "Operatore", "L")
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
	for _, rw := range r.Rows {
		if y+rowH > limit {
			y = tableHead(header())
		}
		name := rw.Name
		if rw.Name != rw.Operator {
			name += " (" + rw.Operator + ")"
		}
		y = row(y, name, rw, unhanded[rw.Operator], false)
	}
	if y+rowH > limit {
		y = tableHead(header())
	}
	d.hrule(y, dark, 0.3)
	y = row(y, "Totale", r.Total, len(r.Mismatches), true) + 8

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
			d.fit(marginL+64, y+1.3, 62, dash(m.Citizen), "", 9.5, 7, black, 1)
			d.font("", 8.5, grey)
			d.text(marginL+128, y+1, width-130, rowH-2, m.Operator+" · stampata alle "+m.Printed.Local().Format("15:04"), "R")
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
