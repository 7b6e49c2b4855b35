package central

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"text/template"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
)

// CFReason says in English what is wrong with a codice fiscale that
// pinsede.ParseCodiceFiscale refused, for centrale's answers and
// subcommands: the desk's English message for its pinsede.FieldError
// (assets/translations/en.json), with the error's arguments, such as "A
// codice fiscale has 16 characters (11 digits if temporary): 15 were
// typed." Any other error, or a key with no message, says err's text.
func CFReason(err error) string {
	var fe pinsede.FieldError
	if !errors.As(err, &fe) {
		return err.Error()
	}
	msg, ok := englishMessages()[fe.Key]
	if !ok {
		return err.Error()
	}
	t, perr := template.New(fe.Key).Option("missingkey=error").Parse(msg)
	var b strings.Builder
	if perr != nil || t.Execute(&b, fe.Args) != nil {
		return err.Error()
	}
	return b.String()
}

// englishMessages are the desk's English messages of one form (those
// with plural forms left out) by key, read once; none when the file does
// not read (TestCFReason checks that it does).
var englishMessages = sync.OnceValue(func() map[string]string {
	var all map[string]json.RawMessage
	b, err := assets.Translations.ReadFile("translations/en.json")
	if err != nil || json.Unmarshal(b, &all) != nil {
		return nil
	}
	m := make(map[string]string, len(all))
	for k, raw := range all {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			m[k] = s
		}
	}
	return m
})
