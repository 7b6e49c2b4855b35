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

// newReconcilePanel builds the panel (reconcileButton).
func (a *App) newReconcilePanel() *reconcilePanel {
	p := &reconcilePanel{a: a, msg: newMessage()}
	p.scope = a.newRadio([]string{lang.L("home.reconcile.sede"), lang.L("home.reconcile.desk")}, true, nil)
	p.scope.SetSelected(lang.L("home.reconcile.sede"))
	p.button = a.reconcileButton(lang.L("home.reconcile"), p.doPrint)
	p.object = container.NewVBox(p.scope.object, p.button, p.msg.box)
	return p
}

// reconcileButton returns a button, labelled text, that prints a
// reconciliation when tapped: disabled without a renderer of the report
// or a document printer.
func (a *App) reconcileButton(text string, tapped func()) *button {
	b := a.button(text, fynetheme.DocumentPrintIcon(), tapped)
	if a.desk.Forms == nil || a.desk.Documents == nil {
		b.Disable()
	}
	return b
}

// chosen returns the scope the supervisor chose: the sede unless "solo
// questo sportello".
func (p *reconcilePanel) chosen() pinsede.ReconciliationScope {
	if p.scope.Selected == lang.L("home.reconcile.desk") {
		return pinsede.ScopeDesk
	}
	return pinsede.ScopeSede
}

// doPrint prints today's reconciliation, of the scope chosen.
func (p *reconcilePanel) doPrint() {
	p.a.printReconciliation(p.a.today(), p.chosen(), p.button, p.msg)
}

// printReconciliation draws up and prints the reconciliation of day, of
// scope, off the UI goroutine, for the home's panel and the audit
// screen: b, which asked for it, is disabled meanwhile, and msg says it
// is printing, then how many slips were not handed over, or why it did
// not print. It does nothing while b is disabled or with no session.
func (a *App) printReconciliation(day pinsede.Date, scope pinsede.ReconciliationScope, b *button, msg *message) {
	if b.Disabled() || a.session == nil {
		return
	}
	s := a.session
	b.Disable()
	msg.set(msgInfo, lang.L("home.reconcile.printing"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		r, err := a.desk.PrintReconciliation(ctx, s, day, scope)
		return func() {
			b.Enable()
			if err == nil {
				msg.set(msgSuccess, lang.L("home.reconcile.printed", map[string]any{"N": len(r.Mismatches)}))
				return
			}
			text := lang.L("home.reconcile.failed")
			if cause := i18n.Cause(err); cause != "" {
				text += "\n" + lang.L("issue.printfailed.cause", map[string]any{"Cause": cause})
			} else {
				text += "\n" + i18n.Message(err)
			}
			msg.set(msgError, text)
		}
	})
}
