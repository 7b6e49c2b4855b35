package pinsede

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Ensure that a PIN has 16 characters of the alphabet and no look-alikes.
func TestGeneratePIN(t *testing.T) {
	counts := map[byte]int{}
	const n = 2000
	for range n {
		p, err := GeneratePIN(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		b := p.Bytes()
		if !ValidPINSyntax(b, PINLength) {
			t.Fatalf("PIN outside the alphabet: %q", b)
		}
		for _, c := range b {
			counts[c]++
		}
	}
	for _, bad := range "0O1IL2Z5S8B6GQD" {
		if strings.ContainsRune(PINAlphabet, bad) {
			t.Errorf("alphabet holds look-alike %q", bad)
		}
	}
	// Every symbol is drawn: 32000 draws over 21 symbols, about 1524 each.
	want := float64(n*PINLength) / float64(len(PINAlphabet))
	for i := range len(PINAlphabet) {
		c := PINAlphabet[i]
		if got := float64(counts[c]); got < want*0.8 || got > want*1.2 {
			t.Errorf("symbol %q drawn %v times, want about %.0f", c, got, want)
		}
	}
}

// Ensure that the two groups are the PIN, and that Wipe clears it.
func TestPINGroupsWipe(t *testing.T) {
	p, _ := GeneratePIN(rand.Reader)
	a, b := p.Groups()
	if len(a) != 8 || len(b) != 8 || a+b != string(p.Bytes()) {
		t.Fatalf("groups %q %q", a, b)
	}
	p.Wipe()
	if !bytes.Equal(p.Bytes(), make([]byte, PINLength)) {
		t.Fatal("Wipe left the PIN in memory")
	}
}

// Ensure that no formatting or encoding prints the PIN.
func TestPINNeverPrinted(t *testing.T) {
	p, _ := GeneratePIN(rand.Reader)
	a, b := p.Groups()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		for _, v := range []any{p, struct{ P *PIN }{p}, Slip{PIN: p}} {
			s := fmt.Sprintf(verb, v)
			if strings.Contains(s, a) || strings.Contains(s, b) || strings.Contains(s, fmt.Sprintf("%x", a)) {
				t.Fatalf("%s printed the PIN: %s", verb, s)
			}
		}
	}
	if _, err := json.Marshal(Slip{PIN: p}); err == nil {
		t.Fatal("a slip with its PIN was marshalled")
	}
}

// Ensure that a failing random source is an error, not a weak PIN.
func TestGeneratePINRandFails(t *testing.T) {
	if _, err := GeneratePIN(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Fatal("want error from a short random source")
	}
}
