package kiosk

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// MinTarget is the smallest side of a touch target, in pixels at 1920x1080
// (EN 301 549 and WCAG 2.5.5 ask for 44; the kiosk keeps 48).
const MinTarget = 48

// button is a button that Enter activates as well as Space (the kiosk
// works with Tab and Enter alone), and that tells the idle timer.
type button struct {
	widget.Button
	app      *App
	activity func()
	// bounced records a tap, and reports whether it is the second of a
	// double tap whose first changed the screen (App.bounced).
	bounced func(key bool) bool
	// key is set on the keys of the on-screen keyboard (App.bounced).
	key bool
}

var (
	_ desktop.Keyable   = (*button)(nil)
	_ fyne.Shortcutable = (*button)(nil)
	_ desktop.Keyable   = (*entry)(nil)
	_ desktop.Keyable   = (*choice)(nil)
)

func (a *App) newButton(label string, tapped func()) *button {
	b := &button{app: a, activity: a.touch, bounced: a.bounced}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// newKey is a key of the on-screen keyboard: a button that types.
func (a *App) newKey(label string, tapped func()) *button {
	b := a.newButton(label, tapped)
	b.key = true
	return b
}

// Tapped records the activity and runs the action, unless a finger or
// the mouse tapped it as the second tap of a double tap whose first
// changed the screen. Enter and Space (e is nil) always run it.
func (b *button) Tapped(e *fyne.PointEvent) {
	if b.activity != nil {
		b.activity()
	}
	if e != nil && b.bounced != nil && b.bounced(b.key) {
		return
	}
	b.Button.Tapped(e)
}

// TypedKey activates the button on Enter, Return and Space, once a press
// (App.repeated). On a key of the on-screen keyboard, the keys that edit
// a field (editKeys: Backspace, Delete, the arrows, Home, End) act on the
// keyboard's field (keyboard.typing), as if pressed there.
func (b *button) TypedKey(k *fyne.KeyEvent) {
	switch {
	case k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter || k.Name == fyne.KeySpace:
		if !b.app.repeated(k) {
			b.Tapped(nil)
		}
	case b.key && editKeys[k.Name]:
		if e := b.app.keyboard.typing(); e != nil {
			e.TypedKey(k)
		}
	default:
		b.Button.TypedKey(k)
	}
}

// editKeys are the keys that a key of the on-screen keyboard passes on
// to the keyboard's field: those that edit a line of text or move in it.
var editKeys = map[fyne.KeyName]bool{
	fyne.KeyBackspace: true, fyne.KeyDelete: true,
	fyne.KeyLeft: true, fyne.KeyRight: true, fyne.KeyHome: true, fyne.KeyEnd: true,
}

// TypedShortcut passes a shortcut (Ctrl+V, Ctrl+A, Ctrl+X, Ctrl+C, Ctrl+Z)
// typed on a key of the on-screen keyboard to the keyboard's field, as if
// typed there; on another button, to the window, as Fyne does when what
// has the focus takes no shortcut.
func (b *button) TypedShortcut(s fyne.Shortcut) {
	if !b.key {
		if c, ok := b.app.win.Canvas().(fyne.Shortcutable); ok {
			c.TypedShortcut(s)
		}
		return
	}
	if e := b.app.keyboard.typing(); e != nil {
		e.TypedShortcut(s)
	}
}

// TypedRune types r in the keyboard's field when the button is a key of
// the on-screen keyboard (keyboard.typing); a space, which Space's press
// sends after pressing the key, excepted.
func (b *button) TypedRune(r rune) {
	if !b.key || r == ' ' {
		return
	}
	if e := b.app.keyboard.typing(); e != nil {
		e.TypedRune(r)
	}
}

// KeyDown records the activity of every key pressed on the button, Tab
// and Shift+Tab too: Fyne's driver keeps those to move the focus and types
// nothing, and a citizen going through the buttons by keyboard is there.
func (b *button) KeyDown(k *fyne.KeyEvent) {
	if b.activity != nil {
		b.activity()
	}
	b.app.pressed(k)
}

// KeyUp records the key's release.
func (b *button) KeyUp(k *fyne.KeyEvent) { b.app.released(k) }

// MinSize keeps the button a touch target.
func (b *button) MinSize() fyne.Size {
	return b.Button.MinSize().Max(fyne.NewSquareSize(MinTarget))
}

// entry is a text entry that tells the idle timer, becomes the target of
// the on-screen keyboard when it gets the focus or a tap, and submits the
// question on Enter.
type entry struct {
	widget.Entry
	app    *App
	upper  bool // the keyboard starts in capitals for this entry
	submit func()
}

func (a *App) newEntry(placeholder string, upper bool) *entry {
	e := &entry{app: a, upper: upper}
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

// MaxEntry is the most characters an entry of the kiosk holds, whatever
// is typed or pasted: more than the longest answer the desk accepts (120,
// so that an answer too long is told so), and a bound on what a citizen's
// keys can make the kiosk hold (Ctrl+A, Ctrl+C and Ctrl+V again and again
// doubled the text each time).
const MaxEntry = 200

// TypedRune inserts r, unless the entry is full, and records the activity.
func (e *entry) TypedRune(r rune) {
	if e.room() > 0 {
		e.Entry.TypedRune(r)
	}
	e.app.touch()
}

// TypedShortcut runs the shortcut and records the activity; a paste
// inserts as much of the clipboard as the entry has room for.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	e.app.touch()
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		text := []rune(p.Clipboard.Content())
		s = &fyne.ShortcutPaste{Clipboard: &clipText{text: string(text[:min(len(text), max(e.room(), 0))])}}
	}
	e.Entry.TypedShortcut(s)
}

