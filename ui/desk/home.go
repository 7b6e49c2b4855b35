package desk

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// homeScreen is the desk's start: search a citizen, start a new request,
// today's figures.
type homeScreen struct {
	a *App
	// Search.
	cf, cognome, nome, nascita *entry
	search                     *button
	searchMsg                  *message
	fields                     fields
	results                    *fyne.Container
	found                      []pinsede.Citizen
	// resultButtons open the citizens found, in order.
	resultButtons []*button
	// central looks centralCF up at centrale: the codice fiscale of a
	// search that found nobody at the sede, on a desk with centrale (a
	// walk-in whose PIN was obtained online or at another sede);
	// centralMsg says how the lookup went.
	central    *button
	centralMsg *message
	centralCF  pinsede.CodiceFiscale
	// Figures and actions.
	issuedToday, pendingSync *widget.Label
	newRequest               *button
	operators, audit         *button
	// password changes the operator's own password (showOwnPassword):
	// the home's last control, after every other in the Tab order, which
	// the real-X walks count (cmd/sportello).
	password    *button
	printerNote *message
	queue       *queuePanel // the kiosk's tickets (queue.go); nil without a spool folder
	screen      screen

	// handover lists today's slips not handed over, when there are any;
	// expiring the sede's PINs that expire within 30 days (expiring.go).
	handover, expiring *citizenPanel
	// reconcile prints the end-of-day reconciliation (reconciliation.go).
	reconcile *reconcilePanel
	// day is the day of the figures and lists shown: the ticker reads
	// them again when the desk's day turns (App.everyTick).
	day pinsede.Date
}

func (a *App) showHome() {
	if a.session == nil {
		a.showLogin()
		return
	}
	if a.home == nil {
		a.home = a.newHomeScreen()
	}
	a.home.refresh()
	a.home.queue.refresh()
	a.show(a.home.screen)
}

func (a *App) newHomeScreen() *homeScreen {
	h := &homeScreen{a: a, fields: fields{}}
	h.cf = a.newEntry(lang.L("home.cf.placeholder"))
	h.cognome = a.newEntry("")
	h.nome = a.newEntry("")
	h.nascita = a.newEntry(lang.L("date.placeholder"))
	for _, e := range []*entry{h.cf, h.cognome, h.nome, h.nascita} {
		e.OnSubmitted = func(string) { h.doSearch() }
	}
	h.search = a.primaryButton(lang.L("home.search"), fynetheme.SearchIcon(), h.doSearch)
	h.searchMsg = newMessage()
	h.results = container.NewVBox()
	h.central = a.button(lang.L("citizen.central.search"), fynetheme.SearchIcon(), h.lookUpCentral)
	h.centralMsg = newMessage()
	f := func(name, label string, e *entry) fyne.CanvasObject {
		return h.fields.add(newField(name, label, e)).object
	}
	search := section(lang.L("home.search.title"),
		note(lang.L("home.search.intro")),
		f(pinsede.FieldCodiceFiscale, lang.L("field.codice_fiscale"), h.cf),
		widget.NewLabelWithStyle(lang.L("home.search.or"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true}),
		container.NewGridWithColumns(3,
			f(pinsede.FieldCognome, lang.L("field.cognome"), h.cognome),
			f(pinsede.FieldNome, lang.L("field.nome"), h.nome),
			f(pinsede.FieldSearchBirthday, lang.L("field.ricerca_nascita"), h.nascita)),
		h.searchMsg.box,
		container.NewHBox(layout.NewSpacer(), a.tipped(h.search, keyCtrlF)),
		h.results,
	)
	h.issuedToday = widget.NewLabel("")
	h.pendingSync = widget.NewLabel("")
	h.newRequest = a.primaryButton(lang.L("home.newrequest"), fynetheme.DocumentCreateIcon(), func() {
		a.unlessTyped(lang.L("request.new.confirm"), func() { a.newRequestFor(nil) })
	})
	h.operators = a.button(lang.L("nav.operators"), fynetheme.AccountIcon(), a.showOperators)
	h.audit = a.button(lang.L("nav.audit"), fynetheme.ListIcon(), a.showAudit)
	h.printerNote = newMessage()
	h.reconcile = a.newReconcilePanel()
	if !a.HasPrinter() {
		h.printerNote.set(msgError, lang.L("issue.noprinter"))
	}
	side := container.NewVBox(
		section(lang.L("home.request.title"),
			note(lang.L("home.request.intro")),
			a.tipped(h.newRequest, keyCtrlN),
			h.printerNote.box),
		section(lang.L("home.today"),
			container.NewGridWithColumns(2,
				figure(h.issuedToday, lang.L("home.issuedtoday")),
				figure(h.pendingSync, lang.L("home.pendingsync")))),
		section(lang.L("home.supervisor"), h.operators, h.audit, h.reconcile.object),
	)
	if !a.session.IsSupervisor() {
		side.Objects[2].Hide()
	}
	h.handover = a.newHandoverPanel()
	h.handover.hideEmpty = true
	h.expiring = a.newExpiringPanel()
	side.Objects = append(side.Objects, h.handover.object, h.expiring.object)
	if h.queue = a.newQueuePanel(); h.queue != nil { // the kiosk's tickets come first
		side.Objects = append([]fyne.CanvasObject{h.queue.object}, side.Objects...)
	}
	// The operator's own account comes last, the end of the Tab order,
	// under the search, where there is room: at the foot of the side it
	// made the home scroll at 1280×800.
	h.password = a.button(lang.L("home.account.password"), fynetheme.AccountIcon(), a.showOwnPassword)
	account := section(lang.L("home.account"), container.NewHBox(h.password))
	body := container.New(&columnsLayout{ratio: 0.62}, search, side, account)
	h.screen = screen{Title: lang.L("home.title"), View: a.page(body, true), Focus: h.cf}
	return h
}

