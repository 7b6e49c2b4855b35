package desk

import (
	"image/color"
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// entry is a text entry that reports every key to the idle timer and tells
// its form when the user leaves it.
type entry struct {
	widget.Entry
	activity func()
	onLeave  func()
	// onKey, when set, sees each key first and returns whether it took it
	// (a picker's Down, Up, Enter and Escape).
	onKey func(*fyne.KeyEvent) bool
	// guard runs the entry's handlers (App.guard): a panic in one is
	// logged and told, and the entry keeps its text.
	guard func(where string, f func())
	// deskKey runs the keys of the whole desk (App.deskKey: Esc, F1),
	// reporting whether it took k.
	deskKey func(k *fyne.KeyEvent) bool
	// shown scrolls the entry into view when it gains the focus.
	shown func(fyne.CanvasObject)
	// shortcut runs the desk's shortcuts (App.shortcut).
	shortcut func(fyne.Shortcut) bool
	// space is the desk's spaceMark: the character of a Space whose key
	// pressed a button.
	space *spaceMark
	// keys tells a press from a key held down (keyRepeats).
	keys *keyRepeats
}

// spaceMark remembers that the desk's last Space key pressed a button.
// The driver gives a key to the widget that has the keyboard, and its
// character, next, to the one that has it then: the field that the press
// focused, in the dialog or on the screen it opened.
type spaceMark struct{ pressed bool }

// press records that a button took the key of a Space.
func (m *spaceMark) press() { m.pressed = true }

// take reports whether the next character comes from the Space that
// pressed a button, and forgets it: every character and every key an
// entry gets end the press.
func (m *spaceMark) take() bool {
	pressed := m.pressed
	m.pressed = false
	return pressed
}

// newEntry returns an entry that calls a.touch on every key.
// spinner is a progress indicator that runs while work goes on in the
// background: widget.Activity and widget.ProgressBarInfinite.
type spinner interface {
	Show()
	Hide()
	Start()
	Stop()
}

// setBusy shows bar running and disables controls while background work
// runs (on), and stops and hides bar and enables controls again (off).
func setBusy(on bool, bar spinner, controls ...fyne.Disableable) {
	for _, c := range controls {
		if on {
			c.Disable()
		} else {
			c.Enable()
		}
	}
	if on {
		bar.Show()
		bar.Start()
		return
	}
	bar.Stop()
	bar.Hide()
}

func (a *App) newEntry(placeholder string) *entry {
	e := &entry{activity: a.touch, guard: a.guard, deskKey: a.deskKey, shown: a.scrollIntoView, shortcut: a.shortcut, space: &a.space, keys: &a.keys}
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

// newPasswordEntry returns a password entry that calls a.touch on every key.
func (a *App) newPasswordEntry() *entry {
	e := a.newEntry("")
	e.Password = true
	return e
}

// TypedRune inserts r and records the activity.
//
// The character of the Space that pressed a button, which reaches the
// field the press focused (spaceMark), and those of its repeats, held
// down (keyRepeats), are dropped: Space on Reimposta
// password put a space, unseen, before the temporary password. So is a
// space typed first into an empty field, but for a password, which keeps
// every character the clerk types: no other field of the desk starts with
// one.
func (e *entry) TypedRune(r rune) {
	e.activity()
	pressed := e.space.take()
	if r == ' ' && (pressed || e.keys.spent(fyne.KeySpace) || e.Text == "" && !e.Password) {
		return
	}
	e.Entry.TypedRune(r)
}

// TypedKey handles k and records the activity. Enter that submits (a
// one-line field) or moves on (the MRZ read) acts once a press
// (keyRepeats): held down in a field of the MV35, it went on to the
// identity check and broke lines in its MRZ. Enter that breaks a line
// repeats as a character does, but not after it acted elsewhere.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	e.space.take() // a key typed here: its character is the clerk's
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		acts := !e.MultiLine || e.onKey != nil
		if acts && !e.keys.act(k.Name) || !acts && e.keys.spent(k.Name) {
			return
		}
	}
	took := false
	if e.onKey != nil {
		e.guard(e.PlaceHolder, func() { took = e.onKey(k) })
	}
	if !took {
		passKey(e.deskKey, k, e.Entry.TypedKey)
	}
	e.activity()
}

// AcceptsTab tells the driver that Tab leaves the entry, multi-line ones
// too (the MRZ): the desk's texts hold no tabs, and a keyboard-only clerk
// moves on with Tab.
func (e *entry) AcceptsTab() bool { return false }

// onChange adds f to what runs when the text changes, after what ran
// before.
func (e *entry) onChange(f func(string)) {
	prev := e.OnChanged
	e.OnChanged = func(s string) {
		if prev != nil {
			prev(s)
		}
		e.guard(e.PlaceHolder, func() { f(s) })
	}
}

