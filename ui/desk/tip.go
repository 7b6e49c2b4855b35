package desk

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/theme"
)

// TipDelay is how long the mouse rests on a button before the tip with its
// shortcut shows.
const TipDelay = 600 * time.Millisecond

// tips shows, under the button the mouse rests on, the button's name and
// the key that does the same: "Nuova richiesta — Ctrl+N". Fyne has no
// tooltips. The key's name comes from the guide's table (helpKeys), so the
// tip and the guide cannot disagree.
//
// A tip is drawn in a layer of the window's content, above the screen and
// below the dialogs: not an overlay, which would take the keyboard from the
// focused widget. It takes no taps, hover or focus: the mouse and the keys
// reach the widgets under it. It goes when the mouse leaves the button, on
// a tap or a key (anything that calls App.touch), when the screen changes,
// a dialog opens or the session locks. A disabled or hidden button shows
// none. One key does not hide it: Tab, which the driver takes to move the
// focus without telling the desk; the tip stays until the mouse leaves.
//
// A keyboard-only clerk gets no tip when Tab reaches a button: a
// widget.Button tells nobody that it gained the focus, and a pop-up at
// each Tab would cover the field below. The guide (F1, from any field)
// lists the keys instead.
type tips struct {
	// frame is the window's content; the layer joins it while a tip
	// shows.
	frame *fyne.Container
	layer *fyne.Container
	box   fyne.CanvasObject
	text  *widget.Label
	// after runs f on the UI goroutine once d has passed, unless the
	// function it returns is called first: time.AfterFunc and fyne.Do.
	// The tests set their own, and fire it.
	after func(d time.Duration, f func()) (stop func())
	delay time.Duration
	// stop cancels the timer running, if any; gen counts the hovers and
	// hides, so that a timer that fired as the mouse left does nothing.
	stop  func()
	gen   int
	shown *tipArea // whose tip shows
}

// newTips returns the tips of a window whose content, frame, is set
// before the first tip shows.
func newTips() *tips {
	t := &tips{delay: TipDelay, after: afterOnUI}
	t.text = widget.NewLabel("")
	t.text.SizeName = fynetheme.SizeNameCaptionText
	bg := canvas.NewRectangle(theme.Dark)
	bg.CornerRadius = 4
	t.box = container.NewThemeOverride(container.NewStack(bg, t.text), theme.Header())
	t.layer = container.NewWithoutLayout(t.box)
	return t
}

// afterOnUI runs f on the UI goroutine after d, unless stopped first.
func afterOnUI(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, func() { fyne.Do(f) })
	return func() { t.Stop() }
}

// hover starts the wait for area's tip; the mouse has just come onto it.
func (t *tips) hover(area *tipArea) {
	t.hide()
	if !area.shows() {
		return
	}
	gen := t.gen
	t.stop = t.after(t.delay, func() {
		if gen == t.gen && area.shows() {
			t.show(area)
		}
	})
}

// leave hides area's tip, or stops its wait: the mouse has left it.
func (t *tips) leave(*tipArea) { t.hide() }

// hide hides the tip that shows and stops any wait for one.
func (t *tips) hide() {
	t.gen++
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
	if t.shown == nil {
		return
	}
	t.shown = nil
	t.frame.Remove(t.layer)
	t.frame.Refresh() // Remove and Add tell the window nothing
}

// show shows area's tip under its button, or above it when there is no
// room below, within the window.
func (t *tips) show(area *tipArea) {
	t.stop = nil
	t.text.SetText(area.tip())
	size := t.box.MinSize()
	t.box.Resize(size)
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(area)
	at := pos.AddXY(0, area.Size().Height+2)
	win := t.frame.Size()
	if at.Y+size.Height > win.Height {
		at.Y = pos.Y - size.Height - 2
	}
	at.X = max(0, min(at.X, win.Width-size.Width))
	t.box.Move(at)
	t.shown = area
	if !slices.Contains(t.frame.Objects, fyne.CanvasObject(t.layer)) {
		t.frame.Add(t.layer)
	}
	t.frame.Refresh()
}

// tipped returns b with the tip of key, which does what b does: the
// object to lay out in b's place. b itself stays what the screen keeps,
// focuses and disables.
func (a *App) tipped(b *button, key keyID) fyne.CanvasObject {
	area := &tipArea{button: b, key: key, tips: a.tips}
	area.sensor = &tipSensor{area: area}
	area.sensor.ExtendBaseWidget(area.sensor)
	area.ExtendBaseWidget(area)
	return area
}

// tipArea is a button with its tip: the button, and over it a sensor that
// sees the mouse come and go and passes it on to the button (its hover
// colour). Taps and focus go to the button: the driver looks for them
// past the sensor, which takes neither.
type tipArea struct {
	widget.BaseWidget
	button *button
	key    keyID
	sensor *tipSensor
	tips   *tips
}

// Visible is the button's: a hidden button takes no room, and shows no tip.
func (t *tipArea) Visible() bool { return t.button.Visible() }

// shows reports whether the button can show its tip: it shows, and can be
// pressed.
func (t *tipArea) shows() bool { return t.button.Visible() && !t.button.Disabled() }

// tip is the text of the tip: the button's name and the key.
func (t *tipArea) tip() string {
	return lang.L("tip.key", map[string]any{"Action": t.button.Text, "Key": lang.L("help.key." + string(t.key))})
}

// CreateRenderer lays the sensor over the button.
func (t *tipArea) CreateRenderer() fyne.WidgetRenderer { return &tipAreaRenderer{t} }

type tipAreaRenderer struct{ t *tipArea }

func (r *tipAreaRenderer) Layout(s fyne.Size) {
	r.t.button.Resize(s)
	r.t.sensor.Resize(s)
}

func (r *tipAreaRenderer) MinSize() fyne.Size { return r.t.button.MinSize() }

func (r *tipAreaRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.button, r.t.sensor}
}

func (r *tipAreaRenderer) Refresh() { r.t.button.Refresh() }

func (r *tipAreaRenderer) Destroy() {}

// tipSensor is the mouse's side of a tipArea. It is hoverable only: it
// takes no taps and no focus.
type tipSensor struct {
	widget.BaseWidget
	area *tipArea
}

var _ desktop.Hoverable = (*tipSensor)(nil)

// CreateRenderer draws nothing.
func (s *tipSensor) CreateRenderer() fyne.WidgetRenderer { return noRenderer{} }

// noRenderer is the renderer of a widget that draws nothing.
type noRenderer struct{}

func (noRenderer) Layout(fyne.Size)             {}
func (noRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (noRenderer) Objects() []fyne.CanvasObject { return nil }
func (noRenderer) Refresh()                     {}
func (noRenderer) Destroy()                     {}

// MouseIn passes the hover on to the button and starts the wait for the
// tip.
func (s *tipSensor) MouseIn(e *desktop.MouseEvent) {
	s.area.button.MouseIn(e)
	s.area.tips.hover(s.area)
}

// MouseMoved passes the move on to the button.
func (s *tipSensor) MouseMoved(e *desktop.MouseEvent) { s.area.button.MouseMoved(e) }

// MouseOut passes the leave on to the button and hides the tip.
func (s *tipSensor) MouseOut() {
	s.area.button.MouseOut()
	s.area.tips.leave(s.area)
}