// refresh reads today's figures, the slips to hand over and the expiring
// PINs again.
func (h *homeScreen) refresh() {
	h.day = h.a.today()
	h.handover.refresh()
	h.expiring.refresh()
	sum, err := h.a.desk.Summary()
	if err != nil {
		h.issuedToday.SetText("–")
		h.pendingSync.SetText("–")
		h.searchMsg.set(msgError, i18n.Message(err))
		return
	}
	h.issuedToday.SetText(strconv.Itoa(sum.IssuedToday))
	h.pendingSync.SetText(strconv.Itoa(sum.PendingSync))
}

// refreshDay reads the home's figures and lists again when the desk's day
// has turned since they were read: a session kept open across midnight,
// on the home screen or locked in front of it, showed the day before's
// PINs as issued today and its slips as today's to hand over. On the UI
// goroutine.
func (h *homeScreen) refreshDay() {
	if h.day != h.a.today() {
		h.refresh()
	}
}

// doSearch runs the search and lists the citizens found.
func (h *homeScreen) doSearch() {
	a := h.a
	q := pinsede.SearchQuery{
		CodiceFiscale: pinsede.CodiceFiscale(strings.TrimSpace(h.cf.Text)),
		Cognome:       h.cognome.Text,
		Nome:          h.nome.Text,
	}
	var es pinsede.FieldErrors
	if t := strings.TrimSpace(h.nascita.Text); t != "" {
		d, err := pinsede.ParseDate(t)
		if err != nil {
			es = append(es, pinsede.FieldError{Field: pinsede.FieldSearchBirthday, Key: pinsede.DateKey(err)})
		}
		q.DataNascita = d
	}
	var found []pinsede.Citizen
	h.centralCF = ""
	h.centralMsg.set(msgInfo, "")
	if len(es) == 0 {
		var err error
		found, err = a.desk.Search(a.session, q)
		if !errors.As(err, &es) && err != nil {
			h.fields.show(nil, true)
			h.searchMsg.set(msgError, i18n.Message(err))
			return
		}
		if err == nil && len(found) == 0 && q.CodiceFiscale != "" && a.desk.Central != nil {
			h.centralCF, _ = pinsede.ParseCodiceFiscale(string(q.CodiceFiscale)) // valid: Search parsed it
		}
	}
	h.fields.show(es, true)
	if fe, ok := es.For(pinsede.FieldSearchQuery); ok {
		h.searchMsg.set(msgError, i18n.Field(fe))
	} else {
		h.searchMsg.set(msgError, "")
	}
	if len(es) > 0 {
		h.showResults(nil, false)
		return
	}
	h.showResults(found, true)
	if len(h.resultButtons) > 0 { // the keyboard to the first citizen found: Space opens the page
		a.win.Canvas().Focus(h.resultButtons[0])
	}
}

