package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// suggestionColumns is the most columns of suggestions a row holds, and
// suggestionRows the most rows: with the field, they fit over the
// keyboard at the largest text size at 1080 px high; a lower window
// shows fewer rows (wizard.fitSuggestions).
const (
	suggestionColumns = 3
	suggestionRows    = 2
)

// suggestionGrid lays suggestions out in rows of up to
// suggestionColumns cells of one width, as many a row as fit the width
// it was last given: a long name ("San Bartolomeo Val Cavargna (CO)") at
// the largest text size in a narrow window takes a row of fewer cells,
// not room beyond the window's edge. It shows suggestionRows rows at
// most, fewer in a low window. When the suggestions are more than its
// rows hold, its last object, the more button, shows at the right end of
// the rows ("Altri 3"): a tap, or Enter on it, shows the next ones, and
// after the last the first again, so that every one can be reached (the
// places of one name are all listed, however many).
type suggestionGrid struct {
	width float32 // the width of the last layout; 0 before the first
	// rows is the most rows shown, fewer than suggestionRows in a window
	// too low for them (wizard.fitSuggestions); 0: suggestionRows.
	rows int
	// first is the index of the first suggestion shown.
	first int
	// more is the more button, the last of the container's objects.
	more *button
	// made are the suggestions' buttons made so far (setSuggestions),
	// and themed how many of the first of them have the view's theme:
	// those out of the grid when a theme is applied miss it.
	made   []*button
	themed int
	// view holds the grid at no more than the normal text size, as the
	// keyboard's keys: at A+ a row of suggestions as high as the field
	// left no room for it under the field over the keyboard of a
	// 1024x768 screen.
	view *steady
}

var _ fyne.Layout = (*suggestionGrid)(nil)

// maxRows returns the most rows the grid shows.
func (g *suggestionGrid) maxRows() int {
	if g.rows > 0 {
		return g.rows
	}
	return suggestionRows
}

// newSuggestions returns an empty row of suggestions, with its more
// button.
func (a *App) newSuggestions() *fyne.Container {
	g := &suggestionGrid{}
	c := container.New(g)
	g.more = a.newButton(tr("suggest.more"), func() { g.next(c) })
	g.more.Icon = fynetheme.NavigateNextIcon()
	g.more.IconPlacement = widget.ButtonIconTrailingText
	c.Objects = []fyne.CanvasObject{g.more} // no suggestions yet
	g.view = newSteady(c, newTheme(false, 1))
	return c
}

// suggestionView returns what shows the suggestions of c, a row of
// newSuggestions, at the session's contrast and at no more than the
// normal text size.
func (a *App) suggestionView(c *fyne.Container) fyne.CanvasObject {
	g := c.Layout.(*suggestionGrid)
	if th := newTheme(a.contrast, min(textScales[a.scale], 1)); !sameTheme(g.view.over.Theme, th) {
		g.view.apply(th)
		g.themed = len(suggested(c))
	}
	return g.view
}

// suggestion is a suggestion's text, and what a tap on it does.
type suggestion struct {
	text   string
	tapped func()
}

// setSuggestions makes ss the suggestions of c, a row of newSuggestions,
// showing from the first. Their buttons are those of the suggestions
// before, relabelled: the view's theme is applied, which empties Fyne's
// measures of every text (steady), only when a button shown lacks it
// (new, or out of the grid at a change of contrast or text size), and a
// key typed no longer measured the screen's text again.
func (a *App) setSuggestions(c *fyne.Container, ss []suggestion) {
	g := c.Layout.(*suggestionGrid)
	g.first = 0
	for len(g.made) < len(ss) {
		b := a.newButton("", nil)
		b.Alignment = widget.ButtonAlignLeading
		g.made = append(g.made, b)
	}
	objs := make([]fyne.CanvasObject, 0, len(ss)+1)
	for i, s := range ss {
		b := g.made[i]
		b.OnTapped = s.tapped
		b.SetText(s.text)
		objs = append(objs, b)
	}
	c.Objects = append(objs, g.more)
	if len(ss) > g.themed {
		g.view.apply(g.view.over.Theme)
		g.themed = len(ss)
		return
	}
	c.Refresh()
}

