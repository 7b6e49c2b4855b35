package desk

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// passportMRZ is the MRZ of the passport of the tests (TD3), as a
// keyboard-wedge reader types it: two lines with a line break.
const passportMRZ = "P<ARGROSSI<<MARIO<<<<<<<<<<<<<<<<<<<<<<<<<<<\n" +
	"AAA1234565ARG8001014M3205035<<<<<<<<<<<<<<<2"

// specimenMRZ is the passport specimen of ICAO 9303 part 4 (TD3): Anna
// Maria Eriksson, female, born 12/08/1974, passport L898902C3 of Utopia,
// expiring 15/04/2012.
var specimenMRZ = []string{
	"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
	"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
}

// key sends a key to e, as the keyboard does.
func key(f fyne.Focusable, name fyne.KeyName) { f.TypedKey(&fyne.KeyEvent{Name: name}) }

// newRequest opens an empty MV35.
func (h *harness) newRequest() *requestScreen {
	h.t.Helper()
	h.tap(h.app.home.newRequest)
	return h.app.request
}

// Ensure that the place-of-birth picker finds places by name, tells apart
// the same name in two provinces, finds ceased states by their name, and
// that choosing one fills the name and the code.
func TestPlacePicker(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	p := r.luogo

	for _, c := range []struct {
		name, typed string
		want        []string // among the suggestions, in this order
		downs       int      // Down presses before Enter
		text, code  string   // the entries after Enter
		detail      string   // the grey text of the chosen suggestion
	}{
		{"a comune", "Roma", []string{"Roma (RM)"}, 0, "Roma (RM)", "H501", "H501"},
		{"same name, two provinces", "peglio", []string{"Peglio (CO)", "Peglio (PU)"}, 1, "Peglio (PU)", "G416", "G416"},
		{"a prefix, each with its province", "San Giorgio", []string{"San Giorgio (BZ)", "San Giorgio a Cremano (NA)", "San Giorgio di Piano (BO)"}, 1, "San Giorgio a Cremano (NA)", "H892", "H892"},
		{"a ceased state", "Jugoslavia", []string{"Repubblica Socialista Federale di Jugoslavia"}, 0,
			"Repubblica Socialista Federale di Jugoslavia", "Z118", "stato estero · fino al 01/01/2004 · Z118"},
		{"a comune merged into another", "corigliano c", []string{"Corigliano Calabro (CS)"}, 0,
			"Corigliano Calabro (CS)", "D005", "fino al 31/03/2018 · D005"},
		{"by its code", "Z105", []string{"Cecoslovacchia"}, 0, "Cecoslovacchia", "Z105", "stato estero · fino al 01/01/1993 · Z105"},
		{"by today's local name, with the province of the time", "Krk", []string{"Veglia (FU)"}, 0, "Veglia (FU)", "M293", "Krk · cessato · M293"},
		{"Rijeka", "Rijeka", []string{"Fiume (FU)"}, 0, "Fiume (FU)", "D620", "Rijeka · fino al 16/09/1947 · D620"},
		{"a ceded comune by its Italian name", "Pola", []string{"Pola (PL)"}, 0, "Pola (PL)", "G778", "fino al 16/09/1947 · G778"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.typeIn(p.entry, c.typed)
			if !p.showing() {
				t.Fatalf("%q: no suggestions shown", c.typed)
			}
			got := p.suggestions()
			last := -1
			for _, w := range c.want {
				i := slices.Index(got, w)
				if i < 0 || i < last {
					t.Fatalf("%q: suggestions %q, want %q in this order", c.typed, got, c.want)
				}
				last = i
			}
			for range c.downs {
				key(p.entry, fyne.KeyDown)
			}
			if d := placeDetail(p.results[p.highlight], c.typed); d != c.detail {
				t.Errorf("detail %q, want %q", d, c.detail)
			}
			key(p.entry, fyne.KeyReturn)
			if p.showing() {
				t.Error("the suggestions stay open after Enter")
			}
			if p.text() != c.text || r.catastale.Text != c.code {
				t.Errorf("after Enter: %q, code %q; want %q, %q", p.text(), r.catastale.Text, c.text, c.code)
			}
		})
	}

	// Escape closes the list and keeps the text; Up does not leave it.
	h.typeIn(p.entry, "Castro")
	key(p.entry, fyne.KeyUp)
	if p.highlight != 0 {
		t.Errorf("Up from the first suggestion: highlight %d", p.highlight)
	}
	key(p.entry, fyne.KeyEscape)
	if p.showing() || p.text() != "Castro" {
		t.Errorf("Escape: showing %v, text %q", p.showing(), p.text())
	}
	// A click chooses too.
	key(p.entry, fyne.KeyDown)
	if !p.showing() {
		t.Fatal("Down does not open the suggestions")
	}
	p.list.Select(1)
	if p.text() != "Castro (LE)" || r.catastale.Text != "M261" {
		t.Errorf("click on the second: %q, %q", p.text(), r.catastale.Text)
	}
	if got := r.request().LuogoNascita; got != (pinsede.Place{Name: "Castro", Province: "LE", Code: "M261"}) {
		t.Errorf("the request's place: %+v", got)
	}
	// A name that is no place says so, without blocking.
	h.typeIn(p.entry, "Atlantide")
	h.win.Canvas().Unfocus()
	if got := r.fields[pinsede.FieldLuogoNascita].problem.Text; got != lang.L("place.notfound") {
		t.Errorf("unknown name: %q", got)
	}
	if r.catastale.Text != "" {
		t.Errorf("another name kept the code of the place chosen before: %q", r.catastale.Text)
	}
	// The code typed alone names the place.
	h.typeIn(p.entry, "")
	h.typeIn(r.catastale, "G416")
	if p.text() != "Peglio (PU)" {
		t.Errorf("code typed: place %q, want Peglio (PU)", p.text())
	}
	h.typeIn(r.catastale, "G415")
	if p.text() != "Peglio (CO)" {
		t.Errorf("code typed again: place %q, want Peglio (CO)", p.text())
	}
}

