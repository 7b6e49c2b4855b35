package desk

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
)

// telephoneChoice is the choice, on the verification screen, of the PIN to
// issue: "Tipo: PIN dispositivo | PIN telefonico (durata …)". The
// duration is asked only for a PIN telefonico.
type telephoneChoice struct {
	kind     *choice
	duration *dropdown
	// durationRow is the duration's field, with its label and its
	// errors (withField); hidden for a PIN dispositivo.
	durationRow fyne.CanvasObject
}

// newTelephoneChoice makes the choice, on PIN dispositivo.
func (a *App) newTelephoneChoice() *telephoneChoice {
	c := &telephoneChoice{}
	names := make([]string, len(pinsede.TelephoneValidities()))
	for i, tv := range pinsede.TelephoneValidities() {
		names[i] = lang.L("telephone.validity." + string(tv))
	}
	c.duration = a.newDropdown(names, nil)
	c.duration.PlaceHolder = lang.L("common.choose")
	c.kind = a.newRadio([]string{
		lang.L("credtype." + string(pinsede.Dispositivo)),
		lang.L("credtype." + string(pinsede.Telefonico)),
	}, true, func(string) { c.refresh() })
	c.kind.SetSelected(c.kind.Options[0])
	return c
}

// withField keeps the field made of the duration, to show and hide it
// with the choice, and returns it.
func (c *telephoneChoice) withField(o fyne.CanvasObject) fyne.CanvasObject {
	c.durationRow = o
	c.refresh()
	return o
}

// telephone reports whether a PIN telefonico is chosen.
func (c *telephoneChoice) telephone() bool { return c.kind.Selected == c.kind.Options[1] }

// validity returns the duration chosen for a PIN telefonico, or "" for a
// PIN dispositivo or no duration chosen.
func (c *telephoneChoice) validity() pinsede.TelephoneValidity {
	if !c.telephone() {
		return ""
	}
	if i := c.duration.SelectedIndex(); i >= 0 {
		return pinsede.TelephoneValidities()[i]
	}
	return ""
}

// refresh shows the duration only for a PIN telefonico.
func (c *telephoneChoice) refresh() {
	switch {
	case c.durationRow == nil:
	case c.telephone():
		c.durationRow.Show()
	default:
		c.durationRow.Hide()
	}
}

// issueChosen issues the PIN chosen: Issue for a PIN dispositivo,
// IssueTelephonePIN for a PIN telefonico valid for tv (read on the UI
// goroutine with validity, as telephone was).
func issueChosen(ctx context.Context, d *pinsede.Desk, s *pinsede.Session, req pinsede.Request, ver pinsede.Verification,
	telephone bool, tv pinsede.TelephoneValidity) (pinsede.Issued, error) {
	if telephone {
		return d.IssueTelephonePIN(ctx, s, req, ver, tv)
	}
	return d.Issue(ctx, s, req, ver)
}
