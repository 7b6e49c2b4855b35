package desk

import (
	"errors"
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

// The audit search's own fields, beside the domain's FieldAuditFrom and
// FieldAuditTo: they hold a choice, never a problem.
const (
	fieldAuditOperator = "registro_operatore"
	fieldAuditAction   = "registro_azione"
)

// keyReconcileOneDay is the problem Al shows when Stampa la
// riconciliazione is pressed on more than one day: a reconciliation is
// of one day, Dal, which Al repeats.
const keyReconcileOneDay = "auditlog.reconcile.oneday"

// maxAuditHeld is the most entries of a search of the whole sede the
// screen holds, page after page: past it the clerk narrows the filter,
// or exports (pinctl audit export -centrale).
const maxAuditHeld = 4 * pinsede.MaxAuditSearchResults

// auditScreen is the supervisor's "Registro delle operazioni": it searches
// the audit by days, operator, action and citizen, newest first, of this
// desk (Desk.SearchAudit) or, at centrale, of every desk of the sede
// (Desk.SearchSedeAudit), a page at a time; each search is recorded. It
// also prints the end-of-day reconciliation of a day gone, as the home
// screen prints today's: the day in Dal and Al, of the scope chosen.
type auditScreen struct {
	a                 *App
	from, to, subject *entry
	operator, action  *dropdown
	// scope chooses "solo questo sportello" (the default, which works
	// offline) or "tutta la sede".
	scope *choice
	// operatorIDs and actions are what the selects' options stand for,
	// by index; index 0 ("all") stands for no filter.
	operatorIDs []string
	actions     []pinsede.AuditAction
	search      *button
	// reconcile prints the reconciliation of the day in Dal and Al
	// (doReconcile).
	reconcile *button
	// problems reads the problems of what the clerk last asked for, the
	// search (filterProblems) or the reconciliation (reconcileProblems):
	// recheck takes off those that no longer hold.
	problems func() pinsede.FieldErrors
	// more adds the next page of the search of the whole sede shown,
	// while centrale has more and the screen holds fewer than
	// maxAuditHeld.
	more *button
	// moreRow holds more under the list, hidden with it: it takes no
	// room then.
	moreRow *fyne.Container
	// sede is the search of the whole sede listed, which more goes on
	// with; nil when the list is this desk's.
	sede   *sedeSearch
	msg    *message
	fields fields
	// found is the last search's entries, which list shows.
	found  []pinsede.AuditEntry
	list   *widget.List
	screen screen
}

// showAudit opens the audit search, for supervisors.
func (a *App) showAudit() {
	if a.session == nil || !a.session.IsSupervisor() {
		return
	}
	if a.audit == nil {
		a.audit = a.newAuditScreen()
	}
	a.audit.reloadOperators()
	a.show(a.audit.screen)
}

func (a *App) newAuditScreen() *auditScreen {
	s := &auditScreen{a: a, fields: fields{}, msg: newMessage()}
	s.problems = s.filterProblems
	today := pinsede.DateOf(a.desk.Now()).Italian()
	s.from = a.newEntry(lang.L("date.placeholder"))
	s.from.SetText(today)
	s.to = a.newEntry(lang.L("date.placeholder"))
	s.to.SetText(today)
	s.subject = a.newEntry(lang.L("home.cf.placeholder"))
	for _, e := range []*entry{s.from, s.to, s.subject} {
		e.OnSubmitted = func(string) { s.doSearch() }
	}
	s.operator = a.newDropdown(nil, func(string) { a.touch() })
	s.actions = append([]pinsede.AuditAction{""}, pinsede.AuditActions()...)
	names := make([]string, len(s.actions))
	names[0] = lang.L("auditlog.all")
	for i, act := range s.actions[1:] {
		names[i+1] = lang.L("audit." + string(act))
	}
	s.action = a.newDropdown(names, func(string) { a.touch() })
	s.action.SetSelectedIndex(0)
	s.scope = a.newRadio([]string{lang.L("auditlog.scope.desk"), lang.L("auditlog.scope.sede")}, true, func(string) { a.touch() })
	s.scope.SetSelected(lang.L("auditlog.scope.desk"))
	s.search = a.primaryButton(lang.L("auditlog.search"), fynetheme.SearchIcon(), s.doSearch)
	s.reconcile = a.reconcileButton(lang.L("auditlog.reconcile"), s.doReconcile)
	s.more = a.button(lang.L("auditlog.sede.next"), fynetheme.MoveDownIcon(), s.nextPage)
	s.list = widget.NewList(
		func() int { return len(s.found) },
		func() fyne.CanvasObject {
			cells := make([]fyne.CanvasObject, len(auditColumns)+1)
			for i := range cells {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				cells[i] = l
			}
			return container.New(&auditRowLayout{}, cells...)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			e := s.found[id]
			cells := o.(*fyne.Container).Objects
			for i, text := range []string{when(e.ActedAt()), e.Desk, e.Actor, lang.L("audit." + string(e.Action)), string(e.Subject), e.Detail} {
				cells[i].(*widget.Label).SetText(text)
			}
		})
	s.list.OnSelected = func(widget.ListItemID) { a.touch() }
	f := func(name, label string, input fyne.CanvasObject) fyne.CanvasObject {
		if e, ok := input.(*entry); ok {
			e.onChange(func(string) { s.recheck() })
		}
		return s.fields.add(newField(name, label, input)).object
	}
	head := func(text string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	top := container.NewVBox(
		title(lang.L("auditlog.title")),
		note(lang.L("auditlog.intro")),
		container.NewGridWithColumns(5,
			f(pinsede.FieldAuditFrom, lang.L("auditlog.from"), s.from),
			f(pinsede.FieldAuditTo, lang.L("auditlog.to"), s.to),
			f(fieldAuditOperator, lang.L("auditlog.operator"), s.operator),
			f(fieldAuditAction, lang.L("auditlog.action"), s.action),
			f(pinsede.FieldCodiceFiscale, lang.L("field.codice_fiscale"), s.subject)),
		// The buttons keep their height beside a message of two lines.
		container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(s.scope.object, s.search, s.reconcile)), s.msg.box),
		widget.NewSeparator(),
		container.New(&auditRowLayout{}, head(lang.L("auditlog.when")), head(lang.L("auditlog.desk")), head(lang.L("auditlog.operator")),
			head(lang.L("auditlog.action")), head(lang.L("field.codice_fiscale")), head(lang.L("auditlog.detail"))),
	)
	s.moreRow = container.NewHBox(layout.NewSpacer(), s.more)
	s.moreRow.Hide()
	s.screen = screen{Title: lang.L("auditlog.short"), View: a.page(container.NewBorder(top, s.moreRow, nil, nil, s.list), false), Focus: s.from}
	return s
}

