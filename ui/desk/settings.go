package desk

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/i18n"
)

// settingsScreen is the supervisor's settings: the CUPS queue of the
// slips and forms, chosen from the queues CUPS lists (typed by hand when
// the list cannot be read), and the connection to centrale
// (connection.go). Supervisors only: the domain refuses the others.
type settingsScreen struct {
	a *App
	// queue holds the chosen queue's name: printers sets it, and it is
	// typed when the list cannot be read (it then shows).
	queue *entry
	// printers offers the queues found; labels maps its options to names.
	printers    *dropdown
	labels      map[string]string
	printerNote *widget.Label
	save        *button
	updated     *widget.Label
	msg         *message
	fields      fields
	// conn connects the desk to centrale; nil without Config.Connector.
	conn   *connSection
	screen screen
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
	st.queue.Hide() // until the list of queues says it is needed
	st.printers = a.newDropdown(nil, func(label string) {
		if name, ok := st.labels[label]; ok {
			st.queue.SetText(name)
		}
		a.touch()
	})
	st.printers.PlaceHolder = lang.L("settings.printer.looking")
	st.printerNote = note("")
	st.printerNote.Hide()
	st.save = a.primaryButton(lang.L("settings.save"), fynetheme.DocumentSaveIcon(), st.doSave)
	st.updated = widget.NewLabel("")
	st.msg = newMessage()
	body := container.NewVBox(
		title(lang.L("settings.title")),
		section(lang.L("settings.printer"),
			note(lang.L("settings.printer.intro")),
			st.fields.add(newField(pinsede.FieldPrinterQueue, lang.L("settings.printer.queue"),
				container.NewVBox(st.printers, st.queue))).object,
			st.printerNote,
			st.updated,
			// Saved or not, Salva stays where it was.
			st.msg.reserve(func() []string { return []string{lang.L("form.haserrors"), lang.L("settings.saved")} }).object,
			container.NewHBox(layout.NewSpacer(), st.save),
		),
	)
	// At the top, not centred: a message or a note shown pushes down
	// only what is below it.
	view := a.page(topCard(760, body), true)
	if a.cfg.Connector != nil {
		st.conn = st.newConnSection()
		body.Add(st.conn.object)
		// Prova and Salva il collegamento at the foot, out of the scroll
		// (footedPage), their message just above them: at the end of the
		// settings, they were below the window.
		view, _ = a.footedPage(topCard(760, body), topCard(760, st.conn.msg.box), topCard(760, st.conn.foot))
	}
	st.screen = screen{Title: lang.L("settings.title"), View: view, Focus: st.printers}
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
	st.listPrinters(s.PrinterQueue)
}

// PrinterLister lists the printer queues of the desk PC: cups.ListPrinters
// on the local CUPS, unless Config.Printers says otherwise.
type PrinterLister func(ctx context.Context) ([]cups.Printer, error)

// listTimeout bounds the listing of the queues.
const listTimeout = 10 * time.Second

// listPrinters asks CUPS for its queues, off the UI goroutine, and offers
// them with current, the saved queue, chosen.
func (st *settingsScreen) listPrinters(current string) {
	list := st.a.cfg.Printers
	if list == nil {
		list = func(ctx context.Context) ([]cups.Printer, error) { return cups.ListPrinters(ctx, "") }
	}
	st.a.background(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		ps, err := list(ctx)
		return func() { st.showPrinters(current, ps, err) }
	})
}

// showPrinters offers the queues found in the select, the current one
// kept even when CUPS no longer has it; when the list could not be read,
// the name is typed, and the note says why.
func (st *settingsScreen) showPrinters(current string, ps []cups.Printer, err error) {
	if err != nil {
		st.printers.Hide()
		st.queue.Show()
		if c := st.a.win.Canvas(); c.Focused() == st.printers {
			c.Focus(st.queue) // the keys go where the name is typed
		}
		st.printerNote.SetText(lang.L("settings.printer.nolist", map[string]any{"Err": i18n.Message(err)}))
		st.printerNote.Show()
		return
	}
	none := lang.L("settings.printer.none")
	st.labels = map[string]string{none: ""}
	options := []string{none}
	chosen := none
	found := false
	for _, p := range ps {
		label := p.Name + " — " + printerState(p)
		if p.Info != "" && p.Info != p.Name {
			label = p.Name + " (" + p.Info + ") — " + printerState(p)
		}
		st.labels[label] = p.Name
		options = append(options, label)
		if p.Name == current {
			chosen, found = label, true
		}
	}
	if current != "" && !found {
		label := current + " — " + lang.L("settings.printer.notfound")
		st.labels[label] = current
		options = append(options, label)
		chosen = label
	}
	st.printers.SetOptions(options)
	st.printers.SetSelected(chosen)
	st.printers.Show()
	st.queue.Hide()
	if len(ps) == 0 {
		st.printerNote.SetText(lang.L("settings.printer.nonefound"))
		st.printerNote.Show()
	} else {
		st.printerNote.Hide()
	}
}

// printerState says in words what a queue would do with a slip now.
func printerState(p cups.Printer) string {
	switch {
	case !p.Accepting:
		return lang.L("print.queue.rejecting")
	case p.Ready():
		return lang.L("print.queue.ready")
	case p.State == cups.PrinterStopped:
		return lang.L(p.State.Key())
	}
	return lang.L("print.queue.problem", map[string]any{"Reasons": strings.Join(p.Reasons, ", ")})
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
