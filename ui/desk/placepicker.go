package desk

import (
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/theme"
)

// placeSuggestions is how many places the picker offers at most.
const placeSuggestions = 30

// highlightColor is the background of the suggestion Enter chooses: the
// theme's primary blue, light.
var highlightColor = color.NRGBA{R: 0x00, G: 0x66, B: 0xCC, A: 0x26}

// placeRows is how many suggestions show without scrolling.
const placeRows = 8

// placePicker is the place-of-birth entry with type-ahead: as the clerk
// types a name (or a codice catastale), a list of the places of
// pinsede.SearchPlaces opens under the entry, with the province, the code
// and, for a ceased comune or state, the day it ceased. Down and Up move in
// the list, Enter chooses, Escape closes it; a click chooses too. Choosing
// writes "Name (PR)" in the entry and hands the place to onPick, which
// fills the code's own entry.
//
// The list is a pop-up, and a pop-up takes the keyboard while it shows: its
// list passes the typing on to the entry, so the clerk just goes on typing.
type placePicker struct {
	a     *App
	entry *entry
	list  *placeList
	popup *widget.PopUp

	results   []pinsede.PlaceInfo // the suggestions shown
	highlight int                 // the suggestion Enter chooses, -1 for none
	// quiet is set while the picker writes the entry itself: no search.
	quiet bool
	// noMatch is set when the text typed matches no place.
	noMatch bool
	// onPick is called with the place chosen, onEdit when the clerk
	// edits the text (the place chosen no longer holds).
	onPick func(pinsede.PlaceInfo)
	onEdit func()
}

// newPlacePicker builds the picker; onPick gets each place chosen.
func (a *App) newPlacePicker(placeholder string, onPick func(pinsede.PlaceInfo)) *placePicker {
	p := &placePicker{a: a, highlight: -1, onPick: onPick}
	p.entry = a.newEntry(placeholder)
	p.entry.onKey = p.key
	p.entry.onChange(func(string) {
		if p.quiet {
			return
		}
		if p.onEdit != nil {
			p.onEdit()
		}
		p.search()
	})
	p.list = newPlaceList(p)
	return p
}

// text returns what the entry holds.
func (p *placePicker) text() string { return p.entry.Text }

// setText writes s in the entry without opening the suggestions.
func (p *placePicker) setText(s string) {
	p.quiet = true
	defer func() { p.quiet = false }()
	p.entry.SetText(s)
	p.results, p.noMatch = nil, false
	p.close()
}

// notFound reports whether the name typed matches no place.
func (p *placePicker) notFound() bool { return p.noMatch }

// place reads the entry: "Name (PR)", as the picker writes it, is a comune
// and its province; anything else is a name.
func (p *placePicker) place() pinsede.Place {
	s := strings.TrimSpace(p.entry.Text)
	if n := len(s); n > 5 && s[n-5:n-3] == " (" && s[n-1] == ')' && isUpperLetters(s[n-3:n-1]) {
		return pinsede.Place{Name: strings.TrimSpace(s[:n-5]), Province: s[n-3 : n-1]}
	}
	return pinsede.Place{Name: s}
}

// placeText writes a place as the picker shows it.
func placeText(pl pinsede.Place) string {
	if pl.Province == "" {
		return pl.Name
	}
	return pl.Name + " (" + pl.Province + ")"
}

func isUpperLetters(s string) bool {
	for _, c := range []byte(s) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return s != ""
}

// search looks the entry's text up and shows the suggestions, or closes
// them when there are none.
func (p *placePicker) search() {
	q := strings.TrimSpace(p.entry.Text)
	if len([]rune(q)) < 2 {
		p.results, p.noMatch = nil, false
		p.close()
		return
	}
	p.results = pinsede.SearchPlaces(q, placeSuggestions)
	p.noMatch = len(p.results) == 0
	p.highlight = -1
	if len(p.results) > 0 {
		p.highlight = 0
	}
	p.list.Refresh()
	p.list.ScrollToTop()
	if len(p.results) == 0 {
		p.close()
		return
	}
	p.open()
}

// showing reports whether the suggestions show. The lock screen takes the
// pop-ups off the canvas without hiding them.
func (p *placePicker) showing() bool {
	return p.popup != nil && p.popup.Visible() && slices.Contains(p.popup.Canvas.Overlays().List(), fyne.CanvasObject(p.popup))
}

// open shows the suggestions under the entry, as wide as it, and gives the
// keyboard to their list.
func (p *placePicker) open() {
	c := fyne.CurrentApp().Driver().CanvasForObject(p.entry)
	if c == nil {
		return // not on screen
	}
	row := p.list.rowHeight()
	h := float32(min(len(p.results), placeRows))*row + fynetheme.InnerPadding()
	w := max(p.entry.Size().Width, 360)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.entry)
	pos.Y += p.entry.Size().Height
	// Above the entry when the window has no room under it.
	if pos.Y+h > c.Size().Height && pos.Y-p.entry.Size().Height-h >= 0 {
		pos.Y -= p.entry.Size().Height + h
	}
	if p.showing() && p.popup.Canvas == c {
		p.popup.Resize(fyne.NewSize(w, h))
		p.popup.Move(pos)
	} else {
		p.close()
		p.popup = widget.NewPopUp(p.list, c)
		p.popup.Resize(fyne.NewSize(w, h))
		p.popup.ShowAtPosition(pos)
	}
	c.Focus(p.list)
}