// reloadOperators offers the sede's operators, keeping the one chosen.
func (s *auditScreen) reloadOperators() {
	a := s.a
	ops, err := a.desk.Operators(a.session)
	if err != nil {
		s.msg.set(msgError, i18n.Message(err))
		return
	}
	chosen := ""
	if i := s.operator.SelectedIndex(); i > 0 {
		chosen = s.operatorIDs[i]
	}
	s.operatorIDs = []string{""}
	names := []string{lang.L("auditlog.all")}
	sel := 0
	for _, op := range ops {
		if op.ID == chosen {
			sel = len(names)
		}
		s.operatorIDs = append(s.operatorIDs, op.ID)
		names = append(names, op.ID+" – "+op.Name)
	}
	s.operator.SetOptions(names)
	s.operator.SetSelectedIndex(sel)
}

// filter reads the filter as typed, with its problems: a day that is not
// a date, a wrong codice fiscale, and the rules of the days
// (AuditFilter.Validate) for a field that has no problem of its own.
func (s *auditScreen) filter() (pinsede.AuditFilter, pinsede.FieldErrors) {
	var es pinsede.FieldErrors
	date := func(field string, e *entry) pinsede.Date {
		t := strings.TrimSpace(e.Text)
		if t == "" {
			return pinsede.Date{} // Validate says it is needed
		}
		d, err := pinsede.ParseDate(t)
		if err != nil {
			es = append(es, pinsede.FieldError{Field: field, Key: pinsede.DateKey(err)})
		}
		return d
	}
	f := pinsede.AuditFilter{From: date(pinsede.FieldAuditFrom, s.from), To: date(pinsede.FieldAuditTo, s.to)}
	if i := s.operator.SelectedIndex(); i > 0 {
		f.Actor = s.operatorIDs[i]
	}
	if i := s.action.SelectedIndex(); i > 0 {
		f.Action = s.actions[i]
	}
	if t := strings.TrimSpace(s.subject.Text); t != "" {
		cf, err := pinsede.ParseCodiceFiscale(t)
		var fe pinsede.FieldError
		if errors.As(err, &fe) {
			es = append(es, fe)
		}
		f.Subject = cf
	}
	for _, e := range f.Validate() {
		if _, ok := es.For(e.Field); !ok {
			es = append(es, e)
		}
	}
	return f, es
}

