package kiosk

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede/assets"
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

var langMu sync.Mutex

// SetLanguage makes code the language of every lang.L from now on.
//
// Fyne's lang has one bundle and one localizer per process, and chooses the
// localizer's language from the environment (LC_ALL, LC_MESSAGES, LANG, then
// LANGUAGE) each time translations are added. SetLanguage uses that: it sets
// LANGUAGE to code (and turns a "C" or "POSIX" locale, which makes lang
// ignore LANGUAGE, into "C.UTF-8"), then adds the language's file again,
// which makes lang choose its localizer anew. A kiosk serves one citizen at
// a time, so one language per process at a time is what it needs.
func SetLanguage(code string) error {
	var data []byte
	found := false
	for _, l := range Languages {
		if l.Code == code {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("language %q: not a kiosk language", code)
	}
	data, err := assets.KioskTranslations.ReadFile(translationsDir + "/" + code + ".json")
	if err != nil {
		return fmt.Errorf("language %s: %w", code, err)
	}
	langMu.Lock()
	defer langMu.Unlock()
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" {
			if err := os.Setenv(name, "C.UTF-8"); err != nil {
				return err
			}
		}
		break
	}
	if err := os.Setenv("LANGUAGE", code); err != nil {
		return err
	}
	if err := lang.AddTranslationsForLocale(data, fyne.Locale(code)); err != nil {
		return fmt.Errorf("language %s: %w", code, err)
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
