// Package ticket is the kiosk's queue ticket: a [Ticket] with a random code,
// its printed form, a PDF receipt 80 mm wide ([PDF]), and the spool folder
// through which the kiosk hands the pre-filled request to the desks
// ([Spool]), and the day's count of queue numbers ([Counter]).
//
// # Basics
//
// A ticket carries the queue number the desks call, the service asked for,
// the time, and a code (printed in letters and as a Code 128 barcode) that
// the desk scans or types to open the request the citizen pre-filled.
//
// # Caveats
//
// A ticket carries no personal data: no name, no codice fiscale, nothing
// the citizen typed. Whoever finds a lost ticket learns only a queue number
// and a random code, and the code opens the request only at a desk, after
// the operator has checked the holder's identity document.
//
// The spool's files do carry the request: sealed with the spool's key
// (XChaCha20-Poly1305), the owner's only (0600); a desk removes the one it
// takes, and those of past days are removed ([Spool.Expire]).
// [Spool.Waiting] keeps the tickets, never the requests.
package ticket

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede/ui/barcode"
)

// CodeAlphabet is the alphabet of ticket codes: digits and upper-case
// letters without those that are misread on paper or on a keyboard (0 O,
// 1 I L, 5 S, 2 Z, 8 B).
const CodeAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// CodeLength is the number of characters of a ticket code: 25^8 codes,
// about 1.5e11.
const CodeLength = 8

// Ticket is one citizen's place in the queue of the sede.
type Ticket struct {
	// Number is the queue number shown and called, such as "K017".
	Number string `json:"number"`
	// Code is the random code that opens the pre-filled request at a desk.
	Code string `json:"code"`
	// Service is the service asked for ("request", "lost", "convert").
	Service string `json:"service"`
	// Issued is when the ticket was printed.
	Issued time.Time `json:"issued"`
	// Pending is true when the request did not reach the desks and waits at
	// the kiosk: the ticket says so.
	Pending bool `json:"pending,omitempty"`
}

// NewCode returns a random ticket code of [CodeLength] characters from
// [CodeAlphabet], read from crypto/rand.
func NewCode() string {
	b := make([]byte, CodeLength)
	for i := range b {
		b[i] = CodeAlphabet[randIntn(len(CodeAlphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random number in [0, n) from crypto/rand.
func randIntn(n int) int {
	var b [1]byte
	limit := 256 - 256%n
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on Linux since Go 1.24
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// Labels are the texts of the printed ticket in the citizen's language.
type Labels struct {
	Header  string // INPS – Sede di ...
	Number  string // Il tuo numero
	Service string // the name of the service asked for
	Time    string // Ora
	Code    string // Codice
	Bring   string // Porta un documento d'identità.
	Pending string // printed only for a pending ticket
}

// Width is the paper width of the ticket, in millimetres.
const Width = 80.0

// PDF renders t as a receipt 80 mm wide with Fyne's bundled fonts.
func PDF(t Ticket, l Labels) ([]byte, error) {
	bars, err := barcode.Code128B(t.Code)
	if err != nil {
		return nil, err
	}
	height := 92.0
	if t.Pending {
		height += 22
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: Width, Ht: height}})
	pdf.SetMargins(6, 6, 6)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle("INPS "+t.Number, true)
	pdf.SetCreator("pinsede chiosco", true)
	pdf.SetCreationDate(t.Issued)
	pdf.SetModificationDate(t.Issued)
	pdf.AddUTF8FontFromBytes("sans", "", theme.DefaultTextFont().Content())
	pdf.AddUTF8FontFromBytes("sans", "B", theme.DefaultTextBoldFont().Content())
	pdf.AddPage()
	w := Width - 12
	pdf.SetFont("sans", "B", 12)
	pdf.MultiCell(w, 5.5, l.Header, "", "C", false)
	pdf.Ln(2)
	pdf.Line(6, pdf.GetY(), Width-6, pdf.GetY())
	pdf.Ln(3)
	pdf.SetFont("sans", "", 11)
	pdf.CellFormat(w, 6, l.Number, "", 1, "C", false, 0, "")
	pdf.SetFont("sans", "B", 40)
	pdf.CellFormat(w, 17, t.Number, "", 1, "C", false, 0, "")
	pdf.SetFont("sans", "B", 12)
	pdf.MultiCell(w, 5.5, l.Service, "", "C", false)
	pdf.Ln(1)
	pdf.SetFont("sans", "", 11)
	pdf.CellFormat(w, 6, l.Time+": "+t.Issued.Format("02/01/2006 15:04"), "", 1, "C", false, 0, "")
	pdf.Ln(2)
	// The barcode: 0.33 mm modules, with quiet zones of ten modules.
	modules := 0
	for _, b := range bars {
		modules += b
	}
	mod := 0.33
	x := (Width - float64(modules)*mod) / 2
	y := pdf.GetY()
	for i, b := range bars {
		if i%2 == 0 {
			pdf.Rect(x, y, float64(b)*mod, 14, "F")
		}
		x += float64(b) * mod
	}
	pdf.SetY(y + 15)
	pdf.SetFont("sans", "", 11)
	pdf.CellFormat(w, 6, l.Code+": "+t.Code, "", 1, "C", false, 0, "")
	pdf.Ln(2)
	if t.Pending {
		pdf.SetFont("sans", "B", 11)
		pdf.MultiCell(w, 5, l.Pending, "1", "C", false)
		pdf.Ln(2)
	}
	pdf.SetFont("sans", "", 10)
	pdf.MultiCell(w, 5, l.Bring, "", "C", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("ticket %s: %w", t.Number, err)
	}
	return buf.Bytes(), nil
}
