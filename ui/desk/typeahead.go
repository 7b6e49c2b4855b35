package desk

import (
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/theme"
)

// highlightColor is the background of the suggestion Enter chooses: the
// theme's primary blue, light.
var highlightColor = color.NRGBA{R: 0x00, G: 0x66, B: 0xCC, A: 0x26}

// suggestionRows is how many suggestions show without scrolling.
const suggestionRows = 8

// suggestion is one row of a type-ahead's list: the text the entry takes
// when it is chosen, a grey detail beside it, in italics when it is no
// longer current (a ceased place).
type suggestion struct {
	text, detail string
	italic       bool
}

// typeahead is an entry with suggestions, the mechanics of the place and
// country pickers: as the clerk types, find's suggestions open in a list
// under the entry. Down and Up move in the list, Enter chooses, Escape
// closes it; a click chooses too. Choosing writes the suggestion's text in
// the entry and hands its index to chosen.
//
// The list is a pop-up, and a pop-up takes the keyboard while it shows: its
// list passes the typing on to the entry, so the clerk just goes on typing.
type typeahead struct {
	a     *App
	entry *entry
	list  *suggestionList
	popup *widget.PopUp

	items     []suggestion // the suggestions shown
	highlight int          // the suggestion Enter chooses, -1 for none
	// minRunes is how much text find needs: less closes the list.
	minRunes int
	// find returns the suggestions for the text typed; chosen is called
	// with the index of the one chosen.
	find   func(q string) []suggestion
	chosen func(i int)
	// quiet is set while the picker writes the entry itself: no search.
	quiet bool
	// noMatch is set when the text typed matches nothing.
	noMatch bool
	// onEdit, when set, is called when the clerk edits the text (what was
	// chosen no longer holds).
	onEdit func()
	// after, when set, takes the focus once Enter has chosen a suggestion:
	// the next field to type, so that choosing costs no Tab.
	after fyne.Focusable
}

// init builds t's entry and list.
func (t *typeahead) init(a *App, placeholder string) {
	t.a, t.highlight = a, -1
	t.entry = a.newEntry(placeholder)
	t.entry.onKey = t.key
	t.entry.onChange(func(string) {
		if t.quiet {
			return
		}
		if t.onEdit != nil {
			t.onEdit()
		}
		t.search()
	})
	t.list = newSuggestionList(t)
}

// text returns what the entry holds.
func (t *typeahead) text() string { return t.entry.Text }

// setText writes s in the entry without opening the suggestions.
func (t *typeahead) setText(s string) {
	t.quiet = true
	defer func() { t.quiet = false }()
	t.entry.SetText(s)
	t.items, t.noMatch = nil, false
	t.close()
}

// notFound reports whether the text typed matches nothing.
func (t *typeahead) notFound() bool { return t.noMatch }

// search looks the entry's text up and shows the suggestions, or closes
// them when there are none.
func (t *typeahead) search() {
	q := strings.TrimSpace(t.entry.Text)
	if len([]rune(q)) < t.minRunes {
		t.items, t.noMatch = nil, false
		t.close()
		return
	}
	t.items = t.find(q)
	t.noMatch = len(t.items) == 0
	t.highlight = -1
	if len(t.items) > 0 {
		t.highlight = 0
	}
	t.list.Refresh()
	t.list.ScrollToTop()
	if len(t.items) == 0 {
		t.close()
		return
	}
	t.open()
}

// showing reports whether the suggestions show. The lock screen takes the
// pop-ups off the canvas without hiding them.
func (t *typeahead) showing() bool {
	return t.popup != nil && t.popup.Visible() && slices.Contains(t.popup.Canvas.Overlays().List(), fyne.CanvasObject(t.popup))
}

// open shows the suggestions under the entry, as wide as it, and gives the
// keyboard to their list.
func (t *typeahead) open() {
	c := fyne.CurrentApp().Driver().CanvasForObject(t.entry)
	if c == nil {
		return // not on screen
	}
	row := t.list.rowHeight()
	h := float32(min(len(t.items), suggestionRows))*row + fynetheme.InnerPadding()
	w := max(t.entry.Size().Width, 360)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(t.entry)
	pos.Y += t.entry.Size().Height
	// Above the entry when the window has no room under it.
	if pos.Y+h > c.Size().Height && pos.Y-t.entry.Size().Height-h >= 0 {
		pos.Y -= t.entry.Size().Height + h
	}
	if t.showing() && t.popup.Canvas == c {
		t.popup.Resize(fyne.NewSize(w, h))
		t.popup.Move(pos)
	} else {
		t.close()
		t.popup = widget.NewPopUp(t.list, c)
		t.popup.Resize(fyne.NewSize(w, h))
		t.popup.ShowAtPosition(pos)
	}
	c.Focus(t.list)
}

// close hides the suggestions; the keyboard goes back to the entry.
func (t *typeahead) close() {
	if t.showing() {
		t.popup.Hide()
	}
}

