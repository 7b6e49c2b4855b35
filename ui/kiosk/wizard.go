package kiosk

import (
	"slices"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/pinsede/pinsede"
)

// question is one screen of the wizard.
type question struct {
	name   string   // cognome, nome, ...: the keys q.<name> and h.<name>
	fields []string // the domain's fields whose problems it shows
	build  func(w *wizard) fyne.CanvasObject
	focus  func(w *wizard) fyne.Focusable
	show   func(w *wizard) // before the screen shows, if set
	// suggestions, if set, is the row of buttons under the field that
	// comes and changes as the citizen types: places, states, the code
	// computed from the answers.
	suggestions func(w *wizard) *fyne.Container
}

// questions are the wizard's screens, in the order of the MV35.
var questions = []question{
	{name: "cognome", fields: []string{pinsede.FieldCognome},
		build: func(w *wizard) fyne.CanvasObject { return w.field(w.cognome, pinsede.FieldCognome, "") },
		focus: func(w *wizard) fyne.Focusable { return w.cognome }},
	{name: "nome", fields: []string{pinsede.FieldNome},
		build: func(w *wizard) fyne.CanvasObject { return w.field(w.nome, pinsede.FieldNome, "") },
		focus: func(w *wizard) fyne.Focusable { return w.nome }},
	{name: "sesso", fields: []string{pinsede.FieldSesso},
		build: func(w *wizard) fyne.CanvasObject {
			w.markSex()
			return container.NewVBox(container.NewGridWrap(fyne.NewSize(480, 110), w.male, w.female), w.errs[pinsede.FieldSesso])
		},
		focus: func(w *wizard) fyne.Focusable {
			if w.sex == pinsede.SexFemale {
				return w.female
			}
			return w.male
		}},
	{name: "nascita", fields: []string{pinsede.FieldDataNascita},
		build: func(w *wizard) fyne.CanvasObject { return w.field(w.nascita, pinsede.FieldDataNascita, "") },
		focus: func(w *wizard) fyne.Focusable { return w.nascita }},
	{name: "luogo", fields: []string{pinsede.FieldLuogoNascita},
		build: func(w *wizard) fyne.CanvasObject {
			return container.NewVBox(w.field(w.luogo, pinsede.FieldLuogoNascita, ""), w.app.suggestionView(w.places))
		},
		focus:       func(w *wizard) fyne.Focusable { return w.luogo },
		suggestions: func(w *wizard) *fyne.Container { return w.places }},
	{name: "cf", fields: []string{pinsede.FieldCodiceFiscale},
		build: func(w *wizard) fyne.CanvasObject {
			return container.NewVBox(w.field(w.cf, pinsede.FieldCodiceFiscale, ""), w.proposal)
		},
		focus:       func(w *wizard) fyne.Focusable { return w.cf },
		show:        func(w *wizard) { w.propose() },
		suggestions: func(w *wizard) *fyne.Container { return w.proposal }},
	{name: "stato", fields: []string{pinsede.FieldStato},
		build: func(w *wizard) fyne.CanvasObject {
			return container.NewVBox(w.field(w.stato, pinsede.FieldStato, ""), w.app.suggestionView(w.countries))
		},
		focus:       func(w *wizard) fyne.Focusable { return w.stato },
		suggestions: func(w *wizard) *fyne.Container { return w.countries }},
	{name: "indirizzo", fields: []string{pinsede.FieldIndirizzo, pinsede.FieldCAP, pinsede.FieldComune, pinsede.FieldProvincia},
		build: func(w *wizard) fyne.CanvasObject {
			// Two rows of two fields, each row as tall as its own fields.
			second := container.NewGridWithColumns(2, w.field(w.cap, pinsede.FieldCAP, "f.cap"))
			if w.country == "IT" {
				second.Add(w.field(w.prov, pinsede.FieldProvincia, "f.provincia"))
			}
			return container.NewVBox(container.NewGridWithColumns(2,
				w.field(w.street, pinsede.FieldIndirizzo, "f.indirizzo"), w.field(w.city, pinsede.FieldComune, "f.comune")),
				second)
		},
		focus: func(w *wizard) fyne.Focusable { return w.street }},
	{name: "telefono", fields: []string{pinsede.FieldCellulare, pinsede.FieldTelefono},
		build: func(w *wizard) fyne.CanvasObject {
			return container.NewGridWithColumns(2, w.field(w.mobile, pinsede.FieldCellulare, "f.cellulare"), w.field(w.landline, pinsede.FieldTelefono, "f.telefono"))
		},
		focus: func(w *wizard) fyne.Focusable { return w.mobile }},
	{name: "email", fields: []string{pinsede.FieldEmail, pinsede.FieldPEC},
		build: func(w *wizard) fyne.CanvasObject {
			return container.NewGridWithColumns(2, w.field(w.email, pinsede.FieldEmail, "f.email"), w.field(w.pec, pinsede.FieldPEC, "f.pec"))
		},
		focus: func(w *wizard) fyne.Focusable { return w.email }},
}

