package desk

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/deskconn"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/cups/cupstest"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that a supervisor chooses the printer queue in the settings, that
// a bad name shows under its field, and that an operatore has no settings.
// CUPS cannot be read here (its socket is a file that is not there): the
// name is typed, and the note says why.
func TestSettingsScreen(t *testing.T) {
	noCUPS := filepath.Join(t.TempDir(), "cups.sock")
	h := ready(t, func(_ *pinsede.Desk, c *Config) {
		c.Printers = func(ctx context.Context) ([]cups.Printer, error) { return cups.ListPrinters(ctx, noCUPS) }
	})
	h.tap(h.app.header.settings)
	st := h.app.settings
	if st == nil || h.app.current.View != st.screen.View {
		t.Fatal("Impostazioni: no settings screen")
	}
	h.wait()
	if st.printers.Visible() || !st.queue.Visible() || !strings.Contains(st.printerNote.Text, "CUPS") {
		t.Fatalf("CUPS unreadable: select shown %v, entry shown %v, note %q", st.printers.Visible(), st.queue.Visible(), st.printerNote.Text)
	}
	if h.win.Canvas().Focused() != st.queue {
		t.Errorf("focus on %T, want the queue's name", h.win.Canvas().Focused())
	}

	// Its messages keep their room: Salva stays where it was, saved or
	// not (a problem under the queue's name pushes it down).
	h.assertStays(stays{msg: st.msg, keep: []fyne.CanvasObject{st.queue, st.save}, above: 1, scrolls: true, cases: []stayCase{
		shown(st.msg, "form.haserrors"),
		shown(st.msg, "settings.saved"),
		h.submitted("saved", func() { h.typeIn(st.queue, "sportello1") }, st.save, st.msg, lang.L("settings.saved")),
	}})

	// Given a name with a space, then it is refused under the field.
	h.typeIn(st.queue, "sportello 1")
	h.tap(st.save)
	if got := st.fields[pinsede.FieldPrinterQueue].problemText(); !strings.Contains(got, "Nome di coda non valido") {
		t.Errorf("bad queue name: problem %q", got)
	}
	// Given a good name, then it is stored and audited.
	h.typeIn(st.queue, "sportello1")
	h.tap(st.save)
	if got := st.msg.text(); !strings.Contains(got, "salvate") {
		t.Fatalf("save: message %q", got)
	}
	if s, err := h.desk.Settings(); err != nil || s.PrinterQueue != "sportello1" {
		t.Fatalf("stored settings %+v, %v", s, err)
	}
	if got := st.updated.Text; !strings.Contains(got, "m.rossi") {
		t.Errorf("who changed them: %q", got)
	}

	h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-verdi")
	h.tap(h.app.header.logout)
	h.logIn("l.verdi", "password-verdi")
	if h.app.header.settings.Visible() {
		t.Error("an operatore sees Impostazioni")
	}
}

// Ensure that the settings offer the queues of the real CUPS, with their
// state, the saved one chosen, and that choosing one saves it; a saved
// queue CUPS no longer has stays, marked, and "none found" is explained.
func TestSettingsPrinterList(t *testing.T) {
	cupstest.Need(t)
	h := ready(t)
	if err := h.desk.SaveSettings(h.app.session, pinsede.Settings{PrinterQueue: "sportello-vecchio"}); err != nil {
		t.Fatal(err)
	}
	h.tap(h.app.header.settings)
	st := h.app.settings
	h.wait()
	if !st.printers.Visible() || st.queue.Visible() {
		t.Fatalf("select shown %v, entry shown %v (note %q)", st.printers.Visible(), st.queue.Visible(), st.printerNote.Text)
	}
	if got := st.printers.Selected; got != "sportello-vecchio — non trovata su questo PC" {
		t.Errorf("selected %q, want the saved queue, marked as not found", got)
	}
	want := cupstest.Queue + " — pronta"
	if !slices.ContainsFunc(st.printers.Options, func(o string) bool { return strings.HasPrefix(o, cupstest.Queue) && strings.HasSuffix(o, "pronta") }) {
		t.Fatalf("options %q, want %q", st.printers.Options, want)
	}
	shot(t, h, "impostazioni-stampanti")
	for _, o := range st.printers.Options {
		if strings.HasPrefix(o, cupstest.Queue) {
			st.printers.SetSelected(o)
		}
	}
	h.tap(st.save)
	if s, err := h.desk.Settings(); err != nil || s.PrinterQueue != cupstest.Queue {
		t.Fatalf("stored settings %+v, %v", s, err)
	}

	// Given CUPS with no queue, then "none" is chosen and explained.
	h.app.cfg.Printers = func(context.Context) ([]cups.Printer, error) { return nil, nil }
	st.listPrinters("")
	h.wait()
	if st.printers.Selected != "Nessuna stampante" || !strings.Contains(st.printerNote.Text, "nessuna stampante") {
		t.Errorf("none found: selected %q, note %q", st.printers.Selected, st.printerNote.Text)
	}
}