// room returns how many characters the entry can take: what MaxEntry
// leaves, and the selection, which a character typed or pasted replaces.
func (e *entry) room() int {
	return MaxEntry - utf8.RuneCountInString(e.Text) + utf8.RuneCountInString(e.SelectedText())
}

// clipText is a clipboard's content cut to the room of an entry.
type clipText struct{ text string }

// Content returns the text.
func (c *clipText) Content() string { return c.text }

// SetContent sets the text.
func (c *clipText) SetContent(text string) { c.text = text }

// TypedKey handles k and records the activity; Enter submits, once a
// press (App.repeated).
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	e.app.touch()
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && e.submit != nil {
		if !e.app.repeated(k) {
			e.submit()
		}
		return
	}
	e.Entry.TypedKey(k)
}

// KeyDown records the activity of every key pressed in the entry, Tab and
// Shift+Tab too (see button.KeyDown).
func (e *entry) KeyDown(k *fyne.KeyEvent) {
	e.app.touch()
	e.app.pressed(k)
	e.Entry.KeyDown(k)
}

// KeyUp records the key's release.
func (e *entry) KeyUp(k *fyne.KeyEvent) {
	e.app.released(k)
	e.Entry.KeyUp(k)
}

// FocusGained makes the entry the keyboard's target.
func (e *entry) FocusGained() {
	e.Entry.FocusGained()
	e.app.keyboard.setTarget(e)
}

// Tapped makes the entry the keyboard's target.
func (e *entry) Tapped(ev *fyne.PointEvent) {
	e.Entry.Tapped(ev)
	e.app.keyboard.setTarget(e)
	e.app.touch()
}

// MinSize keeps the entry a touch target.
func (e *entry) MinSize() fyne.Size {
	return e.Entry.MinSize().Max(fyne.NewSquareSize(MinTarget))
}

// keyboard is the on-screen keyboard: letters, accented letters, digits,
// and the signs of an e-mail address. It types into its target entry.
type keyboard struct {
	app     *App
	target  *entry
	upper   bool
	accents bool
	object  *steady         // at most the normal text size: A+ leaves room for the question
	rows    *fyne.Container // the rows of keys, in keyRows
	keys    []*button       // the character keys, relabelled by shift and accents
	shift   *button
	accent  *button
}