// filterProblems is the problems of the filter (filter).
func (s *auditScreen) filterProblems() pinsede.FieldErrors {
	_, es := s.filter()
	return es
}

// recheck runs as the clerk changes a field: a problem shown goes as soon
// as it no longer holds for what the clerk last asked for (the field
// corrected, or another problem, which shows at the next search or
// print: none appears while the clerk types), and the call to correct
// the fields goes with the last of them.
func (s *auditScreen) recheck() {
	if !s.fields.clearCorrected(s.problems()) && (s.msg.text() == lang.L("auditlog.fix") || s.msg.text() == lang.L("auditlog.reconcile.fix")) {
		s.msg.set(msgError, "")
	}
}

// reconcileDay reads the day whose reconciliation Stampa la
// riconciliazione prints, with its problems: Dal and Al must be dates,
// the same day, not after today.
func (s *auditScreen) reconcileDay() (pinsede.Date, pinsede.FieldErrors) {
	f, all := s.filter()
	var es pinsede.FieldErrors
	for _, e := range all {
		if e.Field == pinsede.FieldAuditFrom || (e.Field == pinsede.FieldAuditTo && e.Key != pinsede.KeyAuditOrder && e.Key != pinsede.KeyAuditDays) {
			es = append(es, e) // not a date, or none: the days' own problems
		}
	}
	switch {
	case len(es) > 0:
	case f.From != f.To:
		es = append(es, pinsede.FieldError{Field: pinsede.FieldAuditTo, Key: keyReconcileOneDay})
	case f.From.After(s.a.today()):
		es = append(es, pinsede.FieldError{Field: pinsede.FieldAuditFrom, Key: pinsede.KeyDateFuture})
	}
	return f.From, es
}

// reconcileProblems is the problems of the day to reconcile
// (reconcileDay).
func (s *auditScreen) reconcileProblems() pinsede.FieldErrors {
	_, es := s.reconcileDay()
	return es
}

// doReconcile prints the reconciliation of the day in Dal and Al, of the
// scope chosen, as the home's panel prints today's
// (App.printReconciliation), its outcome in the message line; a day's
// problems show under Dal or Al, which stay as typed.
func (s *auditScreen) doReconcile() {
	if s.reconcile.Disabled() {
		return
	}
	s.problems = s.reconcileProblems
	day, es := s.reconcileDay()
	s.fields.show(es, true)
	if len(es) > 0 {
		s.msg.set(msgError, lang.L("auditlog.reconcile.fix"))
		return
	}
	scope := pinsede.ScopeDesk
	if s.scope.Selected == lang.L("auditlog.scope.sede") {
		scope = pinsede.ScopeSede
	}
	s.a.printReconciliation(day, scope, s.reconcile, s.msg)
}

// doSearch reads the filter, searches, and lists what it found; a
// filter's problems show under its fields and the filter stays as typed.
// Nothing starts while centrale is asked (Enter in a field too): its
// answer would replace the list.
func (s *auditScreen) doSearch() {
	a := s.a
	if s.search.Disabled() {
		return
	}
	s.problems = s.filterProblems
	f, es := s.filter()
	if len(es) > 0 {
		s.fields.show(es, true)
		s.msg.set(msgError, lang.L("auditlog.fix"))
		return
	}
	if s.scope.Selected == lang.L("auditlog.scope.sede") {
		s.searchSede(f)
		return
	}
	found, err := a.desk.SearchAudit(a.session, f)
	if !errors.As(err, &es) && err != nil {
		s.fields.show(nil, true)
		s.msg.set(msgError, i18n.Message(err))
		return
	}
	s.show(found, es, nil)
}

// searchSede asks centrale for the entries of every desk of the sede f
// selects, off the UI goroutine, and lists them; when centrale cannot be
// reached it says so, and that this desk's own search still works.
func (s *auditScreen) searchSede(f pinsede.AuditFilter) {
	a := s.a
	if a.desk.Central == nil {
		s.fields.show(nil, true)
		s.msg.set(msgError, lang.L("auditlog.sede.nocentral"))
		return
	}
	sess := a.session
	s.search.Disable()
	s.more.Disable()
	s.msg.set(msgInfo, lang.L("auditlog.sede.searching"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		found, err := a.desk.SearchSedeAudit(ctx, sess, f, "")
		cancel()
		return func() {
			s.search.Enable()
			s.more.Enable()
			if a.session != sess {
				return // logged out meanwhile
			}
			var es pinsede.FieldErrors
			if !errors.As(err, &es) && err != nil {
				s.fields.show(nil, true)
				s.msg.set(msgError, lang.L("auditlog.sede.failed", map[string]any{"Cause": i18n.Message(err)}))
				return
			}
			s.show(found, es, &sedeSearch{f: f})
		}
	})
}

