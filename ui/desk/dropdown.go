package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dropdown is the desk's drop-down list: widget.Select, whose key held
// down opens its list once (keyRepeats), and whose Esc and F1 reach the
// desk (passKey). A widget.Select opens its list at each Space, Up or
// Down, and its list (widget.PopUpMenu) closes at a Space or an Enter
// with no option marked: Space held down opened and closed the list
// as it repeated, leaving it open or not as the count of repeats fell,
// and Space held on an option chose it, then opened the list again. The
// list is the desk's too (dropdownMenu). Left and Right choose the
// option before or after as Fyne's do, and repeat: the clerk sees the
// choice move, as in a list.
type dropdown struct {
	widget.Select
	a *App
	// menu is the list open, nil when closed.
	menu *dropdownMenu
}

// newDropdown returns a drop-down list of options that calls changed with
// the option chosen.
func (a *App) newDropdown(options []string, changed func(string)) *dropdown {
	d := &dropdown{a: a}
	d.Options, d.OnChanged = options, changed
	d.ExtendBaseWidget(d)
	return d
}

// TypedKey gives k to the desk, then opens the list on Space, Up or
// Down, once a press, or gives k to the Select (Left, Right).
func (d *dropdown) TypedKey(k *fyne.KeyEvent) {
	passKey(d.a.deskKey, k, func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeySpace, fyne.KeyUp, fyne.KeyDown:
			if d.a.keys.act(k.Name) {
				d.open()
			}
		default:
			d.Select.TypedKey(k)
		}
	})
}

// Tapped opens the list, as Fyne's does, and gives the list the keyboard.
func (d *dropdown) Tapped(*fyne.PointEvent) {
	if d.Disabled() {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(d); c != nil {
		c.Focus(d)
	}
	d.open()
}

// KeyDown tells the desk that a key went down (keyRepeats).
func (d *dropdown) KeyDown(k *fyne.KeyEvent) { d.a.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats).
func (d *dropdown) KeyUp(k *fyne.KeyEvent) { d.a.keys.KeyUp(k) }

// Hide closes the list with the drop-down.
func (d *dropdown) Hide() {
	if d.menu != nil {
		d.menu.close()
	}
	d.Select.Hide()
}

// open shows the list of options under the drop-down, with the
// keyboard, as Fyne's Select does.
func (d *dropdown) open() {
	c := fyne.CurrentApp().Driver().CanvasForObject(d)
	if c == nil || d.Disabled() || d.menu != nil {
		return
	}
	items := make([]*fyne.MenuItem, len(d.Options))
	for i, o := range d.Options {
		items[i] = fyne.NewMenuItem(o, func() { d.SetSelected(o) })
	}
	m := &dropdownMenu{d: d, canvas: c, list: widget.NewPopUpMenu(fyne.NewMenu("", items...), c)}
	m.list.OnDismiss = m.close
	m.ExtendBaseWidget(m)
	pos, size := c.InteractiveArea()
	m.Move(pos)
	m.Resize(size)
	d.menu = m
	c.Overlays().Add(m)
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(d)
	m.list.Move(at.Add(fyne.NewPos(0, d.Size().Height-d.Theme().Size(fynetheme.SizeNameInputBorder))))
	m.list.Resize(fyne.NewSize(d.Size().Width, m.list.MinSize().Height))
	c.Focus(m)
}

// dropdownMenu is the open list of a dropdown, over the window: Fyne's
// menu of a Select (widget.PopUpMenu, drawn in place), with its keys
// (Down and Up mark an option, Enter or Space chooses it, Esc closes),
// but Enter and Space act once a press (keyRepeats): held down, the
// Space that opened the list closed it again. A click outside closes it.
type dropdownMenu struct {
	widget.BaseWidget
	d      *dropdown
	canvas fyne.Canvas // the window's, which the list lies over
	list   *widget.PopUpMenu
}

// CreateRenderer draws the list where open put it.
func (m *dropdownMenu) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout(m.list))
}

// Tapped closes the list: the click was outside it.
func (m *dropdownMenu) Tapped(*fyne.PointEvent) { m.close() }

// TypedKey marks, chooses or closes, as the list of Fyne's Select does,
// Enter and Space once a press. Tab closes the list and moves on.
func (m *dropdownMenu) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if m.d.a.keys.act(k.Name) {
			m.list.TypedKey(k)
		}
	case fyne.KeyTab:
		m.close()
		m.canvas.FocusNext()
	default:
		m.list.TypedKey(k)
	}
}

// TypedRune does nothing: the list takes no typing.
func (m *dropdownMenu) TypedRune(rune) {}

// KeyDown tells the desk that a key went down (keyRepeats).
func (m *dropdownMenu) KeyDown(k *fyne.KeyEvent) { m.d.a.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats).
func (m *dropdownMenu) KeyUp(k *fyne.KeyEvent) { m.d.a.keys.KeyUp(k) }

// FocusGained does nothing: the marked option shows where the keyboard is.
func (m *dropdownMenu) FocusGained() {}

// FocusLost does nothing: see FocusGained.
func (m *dropdownMenu) FocusLost() {}

// AcceptsTab keeps Tab for TypedKey, which closes the list first.
func (m *dropdownMenu) AcceptsTab() bool { return true }

// close takes the list off the window and gives the keyboard back to
// the drop-down.
func (m *dropdownMenu) close() {
	if m.d.menu != m {
		return
	}
	m.d.menu = nil
	m.canvas.Overlays().Remove(m)
	m.canvas.Focus(m.d)
}
