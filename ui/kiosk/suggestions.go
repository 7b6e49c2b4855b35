package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
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
// most, fewer in a low window, and hides the suggestions beyond them: a
// citizen who does not find theirs types another letter.
type suggestionGrid struct {
	width float32 // the width of the last layout; 0 before the first
	// rows is the most rows shown, fewer than suggestionRows in a window
	// too low for them (wizard.fitSuggestions); 0: suggestionRows.
	rows int
}

// maxRows returns the most rows the grid shows.
func (g *suggestionGrid) maxRows() int {
	if g.rows > 0 {
		return g.rows
	}
	return suggestionRows
}

var _ fyne.Layout = (*suggestionGrid)(nil)

// newSuggestions returns an empty row of suggestions.
func newSuggestions() *fyne.Container {
	return container.New(&suggestionGrid{})
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
func (g *suggestionGrid) columns(objs []fyne.CanvasObject, width float32) int {
	pad := fynetheme.Padding()
	widest := cell(objs).Width
	n := suggestionColumns
	for n > 1 && width > 0 && float32(n)*widest+float32(n-1)*pad > width {
		n--
	}
	return n
}

// Layout puts the objects in rows of as many cells as fit size's width.
func (g *suggestionGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	g.width = size.Width
	cols := g.columns(objs, size.Width)
	pad := fynetheme.Padding()
	w := (size.Width - float32(cols-1)*pad) / float32(cols)
	h := cell(objs).Height
	for i, o := range objs {
		row, col := i/cols, i%cols
		if row >= g.maxRows() {
			o.Hide()
			continue
		}
		o.Show()
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(float32(col)*(w+pad), float32(row)*(h+pad)))
	}
}

// MinSize is one cell wide, and as tall as the rows the last width
// makes.
func (g *suggestionGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) == 0 {
		return fyne.Size{}
	}
	c := cell(objs)
	cols := g.columns(objs, g.width)
	rows := min((len(objs)+cols-1)/cols, g.maxRows())
	return fyne.NewSize(c.Width, float32(rows)*c.Height+float32(rows-1)*fynetheme.Padding())
}
