// Command sportello is the desk app of an INPS sede: the clerk takes a
// citizen's MV35 request, verifies their identity, issues a PIN dispositivo
// whose sealed-envelope slip is printed, and records the handover.
//
// Usage:
//
//	sportello [-config FILE] [-store PATH] [-key PATH] [-printer QUEUE | -dev-print DIR] [-idle 5m] [-lang it]
//
// The store and its key default to local.DefaultPaths. On first run (neither
// file exists) the store is created; otherwise it is opened, and a missing,
// damaged or foreign file is reported, never recreated. -printer prints the
// slips and the MV35 on a CUPS queue; -dev-print writes them as PDF files to
// DIR, for development only, under a red banner. With neither, the queue a
// supervisor chose in the settings is used; without one there is no printer
// and no PIN can be issued. The MV35 of each new PIN is archived, sealed, in
// the store.
//
// -centrale URL with -cert, -certkey and -ca (a sede certificate from
// `pinctl ca issue -role sede`, and the CA's ca.crt) connects the desk to
// the central records: the outbox is pushed at once after each issue, and
// the status bar shows the link. Without -centrale the desk works offline.
//
// Every flag can be set in a TOML file, -config or the first of the
// user's and the machine's sportello.toml (config.go), and by a
// PINSEDE_SPORTELLO_* variable; the environment overrides the file, and
// flags override both (internal/config). The installed launcher passes
// no flags: the file connects the desk to centrale. A supervisor writes
// it from the desk's settings, importing the bundle of `pinctl ca issue
// -bundle` (internal/deskconn); it applies at the next start.
//
// main wires things together and nothing else.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/buildinfo"
	"github.com/pinsede/pinsede/internal/fynelocale"
	"github.com/pinsede/pinsede/internal/shutdown"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/desk"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/slip"
	"github.com/pinsede/pinsede/ui/theme"
)

// windowTitle is the title of the window; the smoke test waits for it.
const windowTitle = "PIN Sede – Sportello"