// showResults lists the citizens found; searched tells "none found" from
// "no search yet".
func (h *homeScreen) showResults(found []pinsede.Citizen, searched bool) {
	h.found = found
	h.resultButtons = nil
	objs := []fyne.CanvasObject{}
	switch {
	case !searched:
	case len(found) == 0 && h.centralCF != "":
		objs = append(objs, widget.NewSeparator(), note(lang.L("home.results.none.central")),
			container.NewHBox(h.central), h.centralMsg.box)
	case len(found) == 0:
		objs = append(objs, widget.NewSeparator(), note(lang.L("home.results.none")))
	default:
		objs = append(objs, widget.NewSeparator(),
			widget.NewLabelWithStyle(lang.L("home.results", map[string]any{"N": len(found)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, c := range found {
			r := c.Request
			b := h.a.button(lang.L("home.result", map[string]any{
				"Name": r.FullName(), "CF": string(r.CodiceFiscale), "Born": r.DataNascita.Italian(), "Place": r.LuogoNascita.Name,
			}), fynetheme.AccountIcon(), func() { h.a.showCitizen(c.CF()) })
			b.Alignment = widget.ButtonAlignLeading
			b.Importance = widget.LowImportance
			h.resultButtons = append(h.resultButtons, b)
			objs = append(objs, b)
		}
	}
	h.results.Objects = objs
	h.results.Refresh()
}

// lookUpCentral looks the codice fiscale searched up at centrale, off the
// UI goroutine, and opens the citizen's page when centrale or the sede
// holds a credential of theirs; otherwise it says why, and the search stays
// as typed.
func (h *homeScreen) lookUpCentral() {
	a := h.a
	if h.central.Disabled() || a.session == nil || h.centralCF == "" {
		return
	}
	s, cf := a.session, h.centralCF
	h.central.Disable()
	h.centralMsg.set(msgInfo, lang.L("citizen.central.searching"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		p, err := a.desk.CentralCitizen(ctx, s, cf)
		cancel()
		return func() {
			h.central.Enable()
			if a.session != s || a.current.View != h.screen.View {
				return // logged out, or gone elsewhere, meanwhile
			}
			switch {
			case err == nil:
				h.centralMsg.set(msgInfo, "")
				a.openCitizen(p, true)
			case errors.Is(err, pinsede.ErrNotFound):
				h.centralMsg.set(msgInfo, lang.L("home.central.none"))
			default:
				h.centralMsg.set(msgError, i18n.Message(err))
			}
		}
	})
}

// columnsLayout puts two objects side by side, the first taking ratio of
// the width, or less, down to its own width, when the second would get
// less than its own: at 1024 px the identity check gave the kind of PIN
// 341 px, and the label of a PIN telefonico's duration, 378 px wide, ran
// past the window's edge. A third object, when there is one, goes under
// the first, in its column: it comes after both in the Tab order, which
// follows the objects' order.
type columnsLayout struct{ ratio float32 }

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if len(objs) > 2 {
		c := objs[2].MinSize()
		a = fyne.NewSize(max(a.Width, c.Width), a.Height+fynetheme.Padding()+c.Height)
	}
	return fyne.NewSize(a.Width+b.Width+fynetheme.Padding(), max(a.Height, b.Height))
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	p := fynetheme.Padding()
	w0 := min((size.Width-p)*l.ratio, size.Width-p-objs[1].MinSize().Width)
	w0 = max(w0, objs[0].MinSize().Width)
	w1 := size.Width - p - w0
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(w0, objs[0].MinSize().Height))
	objs[1].Move(fyne.NewPos(w0+p, 0))
	objs[1].Resize(fyne.NewSize(w1, objs[1].MinSize().Height))
	if len(objs) > 2 {
		objs[2].Move(fyne.NewPos(0, objs[0].Size().Height+p))
		objs[2].Resize(fyne.NewSize(w0, objs[2].MinSize().Height))
	}
}

// figure shows a number in large type above its caption.
func figure(number *widget.Label, caption string) fyne.CanvasObject {
	number.TextStyle.Bold = true
	number.SizeName = fynetheme.SizeNameHeadingText
	number.Importance = widget.HighImportance
	c := widget.NewLabel(caption)
	c.Wrapping = fyne.TextWrapWord
	return container.NewVBox(number, c)
}
