package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// reconcilePanel is the supervisor's "Riconciliazione di fine giornata"
// on the home screen: it prints today's reconciliation (slips printed,
// PINs issued, voided, revoked, replaced and handed over per operator, and
// the slips never handed over) for the operator and the supervisor to
// sign, of the whole sede (per desk, the default) or of this desk alone.
type reconcilePanel struct {
	a *App
	// scope chooses "tutta la sede" or "solo questo sportello".
	scope  *choice
	button *button
	msg    *message
	object fyne.CanvasObject
}

// newReconcilePanel builds the panel; the button is disabled without a
// renderer of the report or a document printer.
func (a *App) newReconcilePanel() *reconcilePanel {
	p := &reconcilePanel{a: a, msg: newMessage()}
	p.scope = a.newRadio([]string{lang.L("home.reconcile.sede"), lang.L("home.reconcile.desk")}, true, nil)
	p.scope.SetSelected(lang.L("home.reconcile.sede"))
	p.button = a.button(lang.L("home.reconcile"), fynetheme.DocumentPrintIcon(), p.doPrint)
	if a.desk.Forms == nil || a.desk.Documents == nil {
		p.button.Disable()
	}
	p.object = container.NewVBox(p.scope.object, p.button, p.msg.box)
	return p
}

// chosen returns the scope the supervisor chose: the sede unless "solo
// questo sportello".
func (p *reconcilePanel) chosen() pinsede.ReconciliationScope {
	if p.scope.Selected == lang.L("home.reconcile.desk") {
		return pinsede.ScopeDesk
	}
	return pinsede.ScopeSede
}

// doPrint draws up and prints today's reconciliation off the UI goroutine.
func (p *reconcilePanel) doPrint() {
	a := p.a
	if p.button.Disabled() || a.session == nil {
		return
	}
	s, day, scope := a.session, a.today(), p.chosen()
	p.button.Disable()
	p.msg.set(msgInfo, lang.L("home.reconcile.printing"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		r, err := a.desk.PrintReconciliation(ctx, s, day, scope)
		return func() {
			p.button.Enable()
			if err == nil {
				p.msg.set(msgSuccess, lang.L("home.reconcile.printed", map[string]any{"N": len(r.Mismatches)}))
				return
			}
			msg := lang.L("home.reconcile.failed")
			if cause := i18n.Cause(err); cause != "" {
				msg += "\n" + lang.L("issue.printfailed.cause", map[string]any{"Cause": cause})
			} else {
				msg += "\n" + i18n.Message(err)
			}
			p.msg.set(msgError, msg)
		}
	})
}
