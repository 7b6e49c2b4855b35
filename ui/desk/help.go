package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
)

// keyID names one of the keys the guide lists: help.key.ID is the lang
// key of its name, help.key.ID.do of what it does.
type keyID string

// The keys of the guide.
const (
	keyTab       keyID = "tab"
	keyEnter     keyID = "enter"
	keyCtrlEnter keyID = "ctrlenter"
	keyEsc       keyID = "esc"
	keyCtrlN     keyID = "ctrln"
	keyCtrlF     keyID = "ctrlf"
	keyCtrlT     keyID = "ctrlt"
	keyCtrlL     keyID = "ctrll"
	keyCtrlI     keyID = "ctrli"
	keyF1        keyID = "f1"
)

// helpKey is a key of the guide, and whether a button does the same.
type helpKey struct {
	id     keyID
	button bool
}

// helpKeys are the keys the guide lists, in its order. A key with a button
// does what a button does (the search's Cerca for Ctrl+F, the header's
// Blocca for Ctrl+L, each screen's main button for Ctrl+Enter...): the
// button shows the key in its tip (tip.go), named as here.
var helpKeys = []helpKey{
	{keyTab, false}, {keyEnter, false}, {keyCtrlEnter, true}, {keyEsc, false},
	{keyCtrlN, true}, {keyCtrlF, true}, {keyCtrlT, true}, {keyCtrlL, true}, {keyCtrlI, true},
	{keyF1, true},
}

// showHelp opens the guide, from the header's Guida or with F1, on any
// screen, before the login too: the program's version, the sede (once set
// up), the store, the central records and the log it works with, for
// support, and the desk's keys. It does nothing when the guide is open.
func (a *App) showHelp() {
	if a.help != nil {
		return
	}
	// What the help desk asks for, the clerk may copy.
	about := [][]fyne.CanvasObject{a.copyRow(lang.L("help.version"), orNone(a.cfg.Version, "help.noversion"))}
	if s, err := a.sede(); err == nil {
		about = append(about, row(lang.L("help.sede"), s.Code+" – "+s.Name))
	}
	about = append(about,
		a.copyRow(lang.L("help.store"), orNone(a.cfg.StorePath, "help.nostore")),
		a.copyRow(lang.L("help.centrale"), orNone(a.cfg.CentraleURL, "help.offline")),
		a.copyRow(lang.L("help.log"), orNone(a.cfg.LogPath, "help.nolog")))
	var keys [][]fyne.CanvasObject
	for _, k := range helpKeys {
		keys = append(keys, row(lang.L("help.key."+string(k.id)), lang.L("help.key."+string(k.id)+".do")))
	}
	body := container.NewVBox(
		section(lang.L("help.about"), rows(about...)),
		section(lang.L("help.keys"), rows(keys...)))
	a.help = a.newDialog(lang.L("help.title"), lang.L("help.close"), card(760, body))
	a.help.SetOnClosed(func() { a.help = nil })
	a.showOverLock(a.help)
}

// orNone returns s, or the text of the lang key none when s is empty.
func orNone(s, none string) string {
	if s == "" {
		return lang.L(none)
	}
	return s
}
