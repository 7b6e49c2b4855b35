package desk

import (
	"context"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
)

// Joiner pulls the records of the sede for a desk that joins it: the
// sync client (*client.Client of sync/client), which applies them
// through the desk a page at a time and tells progress after each page,
// on its own goroutine. Cut off, it resumes from the last page applied.
type Joiner interface {
	CatchUp(ctx context.Context, progress func(pinsede.CatchUp)) (int, error)
}

// joinSection is the part of the first-run screen of a desk with
// central records that joins the sede its certificate names: it pulls
// the sede's records (the sede's set-up, its operators, citizens and
// PINs) with a progress bar, then shows the login, where a supervisor
// of the sede logs in. A catch-up cut off resumes where it stopped.
type joinSection struct {
	a        *App
	button   *button
	bar      *widget.ProgressBar
	progress *widget.Label
	msg      *message
	object   fyne.CanvasObject
	// last is the progress told last.
	last pinsede.CatchUp
}

func (a *App) newJoinSection() *joinSection {
	j := &joinSection{a: a}
	j.button = a.primaryButton(lang.L("join.start"), fynetheme.DownloadIcon(), j.start)
	j.bar = widget.NewProgressBar()
	j.bar.Hide()
	j.progress = widget.NewLabel("")
	j.progress.Hide()
	j.msg = newMessage()
	// The progress and the message keep their room, shown or not: the
	// button and the set-up's fields below stay where they are when the
	// catch-up starts or stops.
	slot := j.msg.reserve(func() []string {
		return []string{
			// As many changes as a large sede's (the count widens the text).
			lang.L("join.cut", map[string]any{"Applied": 9999999}),
			lang.L("join.nosetup", map[string]any{"Sede": a.certSede}),
		}
	})
	j.object = section(lang.L("join.title"),
		note(lang.L("join.intro", map[string]any{"Sede": a.certSede})),
		container.New(keptRoom{}, j.bar, j.progress), slot.object,
		container.NewHBox(layout.NewSpacer(), j.button))
	return j
}

// start pulls the sede's records, off the UI goroutine, and shows the
// login once the sede is set up here.
func (j *joinSection) start() {
	a := j.a
	if j.button.Disabled() {
		return
	}
	j.button.Disable()
	j.msg.set(msgError, "")
	j.bar.Show()
	j.progress.Show()
	j.show(j.last)
	ctx, cancel := context.WithCancel(context.Background())
	a.background(func() func() {
		defer cancel()
		go func() { // the app closing ends the catch-up
			select {
			case <-a.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		n, err := a.joiner.CatchUp(ctx, func(p pinsede.CatchUp) {
			a.toUI(a.live(func() { j.show(p) }))
		})
		var need bool
		if err == nil {
			need, err = a.desk.NeedsSetup()
		}
		return func() { j.done(n, need, err) }
	})
}

// show shows how far the catch-up has come.
func (j *joinSection) show(p pinsede.CatchUp) {
	j.last = p
	f := p.Fraction()
	if p == (pinsede.CatchUp{}) {
		f = 0 // nothing heard from centrale yet
	}
	j.bar.SetValue(f)
	j.progress.SetText(lang.L("join.progress", map[string]any{"Applied": p.Applied, "Percent": fmt.Sprintf("%.0f", 100*f)}))
}

// done ends a catch-up: the login, once the sede is set up here; else why
// not, with the button to go on.
func (j *joinSection) done(n int, need bool, err error) {
	a := j.a
	j.button.Enable()
	switch {
	case err != nil:
		slog.Warn("joining the sede: catch-up cut off", "sede", a.certSede, "applied", j.last.Applied, "err", err)
		j.button.SetText(lang.L("join.resume"))
		j.msg.set(msgError, lang.L("join.cut", map[string]any{"Applied": j.last.Applied}))
	case need:
		j.msg.set(msgError, lang.L("join.nosetup", map[string]any{"Sede": a.certSede}))
	default:
		slog.Info("joined the sede", "sede", a.certSede, "changes", n)
		a.setup = nil
		a.showLogin()
		a.login.msg.set(msgSuccess, lang.L("join.done", map[string]any{"Sede": a.certSede}))
		a.win.Canvas().Focus(a.login.id)
	}
}
