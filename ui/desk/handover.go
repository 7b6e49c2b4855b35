package desk

import (
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// confirmHandover asks, from the citizen's page, before recording that the
// envelope of cr was handed over: the same record as the result screen's,
// for a slip whose result screen was left.
func (c *citizenScreen) confirmHandover(cr pinsede.Credential) {
	a := c.a
	a.showDialog(a.newConfirm(lang.L("issue.handover.title"),
		lang.L("citizen.handover.confirm", map[string]any{"Serial": cr.SlipSerial})+"\n"+lang.L("issue.handover.intro"),
		func(ok bool) {
			if ok {
				c.recordHandover(cr.ID)
			}
		}))
}

// recordHandover records the handover and opens the page again, with the
// outcome above it.
func (c *citizenScreen) recordHandover(credentialID string) {
	a := c.a
	cr, err := a.desk.RecordHandover(a.session, credentialID)
	if err != nil {
		c.msg.set(msgError, i18n.Message(err))
		return
	}
	a.showCitizen(cr.CodiceFiscale)
	if a.citizen != nil {
		a.citizen.msg.set(msgSuccess, lang.L("issue.handover.done", map[string]any{"When": when(cr.HandedOverAt)}))
	}
}
