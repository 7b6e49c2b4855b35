package desk

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// stayCase is a message a screen may show, and how it comes.
type stayCase = uitest.Case

// stays is what assertStays checks on a screen.
type stays struct {
	msg *message
	// keep are the fields and buttons that must not move, above the
	// message first: above is how many are above it.
	keep  []fyne.CanvasObject
	above int
	cases []stayCase
	// scrolls is set for a page that scrolls: its smallest window is
	// as narrow as it can be, and 800 high (any lower, it scrolls).
	scrolls bool
}

// positions returns where objs are in the window, once laid out as the
// real driver lays a frame out.
func (h *harness) positions(objs ...fyne.CanvasObject) []fyne.Position {
	return uitest.Positions(h.settle, objs...)
}

// smallest is the window's smallest size, with the dialog shown over it,
// if any.
func (h *harness) smallest() fyne.Size {
	m := h.win.Content().MinSize()
	if o := h.win.Canvas().Overlays().Top(); o != nil {
		m = m.Max(o.MinSize())
	}
	return m
}

// assertStays checks with uitest.AssertStays that s.keep stay where they
// are, to the pixel, when each of s.cases shows its message in s.msg and
// when it goes, at 1280×800 and at the window's smallest size, and that
// the message shows whole, inside the window, its panel cut by no scroll
// (assertPanelWhole); then that an unexpected error, longer than any
// foreseen, grows the screen downward: what is above the message stays,
// and its panel is cut by no scroll either.
func (h *harness) assertStays(s stays) {
	t := h.t
	t.Helper()
	// Each message shows its panel whole: no scroll or clip around it
	// cuts its border.
	cases := make([]stayCase, len(s.cases))
	for i, c := range s.cases {
		cases[i] = stayCase{Name: c.Name, Show: func() {
			c.Show()
			h.assertPanelWhole(c.Name, s.msg)
		}}
	}
	check := uitest.Stays{
		Keep:    s.keep,
		Cases:   cases,
		Hide:    func() { s.msg.set(msgError, "") },
		Message: func() fyne.CanvasObject { return s.msg.box },
		Visible: func() (float32, float32) { return 0, h.win.Canvas().Size().Height },
		Settle:  h.settle,
	}
	for _, size := range []string{"1280×800", "smallest"} {
		h.win.Resize(fyne.NewSize(1280, 800))
		s.msg.set(msgError, "")
		if size == "smallest" {
			m := h.smallest()
			if s.scrolls {
				m.Height = 800
			}
			h.win.Resize(m)
		}
		uitest.AssertStays(t, size, check)
	}
	h.win.Resize(fyne.NewSize(1280, 800))
	before := h.positions(s.keep[:s.above]...)
	s.msg.set(msgError, lang.L("err.unexpected", map[string]any{"Err": strings.Repeat("open store /var/lib/pinsede/sportello.db: input/output error; ", 6)}))
	if got := h.positions(s.keep[:s.above]...); !slices.Equal(got, before) {
		t.Errorf("a long unexpected error: the fields above it moved from %v to %v", before, got)
	}
	h.assertPanelWhole("a long unexpected error", s.msg)
	s.msg.set(msgError, "")
}

// shown returns a case that sets the message of key, with args if any,
// as the screen shows it.
func shown(m *message, key string, args ...any) stayCase {
	return stayCase{Name: key, Show: func() { m.set(msgError, lang.L(key, args...)) }}
}

// submitted returns a case that fills a form with fill, taps submit and
// wants want in msg: a real submit that fails, or a message of success.
func (h *harness) submitted(name string, fill func(), submit *button, msg *message, want string) stayCase {
	return stayCase{Name: name, Show: func() {
		fill()
		h.tap(submit)
		if msg.text() != want {
			h.t.Fatalf("%s: %q, want %q", name, msg.text(), want)
		}
	}}
}

// inEachLanguage runs f in each of the desk's languages, and loads the
// desk's own again at the end.
func inEachLanguage(t *testing.T, f func(t *testing.T, language string)) {
	t.Cleanup(func() {
		if err := i18n.Load(""); err != nil {
			t.Fatal(err)
		}
	})
	for _, language := range i18n.Languages {
		t.Run(language, func(t *testing.T) {
			if err := i18n.Load(language); err != nil {
				t.Fatal(err)
			}
			f(t, language)
		})
	}
}

// assertPanelWhole checks that the panel of m, shown for name, has none
// of its rectangle or its border cut by a scroll or other clip it is
// drawn in, as the window lays it out.
func (h *harness) assertPanelWhole(name string, m *message) {
	h.t.Helper()
	h.settle()
	if out := clipped(h.win, m); out != "" {
		h.t.Errorf("%s, %v: %s", name, h.win.Canvas().Size(), out)
	}
}

// clipped returns what of m's panel, its rectangle and the half of its
// stroke that lies outside it, is outside the area of a scroll or other
// clip it is drawn in ("" for none): a painter draws nothing of an object
// outside such an area, and Fyne's software painter, which draws the
// tests' screenshots, draws a stroked rectangle that a clip cuts at its
// left or top moved right and down by the cut.
func clipped(win fyne.Window, m *message) string {
	c := win.Canvas()
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		if found, out := clippedIn(root, m.bg, fyne.Position{}, nil); found {
			return out
		}
	}
	return "the panel is not drawn"
}

// clipArea is the area of a clip, in the window.
type clipArea struct {
	obj  fyne.CanvasObject
	pos  fyne.Position
	size fyne.Size
}

// clippedIn looks for bg in o, at pos in o's parent, inside clips; found
// says whether it is there, out what of bg a clip cuts.
func clippedIn(o, bg fyne.CanvasObject, pos fyne.Position, clips []clipArea) (found bool, out string) {
	if o == nil || !o.Visible() {
		return false, ""
	}
	pos = pos.Add(o.Position())
	if o == bg {
		r := bg.(*canvas.Rectangle)
		half := r.StrokeWidth / 2
		x0, y0 := pos.X-half, pos.Y-half
		x1, y1 := pos.X+o.Size().Width+half, pos.Y+o.Size().Height+half
		for _, c := range clips {
			if x0 < c.pos.X || y0 < c.pos.Y || x1 > c.pos.X+c.size.Width || y1 > c.pos.Y+c.size.Height {
				return true, fmt.Sprintf("the panel from %.2f,%.2f to %.2f,%.2f (stroke %.0f) out of its %T from %.2f,%.2f to %.2f,%.2f",
					x0, y0, x1, y1, r.StrokeWidth, c.obj, c.pos.X, c.pos.Y, c.pos.X+c.size.Width, c.pos.Y+c.size.Height)
			}
		}
		return true, ""
	}
	var children []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		children = w.Objects
	case fyne.Widget:
		r := test.WidgetRenderer(w)
		children = r.Objects()
		_, isClip := r.(interface{ IsClip() })
		if _, scrolls := o.(fyne.Scrollable); scrolls || isClip {
			clips = append(clips, clipArea{obj: o, pos: pos, size: o.Size()})
		}
	}
	for _, child := range children {
		if found, out := clippedIn(child, bg, pos, clips); found {
			return true, out
		}
	}
	return false, ""
}