// Ensure that a code not in force on the birth date is a warning under the
// place, not an error.
func TestPlaceValidityWarning(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	h.typeIn(r.dataNascita, "01/01/1950")
	h.typeIn(r.luogo.entry, "Corigliano-Rossano") // founded in 2018
	key(r.luogo.entry, fyne.KeyReturn)
	h.win.Canvas().Unfocus()
	fl := r.fields[pinsede.FieldLuogoNascita]
	if got := fl.noteText(); got != lang.L(pinsede.KeyPlaceValidity) {
		t.Errorf("note %q, want the validity warning", got)
	}
	if _, ok := r.problems().For(pinsede.FieldLuogoNascita); ok {
		t.Error("the validity of the place is an error")
	}
	if _, ok := r.problems().For(fieldCatastale); ok {
		t.Error("the validity of the code is an error")
	}
}

// Ensure that the form proposes the codice fiscale computed from the data,
// and that using it makes a code that matches.
func TestComputedCodiceFiscale(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	q := mario
	q.CodiceFiscale = ""
	h.fillRequest(q)
	want := "Usa il codice calcolato: RSSMRA80A01H501U"
	if !r.cfUse.Visible() || r.cfUse.Text != want {
		t.Fatalf("proposal: visible %v, %q; want %q", r.cfUse.Visible(), r.cfUse.Text, want)
	}
	h.tap(r.cfUse)
	if r.cf.Text != "RSSMRA80A01H501U" {
		t.Errorf("after the proposal: %q", r.cf.Text)
	}
	if r.cfUse.Visible() {
		t.Error("the proposal stays once the code is the computed one")
	}
	if got := r.fields[pinsede.FieldCodiceFiscale].noteText(); got != "Il codice fiscale corrisponde ai dati." {
		t.Errorf("note %q", got)
	}
	h.tap(r.next)
	if h.app.current.View != h.app.verify.screen.View {
		t.Fatalf("Avanti: %v", r.problems())
	}
}

