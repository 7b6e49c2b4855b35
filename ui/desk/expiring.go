package desk

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// listShown is the most entries a home-screen list shows; its count says
// how many there are in all.
const listShown = 20

// citizenPanel is a list of the home screen: its count, and for each entry
// a line that opens the citizen's page.
type citizenPanel struct {
	a     *App
	count *widget.Label
	list  *fyne.Container
	msg   *message
	// load reads the entries again.
	load func() ([]citizenEntry, error)
	// hideEmpty hides the panel when it lists nothing.
	hideEmpty bool
	// open are the entries' buttons, in order.
	open   []*button
	object fyne.CanvasObject
}

// citizenEntry is one line of a citizenPanel.
type citizenEntry struct {
	cf   pinsede.CodiceFiscale
	text string
}

// newCitizenPanel makes a panel titled title, whose count is captioned
// caption, listing what load returns.
func (a *App) newCitizenPanel(title, caption string, load func() ([]citizenEntry, error)) *citizenPanel {
	p := &citizenPanel{a: a, count: widget.NewLabel(""), list: container.NewVBox(), msg: newMessage(), load: load}
	p.object = section(title, figure(p.count, caption), p.msg.box, p.list)
	return p
}

// newExpiringPanel lists the sede's PINs that expire within 30 days, with
// the citizen's name, codice fiscale and expiry day (expiring.go).
func (a *App) newExpiringPanel() *citizenPanel {
	return a.newCitizenPanel(lang.L("home.expiring.title"),
		lang.L("home.expiring", map[string]any{"Days": pinsede.ExpiringWithinDays}),
		func() ([]citizenEntry, error) {
			pins, err := a.desk.Expiring(a.session)
			var out []citizenEntry
			for _, e := range pins {
				out = append(out, citizenEntry{e.Credential.CodiceFiscale, lang.L("home.expiring.item", map[string]any{
					"Name": dash(e.Citizen.Request.FullName()), "CF": string(e.Credential.CodiceFiscale), "Expires": day(e.Credential.ExpiresAt),
				})})
			}
			return out, err
		})
}

// newHandoverPanel lists today's slips printed and not handed over, with
// the citizen's name, codice fiscale and the slip's serial: each opens the
// citizen's page, where the handover is recorded (handover.go).
func (a *App) newHandoverPanel() *citizenPanel {
	return a.newCitizenPanel(lang.L("home.handover.title"), lang.L("home.handover"),
		func() ([]citizenEntry, error) {
			us, err := a.desk.PendingHandovers(a.session)
			var out []citizenEntry
			for _, u := range us {
				out = append(out, citizenEntry{u.CodiceFiscale, lang.L("home.handover.item", map[string]any{
					"Name": dash(u.Citizen), "CF": string(u.CodiceFiscale), "Serial": u.SlipSerial,
				})})
			}
			return out, err
		})
}

// refresh reads the entries again.
func (p *citizenPanel) refresh() {
	a := p.a
	entries, err := p.load()
	p.open = nil
	p.list.Objects = nil
	if err != nil {
		p.count.SetText("–")
		p.msg.set(msgError, i18n.Message(err))
		p.list.Refresh()
		return
	}
	p.msg.set(msgError, "")
	p.count.SetText(strconv.Itoa(len(entries)))
	if p.hideEmpty && len(entries) == 0 {
		p.object.Hide()
	} else {
		p.object.Show()
	}
	for i, e := range entries {
		if i == listShown {
			p.list.Add(note(lang.L("home.expiring.more", map[string]any{"N": len(entries) - listShown})))
			break
		}
		b := a.button(e.text, fynetheme.AccountIcon(), func() { a.showCitizen(e.cf) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		p.open = append(p.open, b)
		p.list.Add(b)
	}
	p.list.Refresh()
}