// wizard holds one citizen's answers in its widgets: they live as long as
// the session, and go with it.
type wizard struct {
	app     *App
	current int
	review  bool // an answer is being changed from the review screen

	cognome, nome, nascita, luogo, cf, stato *entry
	street, cap, city, prov                  *entry
	mobile, landline, email, pec             *entry
	male, female                             *choice
	sex                                      pinsede.Sex
	place                                    pinsede.Place // chosen from the suggestions
	places, countries, proposal              *fyne.Container
	country                                  string // ISO alpha-2, chosen from the suggestions
	errs                                     map[string]*widget.Label
	scroll                                   *container.Scroll // the current question, over the keyboard
	// end pads the end of the question: the margin over the keyboard,
	// and the blank room that lets a field scroll out of view above its
	// problem (revealSuggestions).
	end *layout.CustomPaddedLayout
}

func (a *App) newWizard() *wizard {
	w := &wizard{app: a, errs: map[string]*widget.Label{}}
	up := func() *entry { return a.newEntry("", true) }
	low := func() *entry { return a.newEntry("", false) }
	w.cognome, w.nome, w.luogo, w.cf, w.stato = up(), up(), up(), up(), up()
	w.street, w.cap, w.city, w.prov = up(), up(), up(), up()
	w.nascita, w.mobile, w.landline, w.email, w.pec = low(), low(), low(), low(), low()
	w.nascita.PlaceHolder = "07/03/1985"
	w.mobile.PlaceHolder = "+49 151 2345678"
	w.email.PlaceHolder = "nome@example.com"
	for _, e := range []*entry{w.cognome, w.nome, w.nascita, w.luogo, w.cf, w.stato, w.street, w.cap, w.city, w.prov, w.mobile, w.landline, w.email, w.pec} {
		e.submit = w.next
	}
	w.male = a.newChoice("", func() { w.setSex(pinsede.SexMale) })
	w.female = a.newChoice("", func() { w.setSex(pinsede.SexFemale) })
	w.places = a.newSuggestions()
	w.countries = a.newSuggestions()
	w.proposal = container.NewVBox()
	// A change of the text typed takes away the problem that asked to
	// choose in the list or to use the code proposed (revealSuggestions):
	// the list is the new text's, and the field shows again over it.
	w.luogo.OnChanged = func(s string) {
		if s != placeLabel(w.place) {
			w.place = pinsede.Place{}
		}
		w.hideProblem(pinsede.FieldLuogoNascita)
		w.suggestPlaces(s)
	}
	w.stato.OnChanged = func(s string) {
		if s != countryName(w.country) {
			w.country = ""
		}
		w.hideProblem(pinsede.FieldStato)
		w.suggestCountries(s)
	}
	w.cf.OnChanged = func(string) {
		if w.errs[pinsede.FieldCodiceFiscale].Visible() {
			w.hideProblems(pinsede.FieldCodiceFiscale)
			w.revealSuggestions() // the field back over the code proposed
		}
	}
	for _, f := range []string{pinsede.FieldCognome, pinsede.FieldNome, pinsede.FieldSesso, pinsede.FieldDataNascita,
		pinsede.FieldLuogoNascita, pinsede.FieldCodiceFiscale, pinsede.FieldStato, pinsede.FieldIndirizzo,
		pinsede.FieldCAP, pinsede.FieldComune, pinsede.FieldProvincia, pinsede.FieldCellulare,
		pinsede.FieldTelefono, pinsede.FieldEmail, pinsede.FieldPEC} {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.Hide()
		w.errs[f] = l
	}
	return w
}

// startWizard opens the first question of a new wizard.
func (a *App) startWizard() {
	a.session.wizard = a.newWizard()
	a.showQuestion(0)
}

// fieldSpacing is the room between a field's label, its entry and its
// problem.
const fieldSpacing = 2

// field returns an entry with its label (when labelKey is set) and the
// place of its problem.
func (w *wizard) field(e *entry, field, labelKey string) fyne.CanvasObject {
	rows := container.New(layout.NewCustomPaddedVBoxLayout(fieldSpacing))
	if labelKey != "" {
		l := widget.NewLabel(tr(labelKey))
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.SizeName = fynetheme.SizeNameCaptionText
		rows.Add(l)
	}
	rows.Add(e)
	rows.Add(w.errs[field])
	return rows
}

