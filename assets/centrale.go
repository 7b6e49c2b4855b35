package assets

import "embed"

// CentraleTranslations is the folder "centrale/translations" with the text
// of centrale's status page, one JSON file per language (it.json, the
// default, and en.json) in the format of the apps' translations (go-i18n,
// which Fyne's lang reads: a key and its text, or its plural forms "one"
// and "other"; the text a Go template over the message's arguments).
// sync/server reads them with go-i18n itself, in the language each
// request asks for: Fyne's lang has one language per process.
//
//go:embed centrale/translations
var CentraleTranslations embed.FS
