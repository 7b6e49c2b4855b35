package desk

import (
	"cmp"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// roles are the roles offered, in the order of the select.
var roles = []pinsede.Role{pinsede.RoleOperatore, pinsede.RoleSupervisore}

// operatorsScreen lists the sede's operator accounts, adds and disables
// them. Supervisors only: the domain refuses the others.
type operatorsScreen struct {
	a    *App
	list *fyne.Container
	// disable, enable, unlock and reset hold each listed operator's
	// "Disattiva", "Riattiva", "Sblocca" and "Reimposta password" buttons,
	// by id, when the account's state offers them (operatoradmin.go).
	disable, enable, unlock, reset map[string]*button
	// resetDlg is the password reset dialog last opened.
	resetDlg *resetDialog
	listMsg  *message

	id, name, pw, pwConfirm *entry
	role                    *dropdown
	add                     *button
	progress                *widget.Activity
	msg                     *message
	fields                  fields
	screen                  screen
}

func (a *App) showOperators() {
	if a.session == nil || !a.session.IsSupervisor() {
		return
	}
	if a.operators == nil {
		a.operators = a.newOperatorsScreen()
	}
	a.operators.reload("")
	a.show(a.operators.screen) // the keyboard on its first control (reload)
}

func (a *App) newOperatorsScreen() *operatorsScreen {
	o := &operatorsScreen{a: a, fields: fields{}, disable: map[string]*button{}}
	o.list = container.NewVBox()
	o.listMsg = newMessage()
	o.id = a.newEntry("")
	o.name = a.newEntry("")
	o.pw = a.newPasswordEntry()
	o.pwConfirm = a.newPasswordEntry()
	for _, e := range []*entry{o.id, o.name, o.pw, o.pwConfirm} {
		e.OnSubmitted = func(string) { o.doAdd() } // Enter adds, as on the login
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = lang.L("role." + string(r))
	}
	o.role = a.newDropdown(names, func(string) { a.touch() })
	o.role.SetSelectedIndex(0)
	o.add = a.primaryButton(lang.L("operators.add"), fynetheme.ContentAddIcon(), o.doAdd)
	o.progress = widget.NewActivity()
	o.progress.Hide()
	o.msg = newMessage()
	f := func(name, label string, input fyne.CanvasObject) fyne.CanvasObject {
		return o.fields.add(newField(name, label, input)).object
	}
	body := container.NewVBox(
		title(lang.L("operators.title")),
		section(lang.L("operators.list"), o.listMsg.box, o.list),
		section(lang.L("operators.new"),
			container.NewGridWithColumns(2,
				f(pinsede.FieldOperatorID, lang.L("field.operatore_id"), o.id),
				f(pinsede.FieldOperatorName, lang.L("field.operatore_nome"), o.name),
				f(pinsede.FieldOperatorRole, lang.L("field.operatore_ruolo"), o.role),
				layout.NewSpacer(),
				f(pinsede.FieldPassword, lang.L("field.password"), o.pw),
				f(fieldPasswordConfirm, lang.L("field.password_conferma"), o.pwConfirm)),
			note(lang.L("operators.password.note", map[string]any{"Min": pinsede.MinPasswordLength})),
		),
	)
	// Aggiungi operatore and its outcome at the foot, out of the scroll
	// (footedPage): with a sede's operators listed above the form, they
	// were below the window.
	view, _ := a.footedPage(body, o.msg.box, container.NewHBox(layout.NewSpacer(), o.progress, o.add))
	o.screen = screen{Title: lang.L("operators.title"), View: view}
	return o
}

// reload lists the operators again, with done above them, the outcome
// of what the supervisor did ("" for none): shown once, not hidden then
// shown again in one go, which drew it over the list, laid out without it
// (found by real keys: Riattiva). The screen's first control, which has
// the keyboard when it shows, is the first of the list's buttons that
// asks before it acts: Disattiva (a confirmation) or Reimposta password
// (its dialog), not Riattiva nor Sblocca, which act at once; the new
// operator's identifier when no other operator is listed. A key pressed
// as the screen opens changes no account.
func (o *operatorsScreen) reload(done string) {
	a := o.a
	ops, err := a.desk.Operators(a.session)
	if err != nil {
		o.listMsg.set(msgError, i18n.Message(err))
		return
	}
	o.listMsg.set(msgSuccess, done)
	row, was := o.focusedRow()
	o.disable, o.enable, o.unlock, o.reset = map[string]*button{}, map[string]*button{}, map[string]*button{}, map[string]*button{}
	defer o.refocus(row, was)
	head := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	objs := []fyne.CanvasObject{
		container.NewGridWithColumns(6, head(lang.L("field.operatore_id")), head(lang.L("field.operatore_nome")),
			head(lang.L("field.operatore_ruolo")), head(lang.L("operators.state")), head(lang.L("operators.lastlogin")), layout.NewSpacer()),
		widget.NewSeparator(),
	}
	now := a.desk.Now()
	var first *button
	for _, op := range ops {
		state := lang.L("operators.active")
		switch {
		case op.Disabled:
			state = lang.L("operators.disabled")
		case op.Locked(now):
			// A lock-out lasts up to a day: one that ends on another day
			// says which, not an hour the supervisor reads as today's.
			until := op.LockedUntil.In(now.Location())
			key, args := "operators.locked", map[string]any{"Until": until.Format("15:04")}
			if pinsede.DateOf(until) != pinsede.DateOf(now) {
				key, args["Day"] = "operators.locked.day", until.Format("02/01")
			}
			state = lang.L(key, args)
		}
		var action fyne.CanvasObject = layout.NewSpacer()
		if !op.Disabled && op.ID != a.session.Operator.ID {
			id := op.ID
			b := a.button(lang.L("operators.disable"), fynetheme.CancelIcon(), func() { o.confirmDisable(id) })
			b.Importance = widget.DangerImportance
			o.disable[id] = b
			action = b
		}
		objs = append(objs, container.NewGridWithColumns(6,
			widget.NewLabel(op.ID), widget.NewLabel(op.Name), widget.NewLabel(lang.L("role."+string(op.Role))),
			widget.NewLabel(state), widget.NewLabel(when(op.LastLogin)), action))
		if more := o.adminButtons(op, now); more != nil {
			objs = append(objs, more)
		}
		if first == nil {
			first = cmp.Or(o.disable[op.ID], o.reset[op.ID])
		}
	}
	o.screen.Focus = o.id
	if first != nil {
		o.screen.Focus = first
	}
	o.list.Objects = objs
	o.list.Refresh()
}

// rowButtons returns the maps of the list's buttons, in the order of a
// row: Disattiva, Riattiva, Sblocca, Reimposta password.
func (o *operatorsScreen) rowButtons() []map[string]*button {
	return []map[string]*button{o.disable, o.enable, o.unlock, o.reset}
}

// focusedRow returns the operator whose row's button has the keyboard, and
// which of rowButtons it is; "" when none has it.
func (o *operatorsScreen) focusedRow() (id string, which int) {
	f := o.a.win.Canvas().Focused()
	for i, m := range o.rowButtons() {
		for id, b := range m {
			if f == fyne.Focusable(b) {
				return id, i
			}
		}
	}
	return "", 0
}

// refocus puts the keyboard, which was on button which of the row of id
// before reload made the list anew, on that button of the new row, or on
// the row's first when it is gone (Riattiva after Disattiva): it was left
// on a button no longer on the screen, where Space acted again.
func (o *operatorsScreen) refocus(id string, which int) {
	if id == "" {
		return
	}
	rows := o.rowButtons()
	for _, m := range append([]map[string]*button{rows[which]}, rows...) {
		if b := m[id]; b != nil {
			o.a.win.Canvas().Focus(b)
			return
		}
	}
	o.a.win.Canvas().Unfocus()
}

// confirmDisable asks before disabling an account.
func (o *operatorsScreen) confirmDisable(id string) {
	o.a.showDialog(o.a.newConfirm(lang.L("operators.disable.title"), lang.L("operators.disable.confirm", map[string]any{"ID": id}),
		func(ok bool) {
			if ok {
				o.doDisable(id)
			}
		}))
}

// doDisable disables an account.
func (o *operatorsScreen) doDisable(id string) {
	a := o.a
	if err := a.desk.DisableOperator(a.session, id); err != nil {
		o.listMsg.set(msgError, i18n.Message(err))
		return
	}
	o.reload(lang.L("operators.disabled.done", map[string]any{"ID": id}))
}

// doAdd creates an account off the UI goroutine (hashing the password).
func (o *operatorsScreen) doAdd() {
	a := o.a
	if o.add.Disabled() {
		return
	}
	n := pinsede.NewOperator{ID: o.id.Text, Name: o.name.Text, Password: o.pw.Text}
	if i := o.role.SelectedIndex(); i >= 0 {
		n.Role = roles[i]
	}
	es := append(n.Validate(), checkConfirm(o.pw.Text, o.pwConfirm.Text)...)
	o.fields.show(es, true)
	if len(es) > 0 {
		o.msg.set(msgError, lang.L("form.haserrors"))
		o.focusFirst(es)
		return
	}
	s := a.session
	o.msg.set(msgError, "")
	setBusy(true, o.progress, o.add)
	a.background(func() func() {
		err := a.desk.AddOperator(s, n)
		return func() {
			setBusy(false, o.progress, o.add)
			var fes pinsede.FieldErrors
			switch {
			case errors.As(err, &fes):
				o.fields.show(fes, true)
				o.msg.set(msgError, lang.L("form.haserrors"))
				o.focusFirst(fes)
			case err != nil:
				o.msg.set(msgError, i18n.Message(err))
			default:
				for _, e := range []*entry{o.id, o.name, o.pw, o.pwConfirm} {
					e.SetText("")
				}
				o.fields.show(nil, false)
				o.msg.set(msgSuccess, lang.L("operators.added", map[string]any{"ID": n.ID}))
				o.reload("")
				o.focus(o.id) // emptied, for the next one: not left on Aggiungi or the confirmation
			}
		}
	})
}

// focusFirst gives the keyboard to the first field of the new operator
// with a problem in es.
func (o *operatorsScreen) focusFirst(es pinsede.FieldErrors) {
	for _, f := range []struct {
		name string
		w    fyne.Focusable
	}{
		{pinsede.FieldOperatorID, o.id}, {pinsede.FieldOperatorName, o.name}, {pinsede.FieldOperatorRole, o.role},
		{pinsede.FieldPassword, o.pw}, {fieldPasswordConfirm, o.pwConfirm},
	} {
		if _, ok := es.For(f.name); ok {
			o.focus(f.w)
			return
		}
	}
}

// focus gives w the keyboard while the operators are the screen shown:
// behind the lock, at the unlock (the lock's password keeps it until
// then); not at all once the supervisor has gone elsewhere, as an add
// ends off the UI goroutine.
func (o *operatorsScreen) focus(w fyne.Focusable) {
	a := o.a
	switch {
	case a.current.View != o.screen.View:
	case a.lock.locked:
		a.lock.screenFocus = w
	default:
		a.win.Canvas().Focus(w)
	}
}