// TypedShortcut handles s (paste, cut...) and records the activity.
//
// The desk's own shortcuts (Ctrl+N...) go to the desk.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if e.shortcut == nil || !e.shortcut(s) {
		e.Entry.TypedShortcut(s)
	}
	e.activity()
}

// KeyDown tells the desk that a key went down (keyRepeats), and the
// entry (Shift held selects).
func (e *entry) KeyDown(k *fyne.KeyEvent) {
	e.keys.KeyDown(k)
	e.Entry.KeyDown(k)
}

// KeyUp tells the desk that a key went up (keyRepeats), and the entry.
func (e *entry) KeyUp(k *fyne.KeyEvent) {
	e.keys.KeyUp(k)
	e.Entry.KeyUp(k)
}

// FocusGained records the activity.
func (e *entry) FocusGained() {
	e.Entry.FocusGained()
	e.activity()
	if e.shown != nil {
		e.shown(e)
	}
}

// FocusLost tells the form that the user left the entry.
func (e *entry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// button is the desk's button, on its screens and in its dialogs:
// widget.Button, pressed by Enter as by Space, whose other keys reach the
// desk (Esc, F1: App.deskKey) as they do from an entry. Fyne's button
// takes every key and drops all but Space: Esc on a dialog's button left
// the dialog open (issue 17, found by real keys on the guide's Chiudi),
// and Enter on a focused button did nothing.
type button struct {
	widget.Button
	deskKey func(*fyne.KeyEvent) bool
	// shown scrolls the button into view when it gains the focus.
	shown func(fyne.CanvasObject)
	// enter, when set, runs on Enter instead of the press: the identity
	// check's Emetti PIN moves on to what is left and never issues on
	// Enter (verifyScreen.nextTodo).
	enter func()
	// space is the desk's spaceMark, which a press by Space sets.
	space *spaceMark
	// keys tells a press from a key held down (keyRepeats).
	keys *keyRepeats
}

// button returns a button that runs tapped, recording the activity and
// guarding against a panic (App.guard).
func (a *App) button(text string, icon fyne.Resource, tapped func()) *button {
	b := &button{deskKey: a.deskKey, shown: a.showFocused, space: &a.space, keys: &a.keys}
	b.Text, b.Icon = text, icon
	b.OnTapped = func() {
		a.touch()
		a.guard(text, tapped)
	}
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey gives k to the desk, then presses the button on Enter (or runs
// its enter) and on Space, once a press: not again as the key, held down,
// repeats (keyRepeats).
func (b *button) TypedKey(k *fyne.KeyEvent) {
	passKey(b.deskKey, k, func(k *fyne.KeyEvent) {
		switch {
		case (k.Name == fyne.KeySpace || k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !b.keys.act(k.Name):
			// Held down: it pressed the button at the press.
		case k.Name != fyne.KeyReturn && k.Name != fyne.KeyEnter:
			if k.Name == fyne.KeySpace {
				b.space.press() // its character is not for the field the press may focus
			}
			b.Button.TypedKey(k)
		case b.enter != nil:
			b.enter()
		default:
			b.Tapped(nil)
		}
	})
}

// TypedRune drops r, the character of a key the button took (Space).
func (b *button) TypedRune(rune) { b.space.take() }

// KeyDown tells the desk that a key went down (keyRepeats).
func (b *button) KeyDown(k *fyne.KeyEvent) { b.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats).
func (b *button) KeyUp(k *fyne.KeyEvent) { b.keys.KeyUp(k) }

// FocusGained draws the focus and scrolls the button into view.
func (b *button) FocusGained() {
	b.Button.FocusGained()
	b.shown(b)
}

// primaryButton returns a highlighted button, for the main action of a
// screen.
func (a *App) primaryButton(text string, icon fyne.Resource, tapped func()) *button {
	b := a.button(text, icon, tapped)
	b.Importance = widget.HighImportance
	return b
}

// field is one input of a form: its label, its widget and the line under it
// that shows its problem, which takes no more room than a small gap when
// the value is fine (fieldLayout). When the field has no problem, the line
// shows its note, if any: a warning that does not block the form (in
// orange) or a confirmation (in green).
type field struct {
	name    string // a pinsede.Field* name
	label   *widget.Label
	input   fyne.CanvasObject
	entry   *entry // the input, when it is an entry
	problem *widget.Label
	// errText is the problem shown, note the note kept for when there is
	// none.
	errText string
	note    fieldNote
	// edited is set once the user has changed the value.
	edited bool
	// touched is set once the user has left the field after editing it
	// (or chosen a value, or pressed the form's button): from then on its
	// problem shows live.
	touched bool
	object  fyne.CanvasObject
}

// newField lays out a labelled input with its problem line.
func newField(name, label string, input fyne.CanvasObject) *field {
	f := &field{name: name, input: input}
	f.entry, _ = input.(*entry)
	f.label = widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.label.SizeName = fynetheme.SizeNameCaptionText
	if label == "" {
		f.label.Hide()
	}
	f.problem = widget.NewLabel("")
	f.problem.SizeName = fynetheme.SizeNameCaptionText
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.object = container.New(&fieldLayout{}, f.label, input, f.problem)
	return f
}

// keepProblemRoom makes f keep, under its input, the room of the tallest
// of the problems foreseen returns, shown or not: for a field in a dialog,
// which the window centres, a problem shown would move the dialog, the
// field with it. It returns f.
func (f *field) keepProblemRoom(foreseen func() []string) *field {
	probe := widget.NewLabel("")
	probe.SizeName, probe.Wrapping = f.problem.SizeName, f.problem.Wrapping
	l := f.object.(*fyne.Container).Layout.(*fieldLayout)
	l.room = func(width float32) float32 {
		var h float32
		for _, text := range foreseen() {
			probe.SetText(text)
			fit(probe, width)
			h = max(h, probe.MinSize().Height)
		}
		return h
	}
	return f
}

// fieldNote is a line under a field that does not block the form.
type fieldNote struct {
	text string
	kind noteKind
}

// noteKind tells how a note shows.
type noteKind int

const (
	noteWarning noteKind = iota // to check: the form goes on
	noteOK                      // a confirmation
)

// setProblem shows msg under the field, or clears it (the note, if any,
// shows instead).
func (f *field) setProblem(msg string) {
	f.errText = msg
	f.render()
}

// setNote keeps n to show under the field while it has no problem.
func (f *field) setNote(n fieldNote) {
	f.note = n
	f.render()
}

// render shows the problem, or the note.
func (f *field) render() {
	text, imp := f.errText, widget.DangerImportance
	if text == "" {
		text = f.note.text
		switch f.note.kind {
		case noteOK:
			imp = widget.SuccessImportance
		default:
			imp = widget.WarningImportance
		}
	}
	if f.problem.Text == text && (text == "" || f.problem.Importance == imp) {
		return
	}
	f.problem.Importance = imp
	f.problem.SetText(text)
}

// problemText returns the problem shown under the field, "" for none.
func (f *field) problemText() string { return f.errText }

// noteText returns the note shown under the field: "" when there is none,
// or when a problem hides it.
func (f *field) noteText() string {
	if f.errText != "" {
		return ""
	}
	return f.note.text
}

// fieldLayout stacks a label, an input and a problem line tightly, as
// Bootstrap Italia's form groups: the label hugs its input, the problem
// line sits right under it and takes only the room of its text, Padding
// when it has none (an empty line under every row made the forms twice as
// tall as they needed to be). A hidden label takes no room. With room
// (keepProblemRoom), the problem line takes at least the room it returns
// at the field's width.
type fieldLayout struct {
	room func(width float32) float32
	// width is the field's at its last layout.
	width float32
}

func (l *fieldLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		m := fieldHeight(objs, i)
		if l.room != nil && i == len(objs)-1 {
			m = max(m, l.room(l.width))
		}
		s.Width = max(s.Width, o.MinSize().Width)
		s.Height += m - fieldOverlap(objs, i)
	}
	return s
}

func (l *fieldLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	y := float32(0)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		h := fieldHeight(objs, i)
		y -= fieldOverlap(objs, i)
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

// fieldHeight is the height of the i-th object of a field: its minimum,
// and for an empty problem line (the last object) the inner padding it
// moves up into the input plus Padding.
func fieldHeight(objs []fyne.CanvasObject, i int) float32 {
	if l, ok := objs[i].(*widget.Label); ok && i == len(objs)-1 && l.Text == "" {
		return fynetheme.InnerPadding() + fynetheme.Padding()
	}
	return objs[i].MinSize().Height
}

// fieldOverlap is how far the i-th object of a field moves up into the
// one above it: the label's and the problem line's text keep the inner
// padding of a widget at the side away from the input only.
func fieldOverlap(objs []fyne.CanvasObject, i int) float32 {
	if i == 0 || !objs[i-1].Visible() {
		return 0
	}
	return fynetheme.InnerPadding()
}

// fields is a form's fields by name.
type fields map[string]*field

// add records f and returns it.
func (fs fields) add(f *field) *field {
	fs[f.name] = f
	return f
}

// show puts the problems of es under their fields: every field's when all
// is set, otherwise only those the user has touched. A field with no
// problem is cleared. It returns whether es had a problem for one of fs.
func (fs fields) show(es pinsede.FieldErrors, all bool) bool {
	found := false
	for name, f := range fs {
		if all {
			f.touched = true
		}
		fe, ok := es.For(name)
		if ok {
			found = true
		}
		switch {
		case !ok:
			f.setProblem("")
		case f.touched:
			f.setProblem(i18n.Field(fe))
		}
	}
	return found
}

// focusFirstProblem gives the keyboard to the first of fs, in the order
// the screen shows them, that shows a problem and takes the keyboard (an
// entry, a check box, a list to choose from), as the MV35 does on Avanti:
// submitted with the mouse, the conversion and the delegation left it
// nowhere, or on the check box ticked last, under the message.
func (a *App) focusFirstProblem(fs fields) {
	d := fyne.CurrentApp().Driver()
	var first fyne.Focusable
	var at fyne.Position
	for _, f := range fs {
		w, ok := f.input.(fyne.Focusable)
		if f.errText == "" || !ok || !f.object.Visible() {
			continue
		}
		if x, ok := w.(fyne.Disableable); ok && x.Disabled() {
			continue
		}
		p := d.AbsolutePositionForObject(f.object)
		if first == nil || p.Y < at.Y || p.Y == at.Y && p.X < at.X {
			first, at = w, p
		}
	}
	if first != nil {
		a.win.Canvas().Focus(first)
	}
}

// clearCorrected clears the problem of each field whose problem no longer
// holds in es, word for word, and reports whether a field still shows
// one.
func (fs fields) clearCorrected(es pinsede.FieldErrors) bool {
	shown := false
	for name, f := range fs {
		if f.errText == "" {
			continue
		}
		if fe, ok := es.For(name); ok && i18n.Field(fe) == f.errText {
			shown = true
			continue
		}
		f.setProblem("")
	}
	return shown
}

// setNotes shows each touched field's note in notes, and clears the
// others': like a problem, a note waits until the clerk has left the field.
func (fs fields) setNotes(notes map[string]fieldNote) {
	for name, f := range fs {
		n := notes[name]
		if !f.touched {
			n = fieldNote{}
		}
		f.setNote(n)
	}
}

// has reports whether es has a problem with one of fs.
func (fs fields) has(es pinsede.FieldErrors) bool {
	for _, e := range es {
		if _, ok := fs[e.Field]; ok {
			return true
		}
	}
	return false
}

// heading returns a section title.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = fynetheme.SizeNameSubHeadingText
	return l
}

// title returns a screen title.
func title(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = fynetheme.SizeNameHeadingText
	return l
}

// note returns a line of secondary text that wraps.
func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// section is a white panel with a title, on the grey page.
func section(titleText string, content ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Card)
	bg.StrokeColor = theme.CardBorder
	bg.StrokeWidth = 1
	bg.CornerRadius = 4
	items := content
	if titleText != "" {
		items = append([]fyne.CanvasObject{heading(titleText), widget.NewSeparator()}, content...)
	}
	return container.NewStack(bg, container.NewPadded(container.NewPadded(container.NewVBox(items...))))
}

// page lays a screen out on the grey page background, in a vertical scroll
// when scroll is set, with its content at most maxWidth wide and centred.
func (a *App) page(content fyne.CanvasObject, scroll bool) fyne.CanvasObject {
	bg := newActivityArea(a.touch)
	// The extra padding keeps the last buttons off the window's edge.
	body := container.New(&centreLayout{maxWidth: 1180}, container.NewPadded(container.NewPadded(content)))
	if !scroll {
		return container.NewStack(bg, body)
	}
	s := container.NewVScroll(body)
	s.OnScrolled = func(fyne.Position) { a.touch() }
	return container.NewStack(bg, s)
}

// footedPage is page, scrolled, for a form whose buttons must always
// show: foot, its buttons, stays at the bottom of the room, out of the
// scroll, and messages, the panels that tell the outcome of an action,
// just above it, as tall as their text but no taller than half the room
// the buttons leave, in a scroll of their own. At 1280×800 a long refusal
// on the identity check pushed Indietro and Emetti PIN below the window:
// only Ctrl+Enter reached them. The Tab key goes through content, then
// messages, then foot, as when they were one column. It returns the view
// and the scroll of the messages.
func (a *App) footedPage(content, messages, foot fyne.CanvasObject) (fyne.CanvasObject, *container.Scroll) {
	bg := newActivityArea(a.touch)
	p := fynetheme.Padding()
	centred := func(top, bottom float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.New(&centreLayout{maxWidth: 1180}, container.New(layout.NewCustomPaddedLayout(top, bottom, 2*p, 2*p), o))
	}
	main := container.NewVScroll(centred(2*p, p, content))
	msgs := container.NewVScroll(centred(0, p, messages))
	for _, s := range []*container.Scroll{main, msgs} {
		s.OnScrolled = func(fyne.Position) { a.touch() }
	}
	l := &footLayout{messages: messages, focused: a.focused}
	room := container.New(messagesRoom{messages}, msgs)
	return container.NewStack(bg, container.New(l, main, room, centred(0, 2*p, foot))), msgs
}

// messagesRoom holds the scroll of a footedPage's messages, always
// shown, and tells footLayout when a message comes, goes or changes:
// its minimum height is theirs. The driver lays a container out again
// only when one of its children's minimum size changes, and looks only
// at what shows: a message shown in the scroll, hidden with no message,
// or one that grew in it, whose minimum size a scroll does not take,
// left footLayout as it was, and the message out of sight (found by
// uitest.Frames; the tests that resize the window saw it).
type messagesRoom struct{ messages fyne.CanvasObject }

func (r messagesRoom) MinSize([]fyne.CanvasObject) fyne.Size {
	if !shows(r.messages) {
		return fyne.Size{}
	}
	return fyne.NewSize(0, r.messages.MinSize().Height)
}

func (messagesRoom) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.Position{})
	objs[0].Resize(size)
}