// showQuestion shows question i.
func (a *App) showQuestion(i int) {
	w := a.session.wizard
	w.current = i
	q := questions[i]
	if q.show != nil {
		q.show(w)
	}
	w.male.SetText(tr("sesso.m"))
	w.female.SetText(tr("sesso.f"))
	step := widget.NewLabel(tr("wizard.step", map[string]any{"N": i + 1, "Of": len(questions)}))
	step.TextStyle = fyne.TextStyle{Bold: true}
	step.Importance = widget.HighImportance
	hint := paragraph(tr("h." + q.name))
	step.Alignment = fyne.TextAlignCenter
	asked := heading(tr("q." + q.name))
	top := container.NewVBox(hint, q.build(w))
	next := a.newButton(tr("nav.next"), w.next)
	next.Icon = fynetheme.NavigateNextIcon()
	next.IconPlacement = widget.ButtonIconTrailingText
	back := func() {
		switch {
		case w.review:
			w.review = false
			a.showReview()
		case i == 0:
			a.showService(a.session.service)
		default:
			a.showQuestion(i - 1)
		}
	}
	focus := q.focus(w)
	if e, ok := focus.(*entry); ok {
		a.keyboard.setTarget(e)
	}
	// The question's text stays at the top, always in view: under it the
	// rest of the question scrolls above the keyboard when suggestions or
	// a larger text size make it taller than the room left; scrolled to
	// its end, its fields and suggestions keep a margin from the
	// keyboard. Whenever the driver lays the question out at a new size
	// (its texts measured again for the first frame, suggestions or a
	// problem come or go), what has the focus is scrolled into view
	// again: whether the screen came after a key, a timer or a job.
	w.end = &layout.CustomPaddedLayout{BottomPadding: suggestionMargin()}
	w.scroll = container.NewVScroll(container.New(&resizeHook{inner: w.end, resized: w.keepFocusInView},
		centred(1600, top)))
	var content fyne.CanvasObject = w.scroll
	if q.name != "sesso" {
		content = container.New(&overKeyboard{keys: a.keyboard, room: w.room, least: w.leastRoom, fit: w.fitSuggestions, resized: w.keepFocusInView},
			w.scroll, centred(1500, a.keyboard.object))
	}
	// None of its padding above and below, nor the room under it: the
	// hint's own padding parts them, and a 1024x768 screen keeps room
	// for the question at every text size (TestScreensFitKioskScreens).
	tight := -fynetheme.InnerPadding()
	content = container.NewBorder(centred(1600, container.New(layout.NewCustomPaddedLayout(tight, tight-fynetheme.Padding(), 0, 0), asked)), nil, nil, nil, content)
	nav := a.navRow(true, back, next, step)
	a.show("question:"+q.name, content, nav, focus, tr("q."+q.name)+" "+hint.Text)
	if e, ok := focus.(*entry); ok {
		// At the largest text size the hint may take the room: the
		// field typed in shows whole over the keyboard. Should the
		// driver lay the question out again for its first frame (the
		// real one measures the wrapped texts again then), resizeHook
		// scrolls it into view again.
		w.scrollOver(e, 0, suggestionMargin(), nil)
	}
	w.revealSuggestions()
}

// overKeyboard lays a question out over the on-screen keyboard: the
// keyboard as high as its keys ask, unless that leaves the question less
// than room returns; then the keyboard gives up height, down to its
// least (keyRows), and the question scrolls in what is left, down to
// least: the field typed in. The window goes no lower than that, so that
// a large text size on a low screen (A+ at 1024x768) never pushes the
// navigation bar out of it. fit is told
// the question's height before it is laid out, and resized after, when
// its size changed (the window was resized). The keyboard lies right
// under the question: the margin at the question's end (suggestionMargin)
// parts them.
type overKeyboard struct {
	keys        *keyboard
	room, least func() float32
	fit         func(height float32)
	resized     func()
	last        fyne.Size // the question's size at the last layout
}

var _ fyne.Layout = (*overKeyboard)(nil)

// Layout puts the question, objs[0], over the keyboard, objs[1].
func (l *overKeyboard) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	question, keys := objs[0], objs[1]
	h := min(max(size.Height-l.room(), l.keys.least()), l.keys.natural())
	top := size.Height - h
	l.fit(top)
	question.Resize(fyne.NewSize(size.Width, top))
	question.Move(fyne.NewPos(0, 0))
	keys.Resize(fyne.NewSize(size.Width, h))
	keys.Move(fyne.NewPos(0, top))
	if q := question.Size(); q != l.last {
		l.last = q
		l.resized()
	}
}

// MinSize keeps room for the field typed in over the keyboard at its
// least.
func (l *overKeyboard) MinSize(objs []fyne.CanvasObject) fyne.Size {
	q, k := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(q.Width, k.Width), l.least()+l.keys.least())
}

// resizeHook lays its objects out as inner does, and calls resized
// after each layout at a size other than the last: when the driver lays
// them out anew, on whatever goroutine the screen was built and in
// whatever order its queued functions ran.
type resizeHook struct {
	inner   fyne.Layout
	resized func()
	last    fyne.Size
}

var _ fyne.Layout = (*resizeHook)(nil)

// Layout lays objs out, then calls resized if size changed.
func (l *resizeHook) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.inner.Layout(objs, size)
	if size != l.last {
		l.last = size
		l.resized()
	}
}

// MinSize is inner's.
func (l *resizeHook) MinSize(objs []fyne.CanvasObject) fyne.Size { return l.inner.MinSize(objs) }

// room returns the height the current question keeps over the keyboard
// while the keyboard can give up height: its field, a line of problem
// under it and a row of suggestions, each as high as an entry, or the
// code proposed, as high as its text wraps; and the margin that keeps
// them clear of the keyboard. The hint above them may scroll out of it;
// the question's text is above it, out of the part that scrolls.
func (w *wizard) room() float32 {
	line, pad := w.cognome.MinSize().Height, fynetheme.Padding()
	room := 3*line + fieldSpacing + pad + suggestionMargin()
	if questions[w.current].name == "cf" && len(w.proposal.Objects) > 0 {
		room = max(room, line+pad+w.proposal.MinSize().Height+suggestionMargin())
	}
	return room
}

// leastRoom returns the least height the current question keeps over the
// keyboard at its least: the field typed in and the margin under it.
// The problem and the suggestions under it scroll into view (scrollOver).
func (w *wizard) leastRoom() float32 {
	return w.cognome.MinSize().Height + suggestionMargin()
}

