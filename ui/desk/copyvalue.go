package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// copyValue is a value the clerk copies whole: the codice fiscale, the
// envelope's serial. It is a stop of the Tab key that shows the focus (the
// value drawn selected, as what Ctrl+C copies), copies the value on Ctrl+C
// or from its menu (right click), and gives the other keys to the desk:
// Esc closes the dialog it is in, F1 opens the guide, Ctrl+N and the
// desk's other shortcuts run. Fyne's selectable label, which it replaces,
// showed no focus and dropped every key but Ctrl+C and Ctrl+A.
type copyValue struct {
	widget.BaseWidget
	label   *widget.Label
	a       *App
	focused bool
}

// copyValue returns a copyable value shown by label, a label that is not
// selectable: the value takes the keyboard itself.
func (a *App) copyValue(label *widget.Label) *copyValue {
	c := &copyValue{label: label, a: a}
	c.ExtendBaseWidget(c)
	return c
}

// Text returns the value.
func (c *copyValue) Text() string { return c.label.Text }

// CreateRenderer draws the label over the focus's highlight.
func (c *copyValue) CreateRenderer() fyne.WidgetRenderer {
	r := &copyValueRenderer{c: c, focus: canvas.NewRectangle(nil)}
	r.focus.CornerRadius = fynetheme.InputRadiusSize()
	r.Refresh()
	return r
}

// copy puts the value on the clipboard.
func (c *copyValue) copy() {
	c.a.touch()
	fyne.CurrentApp().Clipboard().SetContent(c.label.Text)
}

// FocusGained draws the focus and scrolls the value into view.
func (c *copyValue) FocusGained() {
	c.focused = true
	c.a.touch()
	c.a.showFocused(c)
	c.Refresh()
}

// FocusLost draws the value as the rest of the page.
func (c *copyValue) FocusLost() {
	c.focused = false
	c.Refresh()
}

// KeyDown tells the desk that a key went down (keyRepeats).
func (c *copyValue) KeyDown(k *fyne.KeyEvent) { c.a.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats): lost, an Esc
// released here after it closed the guide stayed held for the desk.
func (c *copyValue) KeyUp(k *fyne.KeyEvent) { c.a.keys.KeyUp(k) }

// TypedRune drops r: the value is read-only.
func (c *copyValue) TypedRune(rune) { c.a.touch() }

// TypedKey gives k to the desk (Esc, F1).
func (c *copyValue) TypedKey(k *fyne.KeyEvent) {
	c.a.touch()
	c.a.deskKey(k)
}

// TypedShortcut copies the value on Ctrl+C (or Ctrl+Ins), and runs the
// desk's shortcuts; cut and paste change nothing.
func (c *copyValue) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutCopy); ok {
		c.copy()
		return
	}
	c.a.shortcut(s)
}

// Tapped gives the value the keyboard, for Ctrl+C.
func (c *copyValue) Tapped(*fyne.PointEvent) {
	c.a.win.Canvas().Focus(c)
}

// TappedSecondary gives the value the keyboard and offers to copy it.
func (c *copyValue) TappedSecondary(e *fyne.PointEvent) {
	c.a.win.Canvas().Focus(c)
	menu := fyne.NewMenu("", fyne.NewMenuItem(lang.L("Copy"), c.copy))
	widget.ShowPopUpMenuAtPosition(menu, c.a.win.Canvas(), e.AbsolutePosition)
}

// copyValueRenderer draws a copyValue: its label over a highlight shown
// while it has the focus.
type copyValueRenderer struct {
	c     *copyValue
	focus *canvas.Rectangle
}

func (r *copyValueRenderer) Layout(s fyne.Size) {
	r.c.label.Resize(s)
	// The highlight spans the text, not the row: the value it copies.
	l, th := r.c.label, r.c.Theme()
	size := th.Size(fynetheme.SizeNameText)
	if l.SizeName != "" {
		size = th.Size(l.SizeName)
	}
	w := fyne.MeasureText(l.Text, size, l.TextStyle).Width + 2*th.Size(fynetheme.SizeNameInnerPadding)
	r.focus.Resize(fyne.NewSize(min(s.Width, w), s.Height))
}

func (r *copyValueRenderer) MinSize() fyne.Size { return r.c.label.MinSize() }

func (r *copyValueRenderer) Refresh() {
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.focus.FillColor = th.Color(fynetheme.ColorNameSelection, v)
	r.focus.StrokeColor = th.Color(fynetheme.ColorNamePrimary, v)
	r.focus.StrokeWidth = 1
	r.focus.Hidden = !r.c.focused
	r.Layout(r.c.Size())
	r.focus.Refresh()
	r.c.label.Refresh()
}

func (r *copyValueRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.focus, r.c.label}
}

func (r *copyValueRenderer) Destroy() {}
