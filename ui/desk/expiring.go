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

// expiringShown is the most expiring PINs the home screen lists; the count
// says how many there are in all.
const expiringShown = 20

// expiringPanel is the home screen's list of the sede's PINs that expire
// within 30 days: their count, and for each the citizen's name, codice
// fiscale and expiry day, opening the citizen's page.
type expiringPanel struct {
	a     *App
	count *widget.Label
	list  *fyne.Container
	msg   *message
	// pins are the PINs listed and open their buttons, in the same order.
	pins   []pinsede.ExpiringPIN
	open   []*widget.Button
	object fyne.CanvasObject
}

func (a *App) newExpiringPanel() *expiringPanel {
	p := &expiringPanel{a: a, count: widget.NewLabel(""), list: container.NewVBox(), msg: newMessage()}
	p.object = section(lang.L("home.expiring.title"),
		figure(p.count, lang.L("home.expiring", map[string]any{"Days": pinsede.ExpiringWithinDays})),
		p.msg.box,
		p.list)
	return p
}

// refresh reads the expiring PINs again.
func (p *expiringPanel) refresh() {
	a := p.a
	pins, err := a.desk.Expiring(a.session)
	p.pins, p.open = nil, nil
	p.list.Objects = nil
	if err != nil {
		p.count.SetText("–")
		p.msg.set(msgError, i18n.Message(err))
		p.list.Refresh()
		return
	}
	p.msg.set(msgError, "")
	p.count.SetText(strconv.Itoa(len(pins)))
	for i, e := range pins {
		if i == expiringShown {
			p.list.Add(note(lang.L("home.expiring.more", map[string]any{"N": len(pins) - expiringShown})))
			break
		}
		name := e.Citizen.Request.FullName()
		if name == "" {
			name = "–"
		}
		b := a.button(lang.L("home.expiring.item", map[string]any{
			"Name": name, "CF": string(e.Credential.CodiceFiscale), "Expires": day(e.Credential.ExpiresAt),
		}), fynetheme.AccountIcon(), func() { a.showCitizen(e.Credential.CodiceFiscale) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		p.pins = append(p.pins, e)
		p.open = append(p.open, b)
		p.list.Add(b)
	}
	p.list.Refresh()
}
