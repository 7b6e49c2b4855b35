package assets

import "embed"

// KioskTranslations is the folder "kiosk/translations" with the kiosk's own
// translations, one JSON file per language (it.json, en.json, fr.json,
// de.json, es.json, pt.json, ro.json) in the format of Fyne's lang package.
// The kiosk (cmd/chiosco) loads them instead of [Translations]: it shows
// none of the desk's screens, and the desk none of the kiosk's.
//
//go:embed kiosk/translations
var KioskTranslations embed.FS