// fitSuggestions makes the current question's suggestions show as many
// rows as fit in height under its field and its problem, if shown: one
// at least, suggestionRows at most.
func (w *wizard) fitSuggestions(height float32) {
	q := questions[w.current]
	if q.suggestions == nil {
		return
	}
	c := q.suggestions(w)
	g, ok := c.Layout.(*suggestionGrid)
	if !ok {
		return // the code proposed: one row
	}
	pad := fynetheme.Padding()
	field := q.focus(w).(fyne.CanvasObject).MinSize().Height
	used := field + pad + suggestionMargin()
	if p := w.errs[q.fields[0]]; p.Visible() {
		used += fieldSpacing + p.MinSize().Height
	}
	row := field // a suggestion is as high as an entry
	if ss := suggested(c); len(ss) > 0 {
		row = cell(ss).Height
	}
	g.rows = min(max(int((height-used+pad)/(row+pad)), 1), suggestionRows)
}

// next checks the current answer and moves on when it is valid.
func (w *wizard) next() {
	a := w.app
	if questions[w.current].name == "luogo" {
		if several := w.pickTypedPlace(); len(several) > 0 {
			// A name of several places: the list shows them alone, so
			// that with the problem they fit over the keyboard; one must
			// be tapped.
			l := w.errs[pinsede.FieldLuogoNascita]
			l.SetText(tr(pinsede.KeyPlaceCode))
			l.Show()
			w.showPlaces(several) // under the problem, shown whole
			a.say(l.Text)
			return
		}
	}
	if questions[w.current].name == "stato" {
		w.pickTypedCountry()
	}
	if !w.check(questions[w.current].fields) {
		return
	}
	switch {
	case w.review || w.current == len(questions)-1:
		w.review = false
		a.showReview()
	default:
		a.showQuestion(w.current + 1)
	}
}

// request returns the answers as an MV35 request.
func (w *wizard) request() pinsede.Request {
	r := pinsede.Request{
		Cognome:       strings.TrimSpace(w.cognome.Text),
		Nome:          strings.TrimSpace(w.nome.Text),
		Sesso:         w.sex,
		LuogoNascita:  w.place,
		CodiceFiscale: pinsede.CodiceFiscale(strings.ToUpper(strings.TrimSpace(w.cf.Text))),
		Residenza: pinsede.Address{
			Street:  strings.TrimSpace(w.street.Text),
			CAP:     strings.TrimSpace(w.cap.Text),
			City:    strings.TrimSpace(w.city.Text),
			Country: w.country,
		},
		Recapiti: pinsede.Contacts{
			Mobile:   strings.TrimSpace(w.mobile.Text),
			Landline: strings.TrimSpace(w.landline.Text),
			Email:    strings.TrimSpace(w.email.Text),
			PEC:      strings.TrimSpace(w.pec.Text),
		},
	}
	if w.place.Name == "" {
		r.LuogoNascita = pinsede.Place{Name: strings.TrimSpace(w.luogo.Text)}
	}
	if w.country == "IT" {
		r.Residenza.Province = strings.ToUpper(strings.TrimSpace(w.prov.Text))
	}
	if d, err := pinsede.ParseDate(w.nascita.Text); err == nil {
		r.DataNascita = d
	}
	return r
}

// problems returns what Validate finds in the answers, with the date typed
// in a shape ParseDate does not read as a problem of its own, and a date
// in the right shape that does not exist as another.
func (w *wizard) problems() pinsede.FieldErrors {
	r := w.request()
	es := r.Validate(w.app.today())
	if strings.TrimSpace(w.stato.Text) != "" && w.country == "" {
		// Something typed, nothing chosen: not "required", but "choose".
		for i, e := range es {
			if e.Field == pinsede.FieldStato {
				es[i].Key = pinsede.KeyCountry
			}
		}
	}
	if _, err := pinsede.ParseDate(w.nascita.Text); strings.TrimSpace(w.nascita.Text) != "" && err != nil {
		key := pinsede.DateKey(err)
		for i, e := range es {
			if e.Field == pinsede.FieldDataNascita {
				es[i].Key = key
			}
		}
	}
	return es
}

// check shows the problems of fields under them, and reports whether there
// were none.
func (w *wizard) check(fields []string) bool {
	es := w.problems()
	var last *widget.Label
	var spoken []string
	for _, f := range fields {
		l := w.errs[f]
		if e, found := es.For(f); found {
			l.SetText(message(e))
			l.Show()
			spoken = append(spoken, l.Text)
			last = l
		} else {
			l.SetText("")
			l.Hide()
		}
	}
	w.relayout()
	if last == nil {
		return true
	}
	w.bringIntoView(last)
	w.revealSuggestions() // a state typed, not chosen: the list under the problem
	w.app.say(strings.Join(spoken, " "))
	return false
}

// bringIntoView scrolls the question just enough that the text of o, a
// problem under a field, shows whole over the keyboard, and not at all
// when it does already: a citizen taps where a field was a moment ago.
func (w *wizard) bringIntoView(o fyne.CanvasObject) {
	// The label's inner padding below its text may go under the keyboard;
	// scrolled, it shows whole.
	w.scrollOver(o, fynetheme.InnerPadding(), 0, nil)
}