// The layouts of the keyboard: four rows of ten characters each, every
// character once (Romanian's â and î are with the other a's and i's).
var (
	plainRows = []string{
		"1234567890",
		"qwertyuiop",
		"asdfghjkl'",
		"zxcvbnm@.-",
	}
	accentRows = []string{
		"àáâäãåæçčć",
		"èéêëěęìíîï",
		"òóôöõøùúûü",
		"ñńăœșțšžßý",
	}
)

func (a *App) newKeyboard() *keyboard {
	k := &keyboard{app: a}
	rows := make([]fyne.CanvasObject, 0, 5)
	for r := 0; r < 4; r++ {
		row := make([]fyne.CanvasObject, 0, 10)
		for c := 0; c < 10; c++ {
			key := a.newKey("", nil)
			r, c := r, c
			key.OnTapped = func() { k.typeRune(k.char(r, c)) }
			k.keys = append(k.keys, key)
			row = append(row, key)
		}
		rows = append(rows, container.NewGridWithColumns(10, row...))
	}
	k.shift = a.newKey("⇧ Aa", func() { k.upper = !k.upper; k.relabel() })
	k.accent = a.newKey("àé ñ", func() { k.accents = !k.accents; k.relabel() })
	space := a.newKey("␣", func() { k.typeRune(' ') })
	under := a.newKey("_", func() { k.typeRune('_') })
	plus := a.newKey("+", func() { k.typeRune('+') })
	slash := a.newKey("/", func() { k.typeRune('/') })
	back := a.newKey("⌫", func() {
		if k.target != nil {
			k.target.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
		}
	})
	back.Importance = widget.WarningImportance
	rows = append(rows, container.NewGridWithColumns(7, k.shift, k.accent, under, plus, slash, space, back))
	k.rows = container.New(keyRows{}, rows...)
	k.object = newSteady(k.rows, newTheme(false, 1))
	k.relabel()
	return k
}

// natural returns the keyboard's height when each row is as high as its
// keys' text asks, and least its height with rows MinTarget high.
func (k *keyboard) natural() float32 { return k.rows.MinSize().Height }

func (k *keyboard) least() float32 {
	n := float32(len(k.rows.Objects))
	return n*MinTarget + (n-1)*keyGap
}

// keyGap is the room between the keyboard's rows: a quarter of the
// theme's padding, so that at its least the keyboard leaves a 1024x768
// screen room for the question's text and field at A+.
const keyGap = 2

// keyRows lays the keyboard's rows out one under the other, each as high
// as its keys' text asks when there is room, and lower, down to
// MinTarget, when it is given less: the question over the keyboard keeps
// its room in a low window (overKeyboard).
type keyRows struct{}

var _ fyne.Layout = keyRows{}

// Layout shares size's height among the rows, none higher than it asks.
func (keyRows) Layout(rows []fyne.CanvasObject, size fyne.Size) {
	each := (size.Height - float32(len(rows)-1)*keyGap) / float32(len(rows))
	var y float32
	for _, r := range rows {
		h := min(each, r.MinSize().Height)
		r.Resize(fyne.NewSize(size.Width, h))
		r.Move(fyne.NewPos(0, y))
		y += h + keyGap
	}
}

// MinSize is as wide as the widest row, and as high as the rows ask.
func (keyRows) MinSize(rows []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, r := range rows {
		m := r.MinSize()
		s = fyne.NewSize(max(s.Width, m.Width), s.Height+m.Height)
	}
	return s.AddWidthHeight(0, float32(len(rows)-1)*keyGap)
}

// char returns the character of the key at row r, column c.
func (k *keyboard) char(r, c int) rune {
	rows := plainRows
	if k.accents {
		rows = accentRows
	}
	s := []rune(rows[r])[c]
	if k.upper {
		return []rune(strings.ToUpper(string(s)))[0]
	}
	return s
}

