package pinsede

import (
	"testing"
	"time"
)

var today = Date{2026, time.November, 23}

// validRequest is a correct MV35 of a resident abroad.
func validRequest() Request {
	return Request{
		Cognome: "Rossi", Nome: "Mario", Sesso: SexMale,
		DataNascita:   Date{1980, time.January, 1},
		LuogoNascita:  Place{Name: "Roma", Province: "RM", Code: "H501"},
		CodiceFiscale: "rssmra80a01h501u",
		Residenza:     Address{Street: "Calle Mayor 1", CAP: "28013", City: "Madrid", Country: "ES"},
		Recapiti:      Contacts{Mobile: "+34 600 123 456", Email: "mario.rossi@example.es"},
	}
}

// Ensure that each field problem of the MV35 is reported on its field, and
// that a valid request passes with its code normalised.
func TestRequestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Request)
		field string
		key   string
	}{
		{"valid", func(*Request) {}, "", ""},
		{"no surname", func(r *Request) { r.Cognome = " " }, FieldCognome, KeyRequired},
		{"long name", func(r *Request) { r.Nome = string(make([]byte, 121)) }, FieldNome, KeyTooLong},
		{"no sex", func(r *Request) { r.Sesso = "" }, FieldSesso, KeySex},
		{"birth in the future", func(r *Request) { r.DataNascita = Date{2027, 1, 1} }, FieldDataNascita, KeyDateFuture},
		{"no birth date", func(r *Request) { r.DataNascita = Date{} }, FieldDataNascita, KeyRequired},
		{"cf check", func(r *Request) { r.CodiceFiscale = "RSSMRA80A01H501X" }, FieldCodiceFiscale, KeyCFCheck},
		{"cf says woman", func(r *Request) { r.Sesso = SexFemale }, FieldCodiceFiscale, KeyCFMismatchSex},
		{"cf other birth date", func(r *Request) { r.DataNascita = Date{1980, 1, 2} }, FieldCodiceFiscale, KeyCFMismatchBirth},
		{"omocode matches", func(r *Request) { r.CodiceFiscale = "RSSMRA80A01H50MM" }, "", ""},
		{"italian CAP", func(r *Request) {
			r.Residenza = Address{Street: "Via Roma 1", CAP: "0018", City: "Roma", Province: "RM", Country: "IT"}
		}, FieldCAP, KeyCAP},
		{"italian province", func(r *Request) {
			r.Residenza = Address{Street: "Via Roma 1", CAP: "00184", City: "Roma", Country: "IT"}
		}, FieldProvincia, KeyProvincia},
		{"no country", func(r *Request) { r.Residenza.Country = "" }, FieldStato, KeyRequired},
		{"no phone", func(r *Request) { r.Recapiti.Mobile = "" }, FieldCellulare, KeyPhoneNeeded},
		{"landline only", func(r *Request) { r.Recapiti.Mobile, r.Recapiti.Landline = "", "06 1234567" }, "", ""},
		{"bad phone", func(r *Request) { r.Recapiti.Landline = "call me" }, FieldTelefono, KeyPhone},
		{"no mail", func(r *Request) { r.Recapiti.Email = "" }, FieldEmail, KeyEmailNeeded},
		{"pec only", func(r *Request) { r.Recapiti.Email, r.Recapiti.PEC = "", "mario@pec.it" }, "", ""},
		{"bad mail", func(r *Request) { r.Recapiti.Email = "mario@" }, FieldEmail, KeyEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validRequest()
			tc.edit(&r)
			es := r.Validate(today)
			if tc.key == "" {
				if len(es) > 0 {
					t.Fatalf("valid request refused: %v", es)
				}
				if r.CodiceFiscale != r.CodiceFiscale.Canonical() && r.CodiceFiscale.Canonical() != "RSSMRA80A01H501U" {
					t.Fatalf("code not normalised: %q", r.CodiceFiscale)
				}
				return
			}
			fe, ok := es.For(tc.field)
			if !ok || fe.Key != tc.key {
				t.Fatalf("got %v, want %s on %s", es, tc.key, tc.field)
			}
		})
	}
}

// Ensure that a surname or name not written in Latin letters (another
// alphabet, emoji, digits, symbols; no letter at all) is refused on its
// field with KeyNameLatin, on the MV35 and on a party of a delegation;
// and that a Latin name with diacritics, apostrophes, spaces, hyphens and
// dots, or letters the codice fiscale does not show, passes.
func TestNameLatin(t *testing.T) {
	for _, tc := range []struct {
		name  string
		latin bool
	}{
		{"😀😀", false},
		{"🙂", false},
		{"Иванов", false},
		{"Сергей", false},
		{"Παπαδόπουλος", false},
		{"Rossi😀", false},
		{"Mario2", false},
		{"★", false},
		{"🇮🇹", false},
		{"'-", false},
		{"Xu", true},
		{"Li", true},
		{"D'Angelo", true},
		{"Anna Maria", true},
		{"O’Brien", true},
		{"Seán", true},
		{"Müller-Lüdenscheidt", true},
		{"Nguyễn", true},
		{"Thị Minh Khai", true},
		{"García Márquez", true},
		{"Bjørn", true},
		{"Jose\u0301", true},
		{"St. John", true},
	} {
		for _, field := range []string{FieldCognome, FieldNome} {
			r := validRequest()
			p := Party{Cognome: r.Cognome, Nome: r.Nome}
			if field == FieldCognome {
				r.Cognome, p.Cognome = tc.name, tc.name
			} else {
				r.Nome, p.Nome = tc.name, tc.name
			}
			for _, got := range []struct {
				where, field string
				es           FieldErrors
			}{
				{"MV35", field, r.Validate(today)},
				{"delegato", SideDelegato.Field(field), p.validate(SideDelegato, today)},
			} {
				fe, found := got.es.For(got.field)
				if tc.latin && found || !tc.latin && (!found || fe.Key != KeyNameLatin) {
					t.Errorf("%s, %s %q: %v; want KeyNameLatin: %v", got.where, field, tc.name, got.es, !tc.latin)
				}
			}
		}
	}
}

