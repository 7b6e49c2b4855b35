package desk

import (
	"errors"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// settingsScreen is the supervisor's settings: the CUPS queue of the
// slips and forms. ui/cups cannot list the queues, so the name is
// typed. Supervisors only: the domain refuses the others.
type settingsScreen struct {
	a       *App
	queue   *entry
	save    *widget.Button
	updated *widget.Label
	msg     *message
	fields  fields
	screen  screen
}

// showSettings opens the settings, as stored.
func (a *App) showSettings() {
	if a.session == nil || !a.session.IsSupervisor() {
		return
	}
	if a.settings == nil {
		a.settings = a.newSettingsScreen()
	}
	a.settings.reload()
	a.show(a.settings.screen)
}

func (a *App) newSettingsScreen() *settingsScreen {
	st := &settingsScreen{a: a, fields: fields{}}
	st.queue = a.newEntry(lang.L("settings.printer.placeholder"))
	st.queue.OnSubmitted = func(string) { st.doSave() }
	st.save = a.primaryButton(lang.L("settings.save"), fynetheme.DocumentSaveIcon(), st.doSave)
	st.updated = widget.NewLabel("")
	st.msg = newMessage()
	body := container.NewVBox(
		title(lang.L("settings.title")),
		section(lang.L("settings.printer"),
			note(lang.L("settings.printer.intro")),
			st.fields.add(newField(pinsede.FieldPrinterQueue, lang.L("settings.printer.queue"), st.queue)).object,
			st.updated,
			st.msg.box,
			container.NewHBox(layout.NewSpacer(), st.save),
		),
	)
	st.screen = screen{Title: lang.L("settings.title"), View: a.page(card(760, body), true), Focus: st.queue}
	return st
}

// reload shows the stored settings.
func (st *settingsScreen) reload() {
	s, err := st.a.desk.Settings()
	if err != nil {
		st.msg.set(msgError, i18n.Message(err))
		return
	}
	st.queue.SetText(s.PrinterQueue)
	st.showUpdated(s)
}

// showUpdated says who last changed the settings, and when.
func (st *settingsScreen) showUpdated(s pinsede.Settings) {
	if s.UpdatedBy == "" {
		st.updated.SetText(lang.L("settings.never"))
		return
	}
	st.updated.SetText(lang.L("settings.updated", map[string]any{"When": when(s.UpdatedAt), "By": s.UpdatedBy}))
}

// doSave records the settings.
func (st *settingsScreen) doSave() {
	a := st.a
	if a.session == nil {
		return
	}
	err := a.desk.SaveSettings(a.session, pinsede.Settings{PrinterQueue: st.queue.Text})
	var fes pinsede.FieldErrors
	switch {
	case errors.As(err, &fes):
		st.fields.show(fes, true)
		st.msg.set(msgError, lang.L("form.haserrors"))
		return
	case err != nil:
		st.msg.set(msgError, i18n.Message(err))
		return
	}
	st.fields.show(nil, false)
	st.reload()
	st.msg.set(msgSuccess, lang.L("settings.saved"))
}
