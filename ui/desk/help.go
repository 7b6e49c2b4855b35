package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
)

// helpKeys are the keys the guide lists: the lang keys of each key's name
// and of what it does (help.key.NAME and help.key.NAME.do).
var helpKeys = []string{"tab", "enter", "ctrlenter", "esc", "ctrln", "ctrlf", "ctrlt", "ctrll", "f1"}

// showHelp opens the guide, from the header's Guida or with F1, on any
// screen, before the login too: the program's version, the sede (once set
// up), the store, the central records and the log it works with, for
// support, and the desk's keys. It does nothing when the guide is open.
func (a *App) showHelp() {
	if a.help != nil {
		return
	}
	about := [][]fyne.CanvasObject{row(lang.L("help.version"), orNone(a.cfg.Version, "help.noversion"))}
	if s, err := a.sede(); err == nil {
		about = append(about, row(lang.L("help.sede"), s.Code+" – "+s.Name))
	}
	about = append(about,
		row(lang.L("help.store"), orNone(a.cfg.StorePath, "help.nostore")),
		row(lang.L("help.centrale"), orNone(a.cfg.CentraleURL, "help.offline")),
		row(lang.L("help.log"), orNone(a.cfg.LogPath, "help.nolog")))
	var keys [][]fyne.CanvasObject
	for _, k := range helpKeys {
		keys = append(keys, row(lang.L("help.key."+k), lang.L("help.key."+k+".do")))
	}
	body := container.NewVBox(
		section(lang.L("help.about"), rows(about...)),
		section(lang.L("help.keys"), rows(keys...)))
	a.help = dialog.NewCustom(lang.L("help.title"), lang.L("help.close"), card(680, body), a.win)
	a.help.SetOnClosed(func() { a.help = nil })
	a.showDialog(a.help)
}

// orNone returns s, or the text of the lang key none when s is empty.
func orNone(s, none string) string {
	if s == "" {
		return lang.L(none)
	}
	return s
}