// Ensure that the identity check blocks expired documents, impossible dates
// and an unticked checklist.
func TestVerificationValidate(t *testing.T) {
	valid := func() Verification {
		return Verification{
			Document: Document{
				Type: DocPassaporto, Number: "ya1234567", Authority: "Questura di Roma",
				IssuedOn: Date{2020, 5, 4}, ExpiresOn: Date{2030, 5, 3},
			},
			Checklist: Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
		}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Verification)
		field string
		key   string
	}{
		{"valid", func(*Verification) {}, "", ""},
		{"expired", func(v *Verification) { v.Document.ExpiresOn = Date{2026, 11, 22} }, FieldDocExpires, KeyDocExpired},
		{"expires today is still valid", func(v *Verification) { v.Document.ExpiresOn = today }, "", ""},
		{"expiry before issue", func(v *Verification) { v.Document.ExpiresOn = Date{2019, 1, 1} }, FieldDocExpires, KeyDocExpiryOrder},
		{"issued in the future", func(v *Verification) { v.Document.IssuedOn = Date{2026, 11, 24} }, FieldDocIssued, KeyDateFuture},
		{"passport number shape", func(v *Verification) { v.Document.Number = "Y1234567" }, FieldDocNumber, KeyDocNumber},
		{"cie", func(v *Verification) { v.Document.Type, v.Document.Number = DocCIE, "CA00000AA" }, "", ""},
		{"cie shape", func(v *Verification) { v.Document.Type, v.Document.Number = DocCIE, "CA000000A" }, FieldDocNumber, KeyDocNumber},
		{"foreign needs country", func(v *Verification) { v.Document.Type, v.Document.Number = DocPassaportoEstero, "X12345678" }, FieldDocCountry, KeyCountry},
		{"foreign with country", func(v *Verification) {
			v.Document.Type, v.Document.Number, v.Document.Country = DocPassaportoEstero, "X12345678", "ar"
		}, "", ""},
		// A foreign type issued by Italy would pass the rule "no Italian
		// document" (Policy.Check goes by the type): a clerk who picked
		// Italy, or the type, by mistake is told which to correct.
		{"foreign type issued by Italy", func(v *Verification) {
			v.Document.Type, v.Document.Number, v.Document.Country = DocPassaportoEstero, "X12345678", "IT"
		}, FieldDocCountry, KeyDocForeignItaly},
		{"foreign identity card issued by Italy", func(v *Verification) {
			v.Document.Type, v.Document.Number, v.Document.Country = DocIdentitaEstera, "X12345678", " it "
		}, FieldDocCountry, KeyDocForeignItaly},
		{"Italian type issued abroad", func(v *Verification) { v.Document.Country = "FR" }, FieldDocCountry, KeyDocItalianAbroad},
		{"Italian type issued by Italy", func(v *Verification) { v.Document.Country = "IT" }, "", ""},
		{"photo not checked", func(v *Verification) { v.Checklist.PhotoMatches = false }, FieldCheckPhoto, KeyCheckNotDone},
		{"MV35 not signed", func(v *Verification) { v.Checklist.MV35Signed = false }, FieldCheckSigned, KeyCheckNotDone},
		{"scan not an image", func(v *Verification) { v.Scan = &Scan{Name: "x.exe", Data: []byte("MZ\x90")} }, FieldScan, KeyScanType},
		{"scan pdf", func(v *Verification) { v.Scan = &Scan{Name: "x.pdf", Data: []byte("%PDF-1.7\n")} }, "", ""},
		{"scan too large", func(v *Verification) {
			v.Scan = &Scan{Name: "x.png", Data: append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxScanBytes)...)}
		}, FieldScan, KeyScanTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := valid()
			tc.edit(&v)
			es := v.Validate(today)
			if tc.key == "" {
				if len(es) > 0 {
					t.Fatalf("valid check refused: %v", es)
				}
				return
			}
			if fe, ok := es.For(tc.field); !ok || fe.Key != tc.key {
				t.Fatalf("got %v, want %s on %s", es, tc.key, tc.field)
			}
		})
	}
}

// Ensure that the lock-out starts at the fifth failure and grows.
func TestOperatorLockout(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var op Operator
	var locks []time.Duration
	for range 8 {
		op.failed(now)
		locks = append(locks, op.LockedUntil.Sub(now).Round(time.Second))
	}
	want := []time.Duration{0, 0, 0, 0, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i, w := range want {
		if (w == 0 && locks[i] > 0) || (w > 0 && locks[i] != w) {
			t.Fatalf("after %d failures locked for %v, want %v", i+1, locks[i], w)
		}
	}
	for range 30 {
		op.failed(now)
	}
	if d := op.LockedUntil.Sub(now); d != LockoutMax {
		t.Fatalf("lock-out %v, want the cap %v", d, LockoutMax)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"01/01/1980", "1980-01-01", "31/02/2000", "", "1/1/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		var back Date
		if err := back.UnmarshalText([]byte(d.String())); err != nil || back != d {
			t.Fatalf("%q -> %v does not round-trip: %v", s, d, err)
		}
	})
}