// Ensure that a codice fiscale that says another sex shows it under sesso,
// points there from the code, proposes the computed code and blocks.
func TestCodiceFiscaleSexMismatch(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	q := mario
	q.Sesso = pinsede.SexFemale
	h.fillRequest(q)
	if got, want := r.fields[pinsede.FieldSesso].problem.Text, "Il codice fiscale indica il sesso M."; got != want {
		t.Errorf("under sesso: %q, want %q", got, want)
	}
	if got := r.fields[pinsede.FieldCodiceFiscale].problem.Text; got != lang.L(keyCFMismatch) {
		t.Errorf("under the code: %q", got)
	}
	for _, f := range []string{pinsede.FieldCognome, pinsede.FieldNome, pinsede.FieldDataNascita, pinsede.FieldLuogoNascita} {
		if got := r.fields[f].problem.Text; got != "" {
			t.Errorf("under %s: %q", f, got)
		}
	}
	if got := r.cfUse.Text; got != "Usa il codice calcolato: RSSMRA80A41H501Y" {
		t.Errorf("proposal %q", got)
	}
	h.tap(r.next)
	if h.app.current.View != r.screen.View {
		t.Fatal("Avanti went on with a codice fiscale of the other sex")
	}
	// Choosing the sex of the code clears both.
	r.sesso.SetSelected(lang.L("sex.M"))
	if a, b := r.fields[pinsede.FieldSesso].problem.Text, r.fields[pinsede.FieldCodiceFiscale].problemText(); a != "" || b != "" {
		t.Errorf("after the fix: %q, %q", a, b)
	}
}

// Ensure that a surname spelt otherwise than in the code only warns.
func TestCodiceFiscaleSurnameWarns(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	h.fillRequest(mario)
	fl := r.fields[pinsede.FieldCognome]
	h.typeIn(r.cognome, "Bianchi")
	h.win.Canvas().Unfocus()
	want := "Il codice fiscale ha RSS per il cognome, dal cognome scritto risulta BNC: controlla come è scritto (per un nome straniero il codice può venire da un'altra grafia)."
	if got := fl.noteText(); got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	if _, ok := r.problems().For(pinsede.FieldCognome); ok {
		t.Error("the surname's letters are an error")
	}
}

// omocodeOf returns cf with its last digit replaced by its omocode letter
// and the check character that fits.
func omocodeOf(t *testing.T, cf string) string {
	t.Helper()
	b := []byte(cf)
	b[14] = "LMNPQRSTUV"[b[14]-'0']
	for c := byte('A'); c <= 'Z'; c++ {
		b[15] = c
		if _, err := pinsede.ParseCodiceFiscale(string(b)); err == nil {
			return string(b)
		}
	}
	t.Fatalf("no omocode of %s", cf)
	return ""
}

// Ensure that an omocode of the computed code is a match, and says so.
func TestOmocodeMatches(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	q := mario
	q.CodiceFiscale = pinsede.CodiceFiscale(omocodeOf(t, string(mario.CodiceFiscale)))
	h.fillRequest(q)
	fl := r.fields[pinsede.FieldCodiceFiscale]
	want := "Codice omocodico: corrisponde a RSSMRA80A01H501U, il codice calcolato dai dati."
	if fl.problemText() != "" || fl.noteText() != want {
		t.Errorf("problem %q, note %q; want no problem and %q", fl.problemText(), fl.noteText(), want)
	}
	if r.cfUse.Visible() {
		t.Error("an omocode of the computed code gets the computed one proposed")
	}
	h.tap(r.next)
	if h.app.current.View != h.app.verify.screen.View {
		t.Fatalf("Avanti with an omocode: %v", r.problems())
	}
}