// footLayout lays a footedPage out: its scroll, then the room of the
// scroll of its messages, as tall as they are at the room's width up to
// half the room the foot leaves (none when no message shows), then its
// foot at its minimum height. As a message takes room from the form, what
// the clerk was looking at stays in view: the end of a form that showed
// it, and the field that has the keyboard.
type footLayout struct {
	// messages is the container of the message panels, each shown or
	// hidden.
	messages fyne.CanvasObject
	// focused returns what has the keyboard in the window, nil for none
	// or for a dialog's.
	focused func() fyne.CanvasObject
}

func (l *footLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	main, foot := objs[0].MinSize(), objs[2].MinSize()
	return fyne.NewSize(max(main.Width, foot.Width), main.Height+foot.Height)
}

func (l *footLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	main, room, foot := objs[0], objs[1], objs[2]
	msgs := room.(*fyne.Container).Objects[0].(*container.Scroll)
	footH := foot.MinSize().Height
	msgH := float32(0)
	if shows(l.messages) {
		c := msgs.Content
		c.Resize(fyne.NewSize(size.Width, c.MinSize().Height))
		// Wrapped text is taller once it knows its width: measure again.
		c.Resize(fyne.NewSize(size.Width, c.MinSize().Height))
		msgH = min(c.MinSize().Height, max(0, size.Height-footH)/2)
	}
	// Hidden with no message: an empty scroll still draws its bar.
	if msgH > 0 && !msgs.Visible() {
		msgs.Show()
	} else if msgH == 0 && msgs.Visible() {
		msgs.Hide()
	}
	mainH := max(0, size.Height-footH-msgH)
	// Showing its end, the form keeps it in view as a message takes
	// room: the settings scroll to the connection's problems, under its
	// fields, and the panel came over the last of them; a conversion
	// that just fitted the window lost its last check box under a
	// refusal. Then the field that has the keyboard comes into view, as
	// Tab brings it: the MV35 gives it to the first field in error, and
	// scrolled it into the room the form had before its summary took
	// some; the duration of a PIN telefonico, chosen last, went under a
	// failed print's message.
	sc := main.(*container.Scroll)
	shrinks := mainH < sc.Size().Height
	atEnd := sc.Offset.Y+sc.Size().Height >= sc.Content.MinSize().Height-1
	main.Move(fyne.NewPos(0, 0))
	main.Resize(fyne.NewSize(size.Width, mainH))
	if atEnd {
		sc.ScrollToBottom()
	}
	if f := l.focused(); shrinks && f != nil && holds(sc.Content, f) {
		scrollTo(sc, f)
	}
	snapOffset(sc)
	room.Move(fyne.NewPos(0, mainH))
	room.Resize(fyne.NewSize(size.Width, msgH))
	foot.Move(fyne.NewPos(0, mainH+msgH))
	foot.Resize(fyne.NewSize(size.Width, footH))
}