func main() {
	flag.CommandLine.Init("sportello", flag.ContinueOnError) // its errors are told below, in the clerk's language
	flag.CommandLine.SetOutput(io.Discard)
	// The options' texts, for -h, are the translations' usage.sportello.NAME (i18n.Usage).
	defStore, defKey, pathErr := local.DefaultPaths()
	storePath := flag.String("store", defStore, "")
	keyPath := flag.String("key", defKey, "")
	queue := flag.String("printer", "", "")
	devPrint := flag.String("dev-print", "", "")
	idle := flag.Duration("idle", desk.DefaultIdle, "")
	language := flag.String("lang", i18n.Default, "")
	ticketDir := flag.String("ticket-dir", "", "")
	policyPath := flag.String("policy", "", "")
	var backups backupFlags
	flag.StringVar(&backups.dir, "backup-dir", "", "")
	flag.DurationVar(&backups.every, "backup-every", 4*time.Hour, "")
	flag.IntVar(&backups.keep, "backup-keep", 42, "")
	showVersion := flag.Bool("version", false, "")
	read, parseErr := parseSettings(flag.CommandLine, os.Args[1:], os.Environ(), configFiles()) // config.go
	if *showVersion {
		fmt.Println(buildinfo.String("sportello"))
		return
	}

	if err := i18n.Load(*language); err != nil {
		_ = i18n.Load(i18n.Default) // settingsProblems tells the language refused; Italian has every text
	}
	if errors.Is(parseErr, flag.ErrHelp) {
		i18n.Usage(os.Stdout, "sportello", flag.CommandLine, nil)
		return
	}
	// Every problem of the settings is told in a window too: the
	// installed launcher has no terminal.
	problems := settingsProblems(read, parseErr, *language, *queue, *devPrint)
	if (*storePath == "" || *keyPath == "") && pathErr != nil {
		problems = append(problems, lang.L("start.paths", map[string]any{"Err": pathErr.Error()}))
	}
	var policy *pinsede.Policy
	if *policyPath != "" {
		var problem string
		if policy, problem = loadPolicy(read, *policyPath); problem != "" {
			problems = append(problems, problem)
		}
	}
	if len(problems) > 0 {
		msg := strings.Join(problems, "\n\n")
		fmt.Fprintln(os.Stderr, "sportello:", msg)
		a := app.NewWithID("it.inps.pinsede.sportello")
		a.Settings().SetTheme(theme.New())
		fail(a, a.NewWindow(windowTitle), msg)
	}

	// The store first: its errors reach stderr even without a display.
	store, storeErr := openStore(*storePath, *keyPath)
	if storeErr != nil {
		fmt.Fprintln(os.Stderr, "sportello:", startMessage(storeErr, *storePath, *keyPath))
	} else {
		defer during("closing the store", func() { store.Close() })
	}

	a := app.NewWithID("it.inps.pinsede.sportello")
	a.Settings().SetTheme(theme.New())
	w := a.NewWindow(windowTitle)
	w.Resize(fyne.NewSize(1280, 800))
	shutdown.ExitIfStuck() // Fyne's driver quits on SIGTERM: no Quit of ours; the steps below (during) bound the rest
	if storeErr != nil {
		fail(a, w, startMessage(storeErr, *storePath, *keyPath))
	}

	d := pinsede.NewDesk(store, nil, time.Now) // the one real clock of the desk
	d.Policy = policy                          // nil: pinsede.DefaultPolicy
	d.Policies = cachedPolicy(store)
	saved, err := d.Settings()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sportello:", err) // start without the saved printer
	}
	backend := chooseBackend(*queue, *devPrint, saved)
	d.Forms = desk.MV35Renderer{} // the MV35 is archived with each credential
	if backend != nil {
		d.Printer = slip.Printer{Backend: backend}
		d.Documents = desk.DocumentPrinter{Backend: backend}
	}
	// The central records (centrale.go): none without -centrale.
	link, err := startSync(store, d, *centraleFlags)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sportello:", err)
		store.Close()
		fail(a, w, err.Error())
	}
	defer during("stopping the link with centrale", link.stop)
	d.Link = link.link()
	// The desk id of the certificate: the sessions and slips carry it,
	// the store puts it in each audit entry and outbox event.
	d.DeskID = link.desk
	store.SetDesk(link.desk)
	if link != nil && link.client != nil {
		d.Central = link.client // the citizen's credentials at centrale (sync/client/lookup.go)
	}
	log, logPath, closeLog := deskLog(*storePath)
	defer during("closing the log", closeLog)
	slog.SetDefault(log)
	if name, value := fynelocale.Unread(); name != "" {
		log.Warn("a locale variable names no language Fyne can read: ignored (the desk speaks its -lang)", "variable", name, "value", value)
	}
	if a.Settings().ShowAnimations() {
		log.Warn("built without -tags no_animations (make build sets it): the text cursor's animation keeps redrawing the window, about 20% of a core while idle")
	}
	ui := desk.New(d, w, desk.Config{
		Idle: *idle, DevPrintDir: *devPrint, TicketDir: *ticketDir, Log: log, LogPath: logPath,
		Version: buildinfo.Version, StorePath: *storePath, CentraleURL: centraleFlags.url,
		CertExpires: link.certExpires(), Connector: newConnector(fileRead(read), d.Now),
	})
	ui.UseSync(link.source(), link.sede)
	if err := ui.Start(); err != nil {
		msg := startMessage(err, *storePath, *keyPath) // a store bbolt finds damaged at the recovery of prints: start.corrupt
		fmt.Fprintln(os.Stderr, "sportello:", msg)
		store.Close()
		fail(a, w, msg)
	}
	defer during("closing the window's work", ui.Close)
	// The copies start once Start has recovered the prints the last run
	// cut short: a copy then holds no slip as printing but those printing
	// as it is made, which a restore of it leaves active (local.Restore).
	// Their outcomes go to the status bar, which says when they fail.
	stopBackups := startBackups(store, backups, d.Now, log, ui.BackupDone)
	defer during("stopping the copies of the store", stopBackups) // before the store closes: deferred after it

	shutdown.OnSignal(ui.Quitting) // background work ending from then on leaves the window alone
	w.ShowAndRun()
}

