package desk

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// dateTimeLayout and dateLayout write times the Italian way.
const (
	dateTimeLayout = "02/01/2006 15:04"
	dateLayout     = "02/01/2006"
)

// when writes a time as gg/mm/aaaa hh:mm, "–" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.Format(dateTimeLayout)
}

// day writes a time's date as gg/mm/aaaa, "–" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.Format(dateLayout)
}

// resultScreen is the outcome of an issue: the envelope is printed and
// must be handed over. The PIN is never on screen: only the slip's serial
// number, which carries nothing secret.
type resultScreen struct {
	a      *App
	req    pinsede.Request
	issued pinsede.Issued

	headline  *widget.Label
	serial    *copyValue
	handover  *button
	msg       *message
	toCitizen *button
	toHome    *button
	next      *fyne.Container
	screen    screen
}

// showResult shows a new credential and drops the finished request.
func (a *App) showResult(req pinsede.Request, out pinsede.Issued) {
	a.request, a.verify = nil, nil
	a.dropDraft() // the issue wiped it: this keeps a late save from bringing it back
	a.result = a.newResultScreen(req, out)
	a.show(a.result.screen)
}

func (a *App) newResultScreen(req pinsede.Request, out pinsede.Issued) *resultScreen {
	r := &resultScreen{a: a, req: req, issued: out}
	c := out.Credential
	r.headline = widget.NewLabelWithStyle(lang.L("issue.done"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.headline.SizeName = fynetheme.SizeNameHeadingText
	r.headline.Importance = widget.SuccessImportance
	r.headline.Wrapping = fyne.TextWrapWord
	serial := widget.NewLabelWithStyle(c.SlipSerial, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	serial.SizeName = fynetheme.SizeNameSubHeadingText
	r.serial = a.copyValue(serial)
	r.handover = a.primaryButton(lang.L("issue.handover"), fynetheme.ConfirmIcon(), r.recordHandover)
	r.msg = newMessage()
	r.toCitizen = a.button(lang.L("issue.tocitizen"), fynetheme.AccountIcon(), func() { a.showCitizen(c.CodiceFiscale) })
	r.toHome = a.button(lang.L("issue.tohome"), fynetheme.HomeIcon(), a.showHome)
	r.next = container.NewHBox(r.toCitizen, layout.NewSpacer(), r.toHome)
	r.next.Hide()

	details := []fyne.CanvasObject{
		rows(
			[]fyne.CanvasObject{lowLabel(lang.L("issue.serial")), r.serial},
			row(lang.L("issue.citizen"), req.FullName()+" — "+string(c.CodiceFiscale)),
			row(lang.L("cred.type"), lang.L("credtype."+string(c.Type))),
			[]fyne.CanvasObject{lowLabel(lang.L("cred.state")), stateLabel(c.StateAt(a.desk.Now()))},
			row(lang.L("cred.issued"), when(c.IssuedAt)),
			row(lang.L("cred.expires"), day(c.ExpiresAt)),
		),
	}
	if n := len(out.Replaced); n > 0 {
		replaced := newMessage()
		replaced.set(msgInfo, lang.L("issue.replaced", map[string]any{"N": n}))
		details = append(details, replaced.box)
	}
	if out.Pending {
		details = append(details, a.pendingNote(c.ID))
	}
	// A handover refused keeps Registra consegna where it was.
	slot := r.msg.reserve(func() []string {
		return []string{i18n.Message(pinsede.ErrNotActive), i18n.Message(pinsede.ErrAlreadyHandedOver),
			lang.L("issue.handover.done", map[string]any{"When": when(a.desk.Now())})}
	})
	body := container.NewVBox(
		r.headline,
		note(doneNote(c, out.Pending)),
		section(lang.L("issue.details"), details...),
		section(lang.L("issue.handover.title"),
			note(lang.L("issue.handover.intro")),
			slot.object,
			container.NewHBox(r.handover),
			r.next,
		),
	)
	// The keyboard starts on the next step: Registra consegna. (The Space
	// that pressed Emetti PIN reaches it as a character, which a button
	// ignores.)
	r.screen = screen{Title: lang.L("issue.title"), View: a.page(stableCard(760, slot, body), true), Focus: r.handover}
	return r
}

// recordHandover records that the citizen received the envelope.
func (r *resultScreen) recordHandover() {
	a := r.a
	if r.handover.Disabled() {
		return
	}
	c, err := a.desk.RecordHandover(a.session, r.issued.Credential.ID)
	if err != nil {
		r.msg.set(msgError, i18n.Message(err))
		return
	}
	r.issued.Credential = c
	r.handover.Disable()
	r.handover.Hide()
	r.msg.set(msgSuccess, lang.L("issue.handover.done", map[string]any{"When": when(c.HandedOverAt)}))
	r.next.Show()
	// The button that had the keyboard is gone: the next step has it, or
	// Tab would start again from the top of the screen.
	if c := a.win.Canvas(); c != nil {
		c.Focus(r.toCitizen)
	}
	if a.home != nil {
		a.home.refresh()
	}
}

// doneNote says what the credential just issued is: a PIN dispositivo,
// active and replaced by the citizen at the first login, or a PIN
// telefonico, active for its validity and used only with the Contact
// Center. A pending one (issued while centrale could not be told) is not
// said active: it activates once centrale receives it, which the pending
// note below it tells as it happens.
func doneNote(c pinsede.Credential, pending bool) string {
	key, args := "issue.done.note", map[string]any{}
	if c.Type == pinsede.Telefonico {
		key = "issue.done.note.telefonico"
		args = map[string]any{"Validity": lang.L("telephone.validity." + string(c.Validity)), "Expires": day(c.ExpiresAt)}
	}
	if pending {
		key += ".pending"
	}
	return lang.L(key, args)
}