func (k *keyboard) relabel() {
	for i, key := range k.keys {
		key.SetText(string(k.char(i/10, i%10)))
	}
	if k.upper {
		k.shift.Importance = widget.HighImportance
	} else {
		k.shift.Importance = widget.MediumImportance
	}
	k.shift.Refresh()
	if k.accents {
		k.accent.Importance = widget.HighImportance
	} else {
		k.accent.Importance = widget.MediumImportance
	}
	k.accent.Refresh()
}

func (k *keyboard) typeRune(r rune) {
	if k.target == nil {
		return
	}
	k.target.TypedRune(r)
}

// typing gives the keyboard's target the focus back and returns it (nil
// when there is none): the physical keyboard typed on a key of the
// on-screen one, where a Tab had left the focus. What the citizen types
// goes in the field, at its cursor, as if typed there (it went nowhere),
// and so do the keys after it: Space types a space rather than pressing
// the key, Enter submits the answer, the arrows move the cursor.
func (k *keyboard) typing() *entry {
	if k.target != nil {
		k.app.win.Canvas().Focus(k.target)
	}
	return k.target
}

// reset takes the keyboard back to its first page, lower case: the next
// citizen finds it as the last found it first.
func (k *keyboard) reset() {
	k.target = nil
	k.upper, k.accents = false, false
	k.relabel()
}

// setTarget sends the keys to e, in the case e prefers.
func (k *keyboard) setTarget(e *entry) {
	if k.target == e {
		return
	}
	k.target = e
	if e != nil && e.upper != k.upper {
		k.upper = e.upper
		k.relabel()
	}
}

// heading is a large bold label that wraps.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = fynetheme.SizeNameHeadingText
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// paragraph is a label of body text that wraps.
func paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// setTheme gives the keyboard the session's contrast at no more than the
// normal size: its keys are large already, and a larger keyboard would
// cover the question.
func (k *keyboard) setTheme(contrast bool, scale float32) {
	k.object.apply(newTheme(contrast, min(scale, 1)))
}

// choice is one answer of a question with a few answers (the sex): a large
// option with a radio circle, filled and on the primary colour when it is
// the answer. The keyboard's focus shows as a ring around the option and
// never as a fill, so that what looks chosen is what counts. A tap, Space
// or Enter chooses it.
type choice struct {
	widget.BaseWidget
	text     string
	selected bool
	focused  bool
	onTapped func()
	app      *App
	activity func()
}

func (a *App) newChoice(text string, tapped func()) *choice {
	c := &choice{text: text, onTapped: tapped, app: a, activity: a.touch}
	c.ExtendBaseWidget(c)
	return c
}

// SetText changes the option's text.
func (c *choice) SetText(text string) {
	c.text = text
	c.Refresh()
}

// SetSelected shows the option as the answer, or not.
func (c *choice) SetSelected(selected bool) {
	c.selected = selected
	c.Refresh()
}

// Tapped records the activity and chooses the option.
func (c *choice) Tapped(*fyne.PointEvent) {
	if c.activity != nil {
		c.activity()
	}
	if c.onTapped != nil {
		c.onTapped()
	}
}

// FocusGained shows the focus ring.
func (c *choice) FocusGained() {
	c.focused = true
	c.Refresh()
}

// FocusLost hides the focus ring.
func (c *choice) FocusLost() {
	c.focused = false
	c.Refresh()
}

// TypedRune does nothing: an option takes no text.
func (c *choice) TypedRune(rune) {}

// KeyDown records the activity of every key pressed on the option, Tab
// and Shift+Tab too (see button.KeyDown).
func (c *choice) KeyDown(k *fyne.KeyEvent) {
	if c.activity != nil {
		c.activity()
	}
	c.app.pressed(k)
}

