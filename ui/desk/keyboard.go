package desk

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showDialog shows d and keeps it as the dialog Esc closes, until it is
// closed: every dialog of the desk opens through it. Fyne's dialogs take
// no Esc of their own.
func (a *App) showDialog(d dialog.Dialog) { a.showDialogFocus(d, nil) }

// showDialogFocus shows d as showDialog does, and gives focus the keyboard
// when it is not nil. Behind the lock screen d does not show: a job that
// ended while the session was locked (a print's outcome, a panic, the
// offer of a draft) would show a citizen's data and a button to a
// passer-by, and take the keys typed in the password. It waits instead,
// and shows at the unlock, above the dialogs the lock put away; the
// logout from the lock screen closes it with them, and keeps for the
// clerk's next login what it had to tell (keepLeft). Only the lock
// screen's own dialogs show there (showOverLock).
func (a *App) showDialogFocus(d dialog.Dialog, focus fyne.Focusable) {
	d.SetOnClosed(func() { a.forgetDialog(d) })
	if a.lock.locked {
		a.lock.pending = append(a.lock.pending, pendingDialog{d, focus})
		return
	}
	a.openDialog(d, focus)
}

// showOverLock shows d, one of the dialogs the lock screen offers (the
// guide, the link's details), even behind the lock: they show nothing
// of the session. The unlock closes it.
func (a *App) showOverLock(d dialog.Dialog) {
	d.SetOnClosed(func() { a.forgetDialog(d) })
	a.openDialog(d, nil)
}

// openDialog shows d on top of the window and gives focus, when not nil,
// the keyboard.
func (a *App) openDialog(d dialog.Dialog, focus fyne.Focusable) {
	a.tips.hide() // a tip would show through the dialog's shade
	a.dialogs = append(a.dialogs, d)
	d.Show()
	if focus != nil {
		a.win.Canvas().Focus(focus)
	}
}

// cancelWith makes Esc on dialog d do what its cancel button b does,
// nothing while b is disabled: while the action the dialog confirmed runs,
// Esc closed it, though Annulla could not; the action went on unseen (a
// PIN revoked by the clerk who had pressed Esc), and a refusal showed in
// the dialog closed.
func (a *App) cancelWith(d dialog.Dialog, b *button) {
	if a.cancels == nil {
		a.cancels = map[dialog.Dialog]*button{}
	}
	a.cancels[d] = b
}

// forgetDialog drops d, closed, from the dialogs shown and from those
// waiting for the unlock: a job may close a dialog it raised before it
// showed.
func (a *App) forgetDialog(d dialog.Dialog) {
	delete(a.unseen, d)
	delete(a.cancels, d)
	a.dialogs = slices.DeleteFunc(a.dialogs, func(x dialog.Dialog) bool { return x == d })
	a.lock.pending = slices.DeleteFunc(a.lock.pending, func(p pendingDialog) bool { return p.dialog == d })
}

// newDialog returns a dialog titled title that shows content above one
// button, dismiss, which closes it: dialog.NewCustom, with the desk's
// button.
func (a *App) newDialog(title, dismiss string, content fyne.CanvasObject) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, a.win)
	d.SetButtons([]fyne.CanvasObject{a.button(dismiss, nil, d.Hide)})
	return d
}

// newInformation returns a dialog that tells message, closed by OK:
// dialog.NewInformation, with the desk's button.
func (a *App) newInformation(title, message string) dialog.Dialog {
	d := a.newDialog(title, lang.L("OK"), dialogText(message))
	d.SetIcon(fynetheme.InfoIcon())
	return d
}

// newConfirm returns a dialog that asks message, and calls done with true
// after Sì, false after No or Esc: dialog.NewConfirm, with the desk's
// buttons.
func (a *App) newConfirm(title, message string, done func(bool)) dialog.Dialog {
	d := dialog.NewCustomWithoutButtons(title, dialogText(message), a.win)
	d.SetIcon(fynetheme.QuestionIcon())
	yes := false
	confirm := a.button(lang.L("Yes"), fynetheme.ConfirmIcon(), func() {
		yes = true
		d.Hide()
	})
	confirm.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{a.button(lang.L("No"), fynetheme.CancelIcon(), d.Hide), confirm})
	d.SetOnClosed(func() { done(yes) })
	return d
}

