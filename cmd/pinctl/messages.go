package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"text/template"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/pki"
)

// translations are the Italian texts of the user interface, read once
// from assets/translations/it.json: pinctl says the domain's messages as
// the desk does, without going through Fyne. A text is a Go template over
// the arguments of the message; a plural text counts as its "other" form.
var translations = sync.OnceValues(func() (map[string]string, error) {
	b, err := fs.ReadFile(assets.Translations, "translations/it.json")
	if err != nil {
		return nil, fmt.Errorf("read translations: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("read translations it.json: %w", err)
	}
	texts := make(map[string]string, len(raw))
	for key, v := range raw {
		var text string
		var plural struct{ Other string }
		if json.Unmarshal(v, &text) != nil && json.Unmarshal(v, &plural) == nil {
			text = plural.Other
		}
		texts[key] = text
	}
	return texts, nil
})

// fieldNames name the fields of the domain's forms as the pinctl user
// knows them: by the flag that sets them.
var fieldNames = map[string]string{
	pinsede.FieldSedeCode:     "-sede-code",
	pinsede.FieldSedeName:     "-sede-name",
	pinsede.FieldSedeAddress:  "-sede-address",
	pinsede.FieldOperatorID:   "-id",
	pinsede.FieldOperatorName: "-name",
	pinsede.FieldOperatorRole: "-role",
	pinsede.FieldPassword:     "password",
}

// message returns the Italian text of a message key filled with args, or
// the key itself when there is no text for it.
func message(key string, args map[string]any) string {
	texts, err := translations()
	if err != nil || texts[key] == "" {
		return key
	}
	t, err := template.New(key).Option("missingkey=zero").Parse(texts[key])
	if err != nil {
		return key
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		return key
	}
	return b.String()
}

// explain says in Italian what went wrong and what to do about it.
func explain(err error, e *env) string {
	var fes pinsede.FieldErrors
	var fe pinsede.FieldError
	var f *failure
	switch {
	case errors.As(err, &f):
		return f.msg
	case errors.As(err, &fes):
		return fieldProblems(fes)
	case errors.As(err, &fe):
		return fieldProblems(pinsede.FieldErrors{fe})
	case errors.Is(err, local.ErrAlreadyOpen):
		return "l'archivio è già aperto da un altro programma (sportello?): chiudilo e riprova"
	case errors.Is(err, local.ErrNoStore):
		return fmt.Sprintf("archivio non trovato in %s: controlla -store, oppure crea l'archivio con pinctl init", e.storePath)
	case errors.Is(err, local.ErrNoKey):
		return fmt.Sprintf("file della chiave non trovato in %s: senza la chiave l'archivio non si legge; "+
			"ripristinala dalla copia di sicurezza o indica il percorso giusto con -key", e.keyPath)
	case errors.Is(err, local.ErrKeyNotFile):
		return fmt.Sprintf("al posto della chiave %s c'è una cartella o un file speciale, non la chiave: non è stato letto nulla; "+
			"rimetti lì il file della chiave (dalla copia di sicurezza) o indica il percorso giusto con -key", e.keyPath)
	case errors.Is(err, local.ErrKeyExposed):
		return fmt.Sprintf("la chiave %s è leggibile da altri utenti: chi la copia legge tutto l'archivio; "+
			"rendila leggibile solo al proprietario (chmod 600 %s) e riprova", e.keyPath, e.keyPath)
	case errors.Is(err, local.ErrWrongKey):
		return fmt.Sprintf("la chiave %s non apre l'archivio %s: è di un altro archivio o è danneggiata; "+
			"indica quella giusta con -key (l'archivio non è stato toccato)", e.keyPath, e.storePath)
	case errors.Is(err, local.ErrCorrupt):
		return fmt.Sprintf("l'archivio %s è danneggiato o non è un archivio pinsede: ripristinalo da un backup "+
			"(il file non è stato toccato)\n  dettaglio: %v", e.storePath, err)
	case errors.Is(err, local.ErrSchemaTooNew):
		return fmt.Sprintf("l'archivio %s è stato scritto da una versione più recente di pinsede: aggiorna pinctl", e.storePath)
	case errors.Is(err, pinsede.ErrNotSetUp):
		return "la sede non è ancora configurata: usa pinctl init"
	case errors.Is(err, pinsede.ErrAlreadySetUp):
		return fmt.Sprintf("la sede è già configurata nell'archivio %s: per gli operatori usa pinctl operator add", e.storePath)
	case errors.Is(err, pinsede.ErrLastSupervisor):
		return "non si può disabilitare l'ultimo supervisore attivo: aggiungine prima un altro " +
			"(pinctl operator add -role supervisore)"
	case errors.Is(err, pinsede.ErrNotFound):
		return "non trovato: " + err.Error()
	case errors.Is(err, pki.ErrCAExpired):
		return "il certificato della CA è scaduto e non firma più nulla: rinnovalo con pinctl ca renew-ca -dir CARTELLA " +
			"(la stessa chiave), copialo su centrale, poi rilascia di nuovo i certificati"
	case errors.As(err, new(*smallfile.Error)):
		return fileMessage(err)
	}
	return "errore: " + err.Error()
}

// fileTypes name in Italian what is in a file's place.
var fileTypes = map[fs.FileMode]string{
	fs.ModeDir:                        "una cartella",
	fs.ModeNamedPipe:                  "una pipe (FIFO)",
	fs.ModeSocket:                     "un socket",
	fs.ModeDevice:                     "un dispositivo",
	fs.ModeDevice | fs.ModeCharDevice: "un dispositivo",
}

// fileMessage says in Italian what is wrong with a file named to pinctl,
// for err, a *smallfile.Error; any other error as errors are said.
func fileMessage(err error) string {
	var fe *smallfile.Error
	if !errors.As(err, &fe) {
		return "errore: " + err.Error()
	}
	switch {
	case errors.Is(fe.Kind, smallfile.ErrNotRegular):
		what, ok := fileTypes[fe.Type]
		if !ok {
			what = "un file speciale"
		}
		return fmt.Sprintf("%s non è un file ma %s: non è stato letto nulla; indica il percorso del file", fe.Path, what)
	case errors.Is(fe.Kind, fs.ErrNotExist):
		return fmt.Sprintf("il file %s non esiste: controlla il percorso", fe.Path)
	case errors.Is(fe.Kind, fs.ErrPermission):
		return fmt.Sprintf("il file %s non si può leggere (permesso negato): rendilo leggibile all'utente che esegue pinctl", fe.Path)
	case errors.Is(fe.Kind, smallfile.ErrTooLarge):
		return fmt.Sprintf("il file %s è troppo grande per quello che deve contenere: controlla che sia il file giusto", fe.Path)
	}
	return "errore: " + err.Error()
}

// fieldProblems lists the problems of a form, one a line.
func fieldProblems(es pinsede.FieldErrors) string {
	var b strings.Builder
	b.WriteString("dati non validi:")
	for _, fe := range es {
		name, ok := fieldNames[fe.Field]
		if !ok {
			name = fe.Field
		}
		fmt.Fprintf(&b, "\n  %s: %s", name, message(fe.Key, fe.Args))
	}
	return b.String()
}
