// Copyright ©2026 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import (
	"io"
	"testing"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// BenchmarkUTF8Document makes the same one-page document again and again,
// as a program that prints letters or receipts does: two UTF-8 fonts added
// from bytes, a few lines of text, compressed. It uses the exported API
// only, so that it runs unchanged before and after a change to fpdf, and
// sets the compression itself: the package's examples turn the default off.
func BenchmarkUTF8Document(b *testing.B) {
	const text = "Grüße aus Köln, Ελένη Παπαδοπούλου – Фёдор Достоевский. "
	for b.Loop() {
		pdf := New("P", "mm", "A4", "")
		pdf.SetCompression(true)
		pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
		pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
		pdf.AddPage()
		pdf.SetFont("go", "B", 14)
		pdf.Cell(0, 10, "Ricevuta")
		pdf.Ln(12)
		pdf.SetFont("go", "", 11)
		for range 20 {
			pdf.MultiCell(0, 5, text, "", "L", false)
		}
		if err := pdf.Output(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