// revealSuggestions scrolls the current question just enough that its
// suggestions, and the problem above them, show whole over the keyboard,
// and not at all when they do already; never so far that the top of the
// field typed in goes out of view, and back up to it when it is. The
// citizen is about to tap one. When the field's problem shows, Enter
// asked to choose in the list (a name of several places, a state not
// chosen, a code not the one computed): the problem and the first
// suggestions show first, the field over them if there is room; if not
// (A+ on a 1024x768 screen: the field, the problem and a row of
// suggestions need about 274 px of the 189.5 over the keyboard; on a
// 1280x800 one, of the 221.5), the field scrolls whole out of view above
// the problem, never left cut at the question's top (at 1280x800 its top
// border and a slice of its text showed, 28 px of 93). Typing in it
// again takes the problem away and brings it back (newWizard).
func (w *wizard) revealSuggestions() {
	q := questions[w.current]
	if q.suggestions == nil || w.scroll == nil {
		return
	}
	c := q.suggestions(w)
	if len(suggested(c)) == 0 {
		return
	}
	field := q.focus(w).(fyne.CanvasObject)
	keep := field
	if p := w.errs[q.fields[0]]; p.Visible() {
		keep = p
	}
	// Clear of the shadow the question casts on the keyboard.
	w.scrollOver(c, 0, suggestionMargin(), keep)
	s := w.scroll
	k, _ := positionIn(s.Content, keep)
	// With the problem, the field shows whole over it, or none of it
	// does: the question may be too short to scroll that far, and blank
	// room at its end lets it.
	var tail float32
	hide := keep != field && !w.fitsOver(field, firstShown(c))
	if hide {
		natural := s.Content.MinSize().Height - w.end.BottomPadding + suggestionMargin()
		tail = max(0, k.Y+s.Size().Height-natural)
	}
	if end := suggestionMargin() + tail; end != w.end.BottomPadding {
		w.end.BottomPadding = end
		s.Refresh()
		layoutNow(s.Content)
	}
	if hide {
		s.ScrollToOffset(fyne.NewPos(s.Offset.X, max(s.Offset.Y, k.Y)))
		return
	}
	scrollUpTo(s, field) // laid out by scrollOver
}

// fitsOver reports whether the question shows from the top of o down to
// the bottom of last, and the shadow it casts on the keyboard below.
func (w *wizard) fitsOver(o, last fyne.CanvasObject) bool {
	top, _ := positionIn(w.scroll.Content, o)
	bottom, in := positionIn(w.scroll.Content, last)
	return !in || bottom.Y+last.Size().Height+fynetheme.Padding()-top.Y <= w.scroll.Size().Height+0.01
}

// firstShown returns the first suggestion of c that shows, or nil.
func firstShown(c *fyne.Container) fyne.CanvasObject {
	for _, o := range suggested(c) {
		if o.Visible() {
			return o
		}
	}
	return nil
}

// keepFocusInView scrolls the question, once the window changed size or
// the question was laid out at a new size, so that what has the focus in
// it (the field typed in, a suggestion) shows whole over the keyboard
// again, and so do the suggestions of the field: the citizen goes on
// where they were.
func (w *wizard) keepFocusInView() {
	o, ok := w.app.win.Canvas().Focused().(fyne.CanvasObject)
	if !ok || w.scroll == nil {
		return
	}
	layoutNow(w.scroll.Content)
	if !scrollUpTo(w.scroll, o) {
		return
	}
	w.scrollOver(o, 0, suggestionMargin(), nil)
	w.revealSuggestions()
}

// scrollUpTo scrolls s up just enough that the top of o shows, and
// reports whether s holds o; s's content laid out before (layoutNow).
func scrollUpTo(s *container.Scroll, o fyne.CanvasObject) bool {
	at, in := positionIn(s.Content, o)
	if above := at.Y - s.Offset.Y; in && above < 0 {
		s.ScrollToOffset(s.Offset.AddXY(0, above))
	}
	return in
}

// positionIn returns the position of o in c, reporting whether o is c or
// in a container under c. It adds up the positions the layouts gave: it
// holds before the driver has drawn o (the real driver's
// AbsolutePositionForObject knows an object only once a frame has walked
// it, and placed the field of a new question at 0: the question was not
// scrolled over the keyboard until after that frame).
func positionIn(c, o fyne.CanvasObject) (fyne.Position, bool) {
	if c == o {
		return fyne.Position{}, c != nil
	}
	switch x := c.(type) {
	case *container.ThemeOverride:
		return positionIn(x.Content, o) // at the override's origin
	case *steady:
		return positionIn(x.over.Content, o) // at its origin
	case *fyne.Container:
		for _, child := range x.Objects {
			if at, in := positionIn(child, o); in {
				return child.Position().Add(at), true
			}
		}
	}
	return fyne.Position{}, false
}

// suggestionMargin is the room kept between the suggestions and the
// keyboard when the question scrolls: the scroll's shadow covers less.
func suggestionMargin() float32 { return 2 * fynetheme.Padding() }

// scrollOver scrolls the question down just enough that o and margin
// pixels below it show over the keyboard, unless all but slack pixels of
// them do already, and no farther than puts the top of keep (if set) at
// the top of the question.
func (w *wizard) scrollOver(o fyne.CanvasObject, slack, margin float32, keep fyne.CanvasObject) {
	if w.scroll != nil {
		scrollOver(w.scroll, o, slack, margin, keep)
	}
}