// Ensure that the connection to centrale is checked as typed, with the
// certificate bundle read for real (internal/deskconn): a wrong address,
// a bundle of another sede, an expired certificate, a kiosk's and a file
// that is no bundle each show their message under their field and keep
// what was typed; a good one is saved into the config folder (the key
// 0600) and sportello.toml, keeping its other keys, and audited.
func TestSettingsConnection(t *testing.T) {
	cfgDir := t.TempDir()
	toml := filepath.Join(cfgDir, "pinsede", "sportello.toml")
	h := ready(t, func(d *pinsede.Desk, c *Config) {
		c.Printers = func(context.Context) ([]cups.Printer, error) { return nil, nil }
		c.Connector = &deskconn.Files{File: toml, Now: d.Now}
	})
	if err := os.MkdirAll(filepath.Dir(toml), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(toml, []byte("printer = \"banco1\"\nidle = \"10m\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sede := h.app.session.Sede.Code
	ca, err := pki.Init(filepath.Join(t.TempDir(), "ca"), "pinsede CA", testNow.AddDate(0, -1, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bundle := func(name string, issue func() ([]byte, []byte, error)) string {
		certPEM, keyPEM, err := issue()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+".pem")
		if err := pki.WriteBundle(p, ca.CertPEM(), certPEM, keyPEM); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := bundle("good", func() ([]byte, []byte, error) { return ca.IssueDesk(sede, "03", testNow) })
	other := bundle("other", func() ([]byte, []byte, error) { return ca.IssueDesk("MILANO01", "01", testNow) })
	kiosk := bundle("kiosk", func() ([]byte, []byte, error) { return ca.Issue(pki.RoleKiosk, sede, testNow) })
	expired := bundle("expired", func() ([]byte, []byte, error) {
		return ca.IssueDesk(sede, "03", testNow.Add(-pki.ClientValidity-time.Hour))
	})
	notBundle := filepath.Join(dir, "note.txt")
	os.WriteFile(notBundle, []byte("non è un pacchetto"), 0o644)

	h.tap(h.app.header.settings)
	h.wait()
	c := h.app.settings.conn
	if c == nil {
		t.Fatal("no connection section with a Connector")
	}
	const url = "https://centrale.example:8443"
	for _, tc := range []struct {
		name, url, bundle, field, want string
	}{
		{"http", "http://centrale.example:8443", good, pinsede.FieldCentraleURL, "deve iniziare con https://"},
		{"another sede", url, other, pinsede.FieldBundle, "è della sede MILANO01, ma questo sportello è della sede " + sede},
		{"expired", url, expired, pinsede.FieldBundle, "è scaduto il"},
		{"a kiosk's", url, kiosk, pinsede.FieldBundle, "certificato di un chiosco"},
		{"not a bundle", url, notBundle, pinsede.FieldBundle, "non è un pacchetto di certificati"},
		{"no file", url, filepath.Join(dir, "manca.pem"), pinsede.FieldBundle, "non si può leggere"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.typeIn(c.url, tc.url)
			h.typeIn(c.bundle, tc.bundle)
			h.tap(c.save)
			if got := c.fields[tc.field].problemText(); !strings.Contains(got, tc.want) {
				t.Errorf("problem under %s: %q, want %q", tc.field, got, tc.want)
			}
			if c.url.Text != tc.url || c.bundle.Text != tc.bundle {
				t.Errorf("typed text lost: %q, %q", c.url.Text, c.bundle.Text)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(toml), deskconn.KeyFile)); err == nil {
				t.Fatal("a key written for a connection refused")
			}
		})
	}

	shot(t, h, "impostazioni-errore") // the last case's problem on screen

	// Given centrale not answering (a closed port of the loopback), then
	// the try says so, and saving stays possible.
	h.typeIn(c.url, "https://127.0.0.1:1")
	h.typeIn(c.bundle, good)
	h.tap(c.try)
	h.wait()
	if got := c.msg.text(); !strings.Contains(got, "non risponde") || !strings.Contains(got, "Puoi salvare lo stesso") {
		t.Errorf("try of a centrale that does not answer: %q", got)
	}
	if c.save.Disabled() || c.try.Disabled() {
		t.Error("buttons disabled after the try")
	}
	h.typeIn(c.url, url)
	h.typeIn(c.bundle, good)
	h.tap(c.save)
	shot(t, h, "impostazioni-salvate")
	if got := c.msg.text(); !strings.Contains(got, "salvato") || !strings.Contains(got, "riapri") {
		t.Fatalf("save: message %q", got)
	}
	for name, want := range map[string]os.FileMode{deskconn.KeyFile: 0o600, deskconn.CertFile: 0o644, deskconn.CAFile: 0o644} {
		fi, err := os.Stat(filepath.Join(filepath.Dir(toml), name))
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %v", name, fi, err, want)
		}
	}
	data, _ := os.ReadFile(toml)
	for _, want := range []string{`centrale = "` + url + `"`, `certkey = "` + filepath.Join(filepath.Dir(toml), deskconn.KeyFile) + `"`, `printer = "banco1"`, `idle = "10m"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("sportello.toml lacks %s:\n%s", want, data)
		}
	}
	found, err := h.desk.SearchAudit(h.app.session, pinsede.AuditFilter{From: pinsede.DateOf(testNow), To: pinsede.DateOf(testNow), Action: pinsede.ActionSettingsChanged})
	if err != nil {
		t.Fatal(err)
	}
	entries := found.Entries
	if len(entries) != 1 || !strings.Contains(entries[0].Detail, "centrale: nessuna → "+url) || strings.Contains(entries[0].Detail, "PRIVATE") {
		t.Errorf("audit %+v", entries)
	}
}

// shot writes the window as name.png to the -shots folder, when given, to
// look at it.
func shot(t *testing.T, h *harness, name string) {
	t.Helper()
	if *shots == "" {
		return
	}
	if err := os.MkdirAll(*shots, 0o755); err != nil {
		t.Fatal(err)
	}
	test.ApplyTheme(t, theme.New()) // the desk's, as TestScreensPNG
	h.settle()
	writeShots(t, h, name)
}

// Ensure that the connection's problems, its message and its buttons
// show after Salva il collegamento and Prova il collegamento: the
// settings are taller than the window, and at 1280×800 they were left
// below it (issue 17, found by real keys). The buttons, at the foot of
// the window since footedPage, show whole in it, and the bundle's
// problem, the last of the page, shows above the message, laid out as the
// real driver does (the panel came over it).
func TestSettingsConnectionProblemsInView(t *testing.T) {
	h := ready(t, func(d *pinsede.Desk, c *Config) {
		c.Printers = func(context.Context) ([]cups.Printer, error) { return nil, nil }
		c.Connector = &deskconn.Files{File: filepath.Join(t.TempDir(), "sportello.toml"), Now: d.Now}
	})
	h.tap(h.app.header.settings)
	c := h.app.settings.conn
	for _, b := range []*button{c.save, c.try} {
		sc := h.app.currentScroll()
		sc.ScrollToTop()
		h.typeIn(c.url, "http://centrale.example:8443")
		h.typeIn(c.bundle, filepath.Join(t.TempDir(), "manca.pem"))
		c.msg.set(msgError, "")
		h.frame()
		h.tap(b)
		h.frame()
		d := fyne.CurrentApp().Driver()
		problem := c.fields[pinsede.FieldBundle].problem
		if pb, mt := d.AbsolutePositionForObject(problem).Y+problem.Size().Height, d.AbsolutePositionForObject(c.msg.box).Y; !problem.Visible() || pb > mt {
			t.Errorf("%s: the bundle's problem ends at %v, under the message's top at %v", b.Text, pb, mt)
		}
		bottom, window := d.AbsolutePositionForObject(b).Y+b.Size().Height, h.win.Canvas().Size().Height
		if bottom > window || !c.msg.box.Visible() {
			t.Errorf("%s: the button ends at %v, below the window's %v (message shown: %v)", b.Text, bottom, window, c.msg.box.Visible())
		}
	}
}
