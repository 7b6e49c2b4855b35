package pinsede

import "testing"

// Ensure that each document type's number format is applied to the number
// as typed, spaces and hyphens dropped.
func TestDocumentNumber(t *testing.T) {
	for _, tc := range []struct {
		typ    DocumentType
		number string
		ok     bool
	}{
		{DocCIE, "CA00000AA", true},
		{DocCIE, "ca 00000 aa", true},
		{DocCIE, "CA000000A", false},
		{DocCIE, "AA1234567", false},
		{DocCartaIdentita, "AU 1234567", true},
		{DocCartaIdentita, "AU123456", false},
		{DocPassaporto, "YA1234567", true},
		{DocPassaporto, "Y1234567", false},
		{DocPassaporto, "YA12345678", false},
		{DocPatente, "U1L69I902B", true}, // EU card model
		{DocPatente, "RM5123456N", true}, // earlier model
		{DocPatente, "U1L69I902", false},
		{DocPatente, "1UL69I902B", false},
		{DocPermesso, "I12345678", true},
		{DocPermesso, "1234", false},
		{DocPassaportoEstero, "X12345678", true},
		{DocPassaportoEstero, "C01X00T47", true},
		{DocIdentitaEstera, "L01X00T4/", false},
		{DocIdentitaEstera, "123456789012345678901", false},
	} {
		if got := validDocNumber(tc.typ, NormalizeDocumentNumber(tc.number)); got != tc.ok {
			t.Errorf("%s %q: valid %v, want %v", tc.typ, tc.number, got, tc.ok)
		}
	}
	for _, typ := range DocumentTypes() {
		if ex := DocNumberExample(typ); !validDocNumber(typ, ex) {
			t.Errorf("the example of %s, %s, is not valid", typ, ex)
		}
	}
}

// Ensure that a paper identity card is refused from 3 August 2026, and the
// issuing state is checked against ISO 3166.
func TestVerificationDocumentRules(t *testing.T) {
	v := func(typ DocumentType, number, country string) Verification {
		return Verification{
			Document:  Document{Type: typ, Number: number, Authority: "Comune di Roma", Country: country, IssuedOn: Date{2020, 1, 10}, ExpiresOn: Date{2030, 1, 10}},
			Checklist: Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
		}
	}
	for _, tc := range []struct {
		name       string
		v          Verification
		today      Date
		field, key string
	}{
		{"paper card before the end", v(DocCartaIdentita, "AU 1234567", ""), Date{2026, 8, 2}, "", ""},
		{"paper card from 3 August 2026", v(DocCartaIdentita, "AU 1234567", ""), Date{2026, 8, 3}, FieldDocType, KeyDocPaperCeased},
		{"patente", v(DocPatente, "U1L69I902B", ""), today, "", ""},
		{"foreign with an ISO code", v(DocPassaportoEstero, "X12345678", "ar"), today, "", ""},
		{"foreign with an unknown code", v(DocPassaportoEstero, "X12345678", "UK"), today, FieldDocCountry, KeyCountry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := tc.v.Validate(tc.today)
			if tc.key == "" {
				if len(es) > 0 {
					t.Fatalf("refused: %v", es)
				}
				return
			}
			if fe, ok := es.For(tc.field); !ok || fe.Key != tc.key {
				t.Fatalf("got %v, want %s on %s", es, tc.key, tc.field)
			}
		})
	}
}

// Ensure that the country list has the ISO 3166-1 codes, both ways.
func TestLookupCountry(t *testing.T) {
	if len(Countries()) != 250 {
		t.Fatalf("%d countries", len(Countries()))
	}
	for _, tc := range []struct{ code, alpha2, name string }{
		{"IT", "IT", "Italia"}, {"ita", "IT", "Italia"}, {"DE", "DE", "Germania"}, {"DEU", "DE", "Germania"},
		{"gb", "GB", "Regno Unito"}, {"CD", "CD", "Repubblica Democratica del Congo"}, {"XK", "XK", "Kosovo"},
	} {
		c, ok := LookupCountry(tc.code)
		if !ok || c.Alpha2 != tc.alpha2 || c.Name != tc.name {
			t.Errorf("LookupCountry(%q) = %+v, %v", tc.code, c, ok)
		}
	}
	for _, code := range []string{"UK", "YU", "SU", "ZZ", "", "I", "UTO"} {
		if c, ok := LookupCountry(code); ok {
			t.Errorf("LookupCountry(%q) = %+v", code, c)
		}
	}
	for i := 1; i < len(Countries()); i++ {
		if Countries()[i-1].Alpha2 >= Countries()[i].Alpha2 {
			t.Fatalf("not sorted at %s", Countries()[i].Alpha2)
		}
	}
}