// key handles the keys of the list, from the entry or from the list
// itself, and returns whether it took k.
func (t *typeahead) key(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyDown:
		if !t.showing() {
			t.search()
			return true
		}
		t.move(1)
	case fyne.KeyUp:
		if !t.showing() {
			return false
		}
		t.move(-1)
	case fyne.KeyReturn, fyne.KeyEnter:
		if !t.showing() || t.highlight < 0 {
			return false
		}
		t.pick(t.highlight)
		if c := fyne.CurrentApp().Driver().CanvasForObject(t.entry); c != nil && t.after != nil {
			c.Focus(t.after)
		}
	case fyne.KeyEscape:
		if !t.showing() {
			return false
		}
		t.close()
	default:
		return false
	}
	return true
}

// move moves the highlight by d, within the list.
func (t *typeahead) move(d int) {
	if len(t.items) == 0 {
		return
	}
	t.highlight = min(max(t.highlight+d, 0), len(t.items)-1)
	t.list.Refresh()
	t.list.ScrollTo(t.highlight)
}

// pick chooses the i-th suggestion.
func (t *typeahead) pick(i int) {
	if i < 0 || i >= len(t.items) {
		return
	}
	t.setText(t.items[i].text)
	if c := fyne.CurrentApp().Driver().CanvasForObject(t.entry); c != nil {
		c.Focus(t.entry)
	}
	t.chosen(i)
}

// suggestions returns the texts offered, for tests.
func (t *typeahead) suggestions() []string {
	out := make([]string, len(t.items))
	for i, s := range t.items {
		out[i] = s.text
	}
	return out
}

// closeSuggestions hides the suggestions of every type-ahead, and closes
// the list of a drop-down (dropdownMenu): a list left open over the next
// screen chose for a form no longer shown.
func (a *App) closeSuggestions() {
	c := a.win.Canvas()
	if c == nil {
		return
	}
	for _, o := range slices.Clone(c.Overlays().List()) { // close changes the list
		switch o := o.(type) {
		case *widget.PopUp:
			if _, ok := o.Content.(*suggestionList); ok {
				o.Hide()
			}
		case *dropdownMenu:
			o.close()
		}
	}
}

// suggestionList is the list of suggestions. It takes the keyboard while
// the pop-up shows, and passes what it does not handle on to the entry.
type suggestionList struct {
	widget.List
	t *typeahead
}

func newSuggestionList(t *typeahead) *suggestionList {
	l := &suggestionList{t: t}
	l.Length = func() int { return len(t.items) }
	l.CreateItem = func() fyne.CanvasObject {
		bg := canvas.NewRectangle(color.Transparent)
		bg.CornerRadius = 3
		name := widget.NewLabel("")
		name.Truncation = fyne.TextTruncateEllipsis
		detail := container.NewThemeOverride(widget.NewLabel(""), theme.SecondaryText())
		return container.NewStack(bg, container.NewBorder(nil, nil, nil, detail, name))
	}
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(t.items) {
			return
		}
		st := o.(*fyne.Container)
		bg := st.Objects[0].(*canvas.Rectangle)
		row := st.Objects[1].(*fyne.Container)
		name := row.Objects[0].(*widget.Label)
		detail := row.Objects[1].(*container.ThemeOverride).Content.(*widget.Label)
		s := t.items[id]
		name.TextStyle.Italic = s.italic
		name.SetText(s.text)
		detail.SetText(s.detail)
		row.Refresh() // the detail's width has changed
		if id == t.highlight {
			bg.FillColor = highlightColor
		} else {
			bg.FillColor = color.Transparent
		}
		bg.Refresh()
	}
	l.OnSelected = func(id widget.ListItemID) {
		l.UnselectAll()
		t.a.touch()
		t.pick(id)
	}
	l.ExtendBaseWidget(l)
	return l
}

// rowHeight is the height of one suggestion.
func (l *suggestionList) rowHeight() float32 {
	return l.CreateItem().MinSize().Height + fynetheme.Padding() // the list's separator
}

// TypedRune passes the typing on to the entry.
func (l *suggestionList) TypedRune(r rune) { l.t.entry.TypedRune(r) }

// KeyDown tells the desk that a key went down (keyRepeats).
func (l *suggestionList) KeyDown(k *fyne.KeyEvent) { l.t.a.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats).
func (l *suggestionList) KeyUp(k *fyne.KeyEvent) { l.t.a.keys.KeyUp(k) }

// TypedKey moves in the list, chooses or closes it; other keys (Backspace,
// Left, Right...) go to the entry. Tab closes the list and moves on.
func (l *suggestionList) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyTab {
		l.t.close()
		if c := fyne.CurrentApp().Driver().CanvasForObject(l.t.entry); c != nil {
			c.FocusNext()
		}
		return
	}
	if !l.t.key(k) {
		l.t.entry.TypedKey(k)
	}
	l.t.a.touch()
}

// FocusGained does not mark a row: the highlight is the picker's.
func (l *suggestionList) FocusGained() {}

// FocusLost does nothing: see FocusGained.
func (l *suggestionList) FocusLost() {}

// TypedShortcut passes paste, cut and copy on to the entry.
func (l *suggestionList) TypedShortcut(s fyne.Shortcut) { l.t.entry.TypedShortcut(s) }

// AcceptsTab keeps Tab for TypedKey, which closes the list first.
func (l *suggestionList) AcceptsTab() bool { return true }