// sedeSearch is a search of the whole sede listed: its filter, as it was
// searched whatever the fields say now, and where its next page starts.
type sedeSearch struct {
	f    pinsede.AuditFilter
	next pinsede.AuditCursor
}

// nextPage asks centrale, off the UI goroutine, for the page that follows
// the search of the whole sede listed, and adds it to the list, up to
// maxAuditHeld entries held. A page that cannot be read keeps the list
// as it is and says why; the button tries again.
func (s *auditScreen) nextPage() {
	a := s.a
	if s.sede == nil || s.more.Disabled() || !s.moreRow.Visible() {
		return
	}
	sess, search := a.session, s.sede
	s.search.Disable()
	s.more.Disable()
	s.msg.set(msgInfo, lang.L("auditlog.sede.loading", map[string]any{"N": len(s.found)}))
	a.background(func() func() {
		ctx, cancel := issueContext()
		found, err := a.desk.SearchSedeAudit(ctx, sess, search.f, search.next)
		cancel()
		return func() {
			s.search.Enable()
			s.more.Enable()
			if a.session != sess || s.sede != search {
				return // logged out, or another search, meanwhile
			}
			if err != nil {
				s.msg.set(msgError, lang.L("auditlog.sede.page.failed", map[string]any{"Cause": i18n.Message(err), "N": len(s.found)}))
				return
			}
			first := len(s.found)
			s.found = append(s.found, found.Entries[:min(len(found.Entries), maxAuditHeld-first)]...)
			search.next = found.Next
			s.list.Refresh()
			s.list.ScrollTo(first)
			s.count(found.More || len(found.Entries) > maxAuditHeld-first)
		}
	})
}

// show lists the entries found, of the whole sede (sede, whose first
// page found is) or of this desk (sede nil), or shows the filter's
// problems under their fields, the filter and the list staying as they
// were.
func (s *auditScreen) show(found pinsede.AuditSearch, es pinsede.FieldErrors, sede *sedeSearch) {
	s.fields.show(es, true)
	if len(es) > 0 {
		s.msg.set(msgError, lang.L("auditlog.fix"))
		return
	}
	s.sede = sede
	if sede != nil {
		sede.next = found.Next
	}
	s.found = found.Entries
	s.list.UnselectAll()
	s.list.Refresh()
	s.list.ScrollToTop()
	s.count(found.More)
}

// count says how many entries the list shows, and whether there are
// more: of the whole sede, Altri risultati adds them until the screen
// holds maxAuditHeld; past it, and of this desk, the clerk narrows the
// filter.
func (s *auditScreen) count(more bool) {
	n := len(s.found)
	offer := more && s.sede != nil && n < maxAuditHeld
	if offer {
		s.moreRow.Show()
	} else {
		if s.a.win.Canvas().Focused() == s.more {
			s.a.win.Canvas().Focus(s.list)
		}
		s.moreRow.Hide()
	}
	args := map[string]any{"N": n}
	switch {
	case offer:
		s.msg.set(msgInfo, lang.L("auditlog.more.sede", args))
	case more && s.sede != nil:
		s.msg.set(msgInfo, lang.L("auditlog.more.sede.held", args))
	case more:
		s.msg.set(msgInfo, lang.L("auditlog.more", args))
	case n == 0:
		s.msg.set(msgInfo, lang.L("auditlog.none"))
	case s.sede != nil:
		s.msg.set(msgSuccess, lang.L("auditlog.count.sede", args))
	default:
		s.msg.set(msgSuccess, lang.L("auditlog.count", args))
	}
}

// auditRowLayout lays out a row of the audit list: time, desk, operator,
// action and codice fiscale at fixed shares of the width, the detail in
// what is left.
type auditRowLayout struct{}

// auditColumns are the shares of the width of the first five columns.
var auditColumns = [...]float32{0.14, 0.07, 0.11, 0.22, 0.17}

func (auditRowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(200, h)
}

func (auditRowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := size.Width - x
		if i < len(auditColumns) {
			w = size.Width * auditColumns[i]
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}