// close hides the suggestions; the keyboard goes back to the entry.
func (p *placePicker) close() {
	if p.showing() {
		p.popup.Hide()
	}
}

// key handles the keys of the list, from the entry or from the list
// itself, and returns whether it took k.
func (p *placePicker) key(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyDown:
		if !p.showing() {
			p.search()
			return true
		}
		p.move(1)
	case fyne.KeyUp:
		if !p.showing() {
			return false
		}
		p.move(-1)
	case fyne.KeyReturn, fyne.KeyEnter:
		if !p.showing() || p.highlight < 0 {
			return false
		}
		p.pick(p.highlight)
	case fyne.KeyEscape:
		if !p.showing() {
			return false
		}
		p.close()
	default:
		return false
	}
	return true
}

// move moves the highlight by d, within the list.
func (p *placePicker) move(d int) {
	if len(p.results) == 0 {
		return
	}
	p.highlight = min(max(p.highlight+d, 0), len(p.results)-1)
	p.list.Refresh()
	p.list.ScrollTo(p.highlight)
}

// pick chooses the i-th suggestion.
func (p *placePicker) pick(i int) {
	if i < 0 || i >= len(p.results) {
		return
	}
	pl := p.results[i]
	p.setText(pl.String())
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.entry); c != nil {
		c.Focus(p.entry)
	}
	if p.onPick != nil {
		p.onPick(pl)
	}
}

// suggestions returns the places offered, for tests.
func (p *placePicker) suggestions() []string {
	out := make([]string, len(p.results))
	for i, r := range p.results {
		out[i] = r.String()
	}
	return out
}

// placeDetail is the grey text beside a suggestion: the code, and what
// tells apart two places of the same name (a state, a ceased place).
func placeDetail(pl pinsede.PlaceInfo) string {
	var parts []string
	if pl.Foreign {
		parts = append(parts, lang.L("place.foreign"))
	}
	if !pl.Current() {
		parts = append(parts, lang.L("place.until", map[string]any{"Date": pl.To.Italian()}))
	}
	parts = append(parts, pl.Code)
	return strings.Join(parts, " · ")
}

// placeList is the list of suggestions. It takes the keyboard while the
// pop-up shows, and passes what it does not handle on to the entry.
type placeList struct {
	widget.List
	p *placePicker
}

func newPlaceList(p *placePicker) *placeList {
	l := &placeList{p: p}
	l.Length = func() int { return len(p.results) }
	l.CreateItem = func() fyne.CanvasObject {
		bg := canvas.NewRectangle(color.Transparent)
		bg.CornerRadius = 3
		name := widget.NewLabel("")
		name.Truncation = fyne.TextTruncateEllipsis
		detail := container.NewThemeOverride(widget.NewLabel(""), theme.SecondaryText())
		return container.NewStack(bg, container.NewBorder(nil, nil, nil, detail, name))
	}
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(p.results) {
			return
		}
		st := o.(*fyne.Container)
		bg := st.Objects[0].(*canvas.Rectangle)
		row := st.Objects[1].(*fyne.Container)
		name := row.Objects[0].(*widget.Label)
		detail := row.Objects[1].(*container.ThemeOverride).Content.(*widget.Label)
		pl := p.results[id]
		// A ceased place in italics: the detail says until when.
		name.TextStyle.Italic = !pl.Current()
		name.SetText(pl.String())
		detail.SetText(placeDetail(pl))
		row.Refresh() // the detail's width has changed
		if id == p.highlight {
			bg.FillColor = highlightColor
		} else {
			bg.FillColor = color.Transparent
		}
		bg.Refresh()
	}
	l.OnSelected = func(id widget.ListItemID) {
		l.UnselectAll()
		p.a.touch()
		p.pick(id)
	}
	l.ExtendBaseWidget(l)
	return l
}

// rowHeight is the height of one suggestion.
func (l *placeList) rowHeight() float32 {
	return l.CreateItem().MinSize().Height + fynetheme.Padding() // the list's separator
}

// TypedRune passes the typing on to the entry.
func (l *placeList) TypedRune(r rune) { l.p.entry.TypedRune(r) }

// TypedKey moves in the list, chooses or closes it; other keys (Backspace,
// Left, Right...) go to the entry. Tab closes the list and moves on.
func (l *placeList) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyTab {
		l.p.close()
		if c := fyne.CurrentApp().Driver().CanvasForObject(l.p.entry); c != nil {
			c.FocusNext()
		}
		return
	}
	if !l.p.key(k) {
		l.p.entry.TypedKey(k)
	}
	l.p.a.touch()
}

// FocusGained does not mark a row: the highlight is the picker's.
func (l *placeList) FocusGained() {}

// FocusLost does nothing: see FocusGained.
func (l *placeList) FocusLost() {}

// TypedShortcut passes paste, cut and copy on to the entry.
func (l *placeList) TypedShortcut(s fyne.Shortcut) { l.p.entry.TypedShortcut(s) }

// AcceptsTab keeps Tab for TypedKey, which closes the list first.
func (l *placeList) AcceptsTab() bool { return true }