// dialogText is the message of a dialog, centred and wrapped as Fyne's
// own dialogs wrap it.
func dialogText(message string) fyne.CanvasObject {
	return card(460, &widget.Label{Text: message, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord})
}

// escape dismisses the top dialog, as its cancel button would, and reports
// whether there was one: Esc in an entry of the dialog, or with nothing
// focused. On the lock screen it closes a dialog opened there (the
// guide), and otherwise empties the password and puts the keyboard in it,
// wherever it was: the dialogs put away behind the lock stay.
// With no dialog, on a change of password, it does what its Annulla does:
// back to the login from the change of a password a supervisor reset, to
// the home from the operator's own. A dialog whose action runs stays
// (cancelWith).
func (a *App) escape() bool {
	if a.lock.locked {
		if n := len(a.dialogs); n > 0 && !slices.Contains(a.lock.parkedDialogs, a.dialogs[n-1]) {
			a.dialogs[n-1].Dismiss()
			return true
		}
		a.lock.password.SetText("")
		a.win.Canvas().Focus(a.lock.password)
		return true
	}
	if len(a.dialogs) == 0 {
		if c := a.changePassword; c != nil && a.current.View == c.screen.View && !c.cancel.Disabled() {
			c.leave(a)() // as its Annulla
			return true
		}
		return false
	}
	top := a.dialogs[len(a.dialogs)-1]
	if b := a.cancels[top]; b != nil && b.Disabled() {
		return true // its action runs: Esc waits for its outcome, as Annulla does
	}
	top.Dismiss()
	return true
}

// typedKey handles the keys no focused widget took.
func (a *App) typedKey(k *fyne.KeyEvent) {
	a.touch()
	a.deskKey(k)
}

// deskKey runs the keys that work on every screen, with nothing focused or
// from an entry, and reports whether it took k: Esc closes the dialog on
// top, F1 opens the guide, once a press (keyRepeats: Esc held down closed
// one dialog after the other). Fyne runs a canvas shortcut only with a
// modifier, so F1 comes as a plain key.
func (a *App) deskKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyEscape, fyne.KeyF1:
		if a.keysTold() && !a.keys.act(k.Name) {
			return true // held down: it acted at the press (keyRepeats)
		}
	}
	switch k.Name {
	case fyne.KeyEscape:
		return a.escape()
	case fyne.KeyF1:
		a.guard("F1", a.showHelp)
		return true
	}
	return false
}

// scrollIntoView scrolls the current screen so that o, which has just
// gained the focus, shows whole: Tab never leaves the focus below the
// visible part of a long form.
func (a *App) scrollIntoView(o fyne.CanvasObject) {
	if a.showInDialog(o) {
		return
	}
	scrollTo(a.currentScroll(), o)
}

// showInDialog scrolls the dialog on top so that o shows whole, when o
// lies in a scroll of it (the replacement of a slip, taller than a small
// screen), and reports whether it did.
func (a *App) showInDialog(o fyne.CanvasObject) bool {
	c := a.win.Canvas()
	if c == nil {
		return false
	}
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	scrolls := scrollsOf(top, o)
	for i := len(scrolls) - 1; i >= 0; i-- {
		scrollTo(scrolls[i], o)
	}
	return len(scrolls) > 0
}

// scrollTo scrolls sc, if any, so that o, which lies in it, shows whole.
func scrollTo(sc *container.Scroll, o fyne.CanvasObject) {
	if sc == nil || fyne.CurrentApp() == nil {
		return
	}
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc).Y
	bottom := top + o.Size().Height
	const margin = 24 // the field's label above, its problem line below
	switch {
	case top < margin:
		sc.Offset.Y = max(0, sc.Offset.Y+top-margin)
	case bottom > sc.Size().Height-margin:
		sc.Offset.Y += bottom - sc.Size().Height + margin
	default:
		return
	}
	sc.Refresh()
}

// showFocused scrolls the current screen so that o, a button or a check
// box that has just gained the focus, shows whole, when o lies in the
// screen (not in the header, nor in a dialog): Tab to Registra delega,
// below the window, drew its focus out of sight. The scrolls are those
// that hold o, the innermost first: the page's, or that of its messages
// (footedPage).
func (a *App) showFocused(o fyne.CanvasObject) {
	if a.showInDialog(o) {
		return
	}
	scrolls := scrollsOf(a.current.View, o)
	for i := len(scrolls) - 1; i >= 0; i-- {
		scrollTo(scrolls[i], o)
	}
}