// scrollOver scrolls s down just enough that o, which it holds, and
// margin pixels below it show, unless all but slack pixels of them do
// already, and no farther than puts the top of keep (if set) at the top
// of s.
func scrollOver(s *container.Scroll, o fyne.CanvasObject, slack, margin float32, keep fyne.CanvasObject) {
	s.Refresh() // the content as tall as the problems and suggestions make it
	layoutNow(s.Content)
	at, in := positionIn(s.Content, o)
	if !in {
		return
	}
	bottom := at.Y + o.Size().Height + margin - s.Offset.Y
	if bottom-slack <= s.Size().Height {
		return
	}
	by := bottom - s.Size().Height
	if keep != nil {
		if k, in := positionIn(s.Content, keep); in {
			by = min(by, k.Y-s.Offset.Y)
		}
	}
	if by > 0 {
		s.ScrollToOffset(s.Offset.AddXY(0, by))
	}
}

// layoutNow lays the containers from o down out again at once, as the
// next frame would: where a problem just shown will be is known before.
func layoutNow(o fyne.CanvasObject) {
	c, ok := o.(*fyne.Container)
	if !ok {
		return
	}
	if c.Layout != nil {
		c.Layout.Layout(c.Objects, c.Size())
	}
	for _, child := range c.Objects {
		layoutNow(child)
	}
}

// hideProblem takes away the problem shown under field, if one shows.
func (w *wizard) hideProblem(field string) {
	if w.errs[field].Visible() {
		w.hideProblems(field)
	}
}

// hideProblems takes away the problems shown under fields.
func (w *wizard) hideProblems(fields ...string) {
	for _, f := range fields {
		w.errs[f].SetText("")
		w.errs[f].Hide()
	}
	w.relayout()
}

// message translates a field problem.
func message(e pinsede.FieldError) string {
	if e.Args == nil {
		return tr(e.Key)
	}
	return tr(e.Key, e.Args)
}

// setSex chooses s and moves on.
func (w *wizard) setSex(s pinsede.Sex) {
	w.sex = s
	w.markSex()
	w.next()
}

// markSex shows the chosen sex as chosen, and only it; once one is
// chosen, the problem of none chosen goes.
func (w *wizard) markSex() {
	w.male.SetSelected(w.sex == pinsede.SexMale)
	w.female.SetSelected(w.sex == pinsede.SexFemale)
	if w.sex != "" {
		w.errs[pinsede.FieldSesso].Hide()
	}
}

// placeLabel is how a chosen place shows in the entry: "Roma (RM)".
func placeLabel(p pinsede.Place) string {
	if p.Province == "" {
		return p.Name
	}
	return p.Name + " (" + p.Province + ")"
}

// suggestPlaces lists the places of birth that match s.
func (w *wizard) suggestPlaces(s string) {
	if len([]rune(strings.TrimSpace(s))) < 2 {
		w.showPlaces(nil)
		return
	}
	w.showPlaces(pinsede.SearchPlaces(s, 6))
}

// showPlaces makes ps the suggestions of the place of birth, shown whole
// over the keyboard.
func (w *wizard) showPlaces(ps []pinsede.PlaceInfo) {
	var ss []suggestion
	for _, p := range ps {
		ss = append(ss, suggestion{p.String(), func() {
			w.pickPlace(p)
			w.app.win.Canvas().Focus(w.luogo)
		}})
	}
	w.app.setSuggestions(w.places, ss)
	w.relayout()
	w.revealSuggestions()
}

// pickPlace makes p the place of birth, as a tap on its suggestion does.
func (w *wizard) pickPlace(p pinsede.PlaceInfo) {
	w.place = pinsede.Place{Name: p.Name, Province: p.Province, Code: p.Code}
	w.luogo.SetText(placeLabel(w.place))
	w.app.setSuggestions(w.places, nil)
	w.hideProblems(pinsede.FieldLuogoNascita) // "tap the place in the list" is done
}

// pickTypedPlace picks the place whose name the citizen typed in full
// ("Roma", "roma", "Roma (RM)") without tapping it in the list, so that the
// codice fiscale can be computed. It returns the places when the name is
// that of more than one place (Castro (BG) and Castro (LE)) that was valid
// on the birth date: the citizen must tap one. A name that matches no
// place is left as typed.
func (w *wizard) pickTypedPlace() []pinsede.PlaceInfo {
	typed := letters(w.luogo.Text)
	if w.place.Code != "" || len([]rune(typed)) < 2 {
		return nil
	}
	var exact []pinsede.PlaceInfo
	name, _, _ := strings.Cut(w.luogo.Text, "(") // "Roma (RM)" is searched as Roma
	for _, p := range pinsede.SearchPlaces(name, 0) {
		named := func(s string) bool { return letters(s) == typed }
		if !named(p.Name) && !named(p.String()) && !slices.ContainsFunc(p.Aliases, named) {
			continue // Krk is Veglia: another name of the place counts too
		}
		if !slices.ContainsFunc(exact, func(q pinsede.PlaceInfo) bool { return q.Code == p.Code }) {
			exact = append(exact, p)
		}
	}
	if len(exact) > 1 {
		// The places valid on the birth date, when the date tells them apart.
		birth := w.request().DataNascita
		valid := slices.DeleteFunc(slices.Clone(exact), func(p pinsede.PlaceInfo) bool { return !birth.IsZero() && !p.ValidOn(birth) })
		if len(valid) > 0 {
			exact = valid
		}
	}
	switch len(exact) {
	case 0:
		return nil
	case 1:
		w.pickPlace(exact[0])
		return nil
	}
	return exact
}

