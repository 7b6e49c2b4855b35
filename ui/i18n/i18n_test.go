package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
	"github.com/pinsede/pinsede/internal/gosource"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/ui/cups"
)

// domainKeys are the message keys of the domain, with example arguments for
// those that take some. A key added to the domain must be added here, and
// then to both translations.
var domainKeys = map[string]map[string]any{
	// telephone.go
	pinsede.KeyTelephoneValidity: nil,
	// link.go
	pinsede.KeyClockAhead:  {"Ahead": time.Hour + 2*time.Minute},
	pinsede.KeyClockBehind: {"Behind": time.Hour + 2*time.Minute},
	// delegation.go
	pinsede.KeyDelegationFromPast:   nil,
	pinsede.KeyDelegationUntilOrder: nil,
	pinsede.KeyDelegationSelf:       nil,
	pinsede.KeyDelegationTaken:      {"Name": "Verdi Luca"},
	pinsede.KeyDelegationTooMany:    {"Name": "Verdi Luca", "Max": 3},
	pinsede.KeyDelegationNotActive:  nil,

	// auditsearch.go
	pinsede.KeyAuditOrder: nil,
	pinsede.KeyAuditDays:  {"Max": 366},
	// fields.go
	pinsede.KeyRequired:         nil,
	pinsede.KeyInvalid:          nil,
	pinsede.KeyTooLong:          {"Max": 120},
	pinsede.KeyTextInvisible:    {"Pos": 6, "Char": "U+202E"},
	pinsede.KeyTextTotal:        {"Max": 4096},
	pinsede.KeyCodeFormat:       nil,
	pinsede.KeyPasswordShort:    {"Min": 10},
	pinsede.KeyDateFormat:       nil,
	pinsede.KeyDateImpossible:   nil,
	pinsede.KeyDateFuture:       nil,
	pinsede.KeyDateTooOld:       nil,
	pinsede.KeySex:              nil,
	pinsede.KeyNameLatin:        nil,
	pinsede.KeyCAP:              nil,
	pinsede.KeyProvincia:        nil,
	pinsede.KeyCountry:          nil,
	pinsede.KeyPhone:            nil,
	pinsede.KeyPhoneNeeded:      nil,
	pinsede.KeyEmail:            nil,
	pinsede.KeyEmailNeeded:      nil,
	pinsede.KeyDocNumber:        {"Example": "CA00000AA"},
	pinsede.KeyDocExpired:       {"Date": "28/02/2025"},
	pinsede.KeyDocExpiryOrder:   nil,
	pinsede.KeyDocForeignItaly:  nil,
	pinsede.KeyDocItalianAbroad: nil,
	pinsede.KeyCheckNotDone:     nil,
	pinsede.KeyScanTooLarge:     {"MaxMB": 10},
	pinsede.KeyScanType:         nil,
	pinsede.KeySearchTooShort:   nil,
	pinsede.KeyPrintFailed:      nil,
	pinsede.KeyPrintNotRecorded: nil,
	pinsede.KeyStoreUnavailable: nil,
	pinsede.KeyQueueName:        nil,
	pinsede.KeyCentraleURL:      nil,
	pinsede.KeyCentraleHTTPS:    nil,
	pinsede.KeyBundleUnreadable: {"Err": "open /media/usb/x.pem: no such file or directory"},
	pinsede.KeyBundleFormat:     nil,
	pinsede.KeyBundleKey:        nil,
	pinsede.KeyBundleChain:      nil,
	pinsede.KeyCertNotSede:      {"Role": "chiosco"},
	pinsede.KeyCertOtherSede:    {"Sede": "ROMA01", "CertSede": "MILANO01"},
	pinsede.KeyCertExpired:      {"NotAfter": "10/03/2026"},
	pinsede.KeyCertNotYetValid:  {"NotBefore": "10/03/2026 09:30"},

	// fields.go, the revocation (revoke.go)
	pinsede.KeyRevokeReasonShort: {"Min": 10},
	pinsede.KeyOtherSede:         {"Sede": "WEB"},
	// The dated eligibility policy and its override.
	pinsede.KeyRefusedResidentItaly:   {"Alternatives": "SPID, CIE, CNS"},
	pinsede.KeyRefusedItalianDocument: {"Alternatives": "SPID, CIE, CNS"},
	pinsede.KeyRefusedClosed:          {"Alternatives": "SPID, CIE, CNS"},
	pinsede.KeyOverrideReasonShort:    {"Min": 10},

	// codicefiscale.go
	pinsede.KeyCFRequired:        nil,
	pinsede.KeyCFLength:          {"Len": 15},
	pinsede.KeyCFSeparator:       {"Pos": 4},
	pinsede.KeyCFInvisible:       {"Pos": 17, "Char": "U+200B"},
	pinsede.KeyCFChar:            {"Pos": 3},
	pinsede.KeyCFLetter:          {"Pos": 1},
	pinsede.KeyCFDigit:           {"Pos": 7},
	pinsede.KeyCFMonth:           {"Letter": "Z"},
	pinsede.KeyCFDay:             {"Day": "35"},
	pinsede.KeyCFDate:            {"Date": "30/02/80"},
	pinsede.KeyCFCheck:           {"Want": "U"},
	pinsede.KeyCFTempCheck:       nil,
	pinsede.KeyCFPlace:           {"Code": "Z999"},
	pinsede.KeyCFLowerCase:       nil,
	pinsede.KeyCFMismatchSurname: {"Code": "RSS", "Typed": "BNC"},
	pinsede.KeyCFMismatchName:    {"Code": "MRA", "Typed": "LCU"},
	pinsede.KeyCFMismatchSex:     {"Code": "M"},
	pinsede.KeyCFMismatchBirth:   {"Code": "01/01/80"},
	pinsede.KeyCFMismatchPlace:   {"Code": "H501", "Name": "Roma"},
	// places.go
	pinsede.KeyPlaceCode:     nil,
	pinsede.KeyPlaceUnknown:  {"Code": "Q999"},
	pinsede.KeyPlaceValidity: nil,
	// docnumber.go
	pinsede.KeyDocPaperCeased: {"Date": "03/08/2026"},
	// mrz.go
	pinsede.KeyMRZRequired:       nil,
	pinsede.KeyMRZLength:         {"Len": 89},
	pinsede.KeyMRZChar:           {"Line": 2, "Pos": 13, "Char": "#"},
	pinsede.KeyMRZDocCode:        {"Code": "V"},
	pinsede.KeyMRZNumber:         {"Line": 1, "Pos": 16},
	pinsede.KeyMRZBirth:          {"Line": 2, "Pos": 1},
	pinsede.KeyMRZExpiry:         {"Line": 2, "Pos": 9},
	pinsede.KeyMRZExpiryRange:    {"Line": 2, "Pos": 22, "From": "23/11/1976", "To": "23/11/2056"},
	pinsede.KeyMRZSex:            {"Line": 2, "Pos": 8, "Char": "Q"},
	pinsede.KeyMRZNames:          {"Line": 3},
	pinsede.KeyMRZCheckNumber:    {"Line": 1, "Pos": 15, "Want": 7},
	pinsede.KeyMRZCheckBirth:     {"Line": 2, "Pos": 7, "Want": 3},
	pinsede.KeyMRZCheckExpiry:    {"Line": 2, "Pos": 15, "Want": 5},
	pinsede.KeyMRZCheckOptional:  {"Line": 2, "Pos": 43, "Want": 0},
	pinsede.KeyMRZCheckComposite: {"Line": 2, "Pos": 44, "Want": 8},
	pinsede.KeyMRZMismatch:       {"Typed": "YA1234567", "MRZ": "YA1234561"},
	pinsede.KeyMRZSingleName:     {"Name": "KUMAR"},
	// desk.go: AddOperator's problem
	"err.operator.exists": nil,
	// sync/client/lookup.go: a lookup at centrale that failed
	client.KeyLookupUnreachable:         nil,
	client.KeyLookupTimeout:             {"Seconds": 5},
	client.KeyLookupCertificate:         nil,
	client.KeyLookupCentraleCertificate: nil,
	client.KeyLookupServer:              {"Title": "Internal error"},
	client.KeyLookupBusy:                nil,
}

