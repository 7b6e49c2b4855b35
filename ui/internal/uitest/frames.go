package uitest

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Frames lays a window out as the real driver does at each frame, which
// [Settle] does not: Fyne's canvas walks the objects that show, children
// first, and lays a container (or a widget) out again only when the
// minimum size of one of its children changed since the last frame; a
// child just shown counts as changed (as does all it holds), a hidden one
// and all it holds are not looked at. A layout that hides a part of itself, and that no
// change of a child's minimum size reaches, is not laid out again: the
// message shown in it stays hidden on the screen, though a test that
// resizes the window sees it. The zero value is not usable: call
// NewFrames, then Frame once the screen shows, before what the test
// does, and again after.
type Frames struct {
	sizes map[fyne.CanvasObject]fyne.Size
}

// NewFrames returns the frames of one window, none drawn yet.
func NewFrames() *Frames { return &Frames{sizes: map[fyne.CanvasObject]fyne.Size{}} }

// Frame lays win out as the driver's next frame would; the first lays out
// all of it.
func (f *Frames) Frame(win fyne.Window) {
	c := win.Canvas()
	shown := map[fyne.CanvasObject]fyne.Size{}
	f.walk(c.Content(), shown)
	for _, o := range c.Overlays().List() {
		f.walk(o, shown)
	}
	f.sizes = shown // what did not show is new when it shows again
}

// walk lays o out again when one of its children's minimum size changed,
// after walking them, and reports whether o's own changed; it notes the
// minimum size of each object that shows in shown.
func (f *Frames) walk(o fyne.CanvasObject, shown map[fyne.CanvasObject]fyne.Size) bool {
	if o == nil || !o.Visible() {
		return false
	}
	changed := false
	for _, child := range children(o) {
		if f.walk(child, shown) {
			changed = true
		}
	}
	if changed {
		switch x := o.(type) {
		case *fyne.Container:
			if x.Layout != nil {
				x.Layout.Layout(x.Objects, x.Size())
			}
		case fyne.Widget:
			test.WidgetRenderer(x).Layout(x.Size())
		}
	}
	m := o.MinSize()
	old, ok := f.sizes[o]
	shown[o] = m
	return !ok || old != m
}

// children returns what o draws: a container's objects, a widget's
// renderer's.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch x := o.(type) {
	case *fyne.Container:
		return x.Objects
	case fyne.Widget:
		return test.WidgetRenderer(x).Objects()
	}
	return nil
}
