package desk

import (
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

// setupScreen creates the sede and its first supervisor, on first run.
type setupScreen struct {
	a                           *App
	code, name, address         *entry
	opID, opName, pw, pwConfirm *entry
	create                      *button
	progress                    *widget.Activity
	msg                         *message
	fields                      fields
	screen                      screen
	// join, for a desk with central records, joins the sede its
	// certificate names (join.go); nil for the others.
	join *joinSection
}

func (a *App) showSetup() {
	if a.setup == nil {
		a.setup = a.newSetupScreen()
	}
	a.show(a.setup.screen)
}

func (a *App) newSetupScreen() *setupScreen {
	s := &setupScreen{a: a, fields: fields{}}
	s.code = a.newEntry(lang.L("setup.code.placeholder"))
	s.name = a.newEntry(lang.L("setup.name.placeholder"))
	s.address = a.newEntry("")
	s.opID = a.newEntry(lang.L("setup.opid.placeholder"))
	s.opName = a.newEntry("")
	s.pw = a.newPasswordEntry()
	s.pwConfirm = a.newPasswordEntry()
	s.pwConfirm.OnSubmitted = func(string) { s.submit() }
	s.create = a.primaryButton(lang.L("setup.create"), fynetheme.ConfirmIcon(), s.submit)
	s.progress = widget.NewActivity()
	s.progress.Hide()
	s.msg = newMessage()
	f := func(name, label string, e *entry) fyne.CanvasObject {
		return s.fields.add(newField(name, label, e)).object
	}
	intro := lang.L("setup.intro")
	var joinPart fyne.CanvasObject = layout.NewSpacer()
	if a.joiner != nil {
		s.join = a.newJoinSection()
		joinPart = s.join.object
		intro = lang.L("setup.intro.first")
	}
	body := container.NewVBox(
		title(lang.L("setup.title")),
		joinPart,
		note(intro),
		section(lang.L("setup.sede"),
			container.NewGridWithColumns(2,
				f(pinsede.FieldSedeCode, lang.L("field.sede_codice"), s.code),
				f(pinsede.FieldSedeName, lang.L("field.sede_nome"), s.name)),
			f(pinsede.FieldSedeAddress, lang.L("field.sede_indirizzo"), s.address),
		),
		section(lang.L("setup.supervisor"),
			note(lang.L("setup.supervisor.note")),
			twoColumns(
				f(pinsede.FieldOperatorID, lang.L("field.operatore_id"), s.opID),
				f(pinsede.FieldOperatorName, lang.L("field.operatore_nome"), s.opName),
				f(pinsede.FieldPassword, lang.L("field.password"), s.pw),
				f(fieldPasswordConfirm, lang.L("field.password_conferma"), s.pwConfirm)),
		),
		// Its message keeps its room, so that Crea sede does not move
		// when it shows.
		s.msg.reserve(func() []string { return []string{lang.L("form.haserrors")} }).object,
		container.NewHBox(layout.NewSpacer(), s.progress, s.create),
	)
	// At the top, not centred: a problem shown under a field as it is
	// typed pushes down only what is below it.
	s.screen = screen{Title: lang.L("setup.title"), View: a.page(topCard(760, body), true), Focus: s.code}
	return s
}

// fieldPasswordConfirm is the confirmation of a new password: the UI checks
// that it matches, the domain never sees it.
const fieldPasswordConfirm = "password_conferma"

// fieldPasswordCurrent is the current password of the operator's own
// change of password, which the domain checks.
const fieldPasswordCurrent = "password_attuale"

// checkConfirm returns the problem of a password confirmation, if any.
func checkConfirm(pw, confirm string) pinsede.FieldErrors {
	if pw != confirm {
		return pinsede.FieldErrors{{Field: fieldPasswordConfirm, Key: "err.password.confirm"}}
	}
	return nil
}

func (s *setupScreen) submit() {
	a := s.a
	if s.create.Disabled() {
		return
	}
	sede := pinsede.Sede{Code: s.code.Text, Name: s.name.Text, Address: s.address.Text}
	first := pinsede.NewOperator{ID: s.opID.Text, Name: s.opName.Text, Role: pinsede.RoleSupervisore, Password: s.pw.Text}
	es := append(sede.Validate(), first.Validate()...)
	es = append(es, checkConfirm(s.pw.Text, s.pwConfirm.Text)...)
	s.fields.show(es, true)
	if len(es) > 0 {
		s.msg.set(msgError, lang.L("form.haserrors"))
		return
	}
	s.msg.set(msgError, "")
	setBusy(true, s.progress, s.create)
	a.background(func() func() {
		err := a.desk.Setup(sede, first)
		return func() {
			setBusy(false, s.progress, s.create)
			var fes pinsede.FieldErrors
			switch {
			case errors.As(err, &fes):
				s.fields.show(fes, true)
				s.msg.set(msgError, lang.L("form.haserrors"))
			case errors.Is(err, pinsede.ErrAlreadySetUp):
				a.showLogin()
			case err != nil:
				s.msg.set(msgError, i18n.Message(err))
			default:
				a.setup = nil
				a.showLogin()
				a.login.id.SetText(first.ID)
				a.login.msg.set(msgSuccess, lang.L("setup.done"))
				a.win.Canvas().Focus(a.login.password)
			}
		}
	})
}

// loginScreen opens a session with an operator's id and password.
type loginScreen struct {
	a        *App
	id       *entry
	password *entry
	submit   *button
	progress *widget.Activity
	msg      *message
	// kept is the message of the last logout from the lock screen that
	// kept a request in progress (App.logoutFromLock), "" before one.
	kept string
	// ended is the message of the last session ended by its account
	// (App.sessionEnded), "" before one.
	ended  string
	screen screen
}

func (a *App) showLogin() {
	if a.login == nil {
		a.login = a.newLoginScreen()
	}
	a.login.password.SetText("")
	a.show(a.login.screen)
}

func (a *App) newLoginScreen() *loginScreen {
	l := &loginScreen{a: a}
	l.id = a.newEntry("")
	l.id.OnSubmitted = func(string) { a.win.Canvas().Focus(l.password) }
	l.password = a.newPasswordEntry()
	l.password.OnSubmitted = func(string) { l.login() }
	l.submit = a.primaryButton(lang.L("login.submit"), fynetheme.LoginIcon(), l.login)
	l.progress = widget.NewActivity()
	l.progress.Hide()
	l.msg = newMessage()
	// The messages the login shows keep their room, so that its fields
	// and its button stay where they are when one shows or goes.
	slot := l.msg.reserve(func() []string {
		return []string{lang.L("login.failed"), i18n.Message(pinsede.ErrNoPassword), lang.L("setup.done"),
			lang.L("join.done", map[string]any{"Sede": a.certSede}), lang.L("password.change.idle"), l.kept, l.ended}
	})
	body := section("",
		title(lang.L("login.title")),
		note(lang.L("login.intro")),
		newField(pinsede.FieldOperatorID, lang.L("field.operatore_id"), l.id).object,
		newField(pinsede.FieldPassword, lang.L("field.password"), l.password).object,
		slot.object,
		container.NewHBox(layout.NewSpacer(), l.progress, l.submit),
	)
	l.screen = screen{Title: lang.L("login.title"), View: a.page(stableCard(460, slot, body), false), Focus: l.id}
	return l
}

// login checks the credentials off the UI goroutine. Every failure shows
// the same message, by design: it must not tell a wrong password from a
// locked account.
func (l *loginScreen) login() {
	a := l.a
	if l.submit.Disabled() {
		return
	}
	id, pw := l.id.Text, l.password.Text
	l.msg.set(msgError, "")
	setBusy(true, l.progress, l.submit)
	a.background(func() func() {
		s, err := a.desk.Login(id, pw)
		return func() {
			setBusy(false, l.progress, l.submit)
			switch {
			case errors.Is(err, pinsede.ErrNotSetUp):
				a.showSetup()
			case errors.Is(err, pinsede.ErrBadCredentials):
				l.password.SetText("")
				l.msg.set(msgError, lang.L("login.failed"))
				a.win.Canvas().Focus(l.password)
			case errors.Is(err, pinsede.ErrNoPassword):
				l.msg.set(msgError, i18n.Message(err))
				a.win.Canvas().Focus(l.password)
			case err != nil:
				l.msg.set(msgError, i18n.Message(err))
			case s.Operator.MustChangePassword:
				l.password.SetText("")
				a.showChangePassword(s, pw)
			default:
				l.password.SetText("")
				a.session = s
				a.touch()
				a.showHome()
				a.showLeft()
				a.offerDraft()
			}
		}
	})
}