// snapOffset moves sc's offset back onto a whole pixel of its canvas:
// scrolled by a fraction of one (to its end, to a field), the form's text
// was drawn blurred, and otherwise than before it moved.
func snapOffset(sc *container.Scroll) {
	if fyne.CurrentApp() == nil {
		return
	}
	scale := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(sc); c != nil {
		scale = c.Scale()
	}
	if y := float32(math.Floor(float64(sc.Offset.Y*scale))) / scale; y != sc.Offset.Y {
		sc.Offset.Y = y
		sc.Refresh()
	}
}

// shows reports whether o shows something: o is visible and, for a
// container, one of its objects does.
func shows(o fyne.CanvasObject) bool {
	if !o.Visible() {
		return false
	}
	if c, ok := o.(*fyne.Container); ok {
		return slices.ContainsFunc(c.Objects, shows)
	}
	return true
}

// centreLayout centres its single object horizontally, no wider than
// maxWidth, at its minimum height or the full height, whichever is larger.
type centreLayout struct{ maxWidth float32 }

func (l *centreLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return objs[0].MinSize()
}

func (l *centreLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.maxWidth)
	w = max(w, objs[0].MinSize().Width)
	objs[0].Resize(fyne.NewSize(w, max(size.Height, objs[0].MinSize().Height)))
	// Wrapped text is taller once it knows its width: measure again.
	objs[0].Resize(fyne.NewSize(w, max(size.Height, objs[0].MinSize().Height)))
	objs[0].Move(fyne.NewPos((size.Width-w)/2, 0))
}

