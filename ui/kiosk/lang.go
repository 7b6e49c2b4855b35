package kiosk

import (
	"encoding/json"
	"fmt"
	"slices"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede/assets"
	"github.com/pinsede/pinsede/ui/i18n"
)

// Language is a language the kiosk speaks.
type Language struct {
	Code  string // ISO 639-1, the name of the translation file
	Name  string // the language's name in itself, as the first screen shows it
	Voice string // the espeak-ng voice
}

// Languages are the kiosk's languages, in the order of the first screen.
// Arabic is not among them: Fyne's bundled font (Noto Sans) has no Arabic
// letters, and Fyne does not shape right-to-left text.
var Languages = []Language{
	{"it", "Italiano", "it"},
	{"en", "English", "en"},
	{"fr", "Français", "fr"},
	{"de", "Deutsch", "de"},
	{"es", "Español", "es"},
	{"pt", "Português", "pt"},
	{"ro", "Română", "ro"},
}

// translationsDir is the folder of the kiosk's files in assets.KioskTranslations.
const translationsDir = "kiosk/translations"

// Translation returns the messages of the language code, key to template,
// read from the embedded file.
func Translation(code string) (map[string]string, error) {
	data, err := assets.KioskTranslations.ReadFile(translationsDir + "/" + code + ".json")
	if err != nil {
		return nil, fmt.Errorf("translation %s: %w", code, err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("translation %s: %w", code, err)
	}
	return m, nil
}

// SetLanguage makes code, one of Languages, the language of every lang.L
// from now on (through ui/i18n, the apps' one language set-up). A kiosk
// serves one citizen at a time, so one language per process at a time is
// what it needs.
func SetLanguage(code string) error {
	if !slices.ContainsFunc(Languages, func(l Language) bool { return l.Code == code }) {
		return fmt.Errorf("language %q: not a kiosk language", code)
	}
	if err := i18n.Use(assets.KioskTranslations, translationsDir, code); err != nil {
		return fmt.Errorf("kiosk %w", err)
	}
	return nil
}

// tr translates key in the current language, with optional template
// arguments.
func tr(key string, args ...map[string]any) string {
	if len(args) > 0 {
		return lang.L(key, args[0])
	}
	return lang.L(key)
}
