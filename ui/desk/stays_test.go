package desk

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

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
// the message shows whole, inside the window; then that an unexpected
// error, longer than any foreseen, grows the screen downward: what is
// above the message stays.
func (h *harness) assertStays(s stays) {
	t := h.t
	t.Helper()
	check := uitest.Stays{
		Keep:    s.keep,
		Cases:   s.cases,
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