// KeyUp records the key's release.
func (c *choice) KeyUp(k *fyne.KeyEvent) { c.app.released(k) }

// TypedKey chooses the option on Space, Enter and Return, once a press
// (App.repeated).
func (c *choice) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		if !c.app.repeated(k) {
			c.Tapped(nil)
		}
	}
}

// CreateRenderer draws the option: its background, the focus ring, the
// radio circle and the text.
func (c *choice) CreateRenderer() fyne.WidgetRenderer {
	r := &choiceRenderer{c: c, bg: canvas.NewRectangle(color.Transparent), ring: canvas.NewRectangle(color.Transparent),
		icon: canvas.NewImageFromResource(fynetheme.RadioButtonIcon()), text: canvas.NewText("", color.Black)}
	r.icon.FillMode = canvas.ImageFillContain
	r.Refresh()
	return r
}

// choiceRingWidth is the width of the focus ring of an option.
const choiceRingWidth = 6

type choiceRenderer struct {
	c        *choice
	bg, ring *canvas.Rectangle
	icon     *canvas.Image
	text     *canvas.Text
}

func (r *choiceRenderer) Destroy() {}

func (r *choiceRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.text, r.ring}
}

// Layout centres the circle and the text in the option.
func (r *choiceRenderer) Layout(size fyne.Size) {
	th := r.c.Theme()
	r.bg.Resize(size)
	r.ring.Resize(size)
	pad, side := th.Size(fynetheme.SizeNameInnerPadding), th.Size(fynetheme.SizeNameInlineIcon)
	ts := r.text.MinSize()
	x := max(pad, (size.Width-side-pad-ts.Width)/2)
	r.icon.Resize(fyne.NewSquareSize(side))
	r.icon.Move(fyne.NewPos(x, (size.Height-side)/2))
	r.text.Resize(ts)
	r.text.Move(fyne.NewPos(x+side+pad, (size.Height-ts.Height)/2))
}

// MinSize fits the circle and the text, and keeps a touch target.
func (r *choiceRenderer) MinSize() fyne.Size {
	th := r.c.Theme()
	pad, side := th.Size(fynetheme.SizeNameInnerPadding), th.Size(fynetheme.SizeNameInlineIcon)
	ts := r.text.MinSize()
	return fyne.NewSize(side+ts.Width+3*pad, max(side, ts.Height)+2*pad).Max(fyne.NewSquareSize(MinTarget))
}

// Refresh applies the theme and the state: the chosen option on the
// primary colour with a filled circle, the others on the button colour
// with an empty one, the focus ring in the text colour.
func (r *choiceRenderer) Refresh() {
	c := r.c
	th := c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg := fynetheme.ColorNameForeground
	var icon fyne.Resource = fynetheme.RadioButtonIcon()
	r.bg.FillColor = th.Color(fynetheme.ColorNameButton, v)
	r.bg.StrokeColor = th.Color(fynetheme.ColorNameInputBorder, v)
	r.bg.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	if c.selected {
		fg = fynetheme.ColorNameForegroundOnPrimary
		icon = fynetheme.NewColoredResource(fynetheme.RadioButtonCheckedIcon(), fg)
		r.bg.FillColor = th.Color(fynetheme.ColorNamePrimary, v)
		r.bg.StrokeColor = r.bg.FillColor
	}
	r.bg.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	r.ring.StrokeColor = th.Color(fynetheme.ColorNameForeground, v)
	r.ring.StrokeWidth = choiceRingWidth
	r.ring.CornerRadius = r.bg.CornerRadius
	if c.focused {
		r.ring.Show()
	} else {
		r.ring.Hide()
	}
	r.icon.Resource = icon
	r.text.Text = c.text
	r.text.TextSize = th.Size(fynetheme.SizeNameText)
	r.text.TextStyle = fyne.TextStyle{Bold: true}
	r.text.Color = th.Color(fg, v)
	r.Layout(c.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}
