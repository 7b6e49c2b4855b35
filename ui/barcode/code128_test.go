package barcode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// decode128B decodes bar and space widths made by code128B: it checks the
// start, the check symbol and the stop, and returns the data.
func deCode128B(widths []int) (string, error) {
	symbols := map[string]int{}
	for v, p := range code128 {
		symbols[p] = v
	}
	if len(widths) < 13 || (len(widths)-7)%6 != 0 {
		return "", fmt.Errorf("%d widths: not start, symbols, check and stop", len(widths))
	}
	var stop strings.Builder
	for _, w := range widths[len(widths)-7:] {
		stop.WriteByte(byte('0' + w))
	}
	if stop.String() != code128Stop {
		return "", errors.New("no stop symbol")
	}
	var values []int
	for i := 0; i < len(widths)-7; i += 6 {
		var p strings.Builder
		for _, w := range widths[i : i+6] {
			p.WriteByte(byte('0' + w))
		}
		v, ok := symbols[p.String()]
		if !ok {
			return "", fmt.Errorf("symbol %d: no such pattern %s", i/6, p.String())
		}
		values = append(values, v)
	}
	if values[0] != code128StartB {
		return "", errors.New("no Start B")
	}
	data, check := values[1:len(values)-1], values[len(values)-1]
	sum := code128StartB
	var s strings.Builder
	for i, v := range data {
		sum += (i + 1) * v
		s.WriteByte(byte(' ' + v))
	}
	if sum%103 != check {
		return "", fmt.Errorf("check symbol %d, want %d", check, sum%103)
	}
	return s.String(), nil
}

// Ensure that every symbol of the table is 11 modules of three bars and
// three spaces, and that no two are alike.
func TestCode128Table(t *testing.T) {
	seen := map[string]int{}
	for v, p := range code128 {
		sum := 0
		for _, w := range p {
			sum += int(w - '0')
		}
		if len(p) != 6 || sum != 11 {
			t.Errorf("value %d: %s is not 6 elements of 11 modules", v, p)
		}
		if prev, ok := seen[p]; ok {
			t.Errorf("values %d and %d share %s", prev, v, p)
		}
		seen[p] = v
	}
}

// Ensure that serial numbers decode back from their bar widths.
func TestCode128RoundTrip(t *testing.T) {
	for _, s := range []string{"ROMA01-20261123-3F9A2C", "PJJ123C", "a", " ~{}|", "0000000000"} {
		widths, err := Code128B(s)
		if err != nil {
			t.Fatal(err)
		}
		modules := 0
		for _, w := range widths {
			modules += w
		}
		if want := 11*(len(s)+3) + 2; modules != want {
			t.Errorf("%q: %d modules, want %d", s, modules, want)
		}
		got, err := deCode128B(widths)
		if err != nil || got != s {
			t.Errorf("decode(encode(%q)) = %q, %v", s, got, err)
		}
	}
	// The check symbol of PJJ123C: (104 + 1·48 + 2·42 + 3·42 + 4·17 +
	// 5·18 + 6·19 + 7·35) mod 103 = 55.
	widths, _ := Code128B("PJJ123C")
	if got, want := fmt.Sprint(widths[6*8:6*9]), fmt.Sprint(digits(code128[55])); got != want {
		t.Errorf("check symbol of PJJ123C = %s, want value 55 %s", got, want)
	}
	if _, err := Code128B("città"); err == nil {
		t.Error("encoded a character outside printable ASCII")
	}
}

func digits(p string) []int {
	var d []int
	for _, c := range p {
		d = append(d, int(c-'0'))
	}
	return d
}

// Ensure that each symbol takes 11 modules and the stop 13, and that an
// empty text is refused.
func TestCode128Modules(t *testing.T) {
	for _, s := range []string{"K7M3QX9A", "A", "PJJ123C"} {
		w, err := Code128B(s)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, x := range w {
			sum += x
		}
		if want := 11*(len(s)+2) + 13; sum != want {
			t.Errorf("%s: %d modules, want %d", s, sum, want)
		}
	}
	if _, err := Code128B(""); err == nil {
		t.Error("encoded an empty text")
	}
}