// printerKeys are the message keys of the printer's failures (ui/cups),
// with example arguments.
var printerKeys = map[string]map[string]any{
	cups.KeyNoCUPS:         nil,
	cups.KeyPrinterMissing: {"Printer": "sportello1"},
	cups.KeyPrinterStopped: {"Printer": "sportello1"},
	cups.KeyPrinterOffline: {"Printer": "sportello1"},
	cups.KeyOutOfPaper:     {"Printer": "sportello1"},
	cups.KeyJobFailed:      {"Printer": "sportello1"},
	cups.KeyJobTimeout:     {"Printer": "sportello1", "Seconds": 60},
}

// readTranslations returns the keys of assets/translations/<name>.json.
func readTranslations(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return m
}

// Ensure that both translations have the same keys, and every message key
// of the domain.
func TestTranslationsComplete(t *testing.T) {
	it, en := readTranslations(t, "it"), readTranslations(t, "en")
	for _, k := range slices.Sorted(maps.Keys(it)) {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(en)) {
		if _, ok := it[k]; !ok {
			t.Errorf("it.json lacks %q", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(printerKeys)) {
		for name, m := range map[string]map[string]any{"it": it, "en": en} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s.json lacks the printer's key %q", name, k)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(domainKeys)) {
		for name, m := range map[string]map[string]any{"it": it, "en": en} {
			if v, ok := m[k]; !ok {
				t.Errorf("%s.json lacks the domain's key %q", name, k)
			} else if s, _ := v.(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s.json: %q is empty", name, k)
			}
		}
	}
}

// Ensure that every domain message renders with its arguments in both
// languages: no template left unfilled, no key shown instead of a text.
func TestDomainMessagesRender(t *testing.T) {
	for _, l := range Languages {
		if err := Load(l); err != nil {
			t.Fatal(err)
		}
		for key, args := range joined(domainKeys, printerKeys) {
			got := Field(pinsede.FieldError{Key: key, Args: args})
			if got == key || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
				t.Errorf("%s: %q renders as %q", l, key, got)
			}
			for _, v := range args {
				if d, ok := v.(time.Duration); ok {
					v = Duration(d)
				}
				if !strings.Contains(got, fmt.Sprint(v)) {
					t.Errorf("%s: %q does not show its argument %v: %q", l, key, v, got)
				}
			}
		}
	}
	if err := Load(""); err != nil {
		t.Fatal(err)
	}
	if got, want := Field(pinsede.FieldError{Key: pinsede.KeyCFCheck, Args: map[string]any{"Want": "U"}}),
		"Il carattere di controllo non torna (per questo codice sarebbe U): l'errore può essere in qualunque posizione, ricontrolla tutto il codice."; got != want {
		t.Errorf("check character: %q, want %q", got, want)
	}
}

// Ensure that the desk speaks Italian by default, whatever the machine's
// locale: lang would otherwise follow LC_ALL/LC_MESSAGES/LANG/LANGUAGE and
// fall back to English. The test sets an English locale to prove it.
func TestItalianByDefault(t *testing.T) {
	for _, env := range []map[string]string{
		{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8", "LANGUAGE": "en_US:en"},
		{"LC_ALL": "C", "LC_MESSAGES": "", "LANG": "", "LANGUAGE": ""},
		{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "de_DE.UTF-8", "LANGUAGE": ""},
		{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "", "LANGUAGE": ""},
	} {
		for k, v := range env {
			t.Setenv(k, v)
		}
		if err := Load(""); err != nil {
			t.Fatal(err)
		}
		if got, want := lang.L("login.title"), "Accesso operatore"; got != want {
			t.Errorf("env %v: login title %q, want %q", env, got, want)
		}
		if got, want := lang.L("Cancel"), "Annulla"; got != want {
			t.Errorf("env %v: Fyne's Cancel %q, want %q", env, got, want)
		}
	}
	if err := Load("en"); err != nil {
		t.Fatal(err)
	}
	if got, want := lang.L("login.title"), "Operator login"; got != want {
		t.Errorf("-lang en: %q, want %q", got, want)
	}
	if err := Load("fr"); err == nil {
		t.Error("Load(fr): no error for a language without translations")
	}
	if err := Load(""); err != nil {
		t.Fatal(err)
	}
}

// Ensure that Use, the set-up of both apps, switches the language of the
// process at run time, back and forth between sets, whatever the locale,
// and names a language it has no file for.
func TestUse(t *testing.T) {
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANGUAGE", "")
	t.Cleanup(func() { Load("") })
	for _, tc := range []struct {
		fsys      embed.FS
		dir, lang string
		key, want string
	}{
		{assets.KioskTranslations, "kiosk/translations", "de", "nav.cancel", "Abbrechen"},
		{assets.Translations, "translations", "it", "login.title", "Accesso operatore"},
		{assets.KioskTranslations, "kiosk/translations", "ro", "nav.cancel", "Anulare"},
		{assets.Translations, "translations", "en", "login.title", "Operator login"},
	} {
		if err := Use(tc.fsys, tc.dir, tc.lang); err != nil {
			t.Fatal(err)
		}
		if got := lang.L(tc.key); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.dir, tc.lang, got, tc.want)
		}
	}
	if err := Use(assets.KioskTranslations, "kiosk/translations", "xx"); err == nil || !strings.Contains(err.Error(), "language xx") {
		t.Errorf("Use(xx) = %v, want an error naming xx", err)
	}
}