// fixedWidth lays its objects out in a column of the given width (or their
// minimum width, if larger), centred on both axes: login and lock cards.
// With a slot, it centres the column as tall as it is with the slot's
// reserved message (messageSlot), so that a longer one grows it downward
// and nothing above the message moves. With top, it keeps the column at
// the top instead of centring it vertically.
type fixedWidth struct {
	width float32
	slot  *messageSlot
	top   bool
}

func (l *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if !objs[0].Visible() {
		return fyne.Size{}
	}
	m := objs[0].MinSize()
	return fyne.NewSize(max(m.Width, l.width), m.Height)
}

func (l *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	m := l.MinSize(objs)
	w := min(m.Width, size.Width)
	objs[0].Resize(fyne.NewSize(w, m.Height))
	// Wrapped text is taller once it knows its width: measure again.
	m = l.MinSize(objs)
	objs[0].Resize(fyne.NewSize(w, m.Height))
	centred := m.Height
	if l.slot != nil {
		centred -= l.slot.extra()
	}
	y := max(0, (size.Height-centred)/2)
	if l.top {
		y = 0
	}
	objs[0].Move(fyne.NewPos((size.Width-w)/2, y))
}

// card lays content out as a centred panel of the given width.
func card(width float32, content fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&fixedWidth{width: width}, content)
}