// Ensure that an MRZ typed line by line pre-fills the empty fields of the
// document and of the MV35, and flags the values typed that it
// contradicts, here and on the MV35.
func TestMRZPrefill(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	h.typeIn(r.cognome, "Eriksson")
	r.sesso.SetSelected(lang.L("sex.M")) // the MRZ says F
	h.app.showVerify()
	v := h.app.verify
	h.typeIn(v.number, "L898902C4") // the MRZ says L898902C3

	h.typeIn(v.mrz, specimenMRZ[0])
	if v.fields[pinsede.FieldMRZ].problem.Text != "" {
		t.Errorf("half an MRZ shows %q while it is typed", v.fields[pinsede.FieldMRZ].problem.Text)
	}
	key(v.mrz, fyne.KeyReturn)
	test.Type(v.mrz, specimenMRZ[1])
	if v.mrzRead == nil {
		t.Fatalf("the specimen does not parse: %v", v.mrzErr)
	}
	if got := v.documentType(); got != pinsede.DocPassaportoEstero {
		t.Errorf("type %q", got)
	}
	if v.expires.Text != "15/04/2012" {
		t.Errorf("expiry %q", v.expires.Text)
	}
	if v.number.Text != "L898902C4" {
		t.Errorf("the number typed was replaced: %q", v.number.Text)
	}
	want := "Il valore scritto (L898902C4) non corrisponde alla MRZ (L898902C3): controlla sul documento."
	if got := v.fields[pinsede.FieldDocNumber].noteText(); got != want {
		t.Errorf("under the number: %q, want %q", got, want)
	}
	if got := v.fields[pinsede.FieldMRZ].noteText(); !strings.HasPrefix(got, "La MRZ non corrisponde al modello MV35 (Sesso)") {
		t.Errorf("under the MRZ: %q", got)
	}
	// The MV35: the empty fields filled, the sex flagged, the surname kept.
	if r.nome.Text != "ANNA MARIA" || r.dataNascita.Text != "12/08/1974" || r.cognome.Text != "Eriksson" {
		t.Errorf("MV35: nome %q, nato %q, cognome %q", r.nome.Text, r.dataNascita.Text, r.cognome.Text)
	}
	h.tap(v.back)
	if got := r.fields[pinsede.FieldSesso].noteText(); got != "Il valore scritto (M) non corrisponde alla MRZ (F): controlla sul documento." {
		t.Errorf("under sesso: %q", got)
	}
	// Fixing the sex clears both notes.
	r.sesso.SetSelected(lang.L("sex.F"))
	h.app.showVerify()
	if got := r.fields[pinsede.FieldSesso].noteText(); got != "" {
		t.Errorf("under sesso after the fix: %q", got)
	}
	if got := v.fields[pinsede.FieldMRZ].noteText(); !strings.HasPrefix(got, "MRZ valida (TD3)") {
		t.Errorf("under the MRZ after the fix: %q", got)
	}
}

// Ensure that an MRZ with a wrong check digit says which one, where, and
// what it should be, and fills nothing.
func TestMRZBadCheckDigit(t *testing.T) {
	h := ready(t)
	h.newRequest()
	h.app.showVerify()
	v := h.app.verify
	bad := specimenMRZ[0] + "\n" + strings.Replace(specimenMRZ[1], "7408122F", "7408123F", 1)
	v.mrz.SetText(bad) // a reader's burst
	want := "La cifra di controllo della data di nascita non corrisponde (riga 2, posizione 20: attesa 2)."
	if got := v.fields[pinsede.FieldMRZ].problem.Text; got != want {
		t.Errorf("problem %q, want %q", got, want)
	}
	if v.number.Text != "" || v.documentType() != "" {
		t.Error("a broken MRZ filled the document")
	}
}