func joined(ms ...map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// commitRefused is a revocation's write the store could not commit, its
// disk's error errno.
func commitRefused(errno syscall.Errno) error {
	return fmt.Errorf("revoke: commit to store /s.db: %w: %w", pinsede.ErrStoreWrite, &fs.PathError{Op: "write", Path: "/s.db", Err: errno})
}

// unreadable is a read of the store after a write the disk refused left
// it unreadable, the write's error errno.
func unreadable(errno syscall.Errno) error {
	return fmt.Errorf("search: read store /s.db: %w: database isn't correctly mapped since %w", pinsede.ErrStoreRead, commitRefused(errno))
}

// Ensure that the domain's errors read as sentences.
func TestMessage(t *testing.T) {
	if err := Load(""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{pinsede.ErrBadCredentials, "Credenziali non valide o utenza bloccata. Riprova più tardi o rivolgiti al responsabile di sede."},
		{fmt.Errorf("login: %w", pinsede.ErrBadCredentials), "Credenziali non valide o utenza bloccata. Riprova più tardi o rivolgiti al responsabile di sede."},
		{pinsede.FieldErrors{{Field: pinsede.FieldCAP, Key: pinsede.KeyCAP}}, "Il CAP italiano ha 5 cifre."},
		{&pinsede.Problem{Key: pinsede.KeyPrintFailed, Err: pinsede.ErrPrint}, "La busta non è stata stampata."},
		{errors.New("disk full"), "Errore imprevisto: disk full"},
		// A write the store could not commit (pinsede.ErrStoreWrite),
		// by the disk's cause: full, over quota, file too large,
		// read-only, not writable, failing; another.
		{commitRefused(syscall.ENOSPC), lang.L("err.store.full")},
		{commitRefused(syscall.EDQUOT), lang.L("err.store.full")},
		{commitRefused(syscall.EFBIG), lang.L("err.store.toolarge")},
		{commitRefused(syscall.EROFS), lang.L("err.store.readonly")},
		{commitRefused(syscall.EPERM), lang.L("err.store.denied")},
		{commitRefused(syscall.EACCES), lang.L("err.store.denied")},
		{commitRefused(syscall.EIO), lang.L("err.store.failing")},
		{commitRefused(syscall.EINVAL), "L'archivio dello sportello non si è potuto scrivere (revoke: commit to store /s.db: store not written: write /s.db: invalid argument): l'operazione non è stata registrata e nulla è cambiato. Chiama l'assistenza tecnica, poi riprova: i dati inseriti restano."},
		// A read of the store a refused write made impossible
		// (pinsede.ErrStoreRead), by the write's cause: failing, or
		// another, with its text; never as the write it wraps.
		{unreadable(syscall.EIO), lang.L("err.store.read.failing")},
		{unreadable(syscall.ENOMEM), "L'archivio dello sportello non si può leggere dopo una scrittura non riuscita (search: read store /s.db: store unreadable since a write refused: database isn't correctly mapped since revoke: commit to store /s.db: store not written: write /s.db: cannot allocate memory), finché lo sportello non viene riavviato. Chiama l'assistenza tecnica: i dati inseriti restano."},
		// Another file's disk refused it: the message names no store,
		// and a permission denied is not the disk's (see fileDisk).
		{&fs.PathError{Op: "write", Path: "/conn.json", Err: syscall.ENOSPC}, lang.L("err.disk.full")},
		{&fs.PathError{Op: "truncate", Path: "/conn.json", Err: syscall.EFBIG}, lang.L("err.disk.toolarge")},
		{&fs.PathError{Op: "write", Path: "/conn.json", Err: syscall.EROFS}, lang.L("err.disk.readonly")},
		{&fs.PathError{Op: "open", Path: "/scan.png", Err: syscall.EACCES}, "Errore imprevisto: open /scan.png: permission denied"},
		{&fs.PathError{Op: "read", Path: "/scan.png", Err: syscall.EIO}, "Errore imprevisto: read /scan.png: input/output error"},
	} {
		if got := Message(c.err); got != c.want {
			t.Errorf("Message(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	for _, keys := range []DiskKeys{storeWrite, storeRead, fileDisk} {
		for _, key := range []string{keys.Full, keys.TooLarge, keys.ReadOnly, keys.Denied, keys.Failing} {
			if key != "" && lang.L(key) == key {
				t.Errorf("%q has no Italian text", key)
			}
		}
	}
	for _, key := range []string{storeWrite.Full, storeWrite.TooLarge, storeWrite.ReadOnly, storeWrite.Denied, storeWrite.Failing} {
		if !strings.Contains(lang.L(key), "archivio") {
			t.Errorf("%q does not name the desk's store: %q", key, lang.L(key))
		}
	}
	for _, key := range []string{fileDisk.Full, fileDisk.TooLarge, fileDisk.ReadOnly} {
		if strings.Contains(lang.L(key), "archivio") {
			t.Errorf("%q, told of any file, names the desk's store: %q", key, lang.L(key))
		}
	}
	// A failed print: the desk's problem wraps the printer's.
	printErr := &pinsede.Problem{Key: pinsede.KeyPrintFailed, Err: errors.Join(pinsede.ErrPrint,
		&pinsede.Problem{Key: cups.KeyOutOfPaper, Args: map[string]any{"Printer": "sportello1"}, Err: cups.ErrOutOfPaper})}
	if got, want := Cause(printErr), "La stampante «sportello1» è senza carta."; got != want {
		t.Errorf("Cause = %q, want %q", got, want)
	}
	if got := Cause(pinsede.ErrPrint); got != "" {
		t.Errorf("Cause of a bare error = %q, want none", got)
	}
}

// Ensure that every message key the domain declares (a constant named
// Key... in the module root) is listed in domainKeys, so that a key added
// to the domain fails here until it is translated.
func TestDomainKeysListed(t *testing.T) {
	fset, files := gosource.Files(t, "../..")
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Key") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					key, _ := strconv.Unquote(lit.Value)
					if _, ok := domainKeys[key]; !ok {
						t.Errorf("%s: pinsede.%s (%q) is not in domainKeys: add it there and to both translations",
							filepath.Base(fset.Position(f.Pos()).Filename), id.Name, key)
					}
				}
			}
		}
	}
}