// stableCard is card for a form whose message shows in slot, below its
// fields: the fields stay where they are whether a message shows or not,
// whichever it is (the login and the lock: a mouse clicks where the
// password was).
func stableCard(width float32, slot *messageSlot, content fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&fixedWidth{width: width, slot: slot}, content)
}

// topCard is card kept at the top of its room rather than centred
// vertically: for a tall form whose problems show under its fields as
// they are typed, and push down only what is below them (the first-run
// set-up). Its messages keep their room in a messageSlot, so that its
// buttons do not move when one shows.
func topCard(width float32, content fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&fixedWidth{width: width, top: true}, content)
}

// keptRoom stacks its objects as a VBox does, but keeps the room of those
// hidden too: what is below them does not move when they show (the
// progress of joining a sede).
type keptRoom struct{}

func (keptRoom) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height += fynetheme.Padding()
		}
	}
	return s
}

func (keptRoom) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + fynetheme.Padding()
	}
}

// row is a label and a value on one line, for the read-only pages. The
// value is not selectable: a selectable label is a stop of the Tab key, and
// a page of them keeps a keyboard from its buttons (copyRow).
func row(label, value string) []fyne.CanvasObject {
	l := lowLabel(label)
	v := widget.NewLabel(value)
	v.Wrapping = fyne.TextWrapWord
	return []fyne.CanvasObject{l, v}
}

// copyRow is a row whose value the clerk may copy: the codice fiscale,
// the envelope's serial. Each is a stop of the Tab key (copyValue).
func (a *App) copyRow(label, value string) []fyne.CanvasObject {
	r := row(label, value)
	r[1] = a.copyValue(r[1].(*widget.Label))
	return r
}

// rows lays pairs of label and value out in two aligned columns.
func rows(pairs ...[]fyne.CanvasObject) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, p := range pairs {
		objs = append(objs, p...)
	}
	return container.New(&labelValueLayout{labelWidth: 200}, objs...)
}

// labelValueLayout places objects in pairs: a label column of fixed width
// and a value column that takes the rest.
type labelValueLayout struct{ labelWidth float32 }

func (l *labelValueLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i := 0; i+1 < len(objs); i += 2 {
		lm, vm := objs[i].MinSize(), objs[i+1].MinSize()
		s.Width = max(s.Width, l.labelWidth+vm.Width)
		s.Height += max(lm.Height, vm.Height)
	}
	return s
}

