package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/theme"
)

// passKey gives k to the desk's keys (App.deskKey: Esc, F1), then, when
// the desk did not take it, to own: the one way the desk's focusable
// widgets (entry, button, check) pass those keys on. Fyne's widgets take
// every key while they have the keyboard and drop those they do not use,
// and Fyne tells nobody else.
func passKey(desk func(*fyne.KeyEvent) bool, k *fyne.KeyEvent, own func(*fyne.KeyEvent)) {
	if desk == nil || !desk(k) {
		own(k)
	}
}

// check is the desk's check box: widget.Check, whose Esc and F1 reach the
// desk while it has the keyboard (a widget.Check drops them: Esc left a
// dialog open).
type check struct {
	widget.Check
	deskKey func(*fyne.KeyEvent) bool
	// shown scrolls the check box into view when it gains the focus.
	shown func(fyne.CanvasObject)
	// enter, when set, runs on Enter (a Fyne check box drops it): the
	// identity check's checks go on to what is left, as its fields do
	// (verifyScreen.nextTodo).
	enter func()
	// keys tells a press from a key held down (keyRepeats).
	keys *keyRepeats
}

// newCheck returns a check box labelled text that calls changed when it
// is ticked or unticked.
func (a *App) newCheck(text string, changed func(bool)) *check {
	c := &check{deskKey: a.deskKey, shown: a.showFocused, keys: &a.keys}
	c.Text, c.OnChanged = text, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey gives k to the desk, then runs enter on Enter, once a press
// (keyRepeats), or gives k to the check box.
func (c *check) TypedKey(k *fyne.KeyEvent) {
	passKey(c.deskKey, k, func(k *fyne.KeyEvent) {
		if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && c.enter != nil {
			if c.keys.act(k.Name) {
				c.enter()
			}
			return
		}
		c.Check.TypedKey(k)
	})
}

// TypedRune ticks or unticks the box on Space, once a press: Space held
// down ticked and unticked it as it repeated, leaving it as the count of
// repeats fell (keyRepeats).
func (c *check) TypedRune(r rune) {
	if r == ' ' && !c.keys.act(fyne.KeySpace) {
		return
	}
	c.Check.TypedRune(r)
}

// KeyDown tells the desk that a key went down (keyRepeats).
func (c *check) KeyDown(k *fyne.KeyEvent) { c.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats).
func (c *check) KeyUp(k *fyne.KeyEvent) { c.keys.KeyUp(k) }

// FocusGained draws the focus and scrolls the check box into view.
func (c *check) FocusGained() {
	c.Check.FocusGained()
	c.shown(c)
}

// choice is a choice of one option of the desk's dialogs and of the
// MV35 (the sex), drawn as
// widget.RadioGroup draws it: one check box per option, drawn as a radio
// button (theme.RadioIcons), so that Esc and F1 pass on from it (the
// radio buttons of a widget.RadioGroup are Fyne's own, and drop them),
// and a key held on it acts once (check). Space on an option chooses
// it; choosing it again keeps it.
type choice struct {
	// Options are the options' labels, Selected the one chosen ("" for
	// none).
	Options  []string
	Selected string
	boxes    []*check // one per option, in order
	changed  func(string)
	setting  bool              // SetSelected is ticking the boxes
	object   fyne.CanvasObject // what the dialog lays out
}

// newChoice returns a choice of options, side by side when horizontal,
// that calls changed with the option chosen.
func (a *App) newChoice(options []string, horizontal bool, changed func(string)) *choice {
	l := layout.NewVBoxLayout()
	if horizontal {
		l = layout.NewHBoxLayout()
	}
	return a.newChoiceLaid(options, l, changed)
}

// newRadio returns newChoice's choice laid out as widget.RadioGroup lays
// its options out (radioLayout): the choices that were Fyne's radio
// groups (the reconciliation's and the audit's scope, the kind of PIN,
// the delegation's side) look as they did.
func (a *App) newRadio(options []string, horizontal bool, changed func(string)) *choice {
	return a.newChoiceLaid(options, radioLayout{horizontal: horizontal}, changed)
}

// newChoiceLaid returns a choice of options laid out by l that calls
// changed with the option chosen.
func (a *App) newChoiceLaid(options []string, l fyne.Layout, changed func(string)) *choice {
	c := &choice{Options: options, changed: changed}
	objs := make([]fyne.CanvasObject, len(options))
	for i, o := range options {
		b := a.newCheck(o, func(bool) {
			if !c.setting {
				c.SetSelected(o) // ticked or unticked by the clerk: chosen
			}
		})
		c.boxes, objs[i] = append(c.boxes, b), b
	}
	c.object = container.NewThemeOverride(container.New(l, objs...), theme.RadioIcons())
	return c
}

// radioLayout lays options out as widget.RadioGroup's renderer does:
// each as wide and as tall as the largest, side by side when horizontal,
// else one under the other, with no room between them.
type radioLayout struct{ horizontal bool }

// item is the size of each option.
func (radioLayout) item(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (l radioLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s, n := l.item(objs), float32(len(objs))
	if l.horizontal {
		return fyne.NewSize(s.Width*n, s.Height)
	}
	return fyne.NewSize(s.Width, s.Height*n)
}

func (l radioLayout) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	s := l.item(objs)
	var at fyne.Position
	for _, o := range objs {
		o.Resize(s)
		o.Move(at)
		if l.horizontal {
			at.X += s.Width
		} else {
			at.Y += s.Height
		}
	}
}

// SetSelected chooses option, ticking its box only, and tells changed.
func (c *choice) SetSelected(option string) {
	c.setting = true
	for i, b := range c.boxes {
		b.SetChecked(c.Options[i] == option)
	}
	c.setting = false
	if c.Selected == option {
		return
	}
	c.Selected = option
	if c.changed != nil {
		c.changed(option)
	}
}
