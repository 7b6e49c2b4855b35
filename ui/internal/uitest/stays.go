package uitest

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
)

// Case is a message a screen may show, and how it comes: set as the
// screen sets it, or by a real submit that fails.
type Case struct {
	Name string
	Show func()
}

// Stays is what [AssertStays] checks on a screen.
type Stays struct {
	// Keep are the fields and buttons that must not move.
	Keep []fyne.CanvasObject
	// Cases are the messages the screen may show.
	Cases []Case
	// Hide takes the message of a case away.
	Hide func()
	// Message is the message shown, which must show whole between the
	// heights Visible returns, in the window (a nil Message: no check).
	Message func() fyne.CanvasObject
	Visible func() (top, bottom float32)
	// Settle lays the window out again, as the real driver does at each
	// frame.
	Settle func()
}

// Settle lays the whole of win out again, as the real driver does on
// each frame (the test canvas does not): a label whose text changed gets
// the room it now needs.
func Settle(win fyne.Window) {
	size := win.Canvas().Size()
	win.Resize(size.AddWidthHeight(1, 1))
	win.Resize(size)
}

// Positions returns where objs are in the window, once settle has laid
// it out again.
func Positions(settle func(), objs ...fyne.CanvasObject) []fyne.Position {
	settle()
	d := fyne.CurrentApp().Driver()
	ps := make([]fyne.Position, len(objs))
	for i, o := range objs {
		ps[i] = d.AbsolutePositionForObject(o)
	}
	return ps
}

// AssertStays checks that s.Keep stay where they are, to the pixel, when
// each of s.Cases shows its message and when it goes, and that the
// message shows whole where it can be seen: a mouse or a finger goes
// where a field was a moment ago. where names the window's size and
// language in the errors.
func AssertStays(t testing.TB, where string, s Stays) {
	t.Helper()
	before := Positions(s.Settle, s.Keep...)
	for _, c := range s.Cases {
		c.Show()
		if got := Positions(s.Settle, s.Keep...); !slices.Equal(got, before) {
			t.Errorf("%s, %s: the fields and buttons moved from %v to %v", where, c.Name, before, got)
		}
		if s.Message != nil {
			m := s.Message()
			y := fyne.CurrentApp().Driver().AbsolutePositionForObject(m).Y
			top, bottom := s.Visible()
			if !m.Visible() || m.Size().Height < m.MinSize().Height || y < top || y+m.Size().Height > bottom {
				t.Errorf("%s, %s: the message is not whole where it can be seen: %v of %v, from %v to %v, out of %v to %v",
					where, c.Name, m.Size(), m.MinSize(), y, y+m.Size().Height, top, bottom)
			}
		}
		s.Hide()
		if got := Positions(s.Settle, s.Keep...); !slices.Equal(got, before) {
			t.Errorf("%s, %s gone: the fields and buttons moved from %v to %v", where, c.Name, before, got)
		}
	}
}