func (l *labelValueLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		vw := size.Width - l.labelWidth
		objs[i+1].Resize(fyne.NewSize(vw, objs[i+1].MinSize().Height))
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(l.labelWidth, h))
		objs[i+1].Move(fyne.NewPos(l.labelWidth, y))
		objs[i+1].Resize(fyne.NewSize(vw, h))
		y += h
	}
}

// message is a coloured panel with a sentence: the outcome of an action.
type message struct {
	label *widget.Label
	bg    *canvas.Rectangle
	box   *fyne.Container
	// slot, when the panel keeps a room (reserve), is laid out again at
	// each change: its own size does not change, the panel's does.
	slot *fyne.Container
}

func newMessage() *message {
	m := &message{label: widget.NewLabel(""), bg: canvas.NewRectangle(color.Transparent)}
	m.label.Wrapping = fyne.TextWrapWord
	m.label.TextStyle.Bold = true
	m.bg.CornerRadius = 4
	m.box = container.NewStack(m.bg, container.NewPadded(m.label))
	m.box.Hide()
	return m
}

// kind of a message panel.
type messageKind int

const (
	msgError messageKind = iota
	msgSuccess
	msgInfo
)

// set shows text in the panel, coloured by kind; an empty text hides it.
func (m *message) set(kind messageKind, text string) {
	if m.slot != nil {
		defer m.slot.Refresh()
	}
	if text == "" {
		m.label.SetText("")
		m.box.Hide()
		return
	}
	switch kind {
	case msgError:
		m.label.Importance = widget.DangerImportance
		m.bg.FillColor = color.NRGBA{R: 0xCC, G: 0x33, B: 0x4D, A: 0x1A}
		m.bg.StrokeColor = theme.Danger
	case msgSuccess:
		m.label.Importance = widget.SuccessImportance
		m.bg.FillColor = color.NRGBA{R: 0x00, G: 0x80, B: 0x55, A: 0x1A}
		m.bg.StrokeColor = theme.Success
	default:
		m.label.Importance = widget.MediumImportance
		m.bg.FillColor = color.NRGBA{R: 0x00, G: 0x66, B: 0xCC, A: 0x14}
		m.bg.StrokeColor = theme.Primary
	}
	m.bg.StrokeWidth = 1
	m.label.SetText(text)
	m.bg.Refresh()
	m.box.Show()
}

// text returns the message shown, "" when hidden.
func (m *message) text() string {
	if !m.box.Visible() {
		return ""
	}
	return m.label.Text
}

// messageSlot holds a message's panel in a room as tall as the tallest of
// the messages the screen foresees, shown or hidden, at the slot's width:
// what is laid out around it does not move when a message comes or goes.
// A message taller than those foreseen (an unexpected error's) takes its
// own height, up to messageLines lines, and scrolls past them inside the
// panel's border; extra says how much more.
type messageSlot struct {
	object fyne.CanvasObject
	msg    *message
	// scroll holds msg's text: a message of many lines (an unexpected
	// error's causes) scrolls in it rather than push the dialog's buttons
	// out of the window. The panel's background and border are out of
	// it, behind it, as large as it: a scroll draws nothing outside its
	// area, and in it the border lost its whole bottom side under a
	// message that scrolls, and in the tests' screenshots its right and
	// bottom sides (Fyne's software painter strokes a rectangle across
	// its edges, and draws one that a clip cuts at the left or the top
	// moved right and down by the cut, 3 px, out of the clip).
	scroll *container.Scroll
	// text is the message the scroll shows, from its start when new.
	text string
	// probe measures the foreseen texts as msg would show them.
	probe *message
	// foreseen returns the messages the screen may show, as it would
	// show them now.
	foreseen func() []string
	// width is the slot's at its last layout: wrapped text is as tall
	// as its width makes it.
	width float32
}

// reserve returns m's panel in a messageSlot that keeps the room of the
// tallest of the texts foreseen returns. The panel's background leaves
// m.box for the slot, which draws it around the scroll of m.box.
func (m *message) reserve(foreseen func() []string) *messageSlot {
	m.box.Remove(m.bg)
	s := &messageSlot{msg: m, probe: newMessage(), foreseen: foreseen, scroll: container.NewVScroll(m.box)}
	m.slot = container.New(s, m.bg, s.scroll)
	s.object = m.slot
	return s
}

// reserved is the height of the tallest foreseen message at the slot's
// width.
func (s *messageSlot) reserved() float32 {
	var h float32
	for _, text := range s.foreseen() {
		s.probe.set(msgError, text)
		fit(s.probe.box, s.width)
		h = max(h, s.probe.box.MinSize().Height)
	}
	return h
}