// scrollsOf returns the scrolls among in and the containers within it
// that hold o, the outermost first.
func scrollsOf(in, o fyne.CanvasObject) []*container.Scroll {
	switch x := in.(type) {
	case *widget.PopUp: // a dialog
		return scrollsOf(x.Content, o)
	case *fyne.Container:
		for _, c := range x.Objects {
			if scrolls := scrollsOf(c, o); scrolls != nil {
				return scrolls
			}
		}
	case *container.Scroll:
		if holds(x.Content, o) {
			return append([]*container.Scroll{x}, scrollsOf(x.Content, o)...)
		}
	}
	return nil
}

// holds reports whether o is target or holds it in its containers.
func holds(o, target fyne.CanvasObject) bool {
	switch x := o.(type) {
	case *fyne.Container:
		return slices.ContainsFunc(x.Objects, func(c fyne.CanvasObject) bool { return holds(c, target) })
	case *container.Scroll:
		return holds(x.Content, target)
	}
	return o == target
}

// focused returns the widget that has the keyboard in the window, nil for
// none, or for one in a dialog or a pop-up: those lie over the screen.
func (a *App) focused() fyne.CanvasObject {
	c := a.win.Canvas()
	if c == nil || c.Overlays().Top() != nil {
		return nil
	}
	o, _ := c.Focused().(fyne.CanvasObject)
	return o
}

// focusWithin reports whether the widget that has the keyboard lies inside
// o: one of the choices of a radio group, say.
func (a *App) focusWithin(o fyne.CanvasObject) bool {
	c := a.win.Canvas()
	if c == nil || fyne.CurrentApp() == nil {
		return false
	}
	f, ok := c.Focused().(fyne.CanvasObject)
	if !ok || f == nil {
		return false
	}
	d := fyne.CurrentApp().Driver()
	p, q := d.AbsolutePositionForObject(f), d.AbsolutePositionForObject(o)
	s := o.Size()
	return p.X >= q.X && p.Y >= q.Y && p.X < q.X+s.Width && p.Y < q.Y+s.Height
}

// currentScroll returns the scroll of the current screen, nil for a screen
// that does not scroll (see page). The page may sit inside another
// container: the MV35 of a kiosk ticket has the ticket's banner above it.
func (a *App) currentScroll() *container.Scroll {
	return findScroll(a.current.View)
}

// findScroll returns the first scroll among o and the containers within it,
// depth first, nil for none.
func findScroll(o fyne.CanvasObject) *container.Scroll {
	switch o := o.(type) {
	case *container.Scroll:
		return o
	case *fyne.Container:
		for _, c := range o.Objects {
			if sc := findScroll(c); sc != nil {
				return sc
			}
		}
	}
	return nil
}

// shortcuts are the desk's keys for its frequent actions, from any screen
// of a session: Ctrl+N a new request (or back to the one in progress: a
// key never drops what was typed), Ctrl+F the search, Ctrl+L the lock,
// Ctrl+T the next kiosk ticket, Ctrl+I the settings (Impostazioni, for
// supervisors: the header's button), Ctrl+Enter the screen's main action
// (Avanti on the MV35, Emetti PIN on the identity check), from whatever
// field or check box has the focus.
func (a *App) shortcuts() map[desktop.CustomShortcut]func() {
	ctrl := func(k fyne.KeyName) desktop.CustomShortcut {
		return desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	return map[desktop.CustomShortcut]func(){
		ctrl(fyne.KeyN): a.showRequest,
		ctrl(fyne.KeyF): func() {
			a.showHome()
			a.win.Canvas().Focus(a.home.cf)
		},
		ctrl(fyne.KeyL):      a.lockSession,
		ctrl(fyne.KeyT):      a.nextTicket,
		ctrl(fyne.KeyI):      a.showSettings,
		ctrl(fyne.KeyReturn): a.primary,
		ctrl(fyne.KeyEnter):  a.primary,
	}
}

// primary presses the current screen's main button, as a click would,
// unless it is disabled or hidden.
func (a *App) primary() {
	if b := a.current.Primary; b != nil && !b.Disabled() && b.Visible() && b.OnTapped != nil {
		b.OnTapped()
	}
}

// shortcut runs the action of s and reports whether s is one of the desk's
// shortcuts. Outside a session, on the lock screen or under a dialog, it
// does nothing, but Ctrl+L under a dialog: the lock keeps the dialog, and
// gives it back at the unlock.
func (a *App) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	do, ok := a.shortcuts()[*cs]
	if !ok {
		return false
	}
	a.tips.hide() // a key hides a button's tip, whether it runs now or not
	if a.keysTold() && !a.keys.act(cs.KeyName) {
		return true // held down: it ran at the press
	}
	if a.session != nil && !a.lock.locked && (len(a.dialogs) == 0 || cs.KeyName == fyne.KeyL) {
		a.touch()
		a.guard(cs.ShortcutName(), do)
	}
	return true
}

