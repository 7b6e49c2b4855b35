package desk

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
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

// auditScreen is the supervisor's "Registro delle operazioni": it searches
// the audit by days, operator, action and citizen, newest first, of this
// desk (Desk.SearchAudit) or, at centrale, of every desk of the sede
// (Desk.SearchSedeAudit); each search is recorded.
type auditScreen struct {
	a                 *App
	from, to, subject *entry
	operator, action  *widget.Select
	// scope chooses "solo questo sportello" (the default, which works
	// offline) or "tutta la sede".
	scope *widget.RadioGroup
	// operatorIDs and actions are what the selects' options stand for,
	// by index; index 0 ("all") stands for no filter.
	operatorIDs []string
	actions     []pinsede.AuditAction
	search      *button
	msg         *message
	fields      fields
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
	today := pinsede.DateOf(a.desk.Now()).Italian()
	s.from = a.newEntry(lang.L("date.placeholder"))
	s.from.SetText(today)
	s.to = a.newEntry(lang.L("date.placeholder"))
	s.to.SetText(today)
	s.subject = a.newEntry(lang.L("home.cf.placeholder"))
	for _, e := range []*entry{s.from, s.to, s.subject} {
		e.OnSubmitted = func(string) { s.doSearch() }
	}
	s.operator = widget.NewSelect(nil, func(string) { a.touch() })
	s.actions = append([]pinsede.AuditAction{""}, pinsede.AuditActions()...)
	names := make([]string, len(s.actions))
	names[0] = lang.L("auditlog.all")
	for i, act := range s.actions[1:] {
		names[i+1] = lang.L("audit." + string(act))
	}
	s.action = widget.NewSelect(names, func(string) { a.touch() })
	s.action.SetSelectedIndex(0)
	s.scope = widget.NewRadioGroup([]string{lang.L("auditlog.scope.desk"), lang.L("auditlog.scope.sede")}, func(string) { a.touch() })
	s.scope.Horizontal, s.scope.Required = true, true
	s.scope.SetSelected(lang.L("auditlog.scope.desk"))
	s.search = a.primaryButton(lang.L("auditlog.search"), fynetheme.SearchIcon(), s.doSearch)
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
			for i, text := range []string{when(e.Time), e.Desk, e.Actor, lang.L("audit." + string(e.Action)), string(e.Subject), e.Detail} {
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
		container.NewBorder(nil, nil, nil, container.NewHBox(s.scope, s.search), s.msg.box),
		widget.NewSeparator(),
		container.New(&auditRowLayout{}, head(lang.L("auditlog.when")), head(lang.L("auditlog.desk")), head(lang.L("auditlog.operator")),
			head(lang.L("auditlog.action")), head(lang.L("field.codice_fiscale")), head(lang.L("auditlog.detail"))),
	)
	s.screen = screen{Title: lang.L("auditlog.short"), View: a.page(container.NewBorder(top, nil, nil, nil, s.list), false), Focus: s.from}
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
			es = append(es, pinsede.FieldError{Field: field, Key: pinsede.KeyDateFormat})
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

// recheck runs as the clerk changes a field: a problem shown goes as soon
// as it no longer holds (the field corrected, or another problem, which
// shows at the next search: none appears while the clerk types), and
// the call to correct the fields goes with the last of them.
func (s *auditScreen) recheck() {
	_, es := s.filter()
	if !s.fields.clearCorrected(es) && s.msg.text() == lang.L("auditlog.fix") {
		s.msg.set(msgError, "")
	}
}

// doSearch reads the filter, searches, and lists what it found; a
// filter's problems show under its fields and the filter stays as typed.
func (s *auditScreen) doSearch() {
	a := s.a
	f, es := s.filter()
	if len(es) > 0 {
		s.show(pinsede.AuditSearch{}, es, false)
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
	s.show(found, es, false)
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
	if s.search.Disabled() {
		return
	}
	sess := a.session
	s.search.Disable()
	s.msg.set(msgInfo, lang.L("auditlog.sede.searching"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		found, err := a.desk.SearchSedeAudit(ctx, sess, f)
		cancel()
		return func() {
			s.search.Enable()
			if a.session != sess {
				return // logged out meanwhile
			}
			var es pinsede.FieldErrors
			if !errors.As(err, &es) && err != nil {
				s.fields.show(nil, true)
				s.msg.set(msgError, lang.L("auditlog.sede.failed", map[string]any{"Cause": i18n.Message(err)}))
				return
			}
			s.show(found, es, true)
		}
	})
}

// show lists the entries found, of the whole sede or of this desk, or
// shows the filter's problems under their fields, the filter staying as
// typed.
func (s *auditScreen) show(found pinsede.AuditSearch, es pinsede.FieldErrors, sede bool) {
	count, more := "auditlog.count", "auditlog.more"
	if sede {
		count, more = "auditlog.count.sede", "auditlog.more.sede"
	}
	s.fields.show(es, true)
	if len(es) > 0 {
		s.msg.set(msgError, lang.L("auditlog.fix"))
		return
	}
	s.found = found.Entries
	s.list.UnselectAll()
	s.list.Refresh()
	s.list.ScrollToTop()
	switch n := len(found.Entries); {
	case found.More:
		s.msg.set(msgInfo, lang.L(more, map[string]any{"N": n}))
	case n == 0:
		s.msg.set(msgInfo, lang.L("auditlog.none"))
	default:
		s.msg.set(msgSuccess, lang.L(count, map[string]any{"N": n}))
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