// Ensure that a document whose MRZ says it has expired shows as expired:
// the ICAO TD1 specimen with a long document number expired on 12 July
// 1995, which the MRZ writes 950712 (not 2095).
func TestMRZExpiredDocument(t *testing.T) {
	h := ready(t)
	h.newRequest()
	h.app.showVerify()
	v := h.app.verify
	v.mrz.SetText("I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<")
	if v.mrzRead == nil {
		t.Fatalf("the specimen does not parse: %v", v.mrzErr)
	}
	if v.expires.Text != "12/07/1995" {
		t.Errorf("expiry %q, want 12/07/1995", v.expires.Text)
	}
	want := "Documento scaduto il 12/07/1995: il PIN non può essere emesso. Chiedi un documento valido."
	if got := v.fields[pinsede.FieldDocExpires].problem.Text; got != want {
		t.Errorf("under the expiry: %q, want %q", got, want)
	}
}

// Ensure that the MRZ of a holder with one name only is read: the name
// fills both cognome and nome of the MV35, and the clerk is told so under
// the MRZ and under the cognome; a visa is still refused.
func TestMRZSingleName(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	h.app.showVerify()
	v := h.app.verify
	v.mrz.SetText("P<IND<<KUMAR<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nZ1234567<1IND8001014M3101012<<<<<<<<<<<<<<<0")
	if v.mrzRead == nil {
		t.Fatalf("the MRZ does not parse: %v", v.mrzErr)
	}
	want := "Il documento riporta un solo nome, KUMAR: nel modello MV35 è scritto sia come cognome sia come nome. Verifica che corrisponda al codice fiscale."
	if got := v.fields[pinsede.FieldMRZ].noteText(); got != want {
		t.Errorf("under the MRZ: %q, want %q", got, want)
	}
	if r.cognome.Text != "KUMAR" || r.nome.Text != "KUMAR" {
		t.Errorf("MV35: cognome %q, nome %q", r.cognome.Text, r.nome.Text)
	}
	h.tap(v.back)
	if got := r.fields[pinsede.FieldCognome].noteText(); got != want {
		t.Errorf("under the cognome: %q, want %q", got, want)
	}
	if got := r.fields[pinsede.FieldNome].problemText(); got != "" {
		t.Errorf("under the nome: %q", got)
	}

	h.app.showVerify()
	v.mrz.SetText("V<IND<<KUMAR<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nZ1234567<1IND8001014M3101012<<<<<<<<<<<<<<<0")
	if got, want := v.fields[pinsede.FieldMRZ].problem.Text, "Il documento (V) non è una carta d'identità né un passaporto."; got != want {
		t.Errorf("a visa: %q, want %q", got, want)
	}
}

// Ensure that the idle lock takes the suggestions away, so that the
// password does not go to the place's entry, and that they come back after.
func TestPlacePickerLock(t *testing.T) {
	h := ready(t)
	r := h.newRequest()
	p := r.luogo
	h.typeIn(p.entry, "Rom")
	if !p.showing() {
		t.Fatal("no suggestions")
	}
	h.app.lockSession()
	if p.showing() || len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("the suggestions show over the lock screen")
	}
	h.typeIn(h.app.lock.password, "password-di-prova")
	h.tap(h.app.lock.unlock)
	if h.app.lock.locked {
		t.Fatal("still locked")
	}
	if p.text() != "Rom" {
		t.Errorf("the place's entry holds %q", p.text())
	}
	test.Type(p.entry, "a")
	if !p.showing() || p.suggestions()[0] != "Roma (RM)" {
		t.Errorf("after the lock: showing %v, %q", p.showing(), p.suggestions())
	}
}