// fit lays o, a message's panel or the label that measures a field's
// problems, out at width, as tall as its text wraps there. A label's
// renderer that Fyne's cache made again, after the label went a minute
// undrawn (FYNE_CACHE; the probes are never drawn, nor is a message
// hidden through a session), holds its text laid out at no width, on one
// line, until the label's size changes; and a Resize to the size a widget
// has lays nothing out. So o passes through no height first: its text is
// laid out at width, whatever its label's renderer.
func fit(o fyne.CanvasObject, width float32) {
	o.Resize(fyne.NewSize(width, 0))
	o.Resize(fyne.NewSize(width, o.MinSize().Height))
	// Wrapped text is taller once it knows its width: measure again (o
	// had no height already, its label's width not laid out yet).
	o.Resize(fyne.NewSize(width, o.MinSize().Height))
}

// shown is the height of the message shown, 0 for none.
func (s *messageSlot) shown() float32 {
	if !s.msg.box.Visible() {
		return 0
	}
	return s.msg.box.MinSize().Height
}

// messageLines is how many lines of text a message shows before it
// scrolls, when the screen foresees none as tall: at 1280×800 a
// revocation's dialog with an unexpected error of 500 characters put its
// buttons below the window.
const messageLines = 5

// lines is the height of a message of messageLines lines.
func (s *messageSlot) lines() float32 {
	s.probe.set(msgError, strings.Repeat("M\n", messageLines-1)+"M")
	fit(s.probe.box, s.width)
	return s.probe.box.MinSize().Height
}

// visible is the height of the message as it shows, in a room reserved
// tall: all of it, up to messageLines lines or the room if taller.
func (s *messageSlot) visible(reserved float32) float32 {
	shown := s.shown()
	if shown <= reserved {
		return shown
	}
	return min(shown, max(reserved, s.lines()))
}

// extra is how much taller than the room reserved the message shown is.
func (s *messageSlot) extra() float32 {
	r := s.reserved()
	return max(0, s.visible(r)-r)
}

// MinSize is the room reserved, or the message's if taller, up to
// messageLines lines.
func (s *messageSlot) MinSize([]fyne.CanvasObject) fyne.Size {
	r := s.reserved()
	return fyne.NewSize(0, max(r, s.visible(r)))
}

// Layout puts the message at the top of the room, as tall as its text up
// to the room's height, its background and border around what shows of
// it; a new message shows from its start.
func (s *messageSlot) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	s.width = size.Width
	fit(s.msg.box, size.Width)
	if text := s.msg.text(); text != s.text {
		s.text, s.scroll.Offset = text, fyne.Position{}
	}
	// Hidden with no message: an empty scroll still draws its bar.
	h := min(s.shown(), size.Height)
	for _, o := range []fyne.CanvasObject{s.msg.bg, s.scroll} {
		if h == 0 {
			o.Hide()
			continue
		}
		o.Show()
		o.Move(fyne.Position{})
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

// lowLabel is a label in the secondary colour, for the names of the values
// on the read-only pages.
func lowLabel(text string) fyne.CanvasObject {
	return container.NewThemeOverride(widget.NewLabel(text), theme.SecondaryText())
}

// twoColumns lays fields out two by two. Each row is as tall as its own
// fields (a grid would make every row as tall as the tallest field, and a
// long message under one field would open gaps all over the form).
func twoColumns(objs ...fyne.CanvasObject) fyne.CanvasObject { return columns(2, objs...) }

// columns lays fields out n a row, each row as tall as its own fields.
func columns(n int, objs ...fyne.CanvasObject) fyne.CanvasObject {
	rows := container.NewVBox()
	for i := 0; i < len(objs); i += n {
		rows.Add(container.NewGridWithColumns(n, objs[i:min(i+n, len(objs))]...))
	}
	return rows
}

// dialogScroll holds the fields of a dialog in a vertical scroll at least
// width wide, as tall as they are but no taller than the window leaves
// them beside reserve, the room of the rest of the dialog (its title, its
// message and its buttons): on a small screen the dialog's buttons stay
// in view, and the field that gets the keyboard scrolls into view
// (showInDialog).
func (a *App) dialogScroll(width, reserve float32, content fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&boundedHeight{width: width, room: func() float32 {
		return a.win.Canvas().Size().Height - reserve
	}}, container.NewVScroll(content))
}

// boundedHeight lays out its scroll as tall as its content, up to room.
type boundedHeight struct {
	width float32
	room  func() float32
}

func (l *boundedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].(*container.Scroll).Content.MinSize()
	return fyne.NewSize(max(m.Width, l.width), max(min(m.Height, l.room()), 160))
}

func (l *boundedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}