// letters returns the letters and digits of s, folded, for matching a
// typed name: spaces, apostrophes and brackets do not count.
func letters(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// relayout lays the screen out again after suggestions came or went.
func (w *wizard) relayout() {
	w.app.body.Refresh()
}

// countryName is the name of the ISO code in the session's language.
func countryName(code string) string {
	if code == "" {
		return ""
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	tag := language.Make(tr("lang.code"))
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	c, _ := pinsede.LookupCountry(code)
	return c.Name
}

// suggestCountries lists the states whose name, in the session's language
// or in Italian, or whose ISO code matches s.
func (w *wizard) suggestCountries(s string) {
	q := fold(strings.TrimSpace(s))
	var ss []suggestion
	defer func() {
		w.app.setSuggestions(w.countries, ss)
		w.relayout()
		w.revealSuggestions()
	}()
	if len([]rune(q)) < 2 {
		return
	}
	for _, c := range pinsede.Countries() {
		name := countryName(c.Alpha2)
		if !strings.HasPrefix(fold(name), q) && !strings.HasPrefix(fold(c.Name), q) &&
			q != strings.ToLower(c.Alpha2) && q != strings.ToLower(c.Alpha3) {
			continue
		}
		if ss = append(ss, suggestion{name, func() {
			w.chooseCountry(c.Alpha2)
			w.app.win.Canvas().Focus(w.stato)
		}}); len(ss) == 6 {
			break
		}
	}
}

// chooseCountry makes the state of the ISO code the country of residence,
// as a tap on its suggestion does.
func (w *wizard) chooseCountry(code string) {
	w.country = code
	w.stato.SetText(countryName(code))
	w.app.setSuggestions(w.countries, nil)
	w.relayout()
}

// pickTypedCountry picks the state the citizen typed without choosing it
// in the list, as a keyboard's Enter confirms it: the state whose whole
// name it is, in the session's language or in Italian ("Argentinien",
// "argentina"), or else the one state whose name starts with it or whose
// ISO code it is ("argen", "deu"). A text that fits several states ("arg":
// Argentina, Algeria, and the code of Argentina) is left for the citizen
// to choose in the list.
func (w *wizard) pickTypedCountry() {
	q := fold(strings.TrimSpace(w.stato.Text))
	if w.country != "" || len([]rune(q)) < 2 {
		return
	}
	var named, fits []string
	for _, c := range pinsede.Countries() {
		name, it := fold(countryName(c.Alpha2)), fold(c.Name)
		switch {
		case q == name || q == it:
			named = append(named, c.Alpha2)
			fits = append(fits, c.Alpha2)
		case strings.HasPrefix(name, q) || strings.HasPrefix(it, q) ||
			q == strings.ToLower(c.Alpha2) || q == strings.ToLower(c.Alpha3):
			fits = append(fits, c.Alpha2)
		}
	}
	switch {
	case len(named) == 1:
		w.chooseCountry(named[0])
	case len(named) == 0 && len(fits) == 1:
		w.chooseCountry(fits[0])
	}
}

// fold lower-cases s and drops the accents of Latin letters, for matching.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := accentFold[r]; ok {
			b.WriteRune(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var accentFold = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "àáâäãåă", 'c': "çčć", 'e': "èéêëěę", 'i': "ìíîï", 'n': "ñń",
		'o': "òóôöõø", 's': "șşš", 't': "țţ", 'u': "ùúûü", 'y': "ýÿ", 'z': "žź",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// propose offers the codice fiscale computed from the answers, when they
// are enough to compute one (a place chosen from the suggestions).
func (w *wizard) propose() {
	w.proposal.RemoveAll()
	r := w.request()
	if r.LuogoNascita.Code == "" || r.DataNascita.IsZero() {
		return
	}
	cf, err := pinsede.EncodeCodiceFiscale(r.Cognome, r.Nome, r.Sesso, r.DataNascita, r.LuogoNascita.Code)
	if err != nil {
		return
	}
	use := w.app.newButton(tr("cf.use"), func() {
		w.cf.SetText(string(cf))
		// The code computed from the answers is the right one: a problem
		// of the code typed before goes.
		w.hideProblems(pinsede.FieldCodiceFiscale)
		w.app.win.Canvas().Focus(w.cf)
	})
	use.Icon = fynetheme.ConfirmIcon()
	code := widget.NewLabel(string(cf))
	code.TextStyle = fyne.TextStyle{Bold: true}
	// The code and its button on a row at no more than the normal text
	// size, as the suggestions of the other questions, and the sentence
	// that tells where it comes from under them: at A+ on a 1024x768
	// screen the row shows whole under the field; the sentence beside
	// the button, three lines high, was under the keyboard, and the
	// button with it.
	row := container.NewBorder(nil, nil, nil, use, code)
	a := w.app
	w.proposal.Add(newSteady(row, newTheme(a.contrast, min(textScales[a.scale], 1))))
	w.proposal.Add(paragraph(tr("cf.proposed", map[string]any{"Code": string(cf)})))
}

// showReview lists the answers, each with a button to change it.
func (a *App) showReview() {
	w := a.session.wizard
	r := w.request()
	sex := map[pinsede.Sex]string{pinsede.SexMale: tr("sesso.m"), pinsede.SexFemale: tr("sesso.f")}[r.Sesso]
	addr := strings.Join(nonEmpty(r.Residenza.Street, strings.TrimSpace(r.Residenza.CAP+" "+r.Residenza.City), r.Residenza.Province), ", ")
	rows := []struct {
		label, value string
		q            int
	}{
		{tr("f.cognome"), r.Cognome, 0},
		{tr("f.nome"), r.Nome, 1},
		{tr("f.sesso"), sex, 2},
		{tr("f.nascita"), r.DataNascita.Italian(), 3},
		{tr("f.luogo"), w.luogo.Text, 4},
		{tr("f.cf"), string(r.CodiceFiscale), 5},
		{tr("f.stato"), countryName(r.Residenza.Country), 6},
		{tr("f.indirizzo"), addr, 7},
		{tr("f.telefono"), strings.Join(nonEmpty(r.Recapiti.Mobile, r.Recapiti.Landline), " · "), 8},
		{tr("f.email"), strings.Join(nonEmpty(r.Recapiti.Email, r.Recapiti.PEC), " · "), 9},
	}
	// Two columns of answers, each with its name over it and a button to
	// change it: the whole request fits on one screen; one column when
	// two would cut the answers (07/03/19… at A+ on a screen 1024 wide).
	list := container.New(&answerColumns{})
	var inputs []*button // the screen's buttons: none takes input while the request is sent
	for _, row := range rows {
		edit := a.newButton(tr("review.edit"), func() {
			w.review = true
			a.showQuestion(row.q)
		})
		edit.Icon = fynetheme.DocumentCreateIcon()
		inputs = append(inputs, edit)
		name := widget.NewLabel(row.label)
		name.SizeName = fynetheme.SizeNameCaptionText
		name.Truncation = fyne.TextTruncateEllipsis // two columns MinWidth wide at A+
		value := widget.NewLabel(row.value)
		value.TextStyle = fyne.TextStyle{Bold: true}
		// Whole, on as many lines as it takes: the citizen checks it
		// (an address or an e-mail cut with an ellipsis could not be).
		value.Wrapping = fyne.TextWrapWord
		card := container.NewBorder(nil, nil, nil, container.NewCenter(edit),
			container.New(layout.NewCustomPaddedVBoxLayout(0), name, value))
		list.Add(card)
	}
	// While the request is on its way, the screen says so over the
	// navigation bar, where the citizen looks, and its buttons take no
	// input: a second Enter or tap sends nothing, and no answer changes
	// after it was sent.
	sending := paragraph(tr("review.sending"))
	sending.TextStyle = fyne.TextStyle{Bold: true}
	sending.Hide()
	top := heading(tr("review.title"))
	content := container.NewBorder(top, sending, nil, nil, container.NewVScroll(list))
	showSending := func() {
		for _, b := range inputs {
			b.Disable()
		}
		sending.Show()
		content.Refresh() // the list gives up the room the message takes
	}
	s := a.session
	confirm := a.newButton(tr("nav.confirm"), func() {
		if s.sending {
			return
		}
		es := w.problems()
		if len(es) > 0 {
			for i, q := range questions {
				for _, f := range q.fields {
					if _, bad := es.For(f); bad {
						a.showQuestion(i)
						w.check(q.fields)
						return
					}
				}
			}
		}
		a.submit(s)
		showSending()
		a.say(sending.Text)
	})
	confirm.Icon = fynetheme.ConfirmIcon()
	nav := a.navBar(func() { a.showQuestion(len(questions) - 1) }, confirm)
	for _, o := range nav.Objects {
		if b, ok := o.(*button); ok {
			inputs = append(inputs, b)
		}
	}
	speech := tr("review.title") + ". " + tr("review.hint")
	if s.sending {
		showSending() // a new text size or the contrast built the screen again
		speech = sending.Text
	}
	a.show("review", centred(1600, content), nav, confirm, speech)
}

// answerColumns lays the review's answers out in two columns when each
// keeps reviewValue px beside its button, and in one otherwise; each row
// as high as its highest answer.
type answerColumns struct {
	// width is the width of the last layout; 0 before the first, taken
	// as room for two columns. MinSize is as high as the rows it makes.
	width float32
}

var _ fyne.Layout = (*answerColumns)(nil)

// reviewValue is the least width an answer keeps beside its button in
// two columns.
const reviewValue = 400

// columns returns how many columns of objs fit at width.
func (l *answerColumns) columns(objs []fyne.CanvasObject, width float32) int {
	if width == 0 || 2*(cell(objs).Width+reviewValue)+fynetheme.Padding() <= width {
		return 2
	}
	return 1
}

// rows calls f with each row's objects.
func (l *answerColumns) rows(objs []fyne.CanvasObject, n int, f func(row []fyne.CanvasObject)) {
	for i := 0; i < len(objs); i += n {
		f(objs[i:min(i+n, len(objs))])
	}
}

// Layout puts the answers in rows of as many columns as fit.
func (l *answerColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	n, pad := l.columns(objs, size.Width), fynetheme.Padding()
	w := (size.Width - float32(n-1)*pad) / float32(n)
	var y float32
	l.rows(objs, n, func(row []fyne.CanvasObject) {
		h := cell(row).Height
		for i, o := range row {
			o.Resize(fyne.NewSize(w, h))
			o.Move(fyne.NewPos(float32(i)*(w+pad), y))
		}
		y += h + pad
	})
}

// MinSize is as wide as the widest answer asks, and as high as the rows
// at the last width.
func (l *answerColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	n, pad := l.columns(objs, l.width), fynetheme.Padding()
	var h float32
	l.rows(objs, n, func(row []fyne.CanvasObject) { h += cell(row).Height + pad })
	return fyne.NewSize(cell(objs).Width, max(0, h-pad))
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
