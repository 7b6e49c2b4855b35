// Package assets holds the files the programs embed: the translations of
// the user interface ([Translations]), one JSON file per language (it.json
// first, en.json) in the format of Fyne's lang package (go-i18n: a key and
// its text, the text a Go template over the message's arguments), the
// kiosk's ([KioskTranslations]) and those of centrale's status page
// ([CentraleTranslations]), the table of places of birth ([Places]) and
// the typeface of the screens, Titillium Web ([TitilliumRegular]).
package assets

import "embed"

// Translations is the folder "translations" with it.json and en.json. Load
// it with lang.AddTranslationsFS(assets.Translations, "translations"), or
// through ui/i18n.Load.
//
//go:embed translations
var Translations embed.FS