// Ensure that a duration reads in words in both languages, and that a
// Problem's duration argument is written so: the clock of a desk ahead.
func TestDuration(t *testing.T) {
	t.Cleanup(func() { Load("") })
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"it", time.Hour + 2*time.Minute, "1 ora e 2 minuti"},
		{"it", 2*time.Hour + time.Minute + 20*time.Second, "2 ore e 1 minuto"},
		{"it", -45 * time.Minute, "45 minuti"},
		{"it", 26 * time.Hour, "26 ore"},
		{"it", 47*time.Hour + 59*time.Minute, "47 ore e 59 minuti"},
		{"it", 48 * time.Hour, "2 giorni"},
		{"it", -(49*time.Hour + 31*time.Minute), "2 giorni e 2 ore"},
		{"it", 9568*24*time.Hour + 7*time.Hour, "9568 giorni e 7 ore"},
		{"en", 73 * time.Hour, "3 days and 1 hour"},
		{"it", 20 * time.Second, "meno di un minuto"},
		{"en", time.Hour + 2*time.Minute, "1 hour and 2 minutes"},
		{"en", time.Minute, "1 minute"},
		{"en", 3 * time.Hour, "3 hours"},
	} {
		if err := Load(tc.lang); err != nil {
			t.Fatal(err)
		}
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("%s: Duration(%v) = %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
	if err := Load(""); err != nil {
		t.Fatal(err)
	}
	err := fmt.Errorf("issue: %w", &pinsede.Problem{Key: pinsede.KeyClockAhead, Args: map[string]any{"Ahead": time.Hour + 2*time.Minute}, Err: pinsede.ErrClockAhead})
	if got, want := Message(err), "L'orologio di questo PC è avanti di 1 ora e 2 minuti rispetto all'archivio centrale"; !strings.HasPrefix(got, want) {
		t.Errorf("Message = %q, want it to start %q", got, want)
	}
}
