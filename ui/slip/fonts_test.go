package slip

import (
	"bytes"
	"testing"
)

// TestPINFontOnlyWithAPIN: fpdf embeds every font a document registers, so
// the PIN's font (about 8 KB) is registered only by the documents that
// print a PIN. The MV35 is archived with every credential, at the desk and
// at centrale: it was a quarter bigger with the font it never prints.
func TestPINFontOnlyWithAPIN(t *testing.T) {
	mv35, err := MV35(sampleMV35("Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := InfoSheet()
	if err != nil {
		t.Fatal(err)
	}
	recon, err := Reconciliation(sampleReconciliation())
	if err != nil {
		t.Fatal(err)
	}
	slip, err := Render(sampleSlip(t, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	font := []byte("/BaseFont /" + mono)
	for _, tc := range []struct {
		name string
		pdf  []byte
		want bool
	}{
		{"MV35", mv35, false}, {"information sheet", info, false}, {"reconciliation", recon, false}, {"slip", slip, true},
	} {
		if got := bytes.Contains(tc.pdf, font); got != tc.want {
			t.Errorf("%s (%d bytes): the PIN's font embedded %v, want %v", tc.name, len(tc.pdf), got, tc.want)
		}
	}
	t.Logf("MV35: %d bytes", len(mv35))
}
