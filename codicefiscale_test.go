package pinsede

import (
	"errors"
	"strings"
	"testing"
)

// Ensure that real codes pass, and that each kind of mistake is named.
func TestParseCodiceFiscale(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, key string
	}{
		{"valid", "RSSMRA80A01H501U", "RSSMRA80A01H501U", ""},
		{"valid, published example", "MRTMTT25D09F205Z", "MRTMTT25D09F205Z", ""},
		{"lower case and spaces around", "  rssmra80a01h501u ", "RSSMRA80A01H501U", ""},
		{"woman: day + 40", "BNCLRA85M41F205C", "BNCLRA85M41F205C", ""},
		{"omocode", "RSSMRA80A01H50MM", "RSSMRA80A01H50MM", ""},
		{"temporary 11 digits", "80078750587", "80078750587", ""},
		{"empty", "", "", KeyCFRequired},
		{"too short", "RSSMRA80A01H501", "", KeyCFLength},
		{"space inside", "RSSMRA 80A01H501U", "", KeyCFLength},
		{"digit in surname", "R5SMRA80A01H501U", "", KeyCFChar},
		{"letter outside omocode set", "RSSMRA8AA01H501U", "", KeyCFChar},
		{"bad month letter", "RSSMRA80F01H501U", "", KeyCFMonth},
		{"day 32", "RSSMRA80A32H501U", "", KeyCFDay},
		{"day 31 in April", "RSSMRA80D31H501U", "", KeyCFDay},
		{"day 72", "RSSMRA80A72H501U", "", KeyCFDay},
		{"check character", "RSSMRA80A01H501X", "", KeyCFCheck},
		{"temporary check digit", "80078750588", "", KeyCFTempCheck},
		{"temporary with a letter", "8007875058A", "", KeyCFChar},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf, err := ParseCodiceFiscale(tc.in)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("ParseCodiceFiscale(%q): %v", tc.in, err)
				}
				if string(cf) != tc.want {
					t.Fatalf("got %q, want %q", cf, tc.want)
				}
				return
			}
			var fe FieldError
			if !errors.As(err, &fe) || fe.Key != tc.key || fe.Field != FieldCodiceFiscale {
				t.Fatalf("ParseCodiceFiscale(%q) = %v, want %s", tc.in, err, tc.key)
			}
		})
	}
}

// Ensure that the check-character error names the expected character.
func TestParseCodiceFiscaleWant(t *testing.T) {
	_, err := ParseCodiceFiscale("RSSMRA80A01H501X")
	var fe FieldError
	if !errors.As(err, &fe) || fe.Args["Want"] != "U" {
		t.Fatalf("got %v, want Want=U", err)
	}
}

// Ensure that every omocode of a code has the same canonical code.
func TestCanonical(t *testing.T) {
	base := CodiceFiscale("RSSMRA80A01H501U")
	for mask := 0; mask < 1<<len(cfDigitPositions); mask++ {
		b := []byte(base)
		for i, p := range cfDigitPositions {
			if mask&(1<<i) != 0 {
				b[p] = omocodeDigits[b[p]-'0']
			}
		}
		b[15] = cfCheck(string(b[:15]))
		cf, err := ParseCodiceFiscale(string(b))
		if err != nil {
			t.Fatalf("omocode %s: %v", b, err)
		}
		if got := cf.Canonical(); got != base {
			t.Fatalf("Canonical(%s) = %s, want %s", cf, got, base)
		}
	}
}

// Ensure that a redacted code hides the personal part.
func TestRedacted(t *testing.T) {
	cf := CodiceFiscale("RSSMRA80A01H501U")
	if got := cf.Redacted(); got != "RSS**********01U" || strings.Contains(got, "MRA80") {
		t.Fatalf("Redacted = %q", got)
	}
}

func FuzzParseCodiceFiscale(f *testing.F) {
	for _, s := range []string{"RSSMRA80A01H501U", "80078750587", "", "rssmra80a01h50mm", "ÀÀÀ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cf, err := ParseCodiceFiscale(s)
		if err != nil {
			var fe FieldError
			if !errors.As(err, &fe) || fe.Key == "" {
				t.Fatalf("error without a message key: %v", err)
			}
			return
		}
		again, err := ParseCodiceFiscale(string(cf))
		if err != nil || again != cf {
			t.Fatalf("not stable: %q -> %q -> %q, %v", s, cf, again, err)
		}
		if _, err := ParseCodiceFiscale(string(cf.Canonical())); err != nil {
			t.Fatalf("canonical of %q invalid: %v", cf, err)
		}
	})
}