// during runs f as a step of the desk's quit, named what: a step that
// never ends (a share or a printer that no longer answers) ends the
// process (shutdown.ExitIfStuck), one that takes longer on a loaded
// machine does not.
func during(what string, f func()) {
	shutdown.Step(what)
	f()
}

// cachedPolicy returns the source of the policy the sync client cached
// from centrale: the desk applies it when its version is higher than the
// -policy file's (or the built-in one's).
func cachedPolicy(store *local.Store) pinsede.PolicySource {
	return func() (pinsede.Policy, bool) {
		p, ok, err := store.CachedPolicy()
		if err != nil {
			fmt.Fprintln(os.Stderr, "sportello:", err)
			return pinsede.Policy{}, false
		}
		return p, ok
	}
}

// chooseBackend picks the printer: the -printer queue, else the -dev-print
// folder, else the queue saved in the settings, else none (nil).
func chooseBackend(queue, devPrint string, saved pinsede.Settings) cups.Backend {
	switch {
	case queue != "":
		return cups.Queue{Name: queue}
	case devPrint != "":
		return cups.DevFolder{Dir: devPrint}
	case saved.PrinterQueue != "":
		return cups.Queue{Name: saved.PrinterQueue}
	}
	return nil
}

// openStore creates the store on first run, when neither the store nor the
// key exists, and opens it otherwise: a store is never created over existing
// data.
func openStore(storePath, keyPath string) (*local.Store, error) {
	if !exists(storePath) && !exists(keyPath) {
		return local.Create(storePath, keyPath)
	}
	return local.Open(storePath, keyPath)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// startMessage explains why the store did not open, in the clerk's words.
func startMessage(err error, storePath, keyPath string) string {
	args := map[string]any{"Store": storePath, "Key": keyPath, "Err": err.Error()}
	for _, c := range []struct {
		err error
		key string
	}{
		{local.ErrAlreadyOpen, "start.alreadyopen"},
		{local.ErrWrongKey, "start.wrongkey"},
		{local.ErrNoKey, "start.nokey"},
		{local.ErrKeyExposed, "start.keyexposed"},
		{local.ErrKeyNotFile, "start.keynotfile"},
		{local.ErrCorrupt, "start.corrupt"},
		{local.ErrNoStore, "start.nostore"},
		{local.ErrSchemaTooNew, "start.schematoonew"},
	} {
		if errors.Is(err, c.err) {
			return lang.L(c.key, args)
		}
	}
	if msg, ok := i18n.Disk(err, startDisk, args); ok {
		return msg
	}
	return lang.L("start.error", args)
}

// startDisk are the keys of a store that did not open, or was not made,
// for its disk: full, read-only, or not writable by the desk's user (nor
// its key readable).
var startDisk = i18n.DiskKeys{Full: "start.disk.full", ReadOnly: "start.disk.readonly", Denied: "start.disk.denied"}

// fail shows a start-up error in the window, and exits with status 1 when
// the window is closed.
func fail(a fyne.App, w fyne.Window, msg string) {
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	heading := widget.NewLabelWithStyle(lang.L("start.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.Importance = widget.DangerImportance
	closeBtn := widget.NewButton(lang.L("start.close"), a.Quit)
	closeBtn.Importance = widget.HighImportance
	// The message between the heading and the button, which stays under
	// it: in a VBox a message of three lines or more, wrapped, had its
	// last line under the button. It scrolls when longer than the window
	// (several settings refused).
	w.SetContent(container.NewPadded(container.NewPadded(container.NewBorder(heading, container.NewHBox(closeBtn), nil, nil, container.NewVScroll(text)))))
	w.Resize(fyne.NewSize(640, 280))
	w.CenterOnScreen()
	w.ShowAndRun()
	os.Exit(1)
}