// keyRepeats tells a key's press from the presses its auto-repeat makes
// while it is held down, which the driver gives to TypedKey, TypedRune
// and the shortcuts again and again, with no KeyDown between them: Space
// held on Emetti PIN issued the PIN, then pressed Registra consegna, which
// has the keyboard on the screen that opened, recording a handover that
// never happened, then Pagina del cittadino (found by real X keys). The
// desk's widgets (entry, button, check) and the window, with nothing
// focused, tell it of each KeyDown and KeyUp; a key that presses, ticks,
// submits or runs a shortcut acts once after its KeyDown. The driver
// gives KeyDown to the widget that has the keyboard, which then gets the
// key: a press always comes with its KeyDown to the desk's widgets. A key
// whose KeyDown went to none of them (one of Fyne's widgets has the
// keyboard; the tests send keys with none) acts at each press, as before.
// The zero value is ready to use; a nil one lets every key act.
type keyRepeats struct {
	// acted holds the keys down, each true once it has acted.
	acted map[fyne.KeyName]bool
}

// KeyDown records that the key of k went down.
func (r *keyRepeats) KeyDown(k *fyne.KeyEvent) {
	if r == nil {
		return
	}
	if r.acted == nil {
		r.acted = map[fyne.KeyName]bool{}
	}
	r.acted[k.Name] = false
}

// KeyUp records that the key of k went up.
func (r *keyRepeats) KeyUp(k *fyne.KeyEvent) {
	if r != nil {
		delete(r.acted, k.Name)
	}
}

// act reports whether the key named may act now, and records that it
// did: not when it is down and acted since it went down (its repeat).
func (r *keyRepeats) act(name fyne.KeyName) bool {
	if r == nil {
		return true
	}
	acted, down := r.acted[name]
	if down {
		r.acted[name] = true
	}
	return !acted
}

// spent reports whether the key named is down and acted since it went
// down: what it types as it repeats is not the clerk's typing either.
func (r *keyRepeats) spent(name fyne.KeyName) bool {
	return r != nil && r.acted[name]
}

// keysTold reports whether the KeyDown of a key pressed now reached the
// desk (keyRepeats): nothing has the keyboard, or one of the desk's
// widgets, which tell it.
func (a *App) keysTold() bool {
	switch a.win.Canvas().Focused().(type) {
	case nil, *entry, *button, *check, *copyValue, *pickList, *suggestionList, *dropdown, *dropdownMenu:
		return true
	}
	return false
}

// addShortcuts registers the shortcuts on the canvas, for when no entry
// has the focus (an entry passes them on: entry.TypedShortcut).
func (a *App) addShortcuts() {
	for sc := range a.shortcuts() {
		a.win.Canvas().AddShortcut(&sc, func(s fyne.Shortcut) { a.shortcut(s) })
	}
}

// nextTicket calls the next kiosk ticket, as the home page's "Prossimo
// biglietto" does (Ctrl+T), asking first when a request is typed
// (unlessTyped).
func (a *App) nextTicket() {
	a.unlessTyped(lang.L("queue.next.confirm"), func() {
		a.showHome()
		if q := a.home.queue; q != nil && !q.next.Disabled() {
			q.takeNext()
		}
	})
}

// unlessTyped runs drop, which closes the request in progress, at once
// when nothing is typed in it; otherwise it asks question first, and runs
// drop after a yes. No button nor key drops what was typed unasked: Nuova
// richiesta (of the home page and of a citizen's), Prossimo biglietto, a
// ticket's code, Esci and Ctrl+T all come this way.
func (a *App) unlessTyped(question string, drop func()) {
	if _, _, typed := a.draftNow(); !typed {
		drop()
		return
	}
	a.showDialog(a.newConfirm(lang.L("request.inprogress.title"), question,
		func(ok bool) {
			if ok {
				drop()
			}
		}))
}