// Ensure that each disagreement of the codice fiscale with the data shows
// under the field it names.
func TestCodiceFiscaleMismatchUnderField(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*pinsede.Request)
		field string
		want  string
	}{
		{"birth date", func(q *pinsede.Request) { q.DataNascita.Day = 2 }, pinsede.FieldDataNascita,
			"Il codice fiscale indica la data di nascita 01/01/80."},
		{"place", func(q *pinsede.Request) { q.LuogoNascita = pinsede.Place{Name: "Milano", Province: "MI", Code: "F205"} }, pinsede.FieldLuogoNascita,
			"Il codice fiscale indica come luogo di nascita Roma (RM) (H501): scegli il comune o lo stato com'era alla nascita."},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := ready(t)
			r := h.newRequest()
			q := mario
			c.edit(&q)
			h.fillRequest(q)
			if got := r.fields[c.field].problem.Text; got != c.want {
				t.Errorf("under %s: %q, want %q", c.field, got, c.want)
			}
			if got := r.fields[pinsede.FieldCodiceFiscale].problemText(); got != lang.L(keyCFMismatch) {
				t.Errorf("under the code: %q", got)
			}
		})
	}
}

// Ensure that the country pickers filter as the clerk types: "arg" offers
// Argentina, Enter (or Down and Enter) chooses it, a code or a later word
// finds a state too, and the whole name typed is a choice (issue 14,
// finding 8).
func TestCountryPickerFilters(t *testing.T) {
	testclock.RealDayOnly(t, "the country pickers' filter")
	h := ready(t)
	r := h.newRequest()
	p := r.stato
	var reported []string
	prev := p.onChanged
	p.onChanged = func(c string) { reported = append(reported, c); prev(c) }

	h.typeIn(p.entry, "arg")
	if got := p.suggestions(); !p.showing() || len(got) == 0 || got[0] != "Argentina" {
		t.Fatalf("arg: showing %v, %q", p.showing(), got)
	}
	key(p.entry, fyne.KeyReturn)
	if p.code() != "AR" || p.text() != "Argentina" || p.showing() {
		t.Errorf("arg, Enter: %q %q, showing %v", p.code(), p.text(), p.showing())
	}
	if len(reported) == 0 || reported[len(reported)-1] != "AR" {
		t.Errorf("reported %q, want AR last", reported)
	}
	if r.provincia.Disabled() != true {
		t.Error("a residence abroad keeps the province")
	}

	h.typeIn(p.entry, "arg")
	if p.code() != "" {
		t.Errorf("edited: the choice %q holds", p.code())
	}
	key(p.entry, fyne.KeyDown)
	key(p.entry, fyne.KeyReturn)
	if p.code() != "AR" {
		t.Errorf("arg, Down, Enter: %q", p.code())
	}

	for _, c := range []struct{ typed, first, also string }{
		{"stati", "Stati Uniti d'America", ""},
		{"uniti", "Stati Uniti d'America", "Emirati Arabi Uniti"}, // a common state first
		{"DEU", "Germania", ""},
		{"côte", "", ""},
	} {
		h.typeIn(p.entry, c.typed)
		got := p.suggestions()
		if c.first == "" {
			if p.showing() || !p.notFound() {
				t.Errorf("%q: suggestions %q", c.typed, got)
			}
			continue
		}
		if len(got) == 0 || got[0] != c.first || (c.also != "" && !slices.Contains(got, c.also)) {
			t.Errorf("%q: suggestions %q, want %q first and %q", c.typed, got, c.first, c.also)
		}
	}

	// The whole name typed, accents aside, is the choice; Tab moves on.
	h.typeIn(p.entry, "svizzera")
	p.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if p.code() != "CH" || p.showing() {
		t.Errorf("svizzera, Tab: %q, showing %v", p.code(), p.showing())
	}
	// Down on the empty entry lists them all, Italy first.
	p.set("")
	if p.code() != "" || p.text() != "" {
		t.Errorf("set(\"\"): %q %q", p.code(), p.text())
	}
	h.win.Canvas().Focus(p.entry)
	key(p.entry, fyne.KeyDown)
	if got := p.suggestions(); len(got) != len(pinsede.Countries()) || got[0] != "Italia" {
		t.Errorf("Down on the empty entry: %d states, first %q", len(got), got[0])
	}
	key(p.entry, fyne.KeyReturn)
	if p.code() != "IT" {
		t.Errorf("Enter on the first: %q", p.code())
	}
}