// suggested returns the suggestions of c, a row of newSuggestions or the
// code proposed, without the more button.
func suggested(c *fyne.Container) []fyne.CanvasObject {
	if _, ok := c.Layout.(*suggestionGrid); ok {
		return c.Objects[:len(c.Objects)-1]
	}
	return c.Objects
}

// next shows the suggestions after those shown, or the first ones after
// the last.
func (g *suggestionGrid) next(c *fyne.Container) {
	objs := c.Objects[:len(c.Objects)-1]
	_, shown := g.fit(objs, g.width)
	if g.first += shown; g.first >= len(objs) {
		g.first = 0
	}
	c.Refresh()
}

// cell returns the widest and tallest of the objects' minimum sizes,
// those hidden too.
func cell(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// columns returns how many cells of the objects fit a row of width.
func columns(objs []fyne.CanvasObject, width float32) int {
	pad := fynetheme.Padding()
	widest := cell(objs).Width
	n := suggestionColumns
	for n > 1 && width > 0 && float32(n)*widest+float32(n-1)*pad > width {
		n--
	}
	return n
}

// fit returns how many columns the suggestions objs take in width and
// how many of them show at once: all, or, when they are more than the
// rows hold, as many as the rows hold beside the more button.
func (g *suggestionGrid) fit(objs []fyne.CanvasObject, width float32) (cols, shown int) {
	cols = columns(objs, width)
	if len(objs) <= cols*g.maxRows() {
		return cols, len(objs)
	}
	cols = columns(objs, width-g.moreWidth()-fynetheme.Padding())
	return cols, cols * g.maxRows()
}

// moreWidth returns the width of the more button.
func (g *suggestionGrid) moreWidth() float32 { return g.more.MinSize().Width }

// Layout puts the suggestions shown in rows of as many cells as fit
// size's width, and the more button, when some do not show, at the
// rows' right end.
func (g *suggestionGrid) Layout(all []fyne.CanvasObject, size fyne.Size) {
	g.width = size.Width
	objs := all[:len(all)-1]
	cols, shown := g.fit(objs, size.Width)
	pad := fynetheme.Padding()
	h := cell(objs).Height
	right := size.Width
	if shown < len(objs) {
		right -= g.moreWidth() + pad
		rows := min((len(objs)+cols-1)/cols, g.maxRows())
		g.more.Resize(fyne.NewSize(g.moreWidth(), float32(rows)*h+float32(rows-1)*pad))
		g.more.Move(fyne.NewPos(right+pad, 0))
		g.more.Show()
	} else {
		g.first = 0
		g.more.Hide()
	}
	w := (right - float32(cols-1)*pad) / float32(cols)
	for i, o := range objs {
		at := i - g.first
		if at < 0 || at >= shown {
			o.Hide()
			continue
		}
		row, col := at/cols, at%cols
		o.Show()
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(float32(col)*(w+pad), float32(row)*(h+pad)))
	}
}

// MinSize is one cell wide (and the more button's width, when some
// suggestions do not show), and as tall as the rows the last width
// makes.
func (g *suggestionGrid) MinSize(all []fyne.CanvasObject) fyne.Size {
	objs := all[:len(all)-1]
	if len(objs) == 0 {
		return fyne.Size{}
	}
	c := cell(objs)
	cols, shown := g.fit(objs, g.width)
	if shown < len(objs) {
		c.Width += fynetheme.Padding() + g.moreWidth()
	}
	rows := min((len(objs)+cols-1)/cols, g.maxRows())
	return fyne.NewSize(c.Width, float32(rows)*c.Height+float32(rows-1)*fynetheme.Padding())
}
